/**
 * Connections between a parent and a Web Worker, over `postMessage`.
 *
 * Payload buffers are transferred, never cloned: the sender's buffer is detached once the frame
 * is handed over. A payload that is a view over part of a larger (or shared, or resizable)
 * buffer is first copied into an exactly sized buffer, once, and that copy is transferred.
 *
 * Wiring: call {@linkcode connectWorker} in the same task that creates the Worker (before any
 * `await`), and call {@linkcode connectParent} during the worker's module evaluation or inside a
 * message handler, so neither side misses the other's initial credit grant.
 *
 * @module
 */

import type { LinkMessage } from "./frame_codec.ts";
import type { Connection, TransportLimits } from "../../actors/connection.ts";
import { createLinkConnection, type LinkInbound } from "./link.ts";

/** What the worker link needs from a `Worker`, a worker's `self`, or a `MessagePort`. */
interface Port {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message" | "messageerror", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message" | "messageerror", listener: (event: MessageEvent) => void): void;
}

/** The wire shape: a `fl: 1` tag plus a one-letter kind, so foreign messages are recognized. */
type WireMessage =
  | { fl: 1; k: "f"; h: string; p?: Uint8Array }
  | { fl: 1; k: "c"; n: number }
  | { fl: 1; k: "x"; r: string };

/** A parent-side connection to a worker. */
export interface WorkerConnection extends Connection {
  /** Terminates the worker and closes the connection (pending sends reject with `PeerUnavailableError`). */
  terminate(reason?: string): Promise<void>;
}

/** Options of {@linkcode connectWorker}. */
export interface WorkerConnectOptions {
  limits?: TransportLimits | undefined;
  /** Shown in `remoteAddress` as `worker:<name>`. @default {"worker"} */
  name?: string | undefined;
}

/**
 * Parent side: a connection to `worker`. An uncaught error in the worker closes the connection
 * with the error's message as the reason (and is marked handled, so it does not crash the parent).
 *
 * @example
 * ```ts ignore
 * import { connectWorker } from "./worker.ts";
 * const worker = new Worker(new URL("../my_worker.ts", import.meta.url), { type: "module" });
 * const conn = connectWorker(worker, { name: "e-1" });
 * await conn.send({ header: { type: "hello" } });
 * await conn.terminate();
 * ```
 */
export function connectWorker(worker: Worker, options: WorkerConnectOptions = {}): WorkerConnection {
  const name = options.name ?? "worker";
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    linked.inbound.fail(`worker "${name}" failed: ${event.message}`);
  };
  worker.addEventListener("error", onError);
  const release = () => worker.removeEventListener("error", onError);
  const linked = link(worker, `worker:${name}`, options.limits, release);
  const connection = linked.connection;
  return Object.assign(connection, {
    terminate(reason = `worker "${name}" terminated`): Promise<void> {
      worker.terminate();
      linked.inbound.fail(reason);
      return connection.close(reason);
    },
  });
}

/**
 * Worker side: a connection to the parent, over the worker's global `self`. Only valid inside a
 * Web Worker.
 */
export function connectParent(limits: TransportLimits = {}): Connection {
  const scope = globalThis as unknown as Partial<Port>;
  if (typeof scope.postMessage !== "function" || typeof scope.addEventListener !== "function") {
    throw new TypeError("connectParent() must be called inside a Web Worker");
  }
  return link(scope as Port, "worker:parent", limits, () => {}).connection;
}

function link(
  port: Port,
  remoteAddress: string,
  limits: TransportLimits | undefined,
  onRelease: () => void,
): { connection: Connection; inbound: LinkInbound } {
  // Listeners only run on later events, after `created` is initialized.
  const onMessage = (event: MessageEvent) => {
    const message = decode(event.data);
    if (message === undefined) created.inbound.malformed(false);
    else created.inbound.deliver(message);
  };
  const onMessageError = () => created.inbound.malformed(false);
  port.addEventListener("message", onMessage);
  port.addEventListener("messageerror", onMessageError);
  const created = createLinkConnection({
    post: (message) => post(port, message),
    release: () => {
      port.removeEventListener("message", onMessage);
      port.removeEventListener("messageerror", onMessageError);
      onRelease();
      return Promise.resolve();
    },
  }, { remoteAddress, limits });
  return created;
}

function post(port: Port, message: LinkMessage): void {
  switch (message.kind) {
    case "frame": {
      if (message.payload === undefined) {
        port.postMessage({ fl: 1, k: "f", h: message.header } satisfies WireMessage, []);
        return;
      }
      const payload = transferable(message.payload);
      port.postMessage({ fl: 1, k: "f", h: message.header, p: payload } satisfies WireMessage, [
        payload.buffer,
      ]);
      return;
    }
    case "credit":
      port.postMessage({ fl: 1, k: "c", n: message.n } satisfies WireMessage, []);
      return;
    case "close":
      port.postMessage({ fl: 1, k: "x", r: message.reason } satisfies WireMessage, []);
      return;
    default:
      message satisfies never;
  }
}

/** The payload itself when it owns its whole (plain) buffer; otherwise one exactly sized copy. */
function transferable(payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const buffer = payload.buffer;
  if (
    buffer instanceof ArrayBuffer && !buffer.resizable && payload.byteOffset === 0 &&
    payload.byteLength === buffer.byteLength
  ) {
    return payload as Uint8Array<ArrayBuffer>;
  }
  return payload.slice();
}

function decode(data: unknown): LinkMessage | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const m = data as Record<string, unknown>;
  if (m.fl !== 1) return undefined;
  switch (m.k) {
    case "f":
      if (typeof m.h !== "string") return undefined;
      if (m.p !== undefined && !(m.p instanceof Uint8Array)) return undefined;
      return { kind: "frame", header: m.h, payload: m.p };
    case "c":
      return typeof m.n === "number" ? { kind: "credit", n: m.n } : undefined;
    case "x":
      return typeof m.r === "string" ? { kind: "close", reason: m.r } : undefined;
    default:
      return undefined;
  }
}
