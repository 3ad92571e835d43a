/**
 * A WebSocket client over `Deno.connect` with `TCP_NODELAY` set ({@linkcode connectWebSocket}).
 *
 * Deno's built-in `WebSocket` client leaves Nagle's algorithm on, which costs about 40 ms every
 * time a small message follows another before the peer answers (write-write-read meets the
 * peer's delayed ACK). This client sets `TCP_NODELAY` on the TCP socket, and for `wss://` runs
 * TLS over that same socket with `Deno.startTls`, so both schemes are free of the stall.
 *
 * The opening handshake is RFC 6455 §4.1: a random `Sec-WebSocket-Key`, and the server's
 * `101` must carry the matching `Sec-WebSocket-Accept`, `Upgrade: websocket`,
 * `Connection: Upgrade`, and no extension or subprotocol (none are offered).
 *
 * @module
 */

import { type Clock, systemClock } from "../../../actors/clock.ts";
import { abortReason, PeerUnavailableError, TimeoutError } from "../../../actors/errors.ts";
import { acceptFor, hasToken, type HttpHead, newKey, parseHead, readHead, writeAll } from "./handshake.ts";
import { type ByteStream, WsSocket } from "./socket.ts";

/** Options of {@linkcode connectWebSocket}. */
export interface WsConnectOptions {
  signal?: AbortSignal | undefined;
  /** Time allowed for TCP connect, TLS and the HTTP handshake together. @default {10000} */
  timeoutMs?: number | undefined;
  /** Extra PEM certificates to trust for `wss://` (e.g. a self-signed server certificate). */
  caCerts?: string[] | undefined;
  /** Largest inbound message. @default {MAX_MESSAGE_BYTES} */
  maxMessageBytes?: number | undefined;
  /** Time allowed for the close handshake. @default {5000} */
  closeTimeoutMs?: number | undefined;
  clock?: Clock | undefined;
}

/**
 * Opens a client WebSocket to a `ws://` or `wss://` URL. Rejects with `PeerUnavailableError`
 * when the server cannot be reached, refuses the upgrade or answers it wrongly; `TimeoutError`
 * after `timeoutMs`; `AbortedError` on abort. A rejected dial leaves nothing open.
 *
 * @example
 * ```ts ignore
 * import { connectWebSocket } from "./client.ts";
 * const socket = await connectWebSocket("ws://127.0.0.1:4001/");
 * socket.start({ message: (data) => console.log(data), close: (info) => console.log(info.code) });
 * socket.send(new Uint8Array([1, 2, 3]));
 * await socket.close();
 * ```
 */
export async function connectWebSocket(url: string, options: WsConnectOptions = {}): Promise<WsSocket> {
  const target = parseTarget(url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  const signal = options.signal;
  if (signal?.aborted) throw abortReason(signal, `Dial ${url}`);
  const clock = options.clock ?? systemClock;
  const connecting = new AbortController();
  let stream: ByteStream | undefined;
  let gaveUp: Error | undefined;
  const giveUp = (error: Error) => {
    gaveUp ??= error;
    connecting.abort(error);
    closeQuietly(stream);
  };
  const timer = clock.setTimeout(
    () =>
      giveUp(
        new TimeoutError(`Cannot connect to ${url}: no handshake within ${timeoutMs} ms`, { data: { url } }),
      ),
    timeoutMs,
  );
  const onAbort = () => giveUp(abortReason(signal!, `Dial ${url}`));
  signal?.addEventListener("abort", onAbort, { once: true });
  const checkpoint = () => {
    if (gaveUp !== undefined) throw gaveUp;
  };
  try {
    const tcp = await Deno.connect({
      hostname: target.hostname,
      port: target.port,
      signal: connecting.signal,
    });
    stream = tcp;
    checkpoint();
    tcp.setNoDelay(true);
    if (target.secure) {
      stream = undefined; // startTls consumes the TCP connection
      const tlsOptions: Deno.StartTlsOptions = { hostname: target.hostname };
      if (options.caCerts !== undefined) tlsOptions.caCerts = options.caCerts;
      stream = await Deno.startTls(tcp, tlsOptions);
      checkpoint();
    }
    const key = newKey();
    await writeAll(stream, new TextEncoder().encode(requestText(target, key)));
    const { text, rest } = await readHead(stream);
    checkpoint();
    await verifyResponse(parseHead(text), key, url);
    checkpoint();
    return new WsSocket(stream, {
      role: "client",
      head: rest,
      maxMessageBytes: options.maxMessageBytes,
      closeTimeoutMs: options.closeTimeoutMs,
      clock,
    });
  } catch (error) {
    closeQuietly(stream);
    if (gaveUp !== undefined) throw gaveUp;
    if (error instanceof PeerUnavailableError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new PeerUnavailableError(`Cannot connect to ${url}: ${message}`, { data: { url }, cause: error });
  } finally {
    clock.clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

interface Target {
  secure: boolean;
  hostname: string;
  port: number;
  /** The Host header value. */
  host: string;
  path: string;
}

function parseTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TypeError(`Cannot dial "${url}": not a URL`, { cause });
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new TypeError(`Cannot dial "${url}": expected ws:// or wss://`);
  }
  const secure = parsed.protocol === "wss:";
  const bracketed = parsed.hostname.startsWith("[");
  return {
    secure,
    hostname: bracketed ? parsed.hostname.slice(1, -1) : parsed.hostname,
    port: parsed.port === "" ? (secure ? 443 : 80) : Number(parsed.port),
    host: parsed.host,
    path: `${parsed.pathname || "/"}${parsed.search}`,
  };
}

function requestText(target: Target, key: string): string {
  return [
    `GET ${target.path} HTTP/1.1`,
    `Host: ${target.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
}

async function verifyResponse(head: HttpHead | undefined, key: string, url: string): Promise<void> {
  const refuse = (why: string, status?: number) =>
    new PeerUnavailableError(`Cannot connect to ${url}: ${why}`, {
      data: status === undefined ? { url } : { url, status },
    });
  if (head === undefined) throw refuse("malformed HTTP response");
  const [version, code, ...words] = head.start;
  if (version !== "HTTP/1.1" || code === undefined || !/^\d{3}$/.test(code)) {
    throw refuse("malformed HTTP status line");
  }
  if (code !== "101") throw refuse(`server answered ${code} ${words.join(" ")}`.trimEnd(), Number(code));
  const headers = head.headers;
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") {
    throw refuse("101 response without Upgrade: websocket");
  }
  if (!hasToken(headers.get("connection"), "upgrade")) {
    throw refuse("101 response without Connection: Upgrade");
  }
  if (headers.get("sec-websocket-accept") !== await acceptFor(key)) {
    throw refuse("Sec-WebSocket-Accept does not match the key sent");
  }
  if (headers.has("sec-websocket-extensions")) {
    throw refuse("server selected an extension that was not offered");
  }
  if (headers.has("sec-websocket-protocol")) {
    throw refuse("server selected a subprotocol that was not offered");
  }
}

function closeQuietly(stream: ByteStream | undefined): void {
  try {
    stream?.close();
  } catch {
    // Already closed.
  }
}
