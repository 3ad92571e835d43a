/**
 * The flow-controlled connection every transport is built from.
 *
 * A transport supplies a {@linkcode Link} (how {@linkcode LinkMessage}s leave) and feeds inbound
 * traffic to the {@linkcode LinkInbound} it gets back from {@linkcode createLinkConnection}. The
 * connection does the rest: header encoding and limits, ordering, credit-based flow control
 * (the receiver grants `window` frames and re-grants as the app consumes them), aborts, stats,
 * and settling every pending operation on close.
 *
 * @module
 */

import { abortReason, PeerUnavailableError } from "../../actors/errors.ts";
import type { LinkMessage } from "./frame_codec.ts";
import {
  type Connection,
  type ConnectionStats,
  DEFAULT_LIMITS,
  type Frame,
  type TransportLimits,
  type WaitOptions,
} from "../../actors/connection.ts";

/** The transport-specific half of a connection. */
export interface Link {
  /** Hands one message to the peer, in order. Throwing means the channel is dead. */
  post(message: LinkMessage): void;
  /** Releases the channel once the connection is closed. Called exactly once. */
  release(): Promise<void>;
}

/** How a transport feeds inbound traffic into its connection. */
export interface LinkInbound {
  /** A message from the peer. */
  deliver(message: LinkMessage): void;
  /** Input that did not decode; `droppedFrame` when it was a frame the peer spent credit on. */
  malformed(droppedFrame: boolean): void;
  /** The channel failed or closed underneath (socket closed, worker died). Idempotent. */
  fail(reason: string): void;
}

/** Validates limits once and fills in defaults. */
export function resolveLimits(limits: TransportLimits = {}): Required<TransportLimits> {
  const resolved = { ...DEFAULT_LIMITS, ...stripUndefined(limits) };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`Transport limit "${key}" must be a positive integer, got ${value}`);
    }
  }
  return resolved;
}

function stripUndefined(limits: TransportLimits): TransportLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}

/** UTF-8 byte length of a string, without encoding it. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (
      c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

interface SendWaiter {
  header: string;
  payload: Uint8Array | undefined;
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

interface ReceiveWaiter {
  resolve(frame: Frame | undefined): void;
}

/** Options of {@linkcode createLinkConnection}. */
export interface LinkConnectionOptions {
  /** Shown as {@linkcode Connection.remoteAddress}. */
  remoteAddress: string;
  limits?: TransportLimits | undefined;
}

/**
 * Builds a connection over `link` and grants the peer its initial credit. The transport must
 * route inbound traffic to the returned `inbound`.
 */
export function createLinkConnection(
  link: Link,
  options: LinkConnectionOptions,
): { connection: Connection; inbound: LinkInbound } {
  const connection = new LinkConnection(link, options.remoteAddress, resolveLimits(options.limits));
  return { connection, inbound: connection.inbound };
}

class LinkConnection implements Connection {
  readonly remoteAddress: string;
  readonly stats: ConnectionStats = {
    framesSent: 0,
    framesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    malformedFrames: 0,
  };
  readonly closed: Promise<string>;
  readonly inbound: LinkInbound;
  #link: Link;
  #limits: Required<TransportLimits>;
  #grantBatch: number;
  #resolveClosed!: (reason: string) => void;
  /** Frames we may still send. */
  #credit = 0;
  /** Credit we granted that the peer has not spent yet. */
  #outstanding = 0;
  /** Frames the app consumed (or we dropped) that are not re-granted yet. */
  #toGrant = 0;
  #buffer: Frame[] = [];
  #sends: SendWaiter[] = [];
  #receives: ReceiveWaiter[] = [];
  #closeReason: string | undefined;
  #released: Promise<void> | undefined;

  constructor(link: Link, remoteAddress: string, limits: Required<TransportLimits>) {
    this.#link = link;
    this.remoteAddress = remoteAddress;
    this.#limits = limits;
    this.#grantBatch = Math.max(1, Math.ceil(limits.window / 4));
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.inbound = {
      deliver: (message) => this.#deliver(message),
      malformed: (droppedFrame) => this.#malformed(droppedFrame),
      fail: (reason) => this.#finish(reason),
    };
    this.#toGrant = limits.window;
    this.#grant();
  }

  async send(frame: Frame, options: WaitOptions = {}): Promise<void> {
    if (this.#closeReason !== undefined) throw this.#unavailable();
    let header: string | undefined;
    try {
      header = JSON.stringify(frame.header);
    } catch (cause) {
      throw new TypeError(`Cannot send frame to ${this.remoteAddress}: header is not JSON`, { cause });
    }
    if (header === undefined) {
      throw new TypeError(`Cannot send frame to ${this.remoteAddress}: header is not JSON`);
    }
    const headerBytes = utf8Length(header);
    if (headerBytes > this.#limits.maxHeaderBytes) {
      throw new RangeError(
        `Cannot send frame to ${this.remoteAddress}: header is ${headerBytes} bytes, limit is ${this.#limits.maxHeaderBytes}`,
      );
    }
    const payload = frame.payload;
    if (payload !== undefined && !(payload instanceof Uint8Array)) {
      throw new TypeError(`Cannot send frame to ${this.remoteAddress}: payload must be a Uint8Array`);
    }
    const payloadBytes = payload?.byteLength ?? 0;
    if (payloadBytes > this.#limits.maxPayloadBytes) {
      throw new RangeError(
        `Cannot send frame to ${this.remoteAddress}: payload is ${payloadBytes} bytes, limit is ${this.#limits.maxPayloadBytes}`,
      );
    }
    const signal = options.signal;
    if (signal?.aborted) throw abortReason(signal, `Send to ${this.remoteAddress}`);
    const bytes = headerBytes + payloadBytes;
    if (this.#credit > 0 && this.#sends.length === 0) {
      this.#transmit(header, payload, bytes);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#sends.indexOf(waiter);
        if (i >= 0) this.#sends.splice(i, 1);
        reject(abortReason(signal!, `Send to ${this.remoteAddress}`));
      };
      const waiter: SendWaiter = {
        header,
        payload,
        bytes,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      this.#sends.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  receive(options: WaitOptions = {}): Promise<Frame | undefined> {
    const frame = this.#buffer.shift();
    if (frame !== undefined) {
      this.#consumed();
      return Promise.resolve(frame);
    }
    if (this.#closeReason !== undefined) return Promise.resolve(undefined);
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal, `Receive from ${this.remoteAddress}`));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#receives.indexOf(waiter);
        if (i >= 0) this.#receives.splice(i, 1);
        reject(abortReason(signal!, `Receive from ${this.remoteAddress}`));
      };
      const waiter: ReceiveWaiter = {
        resolve: (f) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(f);
        },
      };
      this.#receives.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  close(reason = "closed"): Promise<void> {
    if (this.#closeReason === undefined) {
      try {
        this.#link.post({ kind: "close", reason });
      } catch {
        // The channel is already gone; closing locally is all that is left to do.
      }
      this.#finish(reason);
    }
    return this.#released!;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close("disposed");
  }

  #unavailable(): PeerUnavailableError {
    return new PeerUnavailableError(
      `Cannot send to ${this.remoteAddress}: connection is closed (${this.#closeReason})`,
      { data: { remoteAddress: this.remoteAddress, reason: this.#closeReason ?? "" } },
    );
  }

  #transmit(header: string, payload: Uint8Array | undefined, bytes: number): void {
    this.#credit--;
    try {
      this.#link.post({ kind: "frame", header, payload });
    } catch (cause) {
      this.#finish(`link failed: ${cause instanceof Error ? cause.message : String(cause)}`);
      throw this.#unavailable();
    }
    this.stats.framesSent++;
    this.stats.bytesSent += bytes;
  }

  #pump(): void {
    while (this.#credit > 0 && this.#closeReason === undefined) {
      const waiter = this.#sends.shift();
      if (waiter === undefined) return;
      try {
        this.#transmit(waiter.header, waiter.payload, waiter.bytes);
        waiter.resolve();
      } catch (error) {
        waiter.reject(error);
      }
    }
  }

  #grant(): void {
    const n = this.#toGrant;
    this.#toGrant = 0;
    this.#outstanding += n;
    try {
      this.#link.post({ kind: "credit", n });
    } catch (cause) {
      this.#finish(`link failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  }

  #consumed(): void {
    if (this.#closeReason !== undefined) return;
    this.#toGrant++;
    // Re-grant only in batches of a quarter window. The peer then always holds at least
    // `window - buffered - (grantBatch - 1)` credit, so it stalls only while this side's app
    // lags, and each further receive brings the next grant closer: no deadlock. A grant on every
    // catch-up would put a tiny credit message in front of most replies (an extra write each;
    // with Nagle on, a delayed-ACK stall each).
    if (this.#toGrant >= this.#grantBatch) this.#grant();
  }

  #spendCredit(): boolean {
    if (this.#outstanding > 0) {
      this.#outstanding--;
      return true;
    }
    this.stats.malformedFrames++;
    this.#finish(`protocol violation: ${this.remoteAddress} sent a frame without credit`);
    return false;
  }

  #malformed(droppedFrame: boolean): void {
    if (this.#closeReason !== undefined) return;
    if (droppedFrame && !this.#spendCredit()) return;
    this.stats.malformedFrames++;
    if (droppedFrame) this.#consumed();
  }

  #deliver(message: LinkMessage): void {
    if (this.#closeReason !== undefined) return;
    switch (message.kind) {
      case "frame":
        this.#frame(message.header, message.payload);
        return;
      case "credit":
        if (!Number.isSafeInteger(message.n) || message.n < 1) {
          this.stats.malformedFrames++;
          return;
        }
        this.#credit += message.n;
        this.#pump();
        return;
      case "close":
        this.#finish(message.reason);
        return;
      default:
        message satisfies never;
    }
  }

  #frame(headerText: string, payload: Uint8Array | undefined): void {
    if (!this.#spendCredit()) return;
    const headerBytes = utf8Length(headerText);
    const payloadBytes = payload?.byteLength ?? 0;
    let header: unknown;
    try {
      if (headerBytes > this.#limits.maxHeaderBytes || payloadBytes > this.#limits.maxPayloadBytes) {
        throw new RangeError("frame exceeds limits");
      }
      header = JSON.parse(headerText);
    } catch {
      this.stats.malformedFrames++;
      this.#consumed();
      return;
    }
    this.stats.framesReceived++;
    this.stats.bytesReceived += headerBytes + payloadBytes;
    const frame: Frame = payload === undefined ? { header } : { header, payload };
    const waiter = this.#receives.shift();
    if (waiter === undefined) {
      this.#buffer.push(frame);
      return;
    }
    this.#consumed();
    waiter.resolve(frame);
  }

  #finish(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    for (const waiter of this.#sends.splice(0)) waiter.reject(this.#unavailable());
    for (const waiter of this.#receives.splice(0)) waiter.resolve(undefined);
    this.#resolveClosed(reason);
    this.#released = this.#link.release().catch(() => {});
  }
}
