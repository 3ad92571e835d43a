/**
 * A phi-accrual failure detector (Hayashibara et al., "The φ Accrual Failure Detector", 2004)
 * with a hard timeout.
 *
 * For each monitored id it keeps the last `maxSamples` heartbeat intervals and models the next
 * interval as normally distributed with their mean and standard deviation. `phi(id)` is
 * `-log10(P(a heartbeat arrives later than now))`: phi 1 means a 10% chance the peer is fine and
 * merely late, phi 8 one in 10⁸. The normal CDF uses the logistic approximation
 * `F(y) ≈ 1 / (1 + e^(-y(1.5976 + 0.070566 y²)))`.
 *
 * `isAvailable` additionally requires a heartbeat within `hardTimeoutMs`, so a peer with very
 * irregular heartbeats (large standard deviation, hence slowly rising phi) is still declared
 * dead after a bounded silence.
 *
 * @module
 */

import type { Clock } from "../../actors/clock.ts";

/** Options of {@linkcode PhiAccrualDetector}. */
export interface PhiAccrualOptions {
  /** Time source (`monotonic()` is used). */
  clock: Clock;
  /** An id is unavailable once phi reaches this. @default {8} */
  threshold?: number | undefined;
  /** Intervals remembered per id. @default {200} */
  maxSamples?: number | undefined;
  /** Floor for the standard deviation, so perfectly regular heartbeats do not make phi jumpy. @default {50} */
  minStdDevMs?: number | undefined;
  /** Extra pause tolerated on top of the mean interval (GC pauses, network hiccups). @default {0} */
  acceptableHeartbeatPauseMs?: number | undefined;
  /** Assumed interval before the second heartbeat arrives. @default {1000} */
  firstHeartbeatEstimateMs?: number | undefined;
  /** An id silent this long is unavailable whatever its phi. */
  hardTimeoutMs: number;
}

/** Per-id state: a ring buffer of intervals with running sums. */
class History {
  readonly intervals: Float64Array;
  count = 0;
  next = 0;
  sum = 0;
  sumSquares = 0;
  last: number;

  constructor(capacity: number, at: number) {
    this.intervals = new Float64Array(capacity);
    this.last = at;
  }

  add(interval: number): void {
    if (this.count === this.intervals.length) {
      const old = this.intervals[this.next]!;
      this.sum -= old;
      this.sumSquares -= old * old;
    } else {
      this.count++;
    }
    this.intervals[this.next] = interval;
    this.next = (this.next + 1) % this.intervals.length;
    this.sum += interval;
    this.sumSquares += interval * interval;
  }

  get mean(): number {
    return this.sum / this.count;
  }

  get stdDev(): number {
    const mean = this.mean;
    return Math.sqrt(Math.max(0, this.sumSquares / this.count - mean * mean));
  }
}

/**
 * Tracks heartbeats of many ids and says which are still alive.
 *
 * @example
 * ```ts
 * import { FakeClock } from "../../actors/clock.ts";
 * import { PhiAccrualDetector } from "./failure_detector.ts";
 * const clock = new FakeClock();
 * const detector = new PhiAccrualDetector({ clock, hardTimeoutMs: 10_000 });
 * for (let i = 0; i < 10; i++) {
 *   detector.heartbeat("e-1");
 *   clock.advance(1000);
 * }
 * console.assert(detector.isAvailable("e-1"));
 * clock.advance(5000);
 * console.assert(!detector.isAvailable("e-1"));
 * ```
 */
export class PhiAccrualDetector {
  #clock: Clock;
  #threshold: number;
  #maxSamples: number;
  #minStdDev: number;
  #pause: number;
  #firstEstimate: number;
  #hardTimeout: number;
  #histories = new Map<string, History>();

  constructor(options: PhiAccrualOptions) {
    this.#clock = options.clock;
    this.#threshold = positive("threshold", options.threshold ?? 8);
    this.#maxSamples = options.maxSamples ?? 200;
    if (!Number.isInteger(this.#maxSamples) || this.#maxSamples < 1) {
      throw new RangeError(`maxSamples must be a positive integer, got ${this.#maxSamples}`);
    }
    this.#minStdDev = positive("minStdDevMs", options.minStdDevMs ?? 50);
    this.#pause = options.acceptableHeartbeatPauseMs ?? 0;
    if (!(this.#pause >= 0) || !Number.isFinite(this.#pause)) {
      throw new RangeError(`acceptableHeartbeatPauseMs must be ≥ 0, got ${this.#pause}`);
    }
    this.#firstEstimate = positive("firstHeartbeatEstimateMs", options.firstHeartbeatEstimateMs ?? 1000);
    this.#hardTimeout = positive("hardTimeoutMs", options.hardTimeoutMs);
  }

  /** Records a heartbeat from `id` (starts monitoring it on the first one). */
  heartbeat(id: string): void {
    const now = this.#clock.monotonic();
    const history = this.#histories.get(id);
    if (history === undefined) {
      // Seed with the estimate, spread by a quarter of it, until real intervals arrive.
      const seeded = new History(this.#maxSamples, now);
      const spread = this.#firstEstimate / 4;
      seeded.add(this.#firstEstimate - spread);
      seeded.add(this.#firstEstimate + spread);
      this.#histories.set(id, seeded);
      return;
    }
    history.add(now - history.last);
    history.last = now;
  }

  /**
   * Suspicion level of `id` now: 0 right after a heartbeat, rising with silence.
   * `Infinity` for an id never heard from (or removed).
   */
  phi(id: string): number {
    const history = this.#histories.get(id);
    if (history === undefined) return Infinity;
    const elapsed = this.#clock.monotonic() - history.last;
    const mean = history.mean + this.#pause;
    const stdDev = Math.max(history.stdDev, this.#minStdDev);
    return phiOf(elapsed, mean, stdDev);
  }

  /** True while phi is below the threshold and the last heartbeat is within the hard timeout. */
  isAvailable(id: string): boolean {
    const history = this.#histories.get(id);
    if (history === undefined) return false;
    const elapsed = this.#clock.monotonic() - history.last;
    return elapsed < this.#hardTimeout && this.phi(id) < this.#threshold;
  }

  /** Milliseconds since the last heartbeat from `id`, or `undefined` if unknown. */
  silenceMs(id: string): number | undefined {
    const history = this.#histories.get(id);
    return history === undefined ? undefined : this.#clock.monotonic() - history.last;
  }

  /** Stops monitoring `id`. */
  remove(id: string): void {
    this.#histories.delete(id);
  }

  /** Ids currently monitored. */
  ids(): string[] {
    return [...this.#histories.keys()];
  }
}

/** `-log10(1 - F(elapsed))` for a normal distribution, with the logistic approximation of F. */
export function phiOf(elapsedMs: number, meanMs: number, stdDevMs: number): number {
  const y = (elapsedMs - meanMs) / stdDevMs;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  // Two algebraically equal forms, each numerically stable on its side of the mean.
  const phi = elapsedMs > meanMs ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e));
  return Math.max(0, phi); // never -0
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}
