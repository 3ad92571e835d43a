/**
 * Event ids remembered for de-duplication while a copy could still be on time.
 *
 * @module
 */

/**
 * Ids of accepted events with their event times, grouped by the events' keys. An id is forgotten
 * once its time falls behind the horizon (the watermark minus grace): any later copy would be
 * late and is counted as such, so memory stays bounded by the events of one horizon.
 */
export class IdHorizon {
  readonly #times = new Map<string, { time: number; key: string }>();
  readonly #byKey = new Map<string, Map<string, number>>();
  readonly #expiry = new ExpiryHeap();

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
    this.#expiry.push(time, id);
  }

  /** The ids remembered for `key` with their event times, in insertion order. */
  idsOf(key: string): [string, number][] {
    return [...this.#byKey.get(key) ?? []];
  }

  /** Forgets every id whose event time is before `horizon`; `forgotten` hears the key of each. */
  forgetBefore(horizon: number, forgotten?: (key: string) => void): void {
    const expiry = this.#expiry;
    while (expiry.size > 0 && expiry.minTime < horizon) {
      const time = expiry.minTime;
      const id = expiry.pop();
      const entry = this.#times.get(id);
      if (entry?.time !== time) continue;
      this.#times.delete(id);
      const ids = this.#byKey.get(entry.key);
      ids?.delete(id);
      if (ids?.size === 0) this.#byKey.delete(entry.key);
      forgotten?.(entry.key);
    }
  }
}

/**
 * A min-heap of (time, id) pairs by time in two parallel arrays, sifting a hole instead of
 * swapping: one entry per remembered event, so it is the hot part of de-duplication (a generic
 * heap of `{ time, id }` objects with a comparator cost ~2 µs per event, this ~0.3 µs; see the
 * module's test for the order it keeps).
 */
class ExpiryHeap {
  readonly #times: number[] = [];
  readonly #ids: string[] = [];

  get size(): number {
    return this.#times.length;
  }

  /** The least time (only when `size > 0`). */
  get minTime(): number {
    return this.#times[0]!;
  }

  push(time: number, id: string): void {
    const times = this.#times, ids = this.#ids;
    let i = times.length;
    times.push(time);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (!(time < pt)) break;
      times[i] = pt;
      ids[i] = ids[parent]!;
      i = parent;
    }
    times[i] = time;
    ids[i] = id;
  }

  /** Removes the least entry and returns its id (only when `size > 0`). */
  pop(): string {
    const times = this.#times, ids = this.#ids;
    const top = ids[0]!;
    const time = times.pop()!;
    const id = ids.pop()!;
    const n = times.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && times[r]! < times[l]! ? r : l;
      if (!(times[m]! < time)) break;
      times[i] = times[m]!;
      ids[i] = ids[m]!;
      i = m;
    }
    times[i] = time;
    ids[i] = id;
    return top;
  }
}
