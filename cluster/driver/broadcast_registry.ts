/**
 * The driver's broadcast values: a broadcast join's side (Arrow IPC) and per-partition operators'
 * large JSON arguments, each sent at most once to every executor that runs a task reading it.
 *
 * A value lives while something owns it: the job whose planning registered it (until the job
 * ends), and every cached dataset whose lineage reads it (until `unpersist`, since recomputing a
 * lost cached partition needs it again). {@linkcode BroadcastRegistry.release} returns the values
 * no owner holds any more, for the driver to drop here and on the executors. Values are found by
 * content, so jobs that broadcast the same bytes (e.g. one model's arguments in every job that
 * scores with it) share one value and one copy per executor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BroadcastRegistry } from "./broadcast_registry.ts";
 * const registry = new BroadcastRegistry();
 * const bytes = new TextEncoder().encode('{"trees":[]}');
 * const id = registry.put("json", bytes, "job-1");
 * assert.equal(registry.put("json", bytes.slice(), "job-2"), id); // same content, same value
 * assert.deepEqual(registry.release("job-1"), []);
 * assert.deepEqual(registry.release("job-2"), [id]);
 * assert.equal(registry.size, 0);
 * ```
 *
 * @module
 */
import type { BroadcastEncoding } from "../protocol.ts";
import { hashUtf8 } from "../util/hash.ts";

/** One broadcast value as the driver keeps it. */
export interface BroadcastValue {
  readonly encoding: BroadcastEncoding;
  /** The payload every executor receives (never mutated). */
  readonly bytes: Uint8Array;
}

interface Entry extends BroadcastValue {
  readonly key: string;
  readonly owners: Set<string>;
}

/** Broadcast values by id, each held while some owner (a job, a cached dataset) needs it. */
export class BroadcastRegistry {
  readonly #byId = new Map<string, Entry>();
  readonly #byContent = new Map<string, string[]>();
  readonly #owned = new Map<string, Set<string>>();
  #seq = 0;
  #bytes = 0;

  /** Values held. */
  get size(): number {
    return this.#byId.size;
  }

  /** Bytes of the values held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * The id of a value holding `bytes` (the one already registered with the same encoding and
   * content, or a new one), now owned by `owner` too. The registry keeps `bytes`: do not mutate it.
   */
  put(encoding: BroadcastEncoding, bytes: Uint8Array, owner: string): string {
    const key = `${encoding}:${bytes.byteLength}:${hashUtf8(bytes, 0, bytes.byteLength)}`;
    const same = this.#byContent.get(key) ?? [];
    let id = same.find((i) => equalBytes(this.#byId.get(i)!.bytes, bytes));
    if (id === undefined) {
      id = `bc-${++this.#seq}`;
      this.#byId.set(id, { encoding, bytes, key, owners: new Set() });
      this.#byContent.set(key, [...same, id]);
      this.#bytes += bytes.byteLength;
    }
    this.retain([id], owner);
    return id;
  }

  /** The value `id`, or `undefined` once released (or never registered). */
  get(id: string): BroadcastValue | undefined {
    return this.#byId.get(id);
  }

  /** Makes `owner` an owner of every registered value among `ids` (unknown ids are skipped). */
  retain(ids: Iterable<string>, owner: string): void {
    for (const id of ids) {
      const e = this.#byId.get(id);
      if (e === undefined) continue;
      e.owners.add(owner);
      let owned = this.#owned.get(owner);
      if (owned === undefined) this.#owned.set(owner, owned = new Set());
      owned.add(id);
    }
  }

  /** Drops `owner`'s claims; returns the ids no owner holds any more (now forgotten). */
  release(owner: string): string[] {
    const owned = this.#owned.get(owner);
    if (owned === undefined) return [];
    this.#owned.delete(owner);
    const freed: string[] = [];
    for (const id of owned) {
      const e = this.#byId.get(id)!;
      e.owners.delete(owner);
      if (e.owners.size > 0) continue;
      this.#byId.delete(id);
      const rest = this.#byContent.get(e.key)!.filter((i) => i !== id);
      if (rest.length) this.#byContent.set(e.key, rest);
      else this.#byContent.delete(e.key);
      this.#bytes -= e.bytes.byteLength;
      freed.push(id);
    }
    return freed;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
