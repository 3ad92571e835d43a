/**
 * The HTTP/1.1 side of the WebSocket opening handshake (RFC 6455 §4), shared by `ws_client.ts`
 * and `ws_server.ts`: reading a bounded message head, parsing it, and the
 * `Sec-WebSocket-Accept` digest.
 *
 * @module
 */

import type { ByteStream } from "./socket.ts";

/** Largest request or response head (start line plus headers) either side accepts. */
export const MAX_HEAD_BYTES = 16 * 1024;

const HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const latin1 = new TextDecoder("latin1");

/** A parsed HTTP message head: the start line split on spaces, and headers by lower-case name. */
export interface HttpHead {
  /** `["GET", "/path", "HTTP/1.1"]` or `["HTTP/1.1", "101", "Switching", "Protocols"]`. */
  start: string[];
  /** Repeated headers are joined with `", "`. */
  headers: Map<string, string>;
}

/**
 * Reads up to the blank line ending an HTTP head. Returns the head's text and any bytes read
 * past it. Throws a `RangeError` when the head exceeds `maxBytes`, an `Error` when the stream
 * ends first.
 */
export async function readHead(
  stream: ByteStream,
  maxBytes: number = MAX_HEAD_BYTES,
): Promise<{ text: string; rest: Uint8Array }> {
  const buffer = new Uint8Array(maxBytes);
  let filled = 0;
  for (;;) {
    if (filled === maxBytes) throw new RangeError(`HTTP head exceeds ${maxBytes} bytes`);
    const n = await stream.read(buffer.subarray(filled));
    if (n === null) throw new Error("connection closed during the HTTP handshake");
    const searchFrom = Math.max(0, filled - 3);
    filled += n;
    const end = indexOfBlankLine(buffer, searchFrom, filled);
    if (end >= 0) {
      return { text: latin1.decode(buffer.subarray(0, end)), rest: buffer.slice(end + 4, filled) };
    }
  }
}

function indexOfBlankLine(buffer: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 3 < to; i++) {
    if (buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) return i;
  }
  return -1;
}

/** Parses a head read by {@linkcode readHead}; undefined if it is not well-formed HTTP/1.1. */
export function parseHead(text: string): HttpHead | undefined {
  const lines = text.split("\r\n");
  const start = lines[0]?.split(" ") ?? [];
  if (start.length < 2 || start.some((part) => part === "")) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).toLowerCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) return undefined;
    const value = line.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return { start, headers };
}

/** True if a comma-separated header value contains `token` (case-insensitive). */
export function hasToken(value: string | undefined, token: string): boolean {
  return value?.split(",").some((t) => t.trim().toLowerCase() === token) ?? false;
}

/** A fresh random `Sec-WebSocket-Key`: 16 random bytes, base64. */
export function newKey(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(16)));
}

/** True if `key` is base64 of exactly 16 bytes, as RFC 6455 §4.1 requires. */
export function isValidKey(key: string | undefined): key is string {
  if (key === undefined || !/^[A-Za-z0-9+/]{22}==$/.test(key)) return false;
  return true;
}

/** The `Sec-WebSocket-Accept` answering `key`: base64(SHA-1(key + GUID)). */
export async function acceptFor(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + HANDSHAKE_GUID));
  return toBase64(new Uint8Array(digest));
}

/** Writes all of `bytes`. */
export async function writeAll(stream: ByteStream, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.byteLength;) at += await stream.write(bytes.subarray(at));
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}
