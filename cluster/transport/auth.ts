/**
 * Mutual challenge–response authentication over a {@linkcode Connection}: a node joins only by
 * proving it holds the cluster's shared secret, and the secret never crosses the wire.
 *
 * ```
 * client → server  { v: 1, type: "auth.challenge", nonce: Nc, identity: helloJson }
 * server → client  { v: 1, type: "auth.challenge", nonce: Ns, identity: nodeId }
 * client → server  { v: 1, type: "auth.response", proof: HMAC(secret, "client", Nc, Ns, nodeId, helloJson) }
 * server → client  { v: 1, type: "auth.ok", welcome: welcomeJson,
 *                    proof: HMAC(secret, "server", Nc, Ns, nodeId, helloJson, welcomeJson) }
 *               or { v: 1, type: "auth.reject", reason }
 * ```
 *
 * Nonces are 32 random bytes from each side, so a proof from one session is useless in another;
 * the role in each MAC stops a proof from being reflected back; proofs are checked with
 * `crypto.subtle.verify` (constant time). HMAC-SHA-256 via WebCrypto; binary fields travel as
 * base64. A failure closes the connection: the server first sends `auth.reject` with a reason.
 *
 * @module
 */

import { type Clock, systemClock } from "../../actors/clock.ts";
import { type Json, MalformedMessageError, PeerUnavailableError, TimeoutError } from "../../actors/errors.ts";
import { AuthenticationError } from "../errors.ts";
import { at, describe, fail, obj, oneOf, str, where } from "../../actors/decode.ts";
import type { Connection } from "../../actors/connection.ts";

/** Shortest accepted secret, in bytes. */
export const MIN_SECRET_BYTES = 16;
const NONCE_BYTES = 32;
const MAX_IDENTITY_CHARS = 64 * 1024;
const MAX_REASON_CHARS = 1024;
const LABEL = "frontier-auth-v1";

/** Options of {@linkcode authenticateServer}. */
export interface AuthServerOptions {
  /** The shared secret (at least 16 bytes), usually read from a file. */
  secret: Uint8Array;
  /** This node's id, sent to and authenticated for the client. */
  nodeId: string;
  /** Deadline for the whole handshake. */
  timeoutMs: number;
  /** Small JSON handed to the client once it is authenticated. @default {null} */
  welcome?: Json | undefined;
  clock?: Clock | undefined;
  signal?: AbortSignal | undefined;
}

/** Options of {@linkcode authenticateClient}. */
export interface AuthClientOptions {
  secret: Uint8Array;
  /** Small JSON describing the joining node (host, pid, listen address…), authenticated by the MAC. */
  hello: Json;
  timeoutMs: number;
  clock?: Clock | undefined;
  signal?: AbortSignal | undefined;
}

/** What the server learns about an authenticated client. */
export interface PeerHello {
  hello: Json;
}

/** What the client learns about the server it authenticated. */
export interface ServerWelcome {
  nodeId: string;
  welcome: Json;
}

/** The closed set of authentication messages. */
export type AuthMessage =
  | { v: 1; type: "auth.challenge"; nonce: string; identity: string }
  | { v: 1; type: "auth.response"; proof: string }
  | { v: 1; type: "auth.ok"; proof: string; welcome: string }
  | { v: 1; type: "auth.reject"; reason: string };

/**
 * Server side of the handshake. Resolves with the client's hello once the client has proved the
 * secret; rejects with `AuthenticationError` (after sending `auth.reject` and closing),
 * `TimeoutError`, `PeerUnavailableError` or `AbortedError`.
 */
export async function authenticateServer(conn: Connection, options: AuthServerOptions): Promise<PeerHello> {
  const key = await importSecret(options.secret);
  if (typeof options.nodeId !== "string" || options.nodeId.length > MAX_IDENTITY_CHARS) {
    throw new TypeError("nodeId must be a string of at most 64 KiB");
  }
  const welcomeText = jsonText(options.welcome ?? null, "welcome");
  return await withDeadline(conn, options, "server", async (signal) => {
    const challenge = await expect(conn, "auth.challenge", signal);
    const clientNonce = decodeNonce(challenge.nonce);
    const helloText = challenge.identity;
    let hello: Json;
    try {
      hello = JSON.parse(helloText);
    } catch (cause) {
      throw new MalformedMessageError("auth.challenge hello is not JSON", { cause });
    }
    const serverNonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    await send(
      conn,
      { v: 1, type: "auth.challenge", nonce: toBase64(serverNonce), identity: options.nodeId },
      signal,
    );
    const response = await expect(conn, "auth.response", signal);
    const fields = [clientNonce, serverNonce, options.nodeId, helloText];
    if (!await verify(key, response.proof, transcript("client", fields))) {
      throw new AuthenticationError(
        `Cannot admit ${conn.remoteAddress}: it did not prove the shared secret`,
        {
          data: { remoteAddress: conn.remoteAddress },
        },
      );
    }
    const proof = await sign(key, transcript("server", [...fields, welcomeText]));
    await send(conn, { v: 1, type: "auth.ok", proof, welcome: welcomeText }, signal);
    return { hello };
  });
}

/**
 * Client side of the handshake. Resolves with the server's id and welcome once the server has
 * proved the secret; rejects with `AuthenticationError` (wrong secret on either side, or the
 * server's reason), `TimeoutError`, `PeerUnavailableError` or `AbortedError`.
 */
export async function authenticateClient(
  conn: Connection,
  options: AuthClientOptions,
): Promise<ServerWelcome> {
  const key = await importSecret(options.secret);
  const helloText = jsonText(options.hello, "hello");
  if (helloText.length > MAX_IDENTITY_CHARS) throw new RangeError("hello must be at most 64 KiB of JSON");
  return await withDeadline(conn, options, "client", async (signal) => {
    const clientNonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    await send(
      conn,
      { v: 1, type: "auth.challenge", nonce: toBase64(clientNonce), identity: helloText },
      signal,
    );
    const challenge = await expect(conn, "auth.challenge", signal);
    const serverNonce = decodeNonce(challenge.nonce);
    const nodeId = challenge.identity;
    const fields = [clientNonce, serverNonce, nodeId, helloText];
    await send(
      conn,
      { v: 1, type: "auth.response", proof: await sign(key, transcript("client", fields)) },
      signal,
    );
    const ok = await expect(conn, "auth.ok", signal);
    if (!await verify(key, ok.proof, transcript("server", [...fields, ok.welcome]))) {
      throw new AuthenticationError(
        `Cannot trust ${conn.remoteAddress}: server did not prove the shared secret`,
        {
          data: { remoteAddress: conn.remoteAddress, nodeId },
        },
      );
    }
    let welcome: Json;
    try {
      welcome = JSON.parse(ok.welcome);
    } catch (cause) {
      throw new MalformedMessageError("auth.ok welcome is not JSON", { cause });
    }
    return { nodeId, welcome };
  });
}

/** Decodes an authentication message from an untrusted header. Throws `MalformedMessageError`. */
export function decodeAuthMessage(header: unknown): AuthMessage {
  const m = obj(header, where("authentication message"));
  if (m["v"] !== 1) throw fail(at(m, "v"), `must be 1, got ${describe(m["v"])}`);
  const type = oneOf(m, "type", ["auth.challenge", "auth.response", "auth.ok", "auth.reject"]);
  switch (type) {
    case "auth.challenge":
      return {
        v: 1,
        type,
        nonce: str(m, "nonce", { max: 64 }),
        identity: str(m, "identity", { max: MAX_IDENTITY_CHARS }),
      };
    case "auth.response":
      return { v: 1, type, proof: str(m, "proof", { max: 64 }) };
    case "auth.ok":
      return {
        v: 1,
        type,
        proof: str(m, "proof", { max: 64 }),
        welcome: str(m, "welcome", { max: MAX_IDENTITY_CHARS }),
      };
    case "auth.reject":
      return { v: 1, type, reason: str(m, "reason", { max: MAX_REASON_CHARS }) };
    default:
      return type satisfies never;
  }
}

type Role = "client" | "server";

/** Runs a handshake under one deadline; on failure tells the peer (server only) and closes. */
async function withDeadline<T>(
  conn: Connection,
  options: { timeoutMs: number; clock?: Clock | undefined; signal?: AbortSignal | undefined },
  role: Role,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${options.timeoutMs}`);
  const clock = options.clock ?? systemClock;
  const deadline = new AbortController();
  const timer = clock.setTimeout(() => {
    deadline.abort(
      new TimeoutError(
        `Authentication with ${conn.remoteAddress} did not finish within ${options.timeoutMs} ms`,
        {
          data: { remoteAddress: conn.remoteAddress, timeoutMs: options.timeoutMs },
        },
      ),
    );
  }, options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  try {
    return await body(signal);
  } catch (error) {
    const failure = error instanceof MalformedMessageError
      ? new AuthenticationError(`Authentication with ${conn.remoteAddress} failed: ${error.message}`, {
        cause: error,
      })
      : error;
    if (failure instanceof AuthenticationError && !(error instanceof RejectedError)) {
      const reason = role === "server"
        ? "shared secret not proved or protocol violated"
        : "server not trusted";
      try {
        await send(conn, { v: 1, type: "auth.reject", reason }, signal);
      } catch {
        // Best effort: the peer may already be gone.
      }
    }
    await conn.close(
      `authentication failed: ${failure instanceof Error ? failure.message : String(failure)}`,
    );
    throw failure;
  } finally {
    clock.clearTimeout(timer);
  }
}

/** The peer rejected us; no need to answer with a reject of our own. */
class RejectedError extends AuthenticationError {}

async function expect<T extends AuthMessage["type"]>(
  conn: Connection,
  type: T,
  signal: AbortSignal,
): Promise<Extract<AuthMessage, { type: T }>> {
  const frame = await conn.receive({ signal });
  if (frame === undefined) {
    throw new PeerUnavailableError(`Connection to ${conn.remoteAddress} closed during authentication`, {
      data: { remoteAddress: conn.remoteAddress },
    });
  }
  if (frame.payload !== undefined) throw new MalformedMessageError("authentication frames carry no payload");
  const message = decodeAuthMessage(frame.header);
  if (message.type === "auth.reject") {
    throw new RejectedError(`Authentication rejected by ${conn.remoteAddress}: ${message.reason}`, {
      data: { remoteAddress: conn.remoteAddress, reason: message.reason },
    });
  }
  if (message.type !== type) throw new MalformedMessageError(`expected ${type}, got ${message.type}`);
  return message as Extract<AuthMessage, { type: T }>;
}

function send(conn: Connection, message: AuthMessage, signal: AbortSignal): Promise<void> {
  return conn.send({ header: message }, { signal });
}

async function importSecret(secret: Uint8Array): Promise<CryptoKey> {
  if (!(secret instanceof Uint8Array)) throw new TypeError("secret must be a Uint8Array");
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new RangeError(`secret must be at least ${MIN_SECRET_BYTES} bytes, got ${secret.byteLength}`);
  }
  return await crypto.subtle.importKey("raw", secret.slice(), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

function jsonText(value: Json, what: string): string {
  const text = JSON.stringify(value);
  if (typeof text !== "string") throw new TypeError(`${what} must be JSON`);
  return text;
}

const encoder = new TextEncoder();

/** Domain label, role, then each field as u32 big-endian length + bytes (strings as UTF-8). */
function transcript(role: Role, fields: (Uint8Array | string)[]): Uint8Array<ArrayBuffer> {
  const parts = [LABEL, role, ...fields].map((f) => typeof f === "string" ? encoder.encode(f) : f);
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.byteLength, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const part of parts) {
    view.setUint32(at, part.byteLength);
    out.set(part, at + 4);
    at += 4 + part.byteLength;
  }
  return out;
}

async function sign(key: CryptoKey, data: Uint8Array<ArrayBuffer>): Promise<string> {
  return toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, data)));
}

async function verify(key: CryptoKey, proof: string, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const bytes = fromBase64(proof);
  if (bytes === undefined) throw new MalformedMessageError("proof is not base64");
  return await crypto.subtle.verify("HMAC", key, bytes, data);
}

function decodeNonce(text: string): Uint8Array {
  const nonce = fromBase64(text);
  if (nonce?.byteLength !== NONCE_BYTES) {
    throw new MalformedMessageError(`nonce must be ${NONCE_BYTES} bytes`);
  }
  return nonce;
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
