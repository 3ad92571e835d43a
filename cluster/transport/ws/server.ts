/**
 * A WebSocket server over `Deno.listen` with `TCP_NODELAY` on every accepted connection
 * ({@linkcode WsServer}); `wss://` terminates TLS over that connection (`ws_tls.ts`).
 *
 * `Deno.serve` + `Deno.upgradeWebSocket` sets `TCP_NODELAY` for plain HTTP but not with TLS
 * (measured with Deno 2.9.6), so the server side is done here, for both schemes alike: a
 * minimal HTTP/1.1 parser answers anything but a valid upgrade with a plain-text status
 * (`426` without `Upgrade: websocket`, `400` when malformed) and closes; valid upgrades go
 * through `admit`, which may refuse them (e.g. `503` beyond a backlog).
 *
 * Bounded: at most `maxHandshakes` connections may be in their handshake at once (more are
 * dropped), each has `handshakeTimeoutMs` to send a head of at most 16 KiB.
 *
 * @module
 */

import { type Clock, systemClock } from "../../../actors/clock.ts";
import {
  acceptFor,
  hasToken,
  type HttpHead,
  isValidKey,
  parseHead,
  readHead,
  writeAll,
} from "./handshake.ts";
import { type ByteStream, WsSocket } from "./socket.ts";
import { acceptTls, createTlsServerContext, type TlsServerContext } from "./tls.ts";

/** An upgrade request that passed validation. */
export interface WsUpgradeRequest {
  /** Request target, e.g. `/` or `/driver?x=1`. */
  path: string;
  /** Request headers by lower-case name. */
  headers: ReadonlyMap<string, string>;
  remoteAddr: Deno.NetAddr;
}

/** A refusal of an upgrade: the HTTP status and a short plain-text body. */
export interface WsRefusal {
  status: number;
  message: string;
}

/** Callbacks of {@linkcode WsServer}. */
export interface WsServerHandlers {
  /** Decides on a valid upgrade: undefined accepts it. Called synchronously before `accepted`. */
  admit?(request: WsUpgradeRequest): WsRefusal | undefined;
  /** Takes an upgraded socket (its `101` is already queued); call `socket.start` to read. */
  accepted(socket: WsSocket, request: WsUpgradeRequest): void;
}

/** Options of {@linkcode WsServer}. */
export interface WsServerOptions {
  /** @default {"127.0.0.1"} */
  hostname?: string | undefined;
  /** 0 picks a free port. @default {0} */
  port?: number | undefined;
  /** PEM certificate chain and private key; makes the server `wss://`. */
  tls?: { cert: string; key: string } | undefined;
  /** Largest inbound message per socket. @default {MAX_MESSAGE_BYTES} */
  maxMessageBytes?: number | undefined;
  /** Time allowed for each socket's close handshake. @default {5000} */
  closeTimeoutMs?: number | undefined;
  /** Time a new connection has to complete its upgrade request. @default {10000} */
  handshakeTimeoutMs?: number | undefined;
  /** Connections in their handshake at once; more are dropped. @default {64} */
  maxHandshakes?: number | undefined;
  clock?: Clock | undefined;
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  426: "Upgrade Required",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

/**
 * Listens at once (the address is known on return) and serves WebSocket upgrades until
 * {@linkcode WsServer.close}. Nothing a client sends throws out of the server.
 */
export class WsServer {
  /** The bound address (with the port picked when `port` was 0). */
  readonly addr: Deno.NetAddr;
  /** True when serving `wss://`. */
  readonly secure: boolean;
  #handlers: WsServerHandlers;
  #listener: Deno.TcpListener;
  #tls: TlsServerContext | undefined;
  #clock: Clock;
  #handshakeTimeoutMs: number;
  #maxHandshakes: number;
  #socketOptions: { maxMessageBytes: number | undefined; closeTimeoutMs: number | undefined; clock: Clock };
  #handshaking = new Set<ByteStream>();
  #tasks = new Set<Promise<void>>();
  #loop: Promise<void>;
  #closing: Promise<void> | undefined;

  constructor(handlers: WsServerHandlers, options: WsServerOptions = {}) {
    this.#handlers = handlers;
    this.#clock = options.clock ?? systemClock;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.#maxHandshakes = options.maxHandshakes ?? 64;
    if (!(this.#handshakeTimeoutMs > 0)) {
      throw new RangeError(`handshakeTimeoutMs must be positive, got ${this.#handshakeTimeoutMs}`);
    }
    if (!Number.isSafeInteger(this.#maxHandshakes) || this.#maxHandshakes < 1) {
      throw new RangeError(`maxHandshakes must be a positive integer, got ${this.#maxHandshakes}`);
    }
    this.#socketOptions = {
      maxMessageBytes: options.maxMessageBytes,
      closeTimeoutMs: options.closeTimeoutMs,
      clock: this.#clock,
    };
    this.#tls = options.tls ? createTlsServerContext(options.tls.cert, options.tls.key) : undefined;
    this.secure = this.#tls !== undefined;
    this.#listener = Deno.listen({ hostname: options.hostname ?? "127.0.0.1", port: options.port ?? 0 });
    this.addr = this.#listener.addr;
    this.#loop = this.#acceptLoop();
  }

  /** Stops listening, drops connections still in their handshake, and waits for all of it. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #shutdown(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    for (const stream of this.#handshaking) closeQuietly(stream);
    await this.#loop;
    await Promise.all(this.#tasks);
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return; // the listener was closed
      }
      if (this.#closing !== undefined || this.#handshaking.size >= this.#maxHandshakes) {
        closeQuietly(conn);
        continue;
      }
      conn.setNoDelay(true);
      const remoteAddr = conn.remoteAddr;
      const stream = this.#tls ? acceptTls(conn, this.#tls) : conn;
      this.#handshaking.add(stream);
      const task = this.#handshake(stream, remoteAddr).finally(() => {
        this.#handshaking.delete(stream);
        this.#tasks.delete(task);
      });
      this.#tasks.add(task);
    }
  }

  /** Runs one handshake; the stream is closed here unless it is handed to a socket. */
  async #handshake(stream: ByteStream, remoteAddr: Deno.NetAddr): Promise<void> {
    let timedOut = false;
    let handedOff = false;
    const timer = this.#clock.setTimeout(() => {
      timedOut = true;
      closeQuietly(stream);
    }, this.#handshakeTimeoutMs);
    try {
      let head: { text: string; rest: Uint8Array };
      try {
        head = await readHead(stream);
      } catch (error) {
        if (error instanceof RangeError) {
          await respond(stream, { status: 431, message: "request head is too large" });
        }
        return;
      }
      const request = parseHead(head.text);
      const verdict = request === undefined
        ? { status: 400, message: "malformed HTTP request" }
        : checkUpgrade(request);
      if ("status" in verdict) {
        await respond(stream, verdict);
        return;
      }
      const accept = await acceptFor(verdict.key);
      const upgrade: WsUpgradeRequest = { path: verdict.path, headers: request!.headers, remoteAddr };
      if (timedOut) return;
      const refusal = this.#closing !== undefined
        ? { status: 503, message: "server is closed" }
        : this.#handlers.admit?.(upgrade);
      if (refusal !== undefined) {
        await respond(stream, refusal);
        return;
      }
      const preamble = new TextEncoder().encode(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      this.#handshaking.delete(stream);
      const socket = new WsSocket(stream, {
        role: "server",
        head: head.rest,
        preamble,
        ...this.#socketOptions,
      });
      this.#handlers.accepted(socket, upgrade);
      handedOff = true;
    } catch {
      // A client that misbehaves or goes away only loses its own connection.
    } finally {
      this.#clock.clearTimeout(timer);
      if (!handedOff) closeQuietly(stream);
    }
  }
}

type Verdict =
  | { status: number; message: string; headers?: Record<string, string> }
  | { path: string; key: string };

/** Checks an HTTP request for a valid WebSocket upgrade (RFC 6455 §4.2.1). */
function checkUpgrade(request: HttpHead): Verdict {
  const [method, path, version] = request.start;
  const headers = request.headers;
  if (request.start.length !== 3 || path === undefined || version !== "HTTP/1.1") {
    return { status: 400, message: "expected an HTTP/1.1 request" };
  }
  if (headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return { status: 426, message: "expected a WebSocket upgrade", headers: { Upgrade: "websocket" } };
  }
  if (method !== "GET") return { status: 400, message: "a WebSocket upgrade must be a GET" };
  if (!hasToken(headers.get("connection"), "upgrade")) {
    return { status: 400, message: "a WebSocket upgrade needs Connection: Upgrade" };
  }
  if (headers.get("sec-websocket-version") !== "13") {
    return {
      status: 426,
      message: "unsupported WebSocket version",
      headers: { "Sec-WebSocket-Version": "13" },
    };
  }
  const key = headers.get("sec-websocket-key");
  if (!isValidKey(key)) return { status: 400, message: "invalid Sec-WebSocket-Key" };
  return { path, key };
}

/** Writes a plain-text response and closes the connection. */
async function respond(
  stream: ByteStream,
  refusal: WsRefusal & { headers?: Record<string, string> },
): Promise<void> {
  const { status, message, headers = {} } = refusal;
  const body = new TextEncoder().encode(message);
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  const head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.byteLength}\r\n` +
    `Connection: close\r\n${extra}\r\n`;
  try {
    await writeAll(stream, new Uint8Array([...new TextEncoder().encode(head), ...body]));
  } finally {
    closeQuietly(stream);
  }
}

function closeQuietly(stream: ByteStream): void {
  try {
    stream.close();
  } catch {
    // Already closed.
  }
}
