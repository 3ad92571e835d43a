/**
 * RFC 6455 framing: {@linkcode encodeWsFrame} builds the bytes of one WebSocket frame and
 * {@linkcode WsFrameParser} turns a byte stream back into messages, pings, pongs and closes.
 *
 * No extensions are negotiated, so the RSV bits must be zero. Client frames are masked, server
 * frames are not (RFC 6455 §5.1); the parser rejects the wrong kind. Fragmented messages are
 * reassembled; a message over `maxMessageBytes` is refused from its frame header, before any of
 * it is buffered.
 *
 * @module
 */
import { concatBytes } from "../../util/bytes.ts";

/** Opcodes of RFC 6455 §5.2. */
export const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Status codes used here (RFC 6455 §7.4.1). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  noStatus: 1005,
  abnormal: 1006,
  invalidData: 1007,
  tooBig: 1009,
  internalError: 1011,
} as const;

/** Largest payload of a control frame. */
export const MAX_CONTROL_PAYLOAD = 125;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
/** Frames of at least this many outstanding payload bytes are read straight into their buffer. */
const DIRECT_READ_BYTES = 64 * 1024;

/** Random mask keys, drawn from the CSPRNG in blocks. */
const maskPool = new Uint8Array(4096);
let maskAt = maskPool.length;

function nextMask(): Uint8Array {
  if (maskAt === maskPool.length) {
    crypto.getRandomValues(maskPool);
    maskAt = 0;
  }
  const key = maskPool.slice(maskAt, maskAt + 4);
  maskAt += 4;
  return key;
}

/** XORs `data` (which must start 4-byte aligned in its buffer) with the 4-byte `key`, in place. */
function applyMask(data: Uint8Array, key: Uint8Array): void {
  const words = data.byteLength >>> 2;
  if (data.byteOffset % 4 === 0 && words > 0) {
    const key32 = new Uint32Array(key.slice().buffer)[0]!;
    const view = new Uint32Array(data.buffer, data.byteOffset, words);
    for (let i = 0; i < words; i++) view[i]! ^= key32;
    for (let i = words * 4; i < data.byteLength; i++) data[i]! ^= key[i & 3]!;
    return;
  }
  for (let i = 0; i < data.byteLength; i++) data[i]! ^= key[i & 3]!;
}

/**
 * The bytes of one frame carrying the concatenation of `parts`. Unmasked frames reference the
 * parts (no copy); masked frames are one fresh buffer.
 */
export function encodeWsFrame(
  opcode: number,
  parts: readonly Uint8Array[],
  options: { mask: boolean; fin?: boolean },
): Uint8Array[] {
  let length = 0;
  for (const p of parts) length += p.byteLength;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const headerBytes = 2 + lengthBytes + (options.mask ? 4 : 0);
  // Pad in front so a masked payload starts 4-byte aligned and can be XORed a word at a time.
  const pad = options.mask ? (4 - (headerBytes % 4)) % 4 : 0;
  const buffer = new Uint8Array(pad + headerBytes + (options.mask ? length : 0));
  const header = buffer.subarray(pad, pad + headerBytes);
  header[0] = ((options.fin ?? true) ? 0x80 : 0) | opcode;
  const view = new DataView(header.buffer, header.byteOffset, headerBytes);
  if (lengthBytes === 0) header[1] = length;
  else if (lengthBytes === 2) {
    header[1] = 126;
    view.setUint16(2, length);
  } else {
    header[1] = 127;
    view.setUint32(2, Math.floor(length / 2 ** 32));
    view.setUint32(6, length >>> 0);
  }
  if (!options.mask) return [header, ...parts.filter((p) => p.byteLength > 0)];
  header[1]! |= 0x80;
  const key = nextMask();
  header.set(key, 2 + lengthBytes);
  const payload = buffer.subarray(pad + headerBytes);
  let at = 0;
  for (const p of parts) {
    payload.set(p, at);
    at += p.byteLength;
  }
  applyMask(payload, key);
  return [buffer.subarray(pad)];
}

/** The payload of a close frame: status code plus UTF-8 reason (empty for "no status"). */
export function encodeClosePayload(code: number | undefined, reason: string): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const text = new TextEncoder().encode(reason);
  const payload = new Uint8Array(2 + text.byteLength);
  new DataView(payload.buffer).setUint16(0, code);
  payload.set(text, 2);
  return payload;
}

/** True for codes an endpoint may send in a close frame (RFC 6455 §7.4 and the IANA registry, 1000–1014). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/** What {@linkcode WsFrameParser} reports. */
export type WsEvent =
  | { readonly kind: "message"; readonly data: Uint8Array | string }
  | { readonly kind: "ping"; readonly data: Uint8Array }
  | { readonly kind: "pong"; readonly data: Uint8Array }
  /** `code` is undefined when the close frame carried no status. */
  | { readonly kind: "close"; readonly code: number | undefined; readonly reason: string };

/** Why the stream must be failed: the close code to send and a reason. */
export interface WsViolation {
  code: number;
  reason: string;
}

/** Options of {@linkcode WsFrameParser}. */
export interface WsFrameParserOptions {
  /** True on the server: every inbound frame must be masked. False on the client: none may be. */
  expectMasked: boolean;
  /** Largest message (all fragments together) accepted. */
  maxMessageBytes: number;
}

/** Incremental RFC 6455 frame parser. Never throws on input; reports violations instead. */
export class WsFrameParser {
  #expectMasked: boolean;
  #maxMessageBytes: number;
  #header = new Uint8Array(14);
  #headerFilled = 0;
  #headerNeeded = 2;
  /** The payload being filled, once the header is complete. */
  #payload: Uint8Array | undefined;
  #payloadFilled = 0;
  #opcode = 0;
  #fin = false;
  #maskKey: Uint8Array | undefined;
  /** Opcode of the fragmented message in progress, or undefined. */
  #fragmentOpcode: number | undefined;
  #fragments: Uint8Array[] = [];
  #fragmentBytes = 0;

  constructor(options: WsFrameParserOptions) {
    this.#expectMasked = options.expectMasked;
    this.#maxMessageBytes = options.maxMessageBytes;
  }

  /**
   * Feeds bytes; calls `emit` for every complete event. Stops at the first violation and
   * returns it (the parser must not be used afterwards).
   */
  push(bytes: Uint8Array, emit: (event: WsEvent) => void): WsViolation | undefined {
    let at = 0;
    while (at < bytes.byteLength) {
      const payload = this.#payload;
      if (payload === undefined) {
        const n = Math.min(this.#headerNeeded - this.#headerFilled, bytes.byteLength - at);
        this.#header.set(bytes.subarray(at, at + n), this.#headerFilled);
        this.#headerFilled += n;
        at += n;
        if (this.#headerFilled < this.#headerNeeded) continue;
        const violation = this.#headerStep(emit);
        if (violation) return violation;
        continue;
      }
      const n = Math.min(payload.byteLength - this.#payloadFilled, bytes.byteLength - at);
      payload.set(bytes.subarray(at, at + n), this.#payloadFilled);
      this.#payloadFilled += n;
      at += n;
      if (this.#payloadFilled === payload.byteLength) {
        const violation = this.#complete(emit);
        if (violation) return violation;
      }
    }
    return undefined;
  }

  /**
   * The unfilled rest of a large frame's payload, for the reader to fill directly (saving a
   * copy); report the bytes read with {@linkcode filled}. Undefined when not worthwhile.
   */
  directTarget(): Uint8Array | undefined {
    const payload = this.#payload;
    if (payload === undefined || payload.byteLength - this.#payloadFilled < DIRECT_READ_BYTES) {
      return undefined;
    }
    return payload.subarray(this.#payloadFilled);
  }

  /** Records `n` bytes read into {@linkcode directTarget}. */
  filled(n: number, emit: (event: WsEvent) => void): WsViolation | undefined {
    const payload = this.#payload;
    if (payload === undefined || this.#payloadFilled + n > payload.byteLength) {
      throw new RangeError(`Cannot record ${n} directly read bytes: no frame payload has room for them`);
    }
    this.#payloadFilled += n;
    return this.#payloadFilled === payload.byteLength ? this.#complete(emit) : undefined;
  }

  /** Called when the header bytes asked for so far have arrived. */
  #headerStep(emit: (event: WsEvent) => void): WsViolation | undefined {
    const h = this.#header;
    if (this.#headerNeeded === 2) {
      const violation = this.#checkFirstBytes(h[0]!, h[1]!);
      if (violation) return violation;
      const code = h[1]! & 0x7f;
      this.#headerNeeded = 2 + (code === 126 ? 2 : code === 127 ? 8 : 0) + ((h[1]! & 0x80) ? 4 : 0);
      if (this.#headerNeeded > 2) return undefined;
    }
    const view = new DataView(h.buffer, 0, this.#headerNeeded);
    const code = h[1]! & 0x7f;
    let length = code;
    if (code === 126) length = view.getUint16(2);
    else if (code === 127) {
      const high = view.getUint32(2);
      if (high >= 0x200000) return { code: CLOSE.tooBig, reason: "frame length exceeds 2^53" };
      length = high * 2 ** 32 + view.getUint32(6);
    }
    const messageBytes = (this.#opcode & 0x8) === 0 ? this.#fragmentBytes + length : length;
    if (messageBytes > this.#maxMessageBytes) {
      return {
        code: CLOSE.tooBig,
        reason: `message of at least ${messageBytes} bytes exceeds the limit of ${this.#maxMessageBytes}`,
      };
    }
    this.#maskKey = (h[1]! & 0x80) ? h.slice(this.#headerNeeded - 4, this.#headerNeeded) : undefined;
    this.#payload = new Uint8Array(length);
    this.#payloadFilled = 0;
    return length === 0 ? this.#complete(emit) : undefined;
  }

  #checkFirstBytes(b0: number, b1: number): WsViolation | undefined {
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    const protocol = (reason: string): WsViolation => ({ code: CLOSE.protocolError, reason });
    if ((b0 & 0x70) !== 0) return protocol("reserved bits are set but no extension was negotiated");
    if (((b1 & 0x80) !== 0) !== this.#expectMasked) {
      return protocol(this.#expectMasked ? "client frame is not masked" : "server frame is masked");
    }
    switch (opcode) {
      case OP.close:
      case OP.ping:
      case OP.pong:
        if (!fin) return protocol("control frame is fragmented");
        if ((b1 & 0x7f) > MAX_CONTROL_PAYLOAD) return protocol("control frame payload exceeds 125 bytes");
        break;
      case OP.text:
      case OP.binary:
        if (this.#fragmentOpcode !== undefined) return protocol("new message inside a fragmented message");
        break;
      case OP.continuation:
        if (this.#fragmentOpcode === undefined) return protocol("continuation frame outside a message");
        break;
      default:
        return protocol(`unknown opcode ${opcode}`);
    }
    this.#opcode = opcode;
    this.#fin = fin;
    return undefined;
  }

  #complete(emit: (event: WsEvent) => void): WsViolation | undefined {
    const payload = this.#payload!;
    if (this.#maskKey) applyMask(payload, this.#maskKey);
    this.#payload = undefined;
    this.#headerFilled = 0;
    this.#headerNeeded = 2;
    switch (this.#opcode) {
      case OP.ping:
        emit({ kind: "ping", data: payload });
        return undefined;
      case OP.pong:
        emit({ kind: "pong", data: payload });
        return undefined;
      case OP.close:
        return this.#close(payload, emit);
      default:
        break;
    }
    if (this.#opcode !== OP.continuation) this.#fragmentOpcode = this.#opcode;
    if (!this.#fin || this.#fragments.length > 0) {
      this.#fragments.push(payload);
      this.#fragmentBytes += payload.byteLength;
    }
    if (!this.#fin) return undefined;
    const opcode = this.#fragmentOpcode!;
    const data = this.#fragments.length === 0 ? payload : concatBytes(this.#fragments, this.#fragmentBytes);
    this.#fragmentOpcode = undefined;
    this.#fragments = [];
    this.#fragmentBytes = 0;
    if (opcode === OP.binary) {
      emit({ kind: "message", data });
      return undefined;
    }
    let text: string;
    try {
      text = strictUtf8.decode(data);
    } catch {
      return { code: CLOSE.invalidData, reason: "text message is not valid UTF-8" };
    }
    emit({ kind: "message", data: text });
    return undefined;
  }

  #close(payload: Uint8Array, emit: (event: WsEvent) => void): WsViolation | undefined {
    if (payload.byteLength === 0) {
      emit({ kind: "close", code: undefined, reason: "" });
      return undefined;
    }
    if (payload.byteLength === 1) return { code: CLOSE.protocolError, reason: "close frame of 1 byte" };
    const code = (payload[0]! << 8) | payload[1]!;
    if (!isValidCloseCode(code)) return { code: CLOSE.protocolError, reason: `invalid close code ${code}` };
    let reason: string;
    try {
      reason = strictUtf8.decode(payload.subarray(2));
    } catch {
      return { code: CLOSE.invalidData, reason: "close reason is not valid UTF-8" };
    }
    emit({ kind: "close", code, reason });
    return undefined;
  }
}
