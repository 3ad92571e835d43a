/**
 * The driver's network face: a WebSocket listener where executor processes join and remote
 * clients submit jobs. Every connection must first prove the shared secret (`auth.ts`); its hello
 * says whether it is an executor (handed to {@linkcode Driver.addExecutor}) or a client (served by
 * a session loop speaking `client_protocol.ts`). Wrong secrets, garbage and malformed requests are
 * counted and answered (or the connection closed); nothing a peer sends stops the server.
 *
 * @module
 */
import { type Clock, systemClock } from "../../actors/clock.ts";
import { abortReason, errorToWire, MalformedMessageError, StoppedError } from "../../actors/errors.ts";
import { authenticateServer } from "../transport/auth.ts";
import { encodeBatches } from "../columnar/arrow_codec.ts";
import {
  type ClientReply,
  type ClientRequest,
  decodeClientRequest,
  decodeNodeHello,
  decodePartitions,
  type NodeHello,
  submittedJob,
} from "./client_protocol.ts";
import type { Driver } from "../driver/driver.ts";
import { decodeAction, decodeLogicalPlan } from "../plan/logical_plan_codec.ts";
import { schemaOf } from "../plan/plan_schema.ts";
import { encodePartitionValue } from "../util/partition_value.ts";
import { type Connection, DEFAULT_LIMITS, type Frame } from "../../actors/connection.ts";
import { listenWebSocket } from "../transport/websocket.ts";

/** Options of {@linkcode serveDriver}. */
export interface DriverServerOptions {
  /** @default {"127.0.0.1"} */
  hostname?: string | undefined;
  /** 0 picks a free port. @default {0} */
  port?: number | undefined;
  /** The cluster's shared secret (at least 16 bytes). */
  secret: Uint8Array;
  /** PEM certificate and key: serve `wss://`. */
  tls?: { cert: string; key: string } | undefined;
  /** Modules whose exports jobs may run, sent to every executor that joins. @default {the driver's `modules`} */
  allowedModules?: readonly string[] | undefined;
  log?: ((line: string) => void) | undefined;
  clock?: Clock | undefined;
  /** Time a new connection has to authenticate. @default {10_000} */
  authTimeoutMs?: number | undefined;
  /** Heartbeat interval told to joining executors. @default {500} */
  heartbeatMs?: number | undefined;
  /** Requests one client may have in flight; further frames wait unread (flow control). @default {16} */
  maxClientRequests?: number | undefined;
  /** Called after an executor was admitted (e.g. to match a spawned process by pid). */
  onExecutorJoined?: ((executor: JoinedExecutor) => void) | undefined;
}

/** An executor {@linkcode serveDriver} admitted. */
export interface JoinedExecutor {
  id: string;
  epoch: number;
  host: string;
  pid: number;
  kind: "process" | "remote";
}

/** Counters of a {@linkcode DriverServer}. */
export interface DriverServerStats {
  /** Connections accepted (before authentication). */
  accepted: number;
  /** Connections that failed authentication (wrong secret, garbage, timeout, bad hello). */
  rejected: number;
  executorsJoined: number;
  clientSessions: number;
  /** Client frames that did not decode as a request. */
  malformedRequests: number;
  /** Transport-level garbage (undecodable binary or text messages) on connections the server holds. */
  malformedFrames: number;
}

/** A running driver server. */
export interface DriverServer extends AsyncDisposable {
  /** `ws://host:port` or `wss://host:port`. */
  readonly address: string;
  stats(): DriverServerStats;
  /** Closes the listener and every connection, and awaits every session. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Serves `driver` on a WebSocket listener.
 *
 * @example
 * ```ts ignore
 * const server = await serveDriver(driver, { port: 0, secret });
 * console.log(server.address); // ws://127.0.0.1:41234
 * await server.stop();
 * ```
 */
export function serveDriver(driver: Driver, options: DriverServerOptions): Promise<DriverServer> {
  if (options.secret.byteLength < 16) {
    throw new RangeError(`The secret must be at least 16 bytes, got ${options.secret.byteLength}`);
  }
  const authTimeoutMs = options.authTimeoutMs ?? 10_000;
  const maxClientRequests = options.maxClientRequests ?? 16;
  if (!(authTimeoutMs > 0)) throw new RangeError(`authTimeoutMs must be positive, got ${authTimeoutMs}`);
  if (!Number.isSafeInteger(maxClientRequests) || maxClientRequests < 1) {
    throw new RangeError(`maxClientRequests must be a positive integer, got ${maxClientRequests}`);
  }
  return Promise.resolve(new Server(driver, { ...options, authTimeoutMs, maxClientRequests }));
}

type Settings = DriverServerOptions & { authTimeoutMs: number; maxClientRequests: number };

class Server implements DriverServer {
  readonly address: string;
  readonly #driver: Driver;
  readonly #opts: Settings;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  readonly #listener;
  readonly #stopping = new AbortController();
  readonly #sessions = new Set<Promise<void>>();
  readonly #held = new Set<Connection>();
  readonly #acceptLoop: Promise<void>;
  readonly #stats: DriverServerStats = {
    accepted: 0,
    rejected: 0,
    executorsJoined: 0,
    clientSessions: 0,
    malformedRequests: 0,
    malformedFrames: 0,
  };
  #stopped: Promise<void> | undefined;

  constructor(driver: Driver, options: Settings) {
    this.#driver = driver;
    this.#opts = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? (() => {});
    this.#listener = listenWebSocket({
      hostname: options.hostname,
      port: options.port ?? 0,
      tls: options.tls,
    });
    this.address = this.#listener.address;
    this.#acceptLoop = this.#accept();
  }

  stats(): DriverServerStats {
    let live = 0;
    for (const c of this.#held) live += c.stats.malformedFrames;
    return { ...this.#stats, malformedFrames: this.#stats.malformedFrames + live };
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #shutdown(): Promise<void> {
    this.#stopping.abort(new StoppedError("Driver server stopped"));
    await this.#listener.close();
    await this.#acceptLoop;
    while (this.#sessions.size > 0) await Promise.allSettled([...this.#sessions]);
  }

  async #accept(): Promise<void> {
    for (;;) {
      const conn = await this.#listener.accept({ signal: this.#stopping.signal }).catch(() => undefined);
      if (!conn) return;
      this.#stats.accepted++;
      const session = this.#session(conn).catch((e) =>
        this.#log(`session with ${conn.remoteAddress} failed: ${String(e)}`)
      );
      this.#sessions.add(session);
      void session.finally(() => this.#sessions.delete(session));
    }
  }

  /** Holds a connection's transport counters while the server serves it. */
  #hold(conn: Connection): () => void {
    this.#held.add(conn);
    return () => {
      if (this.#held.delete(conn)) this.#stats.malformedFrames += conn.stats.malformedFrames;
    };
  }

  async #session(conn: Connection): Promise<void> {
    const release = this.#hold(conn);
    let hello: NodeHello;
    try {
      const { hello: raw } = await authenticateServer(conn, {
        secret: this.#opts.secret,
        nodeId: `driver ${this.address}`,
        timeoutMs: this.#opts.authTimeoutMs,
        clock: this.#clock,
        signal: this.#stopping.signal,
      });
      hello = decodeNodeHello(raw);
      if (hello.role === "executor" && hello.slots < 1) {
        throw new MalformedMessageError("An executor needs at least one slot");
      }
    } catch (e) {
      this.#stats.rejected++;
      this.#log(`rejected ${conn.remoteAddress}: ${e instanceof Error ? e.message : String(e)}`);
      await conn.close("authentication failed");
      release();
      return;
    }
    if (hello.role === "executor") {
      try {
        const kind = isLoopback(conn.remoteAddress) ? "process" : "remote";
        const { id, epoch } = await this.#driver.addExecutor(conn, {
          host: hello.host,
          pid: hello.pid,
          slots: hello.slots,
          kind,
        }, {
          ...(this.#opts.heartbeatMs === undefined ? {} : { heartbeatMs: this.#opts.heartbeatMs }),
          allowedModules: this.#opts.allowedModules,
        });
        this.#stats.executorsJoined++;
        this.#opts.onExecutorJoined?.({ id, epoch, host: hello.host, pid: hello.pid, kind });
        // The driver owns the connection now; count its garbage when it closes.
        void conn.closed.then(release);
      } catch (e) {
        this.#log(`executor ${hello.host}:${hello.pid} could not join: ${String(e)}`);
        await conn.close("executor not admitted");
        release();
      }
      return;
    }
    this.#stats.clientSessions++;
    try {
      await this.#clientSession(conn);
    } finally {
      await conn.close("session ended");
      release();
    }
  }

  async #clientSession(conn: Connection): Promise<void> {
    const stop = this.#stopping.signal;
    const parallelism = this.#driver.status().executors
      .filter((e) => e.state === "alive")
      .reduce((a, e) => a + e.slots, 0);
    await conn.send({
      header: reply({ type: "session.welcome", defaultParallelism: Math.max(1, parallelism) }),
    }, { signal: stop });
    const inflight = new Map<number, AbortController>();
    const tasks = new Set<Promise<void>>();
    try {
      for (;;) {
        while (tasks.size >= this.#opts.maxClientRequests) await Promise.race(tasks);
        const frame = await conn.receive({ signal: stop }).catch(() => undefined);
        if (!frame) return;
        let req: ClientRequest;
        try {
          req = decodeClientRequest(frame.header);
        } catch (e) {
          this.#stats.malformedRequests++;
          await this.#send(conn, { type: "error", reqId: reqIdOf(frame.header), error: errorToWire(e) });
          continue;
        }
        if (req.type === "job.cancel") {
          inflight.get(req.reqId)?.abort(
            new StoppedError(`Request ${req.reqId} was cancelled by the client`),
          );
          continue;
        }
        if (inflight.has(req.reqId)) {
          this.#stats.malformedRequests++;
          const e = new MalformedMessageError(`Request id ${req.reqId} is already in flight`);
          await this.#send(conn, { type: "error", reqId: req.reqId, error: errorToWire(e) });
          continue;
        }
        const ac = new AbortController();
        inflight.set(req.reqId, ac);
        const id = req.reqId;
        const task = this.#serve(conn, req, frame, AbortSignal.any([ac.signal, stop])).finally(() => {
          inflight.delete(id);
          tasks.delete(task);
        });
        tasks.add(task);
      }
    } finally {
      for (const ac of inflight.values()) ac.abort(new StoppedError("The client session ended"));
      await Promise.allSettled([...tasks]);
    }
  }

  async #serve(
    conn: Connection,
    req: Exclude<ClientRequest, { type: "job.cancel" }>,
    frame: Frame,
    signal: AbortSignal,
  ): Promise<void> {
    const d = this.#driver;
    try {
      switch (req.type) {
        case "job.submit": {
          const submitted = submittedJob(req, frame.payload);
          const plan = decodeLogicalPlan(submitted.plan);
          const action = decodeAction(submitted.action);
          schemaOf(plan); // analysis errors surface as a reply, before any task runs
          const description = req.description ?? `remote ${action.kind}`;
          const r = await untilAborted(d.runJob(plan, action, { signal, description }), signal);
          const value = r.value === undefined ? undefined : encodePartitionValue(r.value);
          const payload = action.kind === "collect" ? encodeBatches(r.schema, r.batches) : value?.bytes;
          if (payload && payload.byteLength > DEFAULT_LIMITS.maxPayloadBytes) {
            throw new RangeError(
              `The result of request ${req.reqId} is ${payload.byteLength} bytes, over the ${DEFAULT_LIMITS.maxPayloadBytes}-byte frame limit; write it to files instead`,
            );
          }
          await this.#send(conn, {
            type: "job.result",
            reqId: req.reqId,
            schema: [...r.schema],
            rows: r.rows,
            outputs: r.outputs,
            ...(value ? { value: value.encoding } : {}),
          }, payload);
          return;
        }
        case "plan.explain": {
          const plan = decodeLogicalPlan(req.plan);
          schemaOf(plan);
          const text = await untilAborted(d.explain(plan), signal);
          await this.#send(conn, { type: "plan.explained", reqId: req.reqId, text });
          return;
        }
        case "cluster.status":
          await this.#send(conn, { type: "cluster.status.result", reqId: req.reqId, status: d.status() });
          return;
        case "data.put": {
          const parts = decodePartitions(req.schema, req.partitionRows, frame.payload);
          await this.#send(conn, {
            type: "data.stored",
            reqId: req.reqId,
            dataId: d.putInline(req.schema, parts),
          });
          return;
        }
        case "cache.unpersist":
          d.unpersist(req.cacheId);
          await this.#send(conn, { type: "cache.unpersisted", reqId: req.reqId });
          return;
        case "state.release":
          d.releaseState(req.prefix);
          await this.#send(conn, { type: "state.released", reqId: req.reqId });
          return;
        default:
          req satisfies never;
      }
    } catch (e) {
      if (e instanceof MalformedMessageError) this.#stats.malformedRequests++;
      await this.#send(conn, { type: "error", reqId: req.reqId, error: errorToWire(e) });
    }
  }

  /** Sends a reply; a client that went away is not an error of the server. */
  async #send(
    conn: Connection,
    msg: DistributiveOmit<ClientReply, "v">,
    payload?: Uint8Array,
  ): Promise<void> {
    await conn.send({ header: reply(msg), payload }, { signal: this.#stopping.signal }).catch(() => {});
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function reply(msg: DistributiveOmit<ClientReply, "v">): ClientReply {
  return { v: 1, ...msg } as ClientReply;
}

/**
 * Settles with `p`, or rejects as soon as `signal` aborts, so a cancelled request (or a stopping
 * server) never waits on driver work that is slow to notice the abort; `p`'s late outcome is dropped.
 */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  p.catch(() => {});
  if (signal.aborted) return Promise.reject(abortReason(signal, "Request"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal, "Request"));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function reqIdOf(u: unknown): number | undefined {
  if (typeof u !== "object" || u === null) return undefined;
  const r = (u as Record<string, unknown>)["reqId"];
  return typeof r === "number" && Number.isSafeInteger(r) && r >= 0 ? r : undefined;
}

/** Whether a connection's remote address (`ws://host:port (inbound)`) is on this machine. */
function isLoopback(remoteAddress: string): boolean {
  const m = /^wss?:\/\/(\[[^\]]+\]|[^:/\s]+)/.exec(remoteAddress);
  const host = m?.[1]?.replace(/^\[|\]$/g, "") ?? "";
  return host === "localhost" || host === "::1" || host.startsWith("127.") || host === "::ffff:127.0.0.1";
}
