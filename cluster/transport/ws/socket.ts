/**
 * One RFC 6455 WebSocket endpoint over a byte stream, after the HTTP handshake: the socket that
 * `ws_client.ts` and `ws_server.ts` hand out.
 *
 * Why not the built-in `WebSocket`: its client does not set `TCP_NODELAY`, so a small message
 * written right after another waits for the peer's delayed ACK (≈ 40 ms per round trip on
 * Linux). Streams given to {@linkcode WsSocket} have Nagle's algorithm off, and small messages
 * queued in the same turn are coalesced into one write.
 *
 * Buffers are bounded: reads go through one fixed scratch buffer (large payloads are read
 * straight into their own buffer), a message is buffered only up to `maxMessageBytes`, and at
 * most one pong waits to be written. Outgoing data is queued without a cap; callers bound it
 * (the transport's credit window does).
 *
 * @module
 */

import { type Clock, systemClock, type TimerId } from "../../../actors/clock.ts";
import {
  CLOSE,
  encodeClosePayload,
  encodeWsFrame,
  OP,
  type WsEvent,
  WsFrameParser,
  type WsViolation,
} from "./frame.ts";
import { concatBytes } from "../../util/bytes.ts";

/** What a WebSocket runs over: a `Deno.Conn`, or an adapter with the same three methods. */
export interface ByteStream {
  /** Reads into `into`; `null` at end of stream. Rejects once the stream is closed. */
  read(into: Uint8Array): Promise<number | null>;
  /** Writes some of `bytes`; resolves to how many. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes both directions; pending reads and writes settle. May throw if already closed. */
  close(): void;
}

/** How a socket ended. */
export interface WsCloseInfo {
  /** The peer's close code (1005 if its close frame had none), 1006 without a close handshake, or the code we failed the connection with. */
  code: number;
  reason: string;
  /** True when close frames were exchanged both ways. */
  wasClean: boolean;
}

/** Callbacks of {@linkcode WsSocket.start}. */
export interface WsHandlers {
  /** A complete message: bytes for binary, a string for text. */
  message(data: Uint8Array | string): void;
  /** The socket is closed and its stream released. Called once. */
  close(info: WsCloseInfo): void;
}

/** `open` until a close frame is sent, `closing` until the stream is released. */
export type WsState = "open" | "closing" | "closed";

/** Options of {@linkcode WsSocket}. */
export interface WsSocketOptions {
  /** Clients mask what they send and refuse masked frames; servers the opposite. */
  role: "client" | "server";
  /** Largest inbound message; a bigger one fails the connection with 1009. @default {MAX_MESSAGE_BYTES} */
  maxMessageBytes?: number | undefined;
  /** Time allowed for the close handshake before the stream is dropped. @default {5000} */
  closeTimeoutMs?: number | undefined;
  clock?: Clock | undefined;
  /** Bytes already read past the HTTP handshake. */
  head?: Uint8Array | undefined;
  /** Bytes written before any frame (the server's `101` response). */
  preamble?: Uint8Array | undefined;
}

/** Default largest inbound message: one byte under 64 MiB, as Deno's built-in WebSocket. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024 - 1;

const READ_BYTES = 64 * 1024;
/** Queued pieces smaller than this are copied together into one write. */
const COALESCE_BYTES = 64 * 1024;

/** An open WebSocket over a {@linkcode ByteStream}. Nothing is read until {@linkcode start}. */
export class WsSocket {
  /** Settles once the stream is released, with how the socket ended. */
  readonly closed: Promise<WsCloseInfo>;
  #stream: ByteStream;
  #mask: boolean;
  #clock: Clock;
  #closeTimeoutMs: number;
  #parser: WsFrameParser;
  #head: Uint8Array | undefined;
  #handlers: WsHandlers | undefined;
  #resolveClosed!: (info: WsCloseInfo) => void;
  #state: WsState = "open";
  #sentClose = false;
  /** The peer's close frame, once received. */
  #peerClose: { code: number | undefined; reason: string } | undefined;
  /** Why we failed the connection, if we did. */
  #failure: WsViolation | undefined;
  #timedOut = false;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  /** The pong waiting in the queue, replaced by newer pings' pongs (RFC 6455 §5.5.3). */
  #pong: Uint8Array | undefined;
  #writer: Promise<void> | undefined;
  #releaseWhenFlushed = false;
  #released = false;
  #timer: TimerId | undefined;

  constructor(stream: ByteStream, options: WsSocketOptions) {
    this.#stream = stream;
    this.#mask = options.role === "client";
    this.#clock = options.clock ?? systemClock;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
      throw new RangeError(`maxMessageBytes must be a positive integer, got ${maxMessageBytes}`);
    }
    if (!(this.#closeTimeoutMs > 0)) {
      throw new RangeError(`closeTimeoutMs must be positive, got ${this.#closeTimeoutMs}`);
    }
    this.#parser = new WsFrameParser({ expectMasked: options.role === "server", maxMessageBytes });
    this.#head = options.head;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    if (options.preamble !== undefined) this.#enqueue([options.preamble]);
  }

  /** Where the socket is in its lifecycle. */
  get state(): WsState {
    return this.#state;
  }

  /** Bytes queued for writing. */
  get bufferedAmount(): number {
    return this.#queuedBytes;
  }

  /** Starts reading; `handlers` receive every message and the close. Call once. */
  start(handlers: WsHandlers): void {
    if (this.#handlers !== undefined) throw new Error("Cannot start a WebSocket twice");
    this.#handlers = handlers;
    void this.#readLoop();
  }

  /**
   * Sends one message: text for a string, binary otherwise (parts are concatenated). Throws
   * once the socket is closing.
   */
  send(data: Uint8Array | readonly Uint8Array[] | string): void {
    if (this.#state !== "open") throw new Error(`Cannot send on a WebSocket that is ${this.#state}`);
    if (typeof data === "string") {
      this.#enqueue(encodeWsFrame(OP.text, [new TextEncoder().encode(data)], { mask: this.#mask }));
      return;
    }
    const parts = data instanceof Uint8Array ? [data] : data;
    this.#enqueue(encodeWsFrame(OP.binary, parts, { mask: this.#mask }));
  }

  /**
   * Starts the close handshake and resolves once the stream is released (after the peer's close
   * frame, or `closeTimeoutMs`). Idempotent.
   */
  async close(code: number = CLOSE.normal, reason = ""): Promise<void> {
    if (code !== CLOSE.normal && !(code >= 3000 && code <= 4999)) {
      throw new RangeError(`Close code must be 1000 or in 3000..4999, got ${code}`);
    }
    const payload = encodeClosePayload(code, reason);
    if (payload.byteLength > 125) throw new RangeError(`Close reason is over 123 bytes: "${reason}"`);
    if (this.#handlers === undefined) this.start({ message: () => {}, close: () => {} });
    if (this.#state === "open") {
      this.#sendClose(payload);
      this.#armTimer();
    }
    await this.closed;
  }

  #sendClose(payload: Uint8Array): void {
    this.#sentClose = true;
    this.#state = "closing";
    this.#enqueue(encodeWsFrame(OP.close, [payload], { mask: this.#mask }));
  }

  #armTimer(): void {
    if (this.#timer !== undefined || this.#released) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timedOut = true;
      this.#release();
    }, this.#closeTimeoutMs);
  }

  /** Fails the connection (RFC 6455 §7.1.7): best-effort close frame, then drop the stream. */
  #fail(violation: WsViolation): void {
    if (this.#failure !== undefined || this.#released) return;
    this.#failure = violation;
    if (!this.#sentClose) {
      this.#sendClose(encodeClosePayload(violation.code, truncateUtf8(violation.reason, 123)));
    }
    this.#releaseAfterFlush();
    this.#armTimer();
  }

  #releaseAfterFlush(): void {
    this.#releaseWhenFlushed = true;
    if (this.#writer === undefined) this.#release();
  }

  /** Closes the stream; the read loop then finishes the socket. */
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#pong = undefined;
    try {
      this.#stream.close();
    } catch {
      // Already closed underneath us.
    }
  }

  get #parsing(): boolean {
    return this.#failure === undefined && this.#peerClose === undefined && !this.#released;
  }

  async #readLoop(): Promise<void> {
    const scratch = new Uint8Array(READ_BYTES);
    const emit = (event: WsEvent) => this.#onEvent(event);
    try {
      if (this.#head !== undefined && this.#head.byteLength > 0) {
        const violation = this.#parser.push(this.#head, emit);
        if (violation) this.#fail(violation);
      }
      this.#head = undefined;
      while (!this.#released) {
        const direct = this.#parsing ? this.#parser.directTarget() : undefined;
        const n = await this.#stream.read(direct ?? scratch);
        if (n === null) break;
        if (!this.#parsing) continue; // after a close frame or a failure, input is discarded
        const violation = direct
          ? this.#parser.filled(n, emit)
          : this.#parser.push(scratch.subarray(0, n), emit);
        if (violation) this.#fail(violation);
      }
    } catch {
      // The stream failed or was closed: the socket ends below either way.
    }
    this.#release();
    await this.#writer;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#state = "closed";
    const info = this.#closeInfo();
    this.#resolveClosed(info);
    this.#handlers!.close(info);
  }

  #closeInfo(): WsCloseInfo {
    if (this.#failure !== undefined) return { ...this.#failure, wasClean: false };
    const peer = this.#peerClose;
    if (peer !== undefined) {
      return { code: peer.code ?? CLOSE.noStatus, reason: peer.reason, wasClean: this.#sentClose };
    }
    const reason = this.#timedOut ? "close handshake timed out" : "connection closed without a close frame";
    return { code: CLOSE.abnormal, reason, wasClean: false };
  }

  #onEvent(event: WsEvent): void {
    switch (event.kind) {
      case "message":
        if (!this.#parsing) return;
        try {
          this.#handlers!.message(event.data);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.#fail({ code: CLOSE.internalError, reason: `message handler failed: ${message}` });
        }
        return;
      case "ping":
        if (!this.#sentClose) this.#queuePong(event.data);
        return;
      case "pong":
        return;
      case "close":
        this.#peerClose = { code: event.code, reason: event.reason };
        if (!this.#sentClose) this.#sendClose(encodeClosePayload(event.code, ""));
        // The server drops the TCP connection first; the client waits for that (RFC 6455 §7.1.1).
        if (this.#mask) this.#armTimer();
        else this.#releaseAfterFlush();
        return;
      default:
        event satisfies never;
    }
  }

  #queuePong(data: Uint8Array): void {
    const parts = encodeWsFrame(OP.pong, [data], { mask: this.#mask });
    const pong = parts.length === 1 ? parts[0]! : concatBytes(parts);
    const at = this.#pong === undefined ? -1 : this.#queue.indexOf(this.#pong);
    this.#pong = pong;
    if (at < 0) {
      this.#enqueue([pong]);
      return;
    }
    this.#queuedBytes += pong.byteLength - this.#queue[at]!.byteLength;
    this.#queue[at] = pong;
  }

  #enqueue(parts: readonly Uint8Array[]): void {
    if (this.#released) return;
    for (const part of parts) {
      this.#queue.push(part);
      this.#queuedBytes += part.byteLength;
    }
    this.#writer ??= this.#writeLoop();
  }

  async #writeLoop(): Promise<void> {
    try {
      // Let the rest of this turn queue more, so small messages share one write.
      await Promise.resolve();
      while (this.#queue.length > 0 && !this.#released) {
        const chunk = this.#nextChunk();
        for (let at = 0; at < chunk.byteLength;) at += await this.#stream.write(chunk.subarray(at));
      }
    } catch {
      this.#release();
    } finally {
      this.#writer = undefined;
    }
    if (this.#releaseWhenFlushed) this.#release();
  }

  /** Takes the next write off the queue: one large piece, or several small ones copied together. */
  #nextChunk(): Uint8Array {
    let count = 0;
    let bytes = 0;
    while (count < this.#queue.length && bytes + this.#queue[count]!.byteLength <= COALESCE_BYTES) {
      bytes += this.#queue[count]!.byteLength;
      count++;
    }
    const taken = this.#queue.splice(0, Math.max(1, count));
    if (this.#pong !== undefined && taken.includes(this.#pong)) this.#pong = undefined;
    const chunk = taken.length === 1 ? taken[0]! : concatBytes(taken);
    this.#queuedBytes -= chunk.byteLength;
    return chunk;
  }
}

/** `text` cut to at most `maxBytes` of UTF-8, at a character boundary. */
function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  const chars = [...text].slice(0, maxBytes); // every character takes at least one byte
  while (encoder.encode(chars.join("")).byteLength > maxBytes) chars.pop();
  return chars.join("");
}
