/**
 * The restart policy of one actor (OTP one-for-one): restart on failure up to `maxRestarts` times
 * within `withinMs`, waiting an exponentially growing, jittered backoff before each restart, and
 * escalate once the limit is exceeded. Pure bookkeeping: the actor system does the restarting.
 *
 * @module
 */

/** How an actor is supervised. */
export interface SupervisionOptions {
  /** Restarts allowed within `withinMs`; the next failure escalates. `0` escalates at once. @default {3} */
  maxRestarts?: number | undefined;
  /** Sliding window, in ms, in which restarts are counted. @default {60_000} */
  withinMs?: number | undefined;
  /** Backoff before the first restart in a window, in ms; doubles per restart. @default {10} */
  minBackoffMs?: number | undefined;
  /** Largest backoff, in ms. @default {10_000} */
  maxBackoffMs?: number | undefined;
  /**
   * Fraction (0..1) of the backoff that is random: the delay is drawn from
   * `[backoff * (1 - jitter), backoff]`. `1` is "full jitter". @default {0.2}
   */
  jitter?: number | undefined;
}

/** Supervision settings with every default filled in. */
export type ResolvedSupervision = {
  readonly [K in keyof SupervisionOptions]-?: NonNullable<SupervisionOptions[K]>;
};

/** Supervision used when none is given. */
export const DEFAULT_SUPERVISION: ResolvedSupervision = {
  maxRestarts: 3,
  withinMs: 60_000,
  minBackoffMs: 10,
  maxBackoffMs: 10_000,
  jitter: 0.2,
};

/** What to do about a failure. */
export type SupervisorDecision =
  | { readonly action: "restart"; readonly delayMs: number; readonly restarts: number }
  | { readonly action: "escalate"; readonly restarts: number };

/** Validates supervision settings and fills in defaults. Throws `RangeError` on bad values. */
export function resolveSupervision(options: SupervisionOptions = {}): ResolvedSupervision {
  const d = DEFAULT_SUPERVISION;
  const s: ResolvedSupervision = {
    maxRestarts: options.maxRestarts ?? d.maxRestarts,
    withinMs: options.withinMs ?? d.withinMs,
    minBackoffMs: options.minBackoffMs ?? d.minBackoffMs,
    maxBackoffMs: options.maxBackoffMs ?? Math.max(d.maxBackoffMs, options.minBackoffMs ?? 0),
    jitter: options.jitter ?? d.jitter,
  };
  const bad = (field: string, want: string) =>
    new RangeError(`Invalid supervision: ${field} must be ${want}, got ${s[field as keyof typeof s]}`);
  if (!(Number.isInteger(s.maxRestarts) && s.maxRestarts >= 0)) throw bad("maxRestarts", "an integer >= 0");
  if (!(s.withinMs > 0)) throw bad("withinMs", "> 0");
  if (!(s.minBackoffMs >= 0 && Number.isFinite(s.minBackoffMs))) {
    throw bad("minBackoffMs", "a finite number >= 0");
  }
  if (!(s.maxBackoffMs >= s.minBackoffMs && Number.isFinite(s.maxBackoffMs))) {
    throw bad("maxBackoffMs", "finite and >= minBackoffMs");
  }
  if (!(s.jitter >= 0 && s.jitter <= 1)) throw bad("jitter", "between 0 and 1");
  return s;
}

/**
 * Backoff before restart number `attempt` (0-based) of a window:
 * `min(maxBackoffMs, minBackoffMs * 2^attempt) * (1 - jitter * random)`, rounded to whole ms.
 */
export function backoffDelay(attempt: number, options: ResolvedSupervision, random: number): number {
  const base = Math.min(options.maxBackoffMs, options.minBackoffMs * 2 ** attempt);
  return Math.round(base * (1 - options.jitter * random));
}

/**
 * Counts restarts in a sliding window and decides restart-with-backoff or escalate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RestartPolicy } from "@frontier/frontier/actors";
 * const policy = new RestartPolicy({ maxRestarts: 1, withinMs: 1000, minBackoffMs: 100, jitter: 0 });
 * assert.equal(policy.decide(0).action, "restart");
 * assert.equal(policy.decide(10).action, "escalate");
 * assert.equal(policy.decide(2000).action, "restart"); // the first restart left the window
 * ```
 */
export class RestartPolicy {
  /** The settings, defaults filled in and validated. */
  readonly options: ResolvedSupervision;
  readonly #random: () => number;
  /** Monotonic times of the restarts in the window; at most `maxRestarts` long. */
  #restarts: number[] = [];

  /** A policy with no restarts yet; `random` (in [0, 1)) jitters the backoff. */
  constructor(options: SupervisionOptions = {}, random: () => number = seededRandom(0)) {
    this.options = resolveSupervision(options);
    this.#random = random;
  }

  /** Records a failure at monotonic time `now` and says what to do. */
  decide(now: number): SupervisorDecision {
    const { maxRestarts, withinMs } = this.options;
    this.#restarts = this.#restarts.filter((t) => now - t < withinMs);
    if (this.#restarts.length >= maxRestarts) return { action: "escalate", restarts: this.#restarts.length };
    const attempt = this.#restarts.length;
    this.#restarts.push(now);
    return {
      action: "restart",
      delayMs: backoffDelay(attempt, this.options, this.#random()),
      restarts: attempt + 1,
    };
  }
}

/** A deterministic random source in [0, 1) (mulberry32). Same seed, same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
