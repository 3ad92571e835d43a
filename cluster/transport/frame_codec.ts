/**
 * What travels on a link between two connection endpoints, and its binary encoding for byte
 * transports (WebSocket).
 *
 * A link carries three kinds of {@linkcode LinkMessage}: a frame (JSON header text plus optional
 * payload), a credit grant (flow control) and a close notice. Worker and memory links pass these
 * objects directly; the WebSocket link encodes each as one or more binary messages:
 *
 * ```
 * FRAME  [0xF5, 1, flags, 0][headerLen u32][payloadLen u32 lo][payloadLen u32 hi][header][payload…]
 * CHUNK  [0xF5, 2, 0, 0][more payload of the frame being assembled]
 * CREDIT [0xF5, 3, 0, 0][n u32]
 * CLOSE  [0xF5, 4, 0, 0][reason, UTF-8]
 * ```
 *
 * All integers are little-endian; `flags` bit 0 says whether the frame has a payload. A payload
 * that does not fit one message (≤ {@linkcode CHUNK_BYTES}) continues in CHUNK messages sent back
 * to back. Deno closes a WebSocket on any message of 64 MiB or more, hence the chunking.
 *
 * @module
 */
import { concatBytes } from "../util/bytes.ts";

/** One message on a link. `header` is JSON text; the receiver parses and validates it. */
export type LinkMessage =
  | { readonly kind: "frame"; readonly header: string; readonly payload: Uint8Array | undefined }
  | { readonly kind: "credit"; readonly n: number }
  | { readonly kind: "close"; readonly reason: string };

/** Largest binary message the encoder produces (unless a header alone is larger). */
export const CHUNK_BYTES = 8 * 1024 * 1024;

const MAGIC = 0xf5;
const KIND_FRAME = 1;
const KIND_CHUNK = 2;
const KIND_CREDIT = 3;
const KIND_CLOSE = 4;
const PREFIX_BYTES = 4;
const FRAME_PREFIX_BYTES = 16;
const HAS_PAYLOAD = 1;
const TWO_32 = 2 ** 32;
/** Shared, never written: the prefix of every CHUNK message. */
const CHUNK_PREFIX = new Uint8Array([MAGIC, KIND_CHUNK, 0, 0]);

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const lenientDecoder = new TextDecoder("utf-8");

/**
 * Encodes a frame as binary messages: one FRAME message, then CHUNK messages for the rest of the
 * payload. Messages must be sent back to back, in order.
 */
export function encodeFrame(
  header: Uint8Array,
  payload: Uint8Array | undefined,
  options: { chunkBytes?: number } = {},
): Uint8Array[] {
  return encodeFrameParts(header, payload, options).map((parts) => concatBytes(parts));
}

/**
 * Like {@linkcode encodeFrame}, but each message is a list of parts to be sent as one message
 * (their concatenation), and the parts are views of `header` and `payload`: nothing is copied.
 */
export function encodeFrameParts(
  header: Uint8Array,
  payload: Uint8Array | undefined,
  options: { chunkBytes?: number } = {},
): Uint8Array[][] {
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes <= FRAME_PREFIX_BYTES) {
    throw new RangeError(`chunkBytes must be an integer > ${FRAME_PREFIX_BYTES}, got ${chunkBytes}`);
  }
  const payloadLength = payload?.byteLength ?? 0;
  const firstRoom = Math.max(0, chunkBytes - FRAME_PREFIX_BYTES - header.byteLength);
  const first = Math.min(payloadLength, firstRoom);
  const prefix = new Uint8Array(FRAME_PREFIX_BYTES);
  const view = new DataView(prefix.buffer);
  prefix[0] = MAGIC;
  prefix[1] = KIND_FRAME;
  prefix[2] = payload === undefined ? 0 : HAS_PAYLOAD;
  view.setUint32(4, header.byteLength, true);
  view.setUint32(8, payloadLength % TWO_32, true);
  view.setUint32(12, Math.floor(payloadLength / TWO_32), true);
  const head = [prefix, header];
  if (payload !== undefined && first > 0) head.push(payload.subarray(0, first));
  const messages = [head];
  for (let at = first; payload !== undefined && at < payloadLength;) {
    const n = Math.min(chunkBytes - PREFIX_BYTES, payloadLength - at);
    messages.push([CHUNK_PREFIX, payload.subarray(at, at + n)]);
    at += n;
  }
  return messages;
}

/** Encodes a credit grant of `n` frames. */
export function encodeCredit(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 1 || n >= TWO_32) {
    throw new RangeError(`Credit must be a positive u32, got ${n}`);
  }
  const message = new Uint8Array(PREFIX_BYTES + 4);
  message[0] = MAGIC;
  message[1] = KIND_CREDIT;
  new DataView(message.buffer).setUint32(PREFIX_BYTES, n, true);
  return message;
}

/** Encodes a close notice. */
export function encodeClose(reason: string): Uint8Array {
  const text = encoder.encode(reason);
  const message = new Uint8Array(PREFIX_BYTES + text.byteLength);
  message[0] = MAGIC;
  message[1] = KIND_CLOSE;
  message.set(text, PREFIX_BYTES);
  return message;
}

/** Result of feeding one binary message to a {@linkcode FrameDecoder}. */
export type Decoded =
  | LinkMessage
  /** A CHUNK was accepted; the frame is not complete yet. */
  | { readonly kind: "partial" }
  /**
   * The message was dropped. `droppedFrame` is true when it was a whole frame the peer spent
   * credit on (over the limits, or an undecodable header), so the receiver re-grants that credit.
   */
  | { readonly kind: "malformed"; readonly reason: string; readonly droppedFrame: boolean }
  /** The stream cannot be resynchronized (e.g. garbage inside a chunked frame): close the link. */
  | { readonly kind: "fatal"; readonly reason: string };

type State =
  | { readonly mode: "idle" }
  | { readonly mode: "assembling"; readonly header: string; readonly payload: Uint8Array; filled: number }
  | { readonly mode: "skipping"; remaining: number };

/** Reassembles binary messages into {@linkcode LinkMessage}s, enforcing size limits. Never throws. */
export class FrameDecoder {
  #maxHeaderBytes: number;
  #maxPayloadBytes: number;
  #state: State = { mode: "idle" };

  constructor(limits: { maxHeaderBytes: number; maxPayloadBytes: number }) {
    this.#maxHeaderBytes = limits.maxHeaderBytes;
    this.#maxPayloadBytes = limits.maxPayloadBytes;
  }

  /** True while a chunked frame is partly received. */
  get assembling(): boolean {
    return this.#state.mode !== "idle";
  }

  /** Decodes one binary message. Payloads of single-message frames are views into `message`. */
  decode(message: Uint8Array): Decoded {
    if (message.byteLength < PREFIX_BYTES || message[0] !== MAGIC || message[2]! > 1 || message[3] !== 0) {
      return this.#garbage("bad message prefix");
    }
    switch (message[1]) {
      case KIND_FRAME:
        return this.#frame(message);
      case KIND_CHUNK:
        return this.#chunk(message);
      case KIND_CREDIT: {
        if (message.byteLength !== PREFIX_BYTES + 4 || message[2] !== 0) {
          return this.#garbage("bad credit message");
        }
        const n = new DataView(message.buffer, message.byteOffset, message.byteLength).getUint32(
          PREFIX_BYTES,
          true,
        );
        return n === 0 ? this.#garbage("zero credit") : { kind: "credit", n };
      }
      case KIND_CLOSE:
        if (message[2] !== 0) return this.#garbage("bad close message");
        return { kind: "close", reason: lenientDecoder.decode(message.subarray(PREFIX_BYTES)) };
      default:
        return this.#garbage(`unknown message kind ${message[1]}`);
    }
  }

  #garbage(reason: string): Decoded {
    if (this.#state.mode !== "idle") return { kind: "fatal", reason: `${reason} inside a chunked frame` };
    return { kind: "malformed", reason, droppedFrame: false };
  }

  #frame(message: Uint8Array): Decoded {
    if (this.#state.mode !== "idle") return { kind: "fatal", reason: "frame started inside a chunked frame" };
    if (message.byteLength < FRAME_PREFIX_BYTES) return this.#garbage("truncated frame prefix");
    const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
    const hasPayload = (message[2]! & HAS_PAYLOAD) !== 0;
    const headerLength = view.getUint32(4, true);
    const payloadLength = view.getUint32(8, true) + view.getUint32(12, true) * TWO_32;
    const headerEnd = FRAME_PREFIX_BYTES + headerLength;
    if (headerEnd > message.byteLength) return this.#garbage("truncated frame header");
    const firstChunk = message.byteLength - headerEnd;
    if (firstChunk > payloadLength || (!hasPayload && payloadLength !== 0)) {
      return this.#garbage("payload length mismatch");
    }
    const rest = payloadLength - firstChunk;
    const drop = (reason: string): Decoded => {
      if (rest > 0) this.#state = { mode: "skipping", remaining: rest };
      return { kind: "malformed", reason, droppedFrame: true };
    };
    if (headerLength > this.#maxHeaderBytes) {
      return drop(`header of ${headerLength} bytes exceeds the limit of ${this.#maxHeaderBytes}`);
    }
    if (payloadLength > this.#maxPayloadBytes) {
      return drop(`payload of ${payloadLength} bytes exceeds the limit of ${this.#maxPayloadBytes}`);
    }
    let header: string;
    try {
      header = strictDecoder.decode(message.subarray(FRAME_PREFIX_BYTES, headerEnd));
    } catch {
      return drop("header is not valid UTF-8");
    }
    if (!hasPayload) return { kind: "frame", header, payload: undefined };
    if (rest === 0) return { kind: "frame", header, payload: message.subarray(headerEnd) };
    const payload = new Uint8Array(payloadLength);
    payload.set(message.subarray(headerEnd));
    this.#state = { mode: "assembling", header, payload, filled: firstChunk };
    return { kind: "partial" };
  }

  #chunk(message: Uint8Array): Decoded {
    const state = this.#state;
    const n = message.byteLength - PREFIX_BYTES;
    if (message[2] !== 0) return this.#garbage("bad chunk message");
    switch (state.mode) {
      case "idle":
        return { kind: "malformed", reason: "chunk outside a frame", droppedFrame: false };
      case "skipping":
        state.remaining -= n;
        if (state.remaining < 0) return { kind: "fatal", reason: "chunk overruns the frame" };
        if (state.remaining === 0) this.#state = { mode: "idle" };
        return { kind: "partial" };
      case "assembling": {
        if (state.filled + n > state.payload.byteLength) {
          return { kind: "fatal", reason: "chunk overruns the frame" };
        }
        state.payload.set(message.subarray(PREFIX_BYTES), state.filled);
        state.filled += n;
        if (state.filled < state.payload.byteLength) return { kind: "partial" };
        this.#state = { mode: "idle" };
        return { kind: "frame", header: state.header, payload: state.payload };
      }
      default:
        return state satisfies never;
    }
  }
}
