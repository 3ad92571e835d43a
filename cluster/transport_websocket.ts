/**
 * Connections over WebSockets: {@linkcode listenWebSocket} (Deno.serve + Deno.upgradeWebSocket)
 * and {@linkcode dialWebSocket}.
 *
 * Frames travel as binary messages in the envelope of `frame_codec.ts`; payloads are split into
 * messages of at most 8 MiB (Deno closes a socket on any message of 64 MiB or more) and
 * reassembled. Garbage, text messages and frames over the receiver's limits are counted in
 * `stats.malformedFrames` and dropped; a stream that cannot be resynchronized closes that one
 * connection. Nothing a peer sends throws out of the server.
 *
 * ## TLS (wss)
 * Pass `tls: { cert, key }` (PEM strings) to {@linkcode listenWebSocket}; its address becomes
 * `wss://host:port`. A dialer trusts a self-signed certificate in either of two ways (both
 * verified with Deno 2.9.6):
 * - per connection: `dialWebSocket(url, { caCerts: [pemText] })`, which builds a
 *   `Deno.createHttpClient({ caCerts })` for that socket;
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

import { type Clock, systemClock } from "../actors/clock.ts";
import { abortReason, PeerUnavailableError, TimeoutError } from "../actors/errors.ts";
import { encodeClose, encodeCredit, encodeFrame, FrameDecoder } from "./frame_codec.ts";
import type { Connection, Listener, TransportLimits, WaitOptions } from "./transport.ts";
import { createLinkConnection, type LinkInbound, resolveLimits } from "./transport_memory.ts";

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
 * import { dialWebSocket, listenWebSocket } from "./transport_websocket.ts";
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

/** Dials a `ws://` or `wss://` URL; resolves once the socket is open. */
export async function dialWebSocket(url: string, options: WebSocketDialOptions = {}): Promise<Connection> {
  const scheme = new URL(url).protocol;
  if (scheme !== "ws:" && scheme !== "wss:") {
    throw new TypeError(`Cannot dial "${url}": expected ws:// or wss://`);
  }
  const limits = checkLimits(options.limits);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  const signal = options.signal;
  if (signal?.aborted) throw abortReason(signal, `Dial ${url}`);
  const clock = options.clock ?? systemClock;
  const client = options.caCerts ? Deno.createHttpClient({ caCerts: options.caCerts }) : undefined;
  const socket = client ? new WebSocket(url, { client }) : new WebSocket(url);
  const { connection } = linkSocket(socket, url, limits, () => client?.close());
  let cleanup = () => {};
  try {
    await new Promise<void>((resolve, reject) => {
      let failure = "connection closed during the handshake";
      const onOpen = () => resolve();
      const onError = (e: Event) => failure = e instanceof ErrorEvent ? e.message : failure;
      const onClose = () =>
        reject(new PeerUnavailableError(`Cannot connect to ${url}: ${failure}`, { data: { url } }));
      const onAbort = () => reject(abortReason(signal!, `Dial ${url}`));
      const timer = clock.setTimeout(
        () =>
          reject(
            new TimeoutError(`Cannot connect to ${url}: no handshake within ${timeoutMs} ms`, {
              data: { url },
            }),
          ),
        timeoutMs,
      );
      socket.addEventListener("open", onOpen);
      socket.addEventListener("error", onError);
      socket.addEventListener("close", onClose);
      signal?.addEventListener("abort", onAbort);
      cleanup = () => {
        clock.clearTimeout(timer);
        socket.removeEventListener("open", onOpen);
        socket.removeEventListener("error", onError);
        socket.removeEventListener("close", onClose);
        signal?.removeEventListener("abort", onAbort);
      };
    });
  } catch (error) {
    await connection.close("dial failed");
    throw error;
  } finally {
    cleanup();
  }
  return connection;
}

function checkLimits(limits: TransportLimits | undefined): Required<TransportLimits> {
  const resolved = resolveLimits(limits);
  if (resolved.maxHeaderBytes > MAX_WS_HEADER_BYTES) {
    throw new RangeError(`maxHeaderBytes must be at most ${MAX_WS_HEADER_BYTES} over WebSockets`);
  }
  return resolved;
}

/** Wraps an (open or opening) WebSocket as a connection. */
function linkSocket(
  socket: WebSocket,
  remoteAddress: string,
  limits: Required<TransportLimits>,
  onRelease: () => void,
): { connection: Connection; inbound: LinkInbound } {
  socket.binaryType = "arraybuffer";
  const decoder = new FrameDecoder(limits);
  const early: Uint8Array[] = [];
  // Listeners only run on later events, after `created` is initialized.
  const inbound = (): LinkInbound => created.inbound;
  const socketClosed = new Promise<void>((resolve) =>
    socket.addEventListener("close", () => resolve(), { once: true })
  );
  const send = (message: Uint8Array) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(message);
    else if (socket.readyState === WebSocket.CONNECTING) early.push(message);
    else throw new Error("socket is closed");
  };
  socket.addEventListener("open", () => {
    for (const message of early.splice(0)) socket.send(message);
  });
  socket.addEventListener("message", (event: MessageEvent) => {
    if (!(event.data instanceof ArrayBuffer)) {
      inbound().malformed(false);
      return;
    }
    const decoded = decoder.decode(new Uint8Array(event.data));
    switch (decoded.kind) {
      case "frame":
      case "credit":
      case "close":
        inbound().deliver(decoded);
        return;
      case "partial":
        return;
      case "malformed":
        inbound().malformed(decoded.droppedFrame);
        return;
      case "fatal":
        inbound().malformed(false);
        inbound().fail(`malformed stream from ${remoteAddress}: ${decoded.reason}`);
        return;
      default:
        decoded satisfies never;
    }
  });
  socket.addEventListener("close", (event: CloseEvent) => {
    inbound().fail(`socket closed (code ${event.code}${event.reason ? `: ${event.reason}` : ""})`);
  });
  const created = createLinkConnection({
    post(message) {
      switch (message.kind) {
        case "frame":
          for (const part of encodeFrame(encoder.encode(message.header), message.payload)) send(part);
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
      early.length = 0;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
        socket.close(1000);
      }
      await socketClosed;
      onRelease();
    },
  }, { remoteAddress, limits });
  return created;
}

interface AcceptWaiter {
  resolve(connection: Connection | undefined): void;
}

class WebSocketListener implements Listener {
  readonly address: string;
  #server: Deno.HttpServer<Deno.NetAddr>;
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
    const serveOptions: Deno.ServeTcpOptions = {
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
      onListen: () => {},
      onError: () => new Response("internal error", { status: 500 }),
    };
    this.#server = Deno.serve(
      options.tls ? { ...serveOptions, cert: options.tls.cert, key: options.tls.key } : serveOptions,
      (request, info) => this.#handle(request, info),
    );
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
    await Promise.all([...this.#live].map((c) => c.close("listener closed")));
    await this.#server.shutdown();
  }

  #handle(request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Response {
    if (this.#closing !== undefined) return new Response("listener is closed", { status: 503 });
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    if (this.#queue.length >= this.#backlog) return new Response("accept queue is full", { status: 503 });
    // remoteAddr is unreadable once the request is upgraded.
    const remote = `${this.#scheme}://${hostPort(info.remoteAddr)} (inbound)`;
    const { socket, response } = Deno.upgradeWebSocket(request);
    const { connection } = linkSocket(socket, remote, this.#limits, () => {});
    this.#live.add(connection);
    void connection.closed.then(() => {
      const i = this.#queue.indexOf(connection);
      if (i >= 0) this.#queue.splice(i, 1);
      return connection.close();
    }).then(() => this.#live.delete(connection));
    const waiter = this.#accepts.shift();
    if (waiter) waiter.resolve(connection);
    else this.#queue.push(connection);
    return response;
  }
}

function hostPort(addr: Deno.NetAddr): string {
  return addr.hostname.includes(":") ? `[${addr.hostname}]:${addr.port}` : `${addr.hostname}:${addr.port}`;
}
