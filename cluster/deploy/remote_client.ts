/**
 * A remote client of a running driver: dials its WebSocket, proves the shared secret (role
 * `client`), then runs jobs through `client_protocol.ts`. {@linkcode RemoteEngine} implements the
 * {@linkcode Engine} a {@linkcode Dataset} runs on, so `Frontier.connect(url, { secret })` builds
 * datasets exactly as an embedded cluster does.
 *
 * Every request settles: with the reply, with `AbortedError` when its signal aborts (a running job
 * is cancelled on the driver too), or with `PeerUnavailableError` when the connection closes.
 *
 * @module
 */
import { type Clock, systemClock } from "../../actors/clock.ts";
import {
  abortReason,
  errorFromWire,
  MailboxFullError,
  MalformedMessageError,
  PeerUnavailableError,
  TimeoutError,
} from "../../actors/errors.ts";
import { authenticateClient } from "../transport/auth.ts";
import type { Batch, Schema } from "../columnar/batch.ts";
import { decodeBatches } from "../columnar/arrow_codec.ts";
import {
  type ClientReply,
  type ClientRequest,
  decodeClientReply,
  encodePartitions,
  type NodeHello,
  submitFields,
} from "./client_protocol.ts";
import type { ClusterStatus, JobResult } from "../driver/driver.ts";
import type { Engine } from "../engine.ts";
import type { Action, LogicalPlan } from "../plan/logical_plan.ts";
import type { Connection } from "../../actors/connection.ts";
import { dialWebSocket } from "../transport/websocket.ts";
import { hostName } from "../util/host_name.ts";
import { decodePartitionValue } from "../util/partition_value.ts";

/** Options of {@linkcode connectRemote}. */
export interface ConnectRemoteOptions {
  /** The cluster's shared secret. */
  secret: Uint8Array;
  /** Aborts connecting (not the session once connected; use `close()` for that). */
  signal?: AbortSignal | undefined;
  /** Extra PEM certificates to trust for `wss://`. */
  caCerts?: string[] | undefined;
  clock?: Clock | undefined;
  /** Time allowed to dial, authenticate and receive the welcome. @default {10_000} */
  connectTimeoutMs?: number | undefined;
  /** Requests in flight at once; more fail with `MailboxFullError`. @default {1024} */
  maxPendingRequests?: number | undefined;
}

/** An {@linkcode Engine} backed by a remote driver. */
export interface RemoteEngine extends Engine {
  /** The driver's URL. */
  readonly address: string;
  /** Closes the connection; pending requests reject with `PeerUnavailableError`. Idempotent. */
  close(): Promise<void>;
}

/**
 * Connects to a driver served by `serveDriver` (e.g. started with `deno task cluster`).
 *
 * @example
 * ```ts ignore
 * const engine = await connectRemote("ws://127.0.0.1:7070", { secret });
 * console.log((await engine.status()).executors.length);
 * await engine.close();
 * ```
 */
export async function connectRemote(url: string, options: ConnectRemoteOptions): Promise<RemoteEngine> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const maxPending = options.maxPendingRequests ?? 1024;
  if (!(timeoutMs > 0)) throw new RangeError(`connectTimeoutMs must be positive, got ${timeoutMs}`);
  if (!Number.isSafeInteger(maxPending) || maxPending < 1) {
    throw new RangeError(`maxPendingRequests must be a positive integer, got ${maxPending}`);
  }
  const timeout = new AbortController();
  const timer = clock.setTimeout(
    () => timeout.abort(new TimeoutError(`Cannot connect to ${url}: not connected within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  let conn: Connection | undefined;
  try {
    conn = await dialWebSocket(url, { signal, caCerts: options.caCerts, clock });
    const hello: NodeHello = { role: "client", host: hostName(), pid: Deno.pid, slots: 0 };
    await authenticateClient(conn, { secret: options.secret, hello, timeoutMs, clock, signal });
    const first = await conn.receive({ signal });
    if (!first) throw new PeerUnavailableError(`Driver ${url} closed the connection after authentication`);
    const welcome = decodeClientReply(first.header);
    if (welcome.type === "error") throw errorFromWire(welcome.error);
    if (welcome.type !== "session.welcome") {
      throw new MalformedMessageError(`Expected a session.welcome from ${url}, got ${welcome.type}`);
    }
    return new RemoteClient(url, conn, { parallelism: welcome.defaultParallelism, maxPending });
  } catch (e) {
    await conn?.close("connect failed");
    if (timeout.signal.aborted && !options.signal?.aborted) throw timeout.signal.reason;
    throw e;
  } finally {
    clock.clearTimeout(timer);
  }
}

interface Pending {
  resolve(reply: ClientReply, payload: Uint8Array | undefined): void;
  reject(error: Error): void;
}

type Request = ClientRequest extends infer R ? R extends unknown ? Omit<R, "v" | "reqId"> : never : never;

class RemoteClient implements RemoteEngine {
  readonly address: string;
  readonly defaultParallelism: number;
  readonly #conn: Connection;
  readonly #maxPending: number;
  readonly #pending = new Map<number, Pending>();
  readonly #loop: Promise<void>;
  #reqSeq = 0;
  #closedReason: string | undefined;
  #closing: Promise<void> | undefined;
  /** Replies that did not decode or matched no request. */
  malformedReplies = 0;

  constructor(address: string, conn: Connection, options: { parallelism: number; maxPending: number }) {
    this.address = address;
    this.#conn = conn;
    this.defaultParallelism = options.parallelism;
    this.#maxPending = options.maxPending;
    this.#loop = this.#receive();
  }

  async #receive(): Promise<void> {
    let reason = "connection closed";
    try {
      for (;;) {
        const frame = await this.#conn.receive();
        if (!frame) break;
        let msg: ClientReply;
        try {
          msg = decodeClientReply(frame.header);
        } catch {
          this.malformedReplies++;
          continue;
        }
        const reqId = "reqId" in msg ? msg.reqId : undefined;
        const p = reqId === undefined ? undefined : this.#pending.get(reqId);
        if (!p || reqId === undefined) {
          this.malformedReplies++;
          continue;
        }
        this.#pending.delete(reqId);
        p.resolve(msg, frame.payload);
      }
      reason = await this.#conn.closed;
    } catch (e) {
      reason = String(e);
    }
    this.#closedReason ??= reason;
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      p.reject(
        new PeerUnavailableError(`Connection to driver ${this.address} closed: ${this.#closedReason}`),
      );
    }
  }

  async #request(
    req: Request,
    options: { payload?: Uint8Array | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<{ reply: ClientReply; payload: Uint8Array | undefined }> {
    const signal = options.signal;
    if (signal?.aborted) throw abortReason(signal, `Request ${req.type}`);
    if (this.#closedReason !== undefined) {
      throw new PeerUnavailableError(`Connection to driver ${this.address} closed: ${this.#closedReason}`);
    }
    if (this.#pending.size >= this.#maxPending) {
      throw new MailboxFullError(
        `Cannot send ${req.type}: ${this.#maxPending} requests are already in flight`,
      );
    }
    const reqId = ++this.#reqSeq;
    const result = new Promise<{ reply: ClientReply; payload: Uint8Array | undefined }>((resolve, reject) => {
      const onAbort = () => {
        if (!this.#pending.delete(reqId)) return;
        reject(abortReason(signal!, `Request ${req.type}`));
        this.#conn.send({ header: { v: 1, type: "job.cancel", reqId } }).catch(() => {});
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(reqId, {
        resolve: (reply, payload) => {
          signal?.removeEventListener("abort", onAbort);
          resolve({ reply, payload });
        },
        reject: (e) => {
          signal?.removeEventListener("abort", onAbort);
          reject(e);
        },
      });
    });
    try {
      await this.#conn.send({ header: { v: 1, ...req, reqId }, payload: options.payload }, { signal });
    } catch (e) {
      this.#pending.get(reqId)?.reject(e instanceof Error ? e : new Error(String(e)));
      this.#pending.delete(reqId);
    }
    const out = await result;
    if (out.reply.type === "error") throw errorFromWire(out.reply.error);
    return out;
  }

  async runJob(
    plan: LogicalPlan,
    action: Action,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<JobResult> {
    const fields = submitFields(plan, action);
    const { reply, payload } = await this.#request({ type: "job.submit", ...fields.header }, {
      signal: options.signal,
      payload: fields.payload,
    });
    if (reply.type !== "job.result") throw unexpected("job.result", reply);
    if (reply.value !== undefined) {
      const value = decodePartitionValue(reply.value, payload);
      return { schema: reply.schema, batches: [], rows: reply.rows, outputs: reply.outputs, value };
    }
    const batches: Batch[] = payload ? decodeBatches(payload).batches : [];
    return { schema: reply.schema, batches, rows: reply.rows, outputs: reply.outputs };
  }

  async explain(plan: LogicalPlan): Promise<string> {
    const { reply } = await this.#request({ type: "plan.explain", plan });
    if (reply.type !== "plan.explained") throw unexpected("plan.explained", reply);
    return reply.text;
  }

  async putInline(schema: Schema, partitions: readonly Batch[]): Promise<string> {
    const { payload, partitionRows } = encodePartitions(schema, partitions);
    const { reply } = await this.#request({ type: "data.put", schema: [...schema], partitionRows }, {
      payload,
    });
    if (reply.type !== "data.stored") throw unexpected("data.stored", reply);
    return reply.dataId;
  }

  async unpersist(cacheId: number): Promise<void> {
    const { reply } = await this.#request({ type: "cache.unpersist", cacheId });
    if (reply.type !== "cache.unpersisted") throw unexpected("cache.unpersisted", reply);
  }

  async releaseState(prefix: string): Promise<void> {
    const { reply } = await this.#request({ type: "state.release", prefix });
    if (reply.type !== "state.released") throw unexpected("state.released", reply);
  }

  /** A random 31-bit id, so clients sharing a driver do not collide. */
  nextCacheId(): number {
    const [r] = crypto.getRandomValues(new Uint32Array(1));
    return (r! & 0x7fffffff) || 1;
  }

  async status(): Promise<ClusterStatus> {
    const { reply } = await this.#request({ type: "cluster.status" });
    if (reply.type !== "cluster.status.result") throw unexpected("cluster.status.result", reply);
    return reply.status;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closedReason ??= "client closed";
      await this.#conn.close("client closed");
      await this.#loop;
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function unexpected(expected: string, reply: ClientReply): MalformedMessageError {
  return new MalformedMessageError(`Expected a ${expected} reply, got ${reply.type}`);
}
