/**
 * Event ids remembered for de-duplication while a copy could still be on time.
 *
 * @module
 */
import { MinHeap } from "./min_heap.ts";

/**
 * Ids of accepted events with their event times, grouped by the events' keys. An id is forgotten
 * once its time falls behind the horizon (the watermark minus grace): any later copy would be
 * late and is counted as such, so memory stays bounded by the events of one horizon.
 */
export class IdHorizon {
  readonly #times = new Map<string, { time: number; key: string }>();
  readonly #byKey = new Map<string, Map<string, number>>();
  readonly #expiry = new MinHeap<{ time: number; id: string }>((a, b) => a.time < b.time);

  /** Ids remembered. */
  get size(): number {
    return this.#times.size;
  }

  /** Whether `id` is remembered. */
  has(id: string): boolean {
    return this.#times.has(id);
  }

  /** Remembers `id` of an event of `key`, accepted with event time `time`. */
  remember(id: string, time: number, key = ""): void {
    const before = this.#times.get(id);
    if (before) this.#byKey.get(before.key)?.delete(id);
    this.#times.set(id, { time, key });
    let ids = this.#byKey.get(key);
    if (!ids) this.#byKey.set(key, ids = new Map());
    ids.set(id, time);
    this.#expiry.push({ time, id });
  }

  /** The ids remembered for `key` with their event times, in insertion order. */
  idsOf(key: string): [string, number][] {
    return [...this.#byKey.get(key) ?? []];
  }

  /** Forgets every id whose event time is before `horizon`; `forgotten` hears the key of each. */
  forgetBefore(horizon: number, forgotten?: (key: string) => void): void {
    for (let top = this.#expiry.peek(); top !== undefined && top.time < horizon; top = this.#expiry.peek()) {
      this.#expiry.pop();
      const entry = this.#times.get(top.id);
      if (entry?.time !== top.time) continue;
      this.#times.delete(top.id);
      const ids = this.#byKey.get(entry.key);
      ids?.delete(top.id);
      if (ids?.size === 0) this.#byKey.delete(entry.key);
      forgotten?.(entry.key);
    }
  }
}
