/**
 * Event ids remembered for de-duplication while a copy could still be on time.
 *
 * @module
 */
import { MinHeap } from "./min_heap.ts";

/**
 * Ids of accepted events with their event times. An id is forgotten once its time falls behind
 * the horizon (the watermark minus grace): any later copy would be late and is counted as such,
 * so memory stays bounded by the events of one horizon.
 */
export class IdHorizon {
  readonly #times = new Map<string, number>();
  readonly #expiry = new MinHeap<{ time: number; id: string }>((a, b) => a.time < b.time);

  /** Ids remembered. */
  get size(): number {
    return this.#times.size;
  }

  /** Whether `id` is remembered. */
  has(id: string): boolean {
    return this.#times.has(id);
  }

  /** Remembers `id`, accepted with event time `time`. */
  remember(id: string, time: number): void {
    this.#times.set(id, time);
    this.#expiry.push({ time, id });
  }

  /** Forgets every id whose event time is before `horizon`. */
  forgetBefore(horizon: number): void {
    for (let top = this.#expiry.peek(); top !== undefined && top.time < horizon; top = this.#expiry.peek()) {
      this.#expiry.pop();
      if (this.#times.get(top.id) === top.time) this.#times.delete(top.id);
    }
  }
}
