/**
 * The actor system: spawns actors from {@linkcode Behavior}s, owns their registry, clock and
 * supervision, and stops them all (children first) on {@linkcode ActorSystem.stop}. Everything is
 * scoped to one system; there is no global state.
 *
 * @module
 */
import { type ActorRef, checkTimeout, type Envelope, LocalRef } from "./actor_ref.ts";
import { type Clock, systemClock } from "./clock.ts";
import { EscalationError, StoppedError } from "./errors.ts";
import { Mailbox, type MailboxOptions } from "./mailbox.ts";
import { RestartPolicy, seededRandom, type SupervisionOptions } from "./supervisor.ts";

/** What a behaviour sees of its actor and system. One context per incarnation. */
export interface ActorContext<M, R = unknown> {
  /** This actor. */
  readonly self: ActorRef<M, R>;
  /** The system's clock: the only source of time and timers. */
  readonly clock: Clock;
  /** Aborted when this incarnation ends (stop or restart). Pass it to every wait. */
  readonly signal: AbortSignal;
  /** The system this actor lives in. */
  readonly system: ActorSystem;
  /** Answers the ask being handled (first call wins); a no-op while handling a tell. */
  reply(value: R): void;
  /** Spawns a child, stopped before this actor stops or restarts. Its failures escalate here. */
  spawn<M2, S2, R2 = unknown>(behavior: Behavior<M2, S2, R2>, options?: SpawnOptions): ActorRef<M2, R2>;
}

/**
 * An actor's logic as a state transition. A throw from `init` or `receive` is a failure handled by
 * the actor's supervision: restart (state re-initialised by `init`, mailbox kept, the failing
 * message dropped) or, past the restart limit, escalation to the parent.
 */
export interface Behavior<M, S, R = unknown> {
  /** The initial state, at start and after every restart. */
  init(ctx: ActorContext<M, R>): S | Promise<S>;
  /** The next state after handling `msg`; one message at a time, in mailbox order. */
  receive(state: S, msg: M, ctx: ActorContext<M, R>): S | Promise<S>;
  /** Called with the last state when the actor stops or before it restarts, after its children stopped. */
  stop?(state: S, ctx: ActorContext<M, R>): void | Promise<void>;
}

/** Options of {@linkcode ActorSystem.spawn} and {@linkcode ActorContext.spawn}. */
export interface SpawnOptions {
  /** Unique among siblings, without `/`. @default {"$1", "$2", …} */
  name?: string;
  /** The actor's mailbox. @default {{ capacity: DEFAULT_MAILBOX_CAPACITY }} */
  mailbox?: Pick<MailboxOptions, "capacity">;
  /** Restart limits and backoff. @default {DEFAULT_SUPERVISION} */
  supervision?: SupervisionOptions;
}

/** A root escalation or an error thrown by a `stop` hook, as recorded by the system. */
export interface ActorFailure {
  /** Path of the actor. */
  readonly actor: string;
  /** What was thrown (non-errors wrapped in an `Error`). */
  readonly error: Error;
  /** Wall time (`clock.now()`). */
  readonly time: number;
}

/** Collaborators of an {@linkcode ActorSystem}. */
export interface ActorSystemDeps {
  /** Source of time and timers for every actor. @default {systemClock} */
  clock?: Clock;
  /** Source of backoff jitter in [0, 1). @default {seededRandom(0)} */
  random?: () => number;
  /** Told about every recorded {@linkcode ActorFailure}. Must not throw (a throw is ignored). */
  onFailure?: (failure: ActorFailure) => void;
}

/** Settings of an {@linkcode ActorSystem}. */
export interface ActorSystemOptions {
  /** Timeout of asks that give none, in ms. @default {30_000} */
  askTimeoutMs?: number;
  /** Failures kept in {@linkcode ActorSystem.failures} (oldest dropped first). @default {100} */
  maxFailures?: number;
}

interface CellHandle {
  readonly path: string;
  readonly name: string;
  readonly ref: unknown;
  readonly done: Promise<void>;
  readonly children: Map<string, CellHandle>;
  stop(): Promise<void>;
  fail(error: Error): void;
}

interface Internals {
  readonly system: ActorSystem;
  readonly clock: Clock;
  readonly random: () => number;
  readonly askTimeoutMs: number;
  spawn<M, S, R>(
    behavior: Behavior<M, S, R>,
    options: SpawnOptions,
    parent: CellHandle | undefined,
  ): ActorRef<M, R>;
  unregister(cell: CellHandle, parent: CellHandle | undefined): void;
  record(actor: string, error: unknown): void;
}

/** One actor: its mailbox, supervision and the loop that feeds messages to its behaviour. */
class Cell<M, S, R> implements CellHandle {
  readonly path: string;
  readonly name: string;
  readonly ref: LocalRef<M, R>;
  readonly children = new Map<string, CellHandle>();
  readonly done: Promise<void>;
  readonly #sys: Internals;
  readonly #parent: CellHandle | undefined;
  readonly #behavior: Behavior<M, S, R>;
  readonly #policy: RestartPolicy;
  readonly #mailbox: Mailbox<Envelope<M, R>>;
  readonly #lifetime = new AbortController();
  #incarnation = new AbortController();
  #ctx: ActorContext<M, R>;
  #state: { value: S } | undefined;
  #current: Envelope<M, R> | undefined;
  #failures: Error[] = [];
  #interrupt: AbortController | undefined;
  #escalation: EscalationError | undefined;

  constructor(sys: Internals, behavior: Behavior<M, S, R>, init: {
    name: string;
    parent: CellHandle | undefined;
    options: SpawnOptions;
  }) {
    this.#sys = sys;
    this.#behavior = behavior;
    this.#parent = init.parent;
    this.name = init.name;
    this.path = init.parent ? `${init.parent.path}/${init.name}` : init.name;
    this.#policy = new RestartPolicy(init.options.supervision, sys.random);
    this.#mailbox = new Mailbox({ capacity: init.options.mailbox?.capacity, name: this.path });
    this.ref = new LocalRef(this.path, this.#mailbox, sys);
    this.#ctx = this.#context(this.#incarnation.signal);
    this.done = this.#run();
  }

  get #stopping(): boolean {
    return this.#lifetime.signal.aborted;
  }

  stop(): Promise<void> {
    this.#requestStop();
    return this.done;
  }

  fail(error: Error): void {
    if (this.#stopping) return;
    this.#failures.push(error);
    this.#interrupt?.abort();
  }

  async #run(): Promise<void> {
    await Promise.resolve(); // let spawn() register the actor before init runs
    let alive = await this.#incarnate();
    while (alive && !this.#stopping) {
      const failure = this.#failures.shift();
      if (failure) {
        alive = await this.#recover(failure);
        continue;
      }
      const env = await this.#receive();
      if (env === undefined) continue;
      const failed = await this.#handle(env);
      if (failed) alive = await this.#recover(failed.error);
    }
    await this.#finish();
  }

  /** Runs `init` until it succeeds (true) or supervision gives up (false). */
  async #incarnate(): Promise<boolean> {
    while (!this.#stopping) {
      this.#incarnation = new AbortController();
      this.#ctx = this.#context(this.#incarnation.signal);
      try {
        this.#state = { value: await this.#behavior.init(this.#ctx) };
        return true;
      } catch (error) {
        if (!(await this.#restart(error))) return false;
      }
    }
    return false;
  }

  async #recover(error: unknown): Promise<boolean> {
    return await this.#restart(error) && await this.#incarnate();
  }

  /** Tears the incarnation down and waits out the backoff (true), or escalates (false). */
  async #restart(error: unknown): Promise<boolean> {
    if (this.#stopping) return false;
    const decision = this.#policy.decide(this.#sys.clock.monotonic());
    if (decision.action === "escalate") {
      const { maxRestarts, withinMs } = this.#policy.options;
      this.#escalation = new EscalationError(
        `Actor "${this.path}" failed after ${decision.restarts} restarts within ${withinMs} ms (limit ${maxRestarts})`,
        { data: { actor: this.path, maxRestarts, withinMs }, cause: error },
      );
      this.#requestStop();
      return false;
    }
    this.#incarnation.abort(
      new StoppedError(`Actor "${this.path}" is restarting`, { data: { actor: this.path } }),
    );
    await this.#teardown();
    this.#failures = []; // escalations from the children just stopped
    if (decision.delayMs > 0) {
      try {
        await this.#sys.clock.sleep(decision.delayMs, { signal: this.#lifetime.signal });
      } catch {
        return false; // stopped during the backoff
      }
    }
    return !this.#stopping;
  }

  async #receive(): Promise<Envelope<M, R> | undefined> {
    if (!this.#interrupt || this.#interrupt.signal.aborted) this.#interrupt = new AbortController();
    try {
      return await this.#mailbox.receive({ signal: this.#interrupt.signal });
    } catch {
      return undefined; // interrupted by a failure or a stop; the loop looks at both
    }
  }

  async #handle(env: Envelope<M, R>): Promise<{ error: unknown } | undefined> {
    this.#current = env;
    try {
      this.#state = { value: await this.#behavior.receive(this.#state!.value, env.msg, this.#ctx) };
      env.reply?.reject(new TypeError(`Actor "${this.path}" handled an ask without calling ctx.reply`));
      return undefined;
    } catch (error) {
      env.reply?.reject(error);
      return { error };
    } finally {
      this.#current = undefined;
    }
  }

  /** Stops the children (newest first), then runs the `stop` hook. */
  async #teardown(): Promise<void> {
    for (const child of [...this.children.values()].reverse()) await child.stop();
    const state = this.#state;
    this.#state = undefined;
    if (!state || !this.#behavior.stop) return;
    try {
      await this.#behavior.stop(state.value, this.#ctx);
    } catch (error) {
      this.#sys.record(this.path, error);
    }
  }

  async #finish(): Promise<void> {
    this.#requestStop();
    await this.#teardown();
    this.#sys.unregister(this, this.#parent);
    if (!this.#escalation) return;
    if (this.#parent) this.#parent.fail(this.#escalation);
    else this.#sys.record(this.path, this.#escalation);
  }

  #requestStop(): void {
    if (this.#stopping) return;
    const reason = new StoppedError(`Actor "${this.path}" is stopped`, { data: { actor: this.path } });
    this.#lifetime.abort(reason);
    this.#incarnation.abort(reason);
    this.#mailbox.close(reason);
    this.#interrupt?.abort();
    const data = { actor: this.path };
    for (const env of this.#mailbox.drain()) {
      env.reply?.reject(
        new StoppedError(`Actor "${this.path}" stopped before handling the message`, { data }),
      );
    }
  }

  #context(signal: AbortSignal): ActorContext<M, R> {
    return {
      self: this.ref,
      clock: this.#sys.clock,
      signal,
      system: this.#sys.system,
      reply: (value) => {
        if (!this.#current) {
          throw new TypeError(`Actor "${this.path}": ctx.reply called outside a message handler`);
        }
        this.#current.reply?.resolve(value);
      },
      spawn: <M2, S2, R2>(behavior: Behavior<M2, S2, R2>, options: SpawnOptions = {}) => {
        if (signal.aborted) {
          throw new StoppedError(`Cannot spawn a child of actor "${this.path}": it is stopped`);
        }
        return this.#sys.spawn(behavior, options, this);
      },
    };
  }
}

/**
 * A scope of actors sharing a clock, a registry and supervision. Stopping it stops every actor,
 * children before parents, settles every ask and clears every timer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ActorSystem, type Behavior } from "@frontier/frontier/actors";
 * const counter: Behavior<"inc" | "get", number, number> = {
 *   init: () => 0,
 *   receive: (n, msg, ctx) => {
 *     if (msg === "get") ctx.reply(n);
 *     return msg === "inc" ? n + 1 : n;
 *   },
 * };
 * await using system = new ActorSystem();
 * const ref = system.spawn(counter, { name: "counter" });
 * ref.tell("inc");
 * assert.equal(await ref.ask("get"), 1);
 * ```
 */
export class ActorSystem implements AsyncDisposable {
  /** The clock every actor of this system uses. */
  readonly clock: Clock;
  readonly #cells = new Map<string, CellHandle>();
  readonly #roots = new Map<string, CellHandle>();
  readonly #running = new Set<Promise<void>>();
  readonly #failures: ActorFailure[] = [];
  readonly #maxFailures: number;
  readonly #onFailure: ((failure: ActorFailure) => void) | undefined;
  readonly #internals: Internals;
  #nextId = 0;
  #stopped = false;

  /**
   * An empty system.
   *
   * @throws {RangeError} when `options.maxFailures` is not a non-negative integer.
   */
  constructor(deps: ActorSystemDeps = {}, options: ActorSystemOptions = {}) {
    this.clock = deps.clock ?? systemClock;
    this.#onFailure = deps.onFailure;
    this.#maxFailures = options.maxFailures ?? 100;
    if (!(Number.isInteger(this.#maxFailures) && this.#maxFailures >= 0)) {
      throw new RangeError(
        `Invalid actor system: maxFailures must be an integer >= 0, got ${this.#maxFailures}`,
      );
    }
    this.#internals = {
      system: this,
      clock: this.clock,
      random: deps.random ?? seededRandom(0),
      askTimeoutMs: checkTimeout(options.askTimeoutMs ?? 30_000, "Invalid actor system"),
      spawn: (behavior, spawnOptions, parent) => this.#spawn(behavior, spawnOptions, parent),
      unregister: (cell, parent) => {
        this.#cells.delete(cell.path);
        (parent ? parent.children : this.#roots).delete(cell.name);
        this.#running.delete(cell.done);
      },
      record: (actor, error) => this.#record(actor, error),
    };
  }

  /** Spawns a top-level actor. Throws `TypeError` if the name is taken, `StoppedError` once stopped. */
  spawn<M, S, R = unknown>(behavior: Behavior<M, S, R>, options: SpawnOptions = {}): ActorRef<M, R> {
    return this.#spawn(behavior, options, undefined);
  }

  /**
   * The live actor at `path` (`name` or `parent/child`), or `undefined`. The caller asserts the
   * message and reply types, as with any name-based lookup.
   */
  lookup<M, R = unknown>(path: string): ActorRef<M, R> | undefined {
    return this.#cells.get(path)?.ref as ActorRef<M, R> | undefined;
  }

  /** Stops the actor at `path` (and its children); resolves once it has stopped. */
  async stopActor(path: string): Promise<void> {
    await this.#cells.get(path)?.stop();
  }

  /** Live actors. */
  get size(): number {
    return this.#cells.size;
  }

  /** Root escalations and `stop` hook errors, oldest first, at most `maxFailures`. */
  get failures(): readonly ActorFailure[] {
    return [...this.#failures];
  }

  /** Stops every actor, newest root first, each after its children. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const root of [...this.#roots.values()].reverse()) await root.stop();
    await Promise.all(this.#running);
  }

  /** Same as {@linkcode ActorSystem.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #spawn<M, S, R>(
    behavior: Behavior<M, S, R>,
    options: SpawnOptions,
    parent: CellHandle | undefined,
  ): ActorRef<M, R> {
    if (this.#stopped) throw new StoppedError("Cannot spawn an actor: the actor system is stopped");
    const name = options.name ?? `$${++this.#nextId}`;
    if (name === "" || name.includes("/")) {
      throw new TypeError(`Cannot spawn actor "${name}": a name must be non-empty and contain no "/"`);
    }
    const path = parent ? `${parent.path}/${name}` : name;
    if (this.#cells.has(path)) throw new TypeError(`Cannot spawn actor "${path}": the name is taken`);
    const cell = new Cell(this.#internals, behavior, { name, parent, options });
    this.#cells.set(path, cell);
    (parent ? parent.children : this.#roots).set(name, cell);
    this.#running.add(cell.done);
    return cell.ref;
  }

  #record(actor: string, error: unknown): void {
    const failure = {
      actor,
      error: error instanceof Error ? error : new Error(String(error)),
      time: this.clock.now(),
    };
    this.#failures.push(failure);
    if (this.#failures.length > this.#maxFailures) this.#failures.shift();
    try {
      this.#onFailure?.(failure);
    } catch {
      // A faulty observer must not break the actor that failed.
    }
  }
}
