/**
 * The named errors of Frontier. Each has a stable `name`, structured `data`, and an optional
 * `cause`. On the wire an error is `{ name, message, data }` ({@linkcode errorToWire}) and is
 * rebuilt as the same class on the other side ({@linkcode errorFromWire}).
 *
 * @module
 */

/** JSON-compatible value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** An error as it travels between processes. */
export interface WireError {
  name: string;
  message: string;
  data: Record<string, Json>;
}

/** Base of every Frontier error. */
export class FrontierError extends Error {
  readonly data: Record<string, Json>;
  constructor(message: string, options: { data?: Record<string, Json>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.data = options.data ?? {};
  }
}

/** A bounded mailbox or queue refused a message because it is full. */
export class MailboxFullError extends FrontierError {
  override name = "MailboxFullError";
}
/** The peer (actor, worker, process, host) went away or cannot be reached. */
export class PeerUnavailableError extends FrontierError {
  override name = "PeerUnavailableError";
}
/** A task failed; `data.kind` says whether the task itself or its inputs (fetch) caused it. */
export class TaskFailedError extends FrontierError {
  override name = "TaskFailedError";
}
/** A job could not complete (a stage or task ran out of attempts). */
export class JobFailedError extends FrontierError {
  override name = "JobFailedError";
}
/** Input that does not decode as a valid message. */
export class MalformedMessageError extends FrontierError {
  override name = "MalformedMessageError";
}
/** A wait ran past its deadline. */
export class TimeoutError extends FrontierError {
  override name = "TimeoutError";
}
/** A wait was cancelled through its AbortSignal. */
export class AbortedError extends FrontierError {
  override name = "AbortedError";
}
/** Data does not match the schema it was declared or expected to have. */
export class SchemaError extends FrontierError {
  override name = "SchemaError";
}
/** A node failed to prove the shared secret, or a frame came from an unauthenticated peer. */
export class AuthenticationError extends FrontierError {
  override name = "AuthenticationError";
}
/** The actor, system or component was stopped. */
export class StoppedError extends FrontierError {
  override name = "StoppedError";
}
/** A module or export was not on the job's allowlist. */
export class NotAllowedError extends FrontierError {
  override name = "NotAllowedError";
}
/** An actor's supervisor gave up (restart limit exceeded) and escalated. */
export class EscalationError extends FrontierError {
  override name = "EscalationError";
}
/** A malformed input row, with its location. */
export class InvalidRowError extends FrontierError {
  override name = "InvalidRowError";
}

const registry: Record<
  string,
  new (message: string, options?: { data?: Record<string, Json> }) => FrontierError
> = {
  MailboxFullError,
  PeerUnavailableError,
  TaskFailedError,
  JobFailedError,
  MalformedMessageError,
  TimeoutError,
  AbortedError,
  SchemaError,
  AuthenticationError,
  StoppedError,
  NotAllowedError,
  EscalationError,
  InvalidRowError,
};

/** Serializes any thrown value to a {@linkcode WireError}. */
export function errorToWire(error: unknown): WireError {
  if (error instanceof FrontierError) {
    return { name: error.name, message: error.message, data: error.data };
  }
  if (error instanceof Error) {
    return { name: error.name, message: error.message, data: error.stack ? { stack: error.stack } : {} };
  }
  return { name: "Error", message: String(error), data: {} };
}

/** Rebuilds a {@linkcode WireError} as its named class (unknown names become a plain `Error`). */
export function errorFromWire(wire: WireError): Error {
  const Ctor = registry[wire.name];
  if (Ctor) return new Ctor(wire.message, { data: wire.data });
  const builtins: Record<string, ErrorConstructor> = {
    TypeError,
    RangeError,
    SyntaxError,
    Error,
  };
  const B = builtins[wire.name];
  const e = B ? new B(wire.message) : new Error(wire.message);
  if (!B) e.name = wire.name;
  return e;
}

/** Turns an AbortSignal's reason into an {@linkcode AbortedError} unless it already is a Frontier error. */
export function abortReason(signal: AbortSignal, what: string): Error {
  const r: unknown = signal.reason;
  if (r instanceof FrontierError) return r;
  return new AbortedError(`${what} was aborted`, { cause: r });
}
