/**
 * Location transparency: a {@linkcode RemoteNode} wraps one {@linkcode Connection}, exposes local
 * actors to the peer and hands out {@linkcode ActorRef}s for the peer's actors.
 *
 * Wire frames are small tagged JSON headers with a version:
 * ```
 * { v: 1, type: "actor.tell", to, body, bytes? }
 * { v: 1, type: "actor.ask", id, to, body, timeoutMs?, bytes? }
 * { v: 1, type: "actor.reply", id, ok: true, value, bytes? } | { v: 1, type: "actor.reply", id, ok: false, error }
 * ```
 * A message (or reply) object with a top-level `payload: Uint8Array` travels with the bytes in the
 * frame payload (`bytes: true`), never JSON-encoded; the rest must be JSON-compatible.
 *
 * @module
 */
import { type ActorRef, type AskOptions, checkTimeout, PendingReply, type SendOptions } from "./actor_ref.ts";
import { type Clock, systemClock } from "./clock.ts";
import { at, bool, describe, fail, isRecord, obj, oneOf, str, where, wireErrorValue } from "./decode.ts";
import {
  errorFromWire,
  errorToWire,
  MailboxFullError,
  MalformedMessageError,
  PeerUnavailableError,
  type WireError,
} from "./errors.ts";
import { Mailbox } from "./mailbox.ts";
import type { Connection, Frame } from "./connection.ts";

/** Collaborators of a {@linkcode RemoteNode}. */
export interface RemoteNodeDeps {
  /** The authenticated, ordered link to the peer node; the node owns it and closes it. */
  connection: Connection;
  /** Time source for ask timeouts. @default {systemClock} */
  clock?: Clock;
}

/** Settings of a {@linkcode RemoteNode}. */
export interface RemoteNodeOptions {
  /** Timeout of asks that give none, in ms; also caps how long an inbound ask may run. @default {30_000} */
  askTimeoutMs?: number;
  /** Outbound asks awaiting a reply, and inbound asks being served, each at most. @default {10_000} */
  maxPendingAsks?: number;
  /** Frames queued for the connection before `tell` fails and `send`/`ask` wait. @default {1024} */
  outboxCapacity?: number;
}

/** Counters of a {@linkcode RemoteNode}. */
export interface RemoteNodeStats {
  /** Inbound frames or messages that did not decode. */
  malformed: number;
  /** Messages or replies that could not be delivered (unknown actor, full or stopped mailbox, closing). */
  dropped: number;
}

/** Options of {@linkcode RemoteNode.expose}. */
export interface ExposeOptions<M> {
  /** Validates an inbound message; throws `MalformedMessageError` on bad input. */
  decode: (input: unknown) => M;
}

/** Options of {@linkcode RemoteNode.ref}. */
export interface RemoteRefOptions<R> {
  /** Validates a reply; a throw rejects the ask. */
  decodeReply: (input: unknown) => R;
}

type Inbound =
  | { type: "actor.tell"; to: string; body: unknown; bytes: boolean }
  | { type: "actor.ask"; id: number; to: string; body: unknown; bytes: boolean; timeoutMs: number }
  | { type: "actor.reply"; id: number; ok: true; value: unknown; bytes: boolean }
  | { type: "actor.reply"; id: number; ok: false; error: WireError };

interface Outgoing {
  frame: Frame;
  /** Called if the connection refuses this frame (e.g. too large). */
  fail(error: unknown): void;
}

interface Waiting {
  accept(value: unknown): void;
  reject(error: unknown): void;
}

interface Delivery {
  tell(): void;
  ask(options: AskOptions): Promise<unknown>;
}

/**
 * One end of an actor conversation over a connection. Owns its receive and send loops, which
 * {@linkcode RemoteNode.close} ends and awaits. When the connection closes, every pending ask
 * rejects with `PeerUnavailableError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ActorSystem, RemoteNode } from "@frontier/frontier/actors";
 * import { createMemoryPair } from "../cluster/transport/memory.ts";
 * await using system = new ActorSystem();
 * const echo = system.spawn<string, void, string>({ init: () => {}, receive: (_, msg, ctx) => ctx.reply(msg) });
 * const [a, b] = createMemoryPair();
 * await using server = new RemoteNode({ connection: a });
 * await using client = new RemoteNode({ connection: b });
 * server.expose("echo", echo, { decode: (u) => String(u) });
 * assert.equal(await client.ref<string>("echo").ask("hi"), "hi");
 * ```
 */
export class RemoteNode implements AsyncDisposable {
  /** Counters of frames this node dropped: malformed ones and ones for unknown actors or asks. */
  readonly stats: RemoteNodeStats = { malformed: 0, dropped: 0 };
  readonly #conn: Connection;
  readonly #clock: Clock;
  readonly #askTimeoutMs: number;
  readonly #maxPending: number;
  readonly #outbox: Mailbox<Outgoing>;
  readonly #lifetime = new AbortController();
  readonly #exposed = new Map<string, (input: unknown) => Delivery>();
  readonly #pending = new Map<number, Waiting>();
  /** Inbound asks being served, each removing itself when done; awaited on close. */
  readonly #serving = new Map<number, Promise<void>>();
  readonly #loops: Promise<void>;
  #nextId = 1;
  #nextServe = 0;

  /**
   * Starts reading and writing `deps.connection` at once.
   *
   * @throws {RangeError} when an option is out of range.
   */
  constructor(deps: RemoteNodeDeps, options: RemoteNodeOptions = {}) {
    this.#conn = deps.connection;
    this.#clock = deps.clock ?? systemClock;
    this.#askTimeoutMs = checkTimeout(options.askTimeoutMs ?? 30_000, "Invalid remote node");
    this.#maxPending = options.maxPendingAsks ?? 10_000;
    if (!(Number.isInteger(this.#maxPending) && this.#maxPending >= 1)) {
      throw new RangeError(
        `Invalid remote node: maxPendingAsks must be a positive integer, got ${this.#maxPending}`,
      );
    }
    this.#outbox = new Mailbox({
      capacity: options.outboxCapacity ?? 1024,
      name: `outbox to ${this.#conn.remoteAddress}`,
    });
    this.#loops = Promise.all([this.#read(), this.#write()]).then(() => {});
  }

  /** Outbound asks awaiting a reply. */
  get pendingAsks(): number {
    return this.#pending.size;
  }

  /** Lets the peer reach `ref` as `name`; inbound messages pass through `decode` first. */
  expose<M, R>(name: string, ref: ActorRef<M, R>, options: ExposeOptions<M>): void {
    if (this.#exposed.has(name)) throw new TypeError(`Cannot expose actor "${name}": the name is taken`);
    this.#exposed.set(name, (input) => {
      const msg = options.decode(input);
      return { tell: () => ref.tell(msg), ask: (askOptions) => ref.ask(msg, askOptions) };
    });
  }

  /** A ref to the actor the peer exposed as `name`. Replies are `unknown` unless decoded. */
  ref<M>(name: string): ActorRef<M, unknown>;
  /** A ref to the actor the peer exposed as `name`, whose replies pass through `options.decodeReply`. */
  ref<M, R>(name: string, options: RemoteRefOptions<R>): ActorRef<M, R>;
  ref<M>(name: string, options?: RemoteRefOptions<unknown>): ActorRef<M, unknown> {
    const decodeReply = options?.decodeReply ?? ((input: unknown) => input);
    return {
      name,
      tell: (msg) => this.#outbox.trySend(this.#outgoing(name, msg)),
      send: (msg, sendOptions: SendOptions = {}) => this.#outbox.send(this.#outgoing(name, msg), sendOptions),
      ask: (msg, askOptions: AskOptions = {}) => this.#ask(name, msg, askOptions, decodeReply),
    };
  }

  /** Closes the connection, rejects pending asks with `PeerUnavailableError`, awaits the loops. */
  async close(): Promise<void> {
    this.#shutdown("closed by this node");
    await this.#conn.close();
    await this.#loops;
    await Promise.all(this.#serving.values());
  }

  /** Same as {@linkcode RemoteNode.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #outgoing(to: string, msg: unknown): Outgoing {
    const { body, payload } = splitPayload(msg);
    return {
      frame: frame({ v: 1, type: "actor.tell", to, body }, payload),
      fail: () => this.stats.dropped++,
    };
  }

  async #ask(
    to: string,
    msg: unknown,
    options: AskOptions,
    decode: (input: unknown) => unknown,
  ): Promise<unknown> {
    const what = `Ask to actor "${to}" at ${this.#conn.remoteAddress}`;
    const timeout = checkTimeout(options.timeout ?? this.#askTimeoutMs, what);
    if (this.#lifetime.signal.aborted) throw this.#unavailable();
    if (this.#pending.size >= this.#maxPending) {
      throw new MailboxFullError(`${what} refused: ${this.#maxPending} asks are already pending`, {
        data: { remoteAddress: this.#conn.remoteAddress, maxPendingAsks: this.#maxPending },
      });
    }
    const id = this.#nextId++;
    const reply = new PendingReply<unknown>(this.#clock, {
      signal: options.signal,
      timeout,
      what,
      onSettle: () => this.#pending.delete(id),
    });
    if (reply.settled) return reply.promise;
    this.#pending.set(id, {
      accept: (value) => {
        try {
          reply.resolve(decode(value));
        } catch (error) {
          this.stats.malformed++;
          reply.reject(error);
        }
      },
      reject: (error) => reply.reject(error),
    });
    const { body, payload } = splitPayload(msg);
    const header = {
      v: 1,
      type: "actor.ask",
      id,
      to,
      body,
      ...(timeout === Infinity ? {} : { timeoutMs: timeout }),
    };
    try {
      await this.#outbox.send({ frame: frame(header, payload), fail: (e) => reply.reject(e) }, {
        signal: reply.signal,
      });
    } catch (error) {
      reply.reject(error);
    }
    return reply.promise;
  }

  async #read(): Promise<void> {
    try {
      for (;;) {
        const next = await this.#conn.receive({ signal: this.#lifetime.signal });
        if (next === undefined || this.#lifetime.signal.aborted) break;
        this.#dispatch(next);
      }
    } catch {
      await this.#conn.close("receive failed").catch(() => {});
    }
    this.#shutdown("connection closed");
  }

  async #write(): Promise<void> {
    for await (const { frame, fail } of this.#outbox) {
      try {
        await this.#conn.send(frame, { signal: this.#lifetime.signal });
      } catch (error) {
        if (this.#lifetime.signal.aborted || error instanceof PeerUnavailableError) break;
        fail(error); // this frame was refused (too large, not JSON); the connection is fine
      }
    }
    this.#outbox.drain();
    this.#shutdown("connection closed");
  }

  #dispatch({ header, payload }: Frame): void {
    let msg: Inbound;
    try {
      msg = decodeHeader(header);
    } catch (error) {
      this.#malformedHeader(header, error);
      return;
    }
    switch (msg.type) {
      case "actor.tell": {
        const delivery = this.#deliver(msg.to, msg.body, msg.bytes, payload);
        if (delivery instanceof Error) return;
        try {
          delivery.tell();
        } catch {
          this.stats.dropped++; // mailbox full or actor stopped; a tell has no one to tell
        }
        return;
      }
      case "actor.ask": {
        const delivery = this.#deliver(msg.to, msg.body, msg.bytes, payload);
        if (delivery instanceof Error) this.#replyNow(msg.id, delivery);
        else if (this.#serving.size >= this.#maxPending) {
          this.#replyNow(msg.id, new MailboxFullError(`Node is already serving ${this.#maxPending} asks`));
        } else {
          const key = this.#nextServe++;
          this.#serving.set(
            key,
            this.#serve(msg.id, delivery, msg.timeoutMs).finally(() => this.#serving.delete(key)),
          );
        }
        return;
      }
      case "actor.reply": {
        const waiting = this.#pending.get(msg.id);
        if (waiting === undefined) return; // late reply to an ask that timed out or was aborted
        if (!msg.ok) waiting.reject(errorFromWire(msg.error));
        else {
          try {
            waiting.accept(joinPayload(msg.value, msg.bytes, payload));
          } catch (error) {
            this.stats.malformed++;
            waiting.reject(error);
          }
        }
        return;
      }
      default:
        msg satisfies never;
    }
  }

  /** Decodes an inbound message for an exposed actor, or returns (and counts) why it can't be delivered. */
  #deliver(to: string, body: unknown, bytes: boolean, payload: Uint8Array | undefined): Delivery | Error {
    const target = this.#exposed.get(to);
    if (target === undefined) {
      this.stats.dropped++;
      return new PeerUnavailableError(`No actor "${to}" is exposed on this node`, { data: { actor: to } });
    }
    try {
      return target(joinPayload(body, bytes, payload));
    } catch (error) {
      this.stats.malformed++;
      if (error instanceof MalformedMessageError) return error;
      return new MalformedMessageError(`Message for actor "${to}" did not decode`, { cause: error });
    }
  }

  async #serve(id: number, delivery: Delivery, timeoutMs: number): Promise<void> {
    let out: Outgoing;
    try {
      const value = await delivery.ask({
        signal: this.#lifetime.signal,
        timeout: Math.min(timeoutMs, this.#askTimeoutMs),
      });
      const { body, payload } = splitPayload(value);
      out = {
        frame: frame({ v: 1, type: "actor.reply", id, ok: true, value: body }, payload),
        fail: (e) => this.#replyNow(id, e),
      };
    } catch (error) {
      out = { frame: errorReply(id, error), fail: () => this.stats.dropped++ };
    }
    try {
      await this.#outbox.send(out, { signal: this.#lifetime.signal });
    } catch {
      this.stats.dropped++; // the node is closing; the peer's ask rejects with PeerUnavailableError
    }
  }

  #replyNow(id: number, error: unknown): void {
    try {
      this.#outbox.trySend({ frame: errorReply(id, error), fail: () => this.stats.dropped++ });
    } catch {
      this.stats.dropped++;
    }
  }

  #malformedHeader(header: unknown, error: unknown): void {
    this.stats.malformed++;
    if (!isRecord(header) || !isId(header.id)) return;
    if (header.type === "actor.ask") this.#replyNow(header.id, error);
    if (header.type === "actor.reply") this.#pending.get(header.id)?.reject(error);
  }

  #shutdown(reason: string): void {
    if (this.#lifetime.signal.aborted) return;
    const error = this.#unavailable(reason);
    this.#lifetime.abort(error);
    this.#outbox.close(error);
    for (const waiting of [...this.#pending.values()]) waiting.reject(error);
  }

  #unavailable(reason = "closed"): PeerUnavailableError {
    const address = this.#conn.remoteAddress;
    return new PeerUnavailableError(`Peer ${address} is unavailable: ${reason}`, {
      data: { remoteAddress: address },
    });
  }
}

function frame(header: Record<string, unknown>, payload: Uint8Array | undefined): Frame {
  return payload === undefined ? { header } : { header: { ...header, bytes: true }, payload };
}

function errorReply(id: number, error: unknown): Frame {
  return { header: { v: 1, type: "actor.reply", id, ok: false, error: errorToWire(error) } };
}

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/** Moves a top-level `payload: Uint8Array` out of a message object. */
function splitPayload(msg: unknown): { body: unknown; payload: Uint8Array | undefined } {
  if (isRecord(msg)) {
    const { payload, ...body } = msg;
    if (payload instanceof Uint8Array) return { body, payload };
  }
  return { body: msg, payload: undefined };
}

/** Puts the frame payload back as the message's `payload`. */
function joinPayload(body: unknown, bytes: boolean, payload: Uint8Array | undefined): unknown {
  if (!bytes) return body;
  if (!isRecord(body)) throw new MalformedMessageError("A frame with bytes must carry an object body");
  return { ...body, payload: payload ?? new Uint8Array(0) };
}

/** Decodes an inbound header from `unknown`; throws `MalformedMessageError` naming the bad field. */
function decodeHeader(h: unknown): Inbound {
  const o = obj(h, where("actor frame"));
  if (o["v"] !== 1) throw fail(at(o, "v"), `must be 1, got ${describe(o["v"])}`);
  if (o["bytes"] !== undefined && o["bytes"] !== true) {
    throw fail(at(o, "bytes"), "must be true when present");
  }
  const bytes = o["bytes"] === true;
  const id = () => {
    if (!isId(o["id"])) throw fail(at(o, "id"), "must be a positive integer");
    return o["id"];
  };
  const kind = oneOf(o, "type", ["actor.tell", "actor.ask", "actor.reply"]);
  switch (kind) {
    case "actor.tell":
      return { type: kind, to: str(o, "to", { max: Infinity }), body: o["body"], bytes };
    case "actor.ask": {
      const timeoutMs = o["timeoutMs"] ?? Infinity;
      if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
        throw fail(at(o, "timeoutMs"), "must be a number >= 0");
      }
      return { type: kind, id: id(), to: str(o, "to", { max: Infinity }), body: o["body"], bytes, timeoutMs };
    }
    case "actor.reply":
      if (bool(o, "ok")) return { type: kind, id: id(), ok: true, value: o["value"], bytes };
      return { type: kind, id: id(), ok: false, error: wireErrorValue(o["error"], at(o, "error")) };
    default:
      kind satisfies never;
      throw fail(at(o, "type"), "is unknown");
  }
}
