/**
 * Frontier's actors: bounded mailboxes, typed refs with `tell`/`send`/`ask`, behaviours as state
 * transitions, OTP-style supervision with backoff, and remote refs over any transport.
 *
 * @module
 */
export {
  type ActorRef,
  type AskOptions,
  PendingReply,
  type PendingReplyOptions,
  type SendOptions,
} from "./actor_ref.ts";
export { type Clock, FakeClock, flushMicrotasks, systemClock, type TimerId } from "./clock.ts";
export {
  type Connection,
  type ConnectionStats,
  DEFAULT_LIMITS,
  type Frame,
  type Listener,
  type TransportLimits,
  type WaitOptions,
} from "./connection.ts";
export * from "./errors.ts";
export {
  DEFAULT_MAILBOX_CAPACITY,
  Mailbox,
  type MailboxOptions,
  type MailboxWaitOptions,
} from "./mailbox.ts";
export {
  type ExposeOptions,
  RemoteNode,
  type RemoteNodeDeps,
  type RemoteNodeOptions,
  type RemoteNodeStats,
  type RemoteRefOptions,
} from "./remote.ts";
export {
  backoffDelay,
  DEFAULT_SUPERVISION,
  type ResolvedSupervision,
  resolveSupervision,
  RestartPolicy,
  seededRandom,
  type SupervisionOptions,
  type SupervisorDecision,
} from "./supervisor.ts";
export {
  type ActorContext,
  type ActorFailure,
  ActorSystem,
  type ActorSystemDeps,
  type ActorSystemOptions,
  type Behavior,
  type SpawnOptions,
} from "./system.ts";
