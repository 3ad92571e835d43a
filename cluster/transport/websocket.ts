/**
 * Connections over WebSockets: {@linkcode listenWebSocket} and {@linkcode dialWebSocket}.
 *
 * Both ends run RFC 6455 over TCP with `TCP_NODELAY` set (`ws_client.ts`, `ws_server.ts`):
 * Deno's built-in WebSocket client, and `Deno.serve` with TLS, leave Nagle's algorithm on,
 * which made every request/response round trip wait ≈ 40 ms for a delayed ACK.
 *
 * Frames travel as binary messages in the envelope of `frame_codec.ts`; payloads are split into
 * messages of at most 8 MiB (Deno's built-in WebSocket closes a socket on any message of 64 MiB
 * or more, and so does this one) and reassembled. Garbage, text messages and frames over the
 * receiver's limits are counted in `stats.malformedFrames` and dropped; a stream that cannot be
 * resynchronized closes that one connection. Nothing a peer sends throws out of the server.
 * A server sends payload bytes straight from the caller's buffer (a client copies them to mask
 * them), so, as on every transport, a payload must not be modified after it is sent.
 *
 * ## TLS (wss)
 * Pass `tls: { cert, key }` (PEM strings) to {@linkcode listenWebSocket}; its address becomes
 * `wss://host:port`. A dialer trusts a self-signed certificate in either of two ways (both
 * verified with Deno 2.9.6):
 * - per connection: `dialWebSocket(url, { caCerts: [pemText] })`;
 * - per process: start Deno with `--cert /path/cert.pem` or set `DENO_CERT=/path/cert.pem`.
 *
 * The certificate must name the host dialed (subjectAltName, e.g. `IP:127.0.0.1` or
 * `DNS:localhost`) and be a leaf certificate: a self-signed cert with `CA:TRUE` (openssl's
 * default for `req -x509`) is rejected with `CaUsedAsEndEntity`. A working one:
 * ```sh
 * openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
 *   -keyout key.pem -out cert.pem -subj /CN=localhost \
 *   -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -addext basicConstraints=critical,CA:FALSE
 * ```
 *
 * @module
 */

import type { Clock } from "../../actors/clock.ts";
import { abortReason } from "../../actors/errors.ts";
import { encodeClose, encodeCredit, encodeFrameParts, FrameDecoder } from "./frame_codec.ts";
import type { Connection, Listener, TransportLimits, WaitOptions } from "../../actors/connection.ts";
import { createLinkConnection, resolveLimits } from "./link.ts";
import { connectWebSocket } from "./ws/client.ts";
import { WsServer } from "./ws/server.ts";
import type { WsSocket } from "./ws/socket.ts";

const MAX_WS_HEADER_BYTES = 32 * 1024 * 1024;
const encoder = new TextEncoder();

/** Options of {@linkcode listenWebSocket}. */
export interface WebSocketListenOptions {
  /** @default {"127.0.0.1"} */
  hostname?: string | undefined;
  /** 0 picks a free port. @default {0} */
  port?: number | undefined;
  /** PEM certificate chain and private key; makes the listener `wss://`. */
  tls?: { cert: string; key: string } | undefined;
  limits?: TransportLimits | undefined;
  /** Aborting closes the listener. */
  signal?: AbortSignal | undefined;
  /** Inbound connections waiting for `accept()`; beyond it upgrades are refused with 503. @default {64} */
  backlog?: number | undefined;
}

/** Options of {@linkcode dialWebSocket}. */
export interface WebSocketDialOptions {
  signal?: AbortSignal | undefined;
  limits?: TransportLimits | undefined;
  /** Time allowed for the WebSocket handshake. @default {10000} */
  timeoutMs?: number | undefined;
  /** Extra PEM certificates to trust for `wss://` (e.g. a self-signed server certificate). */
  caCerts?: string[] | undefined;
  clock?: Clock | undefined;
}

/**
 * Listens for WebSocket connections. Plain HTTP requests get 426; upgrades beyond the backlog
 * get 503.
 *
 * @example
 * ```ts ignore
 * import { dialWebSocket, listenWebSocket } from "./websocket.ts";
 * await using listener = listenWebSocket({ port: 0 });
 * const client = await dialWebSocket(listener.address);
 * const server = await listener.accept();
 * await client.send({ header: { type: "hello" } });
 * console.log((await server?.receive())?.header);
 * ```
 */
export function listenWebSocket(options: WebSocketListenOptions = {}): Listener {
  return new WebSocketListener(options);
}

/**
 * Dials a `ws://` or `wss://` URL; resolves once the WebSocket is open. Rejects with
 * `PeerUnavailableError` if the server cannot be reached or refuses, `TimeoutError` after
 * `timeoutMs`, `AbortedError` on abort.
 */
export async function dialWebSocket(url: string, options: WebSocketDialOptions = {}): Promise<Connection> {
  const scheme = URL.parse(url)?.protocol;
  if (scheme !== "ws:" && scheme !== "wss:") {
    throw new TypeError(`Cannot dial "${url}": expected ws:// or wss://`);
  }
  const limits = checkLimits(options.limits);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  const signal = options.signal;
  if (signal?.aborted) throw abortReason(signal, `Dial ${url}`);
  const socket = await connectWebSocket(url, {
    signal,
    timeoutMs,
    caCerts: options.caCerts,
    clock: options.clock,
  });
  return linkSocket(socket, { remoteAddress: url, limits });
}

function checkLimits(limits: TransportLimits | undefined): Required<TransportLimits> {
  const resolved = resolveLimits(limits);
  if (resolved.maxHeaderBytes > MAX_WS_HEADER_BYTES) {
    throw new RangeError(`maxHeaderBytes must be at most ${MAX_WS_HEADER_BYTES} over WebSockets`);
  }
  return resolved;
}

/** Wraps an open WebSocket as a connection and starts reading it. */
function linkSocket(
  socket: WsSocket,
  options: { remoteAddress: string; limits: Required<TransportLimits> },
): Connection {
  const { remoteAddress, limits } = options;
  const decoder = new FrameDecoder(limits);
  const send = (message: Uint8Array | readonly Uint8Array[]) => {
    if (socket.state !== "open") throw new Error("socket is closed");
    socket.send(message);
  };
  const { connection, inbound } = createLinkConnection({
    post(message) {
      switch (message.kind) {
        case "frame":
          for (const parts of encodeFrameParts(encoder.encode(message.header), message.payload)) send(parts);
          return;
        case "credit":
          send(encodeCredit(message.n));
          return;
        case "close":
          send(encodeClose(message.reason));
          return;
        default:
          message satisfies never;
      }
    },
    async release() {
      await socket.close();
    },
  }, { remoteAddress, limits });
  socket.start({
    message(data) {
      if (typeof data === "string") {
        inbound.malformed(false);
        return;
      }
      const decoded = decoder.decode(data);
      switch (decoded.kind) {
        case "frame":
        case "credit":
        case "close":
          inbound.deliver(decoded);
          return;
        case "partial":
          return;
        case "malformed":
          inbound.malformed(decoded.droppedFrame);
          return;
        case "fatal":
          inbound.malformed(false);
          inbound.fail(`malformed stream from ${remoteAddress}: ${decoded.reason}`);
          return;
        default:
          decoded satisfies never;
      }
    },
    close(info) {
      inbound.fail(`socket closed (code ${info.code}${info.reason ? `: ${info.reason}` : ""})`);
    },
  });
  return connection;
}

interface AcceptWaiter {
  resolve(connection: Connection | undefined): void;
}

class WebSocketListener implements Listener {
  readonly address: string;
  #server: WsServer;
  #limits: Required<TransportLimits>;
  #backlog: number;
  #scheme: string;
  #queue: Connection[] = [];
  #accepts: AcceptWaiter[] = [];
  #live = new Set<Connection>();
  #closing: Promise<void> | undefined;

  constructor(options: WebSocketListenOptions) {
    this.#limits = checkLimits(options.limits);
    this.#backlog = options.backlog ?? 64;
    if (!Number.isInteger(this.#backlog) || this.#backlog < 1) {
      throw new RangeError(`backlog must be a positive integer, got ${this.#backlog}`);
    }
    this.#scheme = options.tls ? "wss" : "ws";
    this.#server = new WsServer({
      admit: () => {
        if (this.#closing !== undefined) return { status: 503, message: "listener is closed" };
        if (this.#queue.length >= this.#backlog) return { status: 503, message: "accept queue is full" };
        return undefined;
      },
      accepted: (socket, request) => this.#accepted(socket, request.remoteAddr),
    }, { hostname: options.hostname ?? "127.0.0.1", port: options.port ?? 0, tls: options.tls });
    this.address = `${this.#scheme}://${hostPort(this.#server.addr)}`;
    options.signal?.addEventListener("abort", () => void this.close(), { once: true });
    if (options.signal?.aborted) void this.close();
  }

  accept(options: WaitOptions = {}): Promise<Connection | undefined> {
    const next = this.#queue.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.#closing !== undefined) return Promise.resolve(undefined);
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal, `Accept on ${this.address}`));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#accepts.indexOf(waiter);
        if (i >= 0) this.#accepts.splice(i, 1);
        reject(abortReason(signal!, `Accept on ${this.address}`));
      };
      const waiter: AcceptWaiter = {
        resolve: (connection) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(connection);
        },
      };
      this.#accepts.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    for (const waiter of this.#accepts.splice(0)) waiter.resolve(undefined);
    this.#queue.length = 0;
    await this.#server.close();
    await Promise.all([...this.#live].map((c) => c.close("listener closed")));
  }

  #accepted(socket: WsSocket, remoteAddr: Deno.NetAddr): void {
    const remoteAddress = `${this.#scheme}://${hostPort(remoteAddr)} (inbound)`;
    const connection = linkSocket(socket, { remoteAddress, limits: this.#limits });
    this.#live.add(connection);
    void connection.closed.then(() => {
      const i = this.#queue.indexOf(connection);
      if (i >= 0) this.#queue.splice(i, 1);
      return connection.close();
    }).then(() => this.#live.delete(connection));
    const waiter = this.#accepts.shift();
    if (waiter) waiter.resolve(connection);
    else this.#queue.push(connection);
  }
}

function hostPort(addr: Deno.NetAddr): string {
  return addr.hostname.includes(":") ? `[${addr.hostname}]:${addr.port}` : `${addr.hostname}:${addr.port}`;
}
