/**
 * Time, injected. Nothing else in Frontier calls `Date.now()`, `setTimeout` or `setInterval`:
 * components take a {@linkcode Clock} so tests can drive them with {@linkcode FakeClock} and never sleep.
 *
 * @module
 */

/** A handle returned by {@linkcode Clock.setTimeout}. Opaque to callers. */
export type TimerId = number;

/** Wall time plus timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Monotonic milliseconds, for measuring durations. */
  monotonic(): number;
  /** Schedules `fn` after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Cancels a timer; unknown ids are ignored. */
  clearTimeout(id: TimerId): void;
  /**
   * Resolves after `ms`, or rejects with the signal's reason when aborted.
   * The timer is always cleared, so an aborted sleep leaks nothing.
   */
  sleep(ms: number, options?: { signal?: AbortSignal | undefined }): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => Number(setTimeout(fn, ms)),
  clearTimeout: (id) => clearTimeout(id),
  sleep: (ms, options = {}) => sleepOn(systemClock, ms, options.signal),
};

function sleepOn(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(id);
      reject(signal?.reason);
    };
    const id = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface FakeTimer {
  id: TimerId;
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. Timers fire in (time, creation) order during
 * {@linkcode FakeClock.advance}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FakeClock } from "@frontier/frontier/actors";
 * const clock = new FakeClock(0);
 * let fired = false;
 * clock.setTimeout(() => fired = true, 100);
 * clock.advance(99);
 * assert.equal(fired, false);
 * clock.advance(1);
 * assert.equal(fired, true);
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #mono = 0;
  #seq = 0;
  #nextId = 1;
  #timers = new Map<TimerId, FakeTimer>();

  /** A clock whose wall time starts at `start` (ms since the epoch) and moves only when told. */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#mono;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#mono + Math.max(0, ms), seq: this.#seq++, fn });
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.#timers.delete(id);
  }

  sleep(ms: number, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    return sleepOn(this, ms, options.signal);
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order (timers they create also fire if due). */
  advance(ms: number): void {
    const target = this.#mono + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers.values()) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.#timers.delete(next.id);
      this.#now += next.at - this.#mono;
      this.#mono = next.at;
      next.fn();
    }
    this.#now += target - this.#mono;
    this.#mono = target;
  }

  /**
   * Advances by `ms` in steps, letting microtasks (promise callbacks) run between steps,
   * so async code awaiting timers makes progress.
   */
  async tick(ms: number, steps = 1): Promise<void> {
    const step = ms / steps;
    for (let i = 0; i < steps; i++) {
      await flushMicrotasks();
      this.advance(step);
      await flushMicrotasks();
    }
  }
}

/** Lets queued promise callbacks run. Does not wait on any timer. */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
