/**
 * Executor-local state of per-partition functions (`PartitionContext.state`): values that user
 * code keeps on an executor between jobs — e.g. a training shard's binned rows and current scores
 * — so that each job ships only what changed.
 *
 * The store is a cache, never the truth. It holds at most `budgetBytes` (as each value's owner
 * declares it) and evicts the least recently used entries to make room; a value larger than the
 * whole budget is not kept at all. The executor loses everything when it dies, and a task may run
 * on another executor after a failure, so every user of the store must be able to rebuild what
 * it finds missing (from its input batches and what the driver sends).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StateStore } from "./state_store.ts";
 * const store = new StateStore({ budgetBytes: 100 });
 * assert.ok(store.set("job-1/0", { rows: 3 }, 60));
 * assert.ok(store.set("job-1/1", { rows: 4 }, 60)); // evicts "job-1/0"
 * assert.equal(store.get("job-1/0"), undefined);
 * assert.equal(store.bytes, 60);
 * store.deletePrefix("job-1/");
 * assert.equal(store.size, 0);
 * ```
 *
 * @module
 */
import type { PartitionState } from "../partition_fns.ts";
import { StateBudgetError } from "../errors.ts";

/** Options of a {@linkcode StateStore}. */
export interface StateStoreOptions {
  /** Bytes of values kept before the least recently used are evicted. @default {1 GiB} */
  budgetBytes?: number;
}

interface Entry {
  readonly value: unknown;
  readonly bytes: number;
}

/** A bounded, least-recently-used store of executor-local values keyed by string. */
export class StateStore implements PartitionState {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  readonly #entries = new Map<string, Entry>();
  readonly #budget: number;
  #bytes = 0;
  #evictions = 0;

  /** A store of at most `options.budgetBytes` bytes; `RangeError` for a negative budget. */
  constructor(options: StateStoreOptions = {}) {
    const budget = options.budgetBytes ?? 2 ** 30;
    if (!(Number.isSafeInteger(budget) && budget >= 0)) {
      throw new RangeError(`A state budget must be a non-negative integer of bytes, got ${budget}`);
    }
    this.#budget = budget;
  }

  /** Bytes held (the sum of the sizes values were stored with). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Entries evicted to make room since the store was made. */
  get evictions(): number {
    return this.#evictions;
  }

  /** The budget in bytes. */
  get budgetBytes(): number {
    return this.#budget;
  }

  /** The value under `key`, now the most recently used; `undefined` when absent. */
  get(key: string): unknown {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.value;
  }

  /**
   * Keeps `value` under `key` as `bytes` bytes, replacing what was there, and evicts the least
   * recently used other entries until the store fits its budget. Returns false (and keeps
   * nothing under `key`) when `bytes` alone exceeds the budget. `RangeError` for a size that is
   * not a non-negative integer.
   */
  set(key: string, value: unknown, bytes: number): boolean {
    if (!(Number.isSafeInteger(bytes) && bytes >= 0)) {
      throw new RangeError(`A state entry's size must be a non-negative integer, got ${bytes}`);
    }
    this.delete(key);
    if (bytes > this.#budget) return false;
    for (const [k, e] of this.#entries) {
      if (this.#bytes + bytes <= this.#budget) break;
      this.#entries.delete(k);
      this.#bytes -= e.bytes;
      this.#evictions++;
    }
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    return true;
  }

  /** Drops `key`; returns whether it was there. */
  delete(key: string): boolean {
    const e = this.#entries.get(key);
    if (e === undefined) return false;
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
    return true;
  }

  /** Drops every key that starts with `prefix`; returns how many. */
  deletePrefix(prefix: string): number {
    let n = 0;
    for (const k of [...this.#entries.keys()]) {
      if (k.startsWith(prefix) && this.delete(k)) n++;
    }
    return n;
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

/**
 * Keeps `value` under `key` like `PartitionState.set`, for values the caller cannot do
 * without (a training shard: rebuilding it on every request would be quadratic): throws a
 * `StateBudgetError` naming the bytes needed and the budget when `bytes` exceeds the whole budget.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keepState, StateBudgetError } from "@frontier/frontier";
 * import { StateStore } from "./state_store.ts";
 * const store = new StateStore({ budgetBytes: 100 });
 * keepState(store, { key: "shard/0", value: {}, bytes: 60, what: "The shard of partition 0" });
 * assert.throws(
 *   () => keepState(store, { key: "shard/1", value: {}, bytes: 500, what: "The shard of partition 1" }),
 *   (e: unknown) => e instanceof StateBudgetError && /needs 500 bytes .* budget of 100 bytes/.test(e.message),
 * );
 * ```
 */
export function keepState(
  state: PartitionState,
  entry: {
    readonly key: string;
    readonly value: unknown;
    readonly bytes: number;
    /** What the value is, for the error (e.g. "The training shard of partition 3"). */
    readonly what: string;
  },
): void {
  const { key, value, bytes, what } = entry;
  if (state.set(key, value, bytes)) return;
  const budget = state.budgetBytes;
  throw new StateBudgetError(
    `${what} needs ${bytes} bytes of executor state, more than the executor's whole state budget` +
      `${budget === undefined ? "" : ` of ${budget} bytes`}: raise it (Frontier.start({ stateBudgetBytes })` +
      " or --state-budget-bytes) or cut the data into more partitions",
    { data: { neededBytes: bytes, ...(budget === undefined ? {} : { budgetBytes: budget }) } },
  );
}
