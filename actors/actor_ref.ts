/**
 * {@linkcode ActorRef} is the one handle to an actor, local or remote; {@linkcode LocalRef} is the
 * local one. {@linkcode PendingReply} is the awaited answer of an ask: it always settles, by reply,
 * timeout, abort or the owner's shutdown, and clears its timer the moment it does.
 *
 * @module
 */
import type { Clock, TimerId } from "./clock.ts";
import { abortReason, TimeoutError } from "./errors.ts";
import type { Mailbox } from "./mailbox.ts";

/** Options of {@linkcode ActorRef.send}. */
export interface SendOptions {
  /** Cancels the wait for mailbox room; an aborted send enqueues nothing. */
  signal?: AbortSignal | undefined;
}

/** Options of {@linkcode ActorRef.ask}. */
export interface AskOptions {
  /** Cancels the ask; it rejects with `AbortedError` (or the signal's Frontier error reason). */
  signal?: AbortSignal | undefined;
  /** Milliseconds before the ask rejects with `TimeoutError`; `Infinity` for none. @default {the owner's ask timeout} */
  timeout?: number | undefined;
}

/**
 * An address to send `M` messages to; asks are answered with `R`. The same interface serves a
 * local actor and one on another node.
 */
export interface ActorRef<M, R = unknown> {
  /** The actor's path (`parent/child`) or, for a remote actor, the name it is exposed under. */
  readonly name: string;
  /**
   * Delivers `msg` now without waiting. Throws `MailboxFullError` when the mailbox is full,
   * `StoppedError` / `PeerUnavailableError` when the actor or its node is gone.
   */
  tell(msg: M): void;
  /** Delivers `msg`, waiting for mailbox room. Rejects on abort (nothing delivered) or stop. */
  send(msg: M, options?: SendOptions): Promise<void>;
  /**
   * Delivers `msg` and waits for the handler's `ctx.reply`. Always settles: `TimeoutError`,
   * `AbortedError`, `StoppedError` / `PeerUnavailableError`, or the error the handler threw.
   */
  ask(msg: M, options?: AskOptions): Promise<R>;
}

/** Options of a {@linkcode PendingReply}. */
export interface PendingReplyOptions {
  /** Rejects the reply with `AbortedError` (or the signal's Frontier error) when aborted. */
  signal?: AbortSignal | undefined;
  /** Milliseconds; `Infinity` for no timeout. */
  timeout: number;
  /** What is waited for, for error messages, e.g. `Ask to actor "a"`. */
  what: string;
  /** Called once, synchronously, when the reply settles in any way. */
  onSettle?: (() => void) | undefined;
}

/** Throws `RangeError` unless `timeout` is a non-negative number (`Infinity` allowed). */
export function checkTimeout(timeout: number, what: string): number {
  if (!(timeout >= 0)) throw new RangeError(`${what}: timeout must be a non-negative number, got ${timeout}`);
  return timeout;
}

/**
 * A reply being waited for, settled exactly once. Settling clears the timeout timer and the abort
 * listener synchronously and aborts {@linkcode PendingReply.signal}, so a send still waiting for
 * mailbox room on behalf of this reply gives up.
 */
export class PendingReply<R> {
  /** Resolves with the reply, or rejects with why there is none. */
  readonly promise: Promise<R>;
  #resolve!: (value: R) => void;
  #reject!: (error: unknown) => void;
  #done = new AbortController();
  #timer: TimerId | undefined;
  #cleanup: () => void;

  /** Starts waiting: arms the timeout on `clock` and listens to `options.signal`. */
  constructor(clock: Clock, options: PendingReplyOptions) {
    this.promise = new Promise<R>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const { signal, timeout, what } = options;
    const onAbort = () => this.reject(abortReason(signal!, what));
    this.#cleanup = () => {
      if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
      signal?.removeEventListener("abort", onAbort);
      options.onSettle?.();
    };
    if (signal?.aborted) {
      this.reject(abortReason(signal, what));
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeout !== Infinity) {
      this.#timer = clock.setTimeout(() => {
        this.#timer = undefined;
        this.reject(
          new TimeoutError(`${what} timed out after ${timeout} ms`, { data: { timeoutMs: timeout } }),
        );
      }, timeout);
    }
  }

  /** Aborted (with the rejection error, or `undefined` after a reply) once settled. */
  get signal(): AbortSignal {
    return this.#done.signal;
  }

  /** True once resolved or rejected. */
  get settled(): boolean {
    return this.#done.signal.aborted;
  }

  /** Settles with `value`; ignored when already settled. */
  resolve(value: R): void {
    if (this.settled) return;
    this.#done.abort();
    this.#cleanup();
    this.#resolve(value);
  }

  /** Settles with `error`; ignored when already settled. */
  reject(error: unknown): void {
    if (this.settled) return;
    this.#done.abort(error);
    this.#cleanup();
    this.#reject(error);
  }
}

/** A message in a local actor's mailbox, with the reply an ask waits for. */
export interface Envelope<M, R> {
  msg: M;
  reply?: PendingReply<R> | undefined;
}

/** What a {@linkcode LocalRef} needs from its actor system. */
export interface LocalRefDeps {
  clock: Clock;
  /** Timeout of asks that give none, in ms. */
  askTimeoutMs: number;
}

/** The ref of an actor in this process: a view of its mailbox. Made by the actor system. */
export class LocalRef<M, R> implements ActorRef<M, R> {
  readonly name: string;
  readonly #mailbox: Mailbox<Envelope<M, R>>;
  readonly #deps: LocalRefDeps;

  constructor(name: string, mailbox: Mailbox<Envelope<M, R>>, deps: LocalRefDeps) {
    this.name = name;
    this.#mailbox = mailbox;
    this.#deps = deps;
  }

  tell(msg: M): void {
    this.#mailbox.trySend({ msg });
  }

  send(msg: M, options: SendOptions = {}): Promise<void> {
    return this.#mailbox.send({ msg }, options);
  }

  async ask(msg: M, options: AskOptions = {}): Promise<R> {
    const what = `Ask to actor "${this.name}"`;
    const timeout = checkTimeout(options.timeout ?? this.#deps.askTimeoutMs, what);
    const reply = new PendingReply<R>(this.#deps.clock, { signal: options.signal, timeout, what });
    try {
      await this.#mailbox.send({ msg, reply }, { signal: reply.signal });
    } catch (error) {
      reply.reject(error);
    }
    return reply.promise;
  }
}
