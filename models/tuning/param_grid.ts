/**
 * Parameter candidates for tuning, typed over an estimator's own parameters: a Cartesian grid
 * ({@linkcode ParamGridBuilder}, Spark's name) and seeded random search over ranges
 * ({@linkcode randomSearch}).
 *
 * Pipeline-stage parameters are ordinary keys of the parameter type with a dot in them
 * (`"indexer.maxCategories"`, see {@linkcode StageParams}); an estimator that reads them
 * ({@linkcode TreeTunable}, {@linkcode LogisticTunable}) builds its feature pipeline from them, so
 * trials that agree on every stage parameter share one fitted pipeline per fold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GbtParams } from "@frontier/frontier/models";
 * import { ParamGridBuilder } from "@frontier/frontier/models";
 * const grid = new ParamGridBuilder<GbtParams>()
 *   .addGrid("maxDepth", [3, 5])
 *   .addGrid("learningRate", [0.05, 0.1])
 *   .build();
 * assert.deepEqual(grid, [
 *   { maxDepth: 3, learningRate: 0.05 },
 *   { maxDepth: 3, learningRate: 0.1 },
 *   { maxDepth: 5, learningRate: 0.05 },
 *   { maxDepth: 5, learningRate: 0.1 },
 * ]);
 * ```
 *
 * @module
 */
import { CounterRandom } from "../../cluster/util/seeded_random.ts";

/** Most candidates a grid or a random search may produce. */
export const MAX_CANDIDATES = 10_000;

/** Parameters of a pipeline stage named `Stage`, as dotted keys (`"stage.param"`). */
export type StageParams<Stage extends string, P> = {
  [K in keyof P & string as `${Stage}.${K}`]?: P[K];
};

/** Builds a Cartesian grid of parameter values (the last added parameter varies fastest). */
export class ParamGridBuilder<P extends object> {
  readonly #axes: { name: keyof P & string; values: readonly unknown[] }[] = [];
  #base: Partial<P> = {};

  /** Every candidate takes each of `values` for `name` (in this order). */
  addGrid<K extends keyof P & string>(name: K, values: readonly NonNullable<P[K]>[]): this {
    if (typeof name !== "string" || name.length === 0) {
      throw new RangeError(`A grid parameter name must be a non-empty string, got ${JSON.stringify(name)}`);
    }
    if (!Array.isArray(values) || values.length === 0) {
      throw new RangeError(`Grid values of "${name}" must be a non-empty list`);
    }
    if (this.#axes.some((a) => a.name === name)) {
      throw new RangeError(`Grid parameter "${name}" is given twice`);
    }
    this.#axes.push({ name, values: [...values] });
    return this;
  }

  /** Values every candidate has (a grid value of the same name wins). */
  baseOn(params: Partial<P>): this {
    this.#base = { ...this.#base, ...params };
    return this;
  }

  /** The candidates, in a fixed order (one candidate, `baseOn`'s, when nothing was added). */
  build(): Partial<P>[] {
    const size = this.#axes.reduce((n, a) => n * a.values.length, 1);
    if (size > MAX_CANDIDATES) {
      throw new RangeError(`The grid has ${size} candidates; at most ${MAX_CANDIDATES} are allowed`);
    }
    let out: Record<string, unknown>[] = [{ ...this.#base }];
    for (const axis of this.#axes) {
      out = out.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.name]: v })));
    }
    return out as Partial<P>[];
  }
}

/** A range or set to draw one parameter from. */
export type Distribution =
  | { readonly uniform: readonly [number, number] }
  | { readonly logUniform: readonly [number, number] }
  | { readonly int: readonly [number, number] }
  | { readonly choice: readonly unknown[] };

/** A search space: a distribution per parameter. */
export type SearchSpace<P extends object> = { readonly [K in keyof P & string]?: Distribution };

function checkRange(name: string, [lo, hi]: readonly [number, number], positive: boolean): void {
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi) || (positive && !(lo > 0))) {
    throw new RangeError(
      `The range of "${name}" must be [low, high] with finite low ≤ high${
        positive ? " and low > 0" : ""
      }, got [${lo}, ${hi}]`,
    );
  }
}

function draw(name: string, d: Distribution, u: number): unknown {
  if ("uniform" in d) {
    checkRange(name, d.uniform, false);
    return d.uniform[0] + u * (d.uniform[1] - d.uniform[0]);
  }
  if ("logUniform" in d) {
    checkRange(name, d.logUniform, true);
    const [a, b] = d.logUniform;
    return Math.exp(Math.log(a) + u * (Math.log(b) - Math.log(a)));
  }
  if ("int" in d) {
    checkRange(name, d.int, false);
    const [a, b] = d.int;
    if (!Number.isInteger(a) || !Number.isInteger(b)) {
      throw new RangeError(`The int range of "${name}" must have integer ends, got [${a}, ${b}]`);
    }
    return a + Math.floor(u * (b - a + 1));
  }
  if (!Array.isArray(d.choice) || d.choice.length === 0) {
    throw new RangeError(`The choices of "${name}" must be a non-empty list`);
  }
  return d.choice[Math.floor(u * d.choice.length)];
}

/**
 * `trials` candidates drawn from `space`, each parameter from its own stream: candidate `i`
 * depends only on (`seed`, `i`, the parameter's position in `space`), so the same seed gives the
 * same candidates, and a longer search starts with the shorter one's.
 */
export function randomSearch<P extends object>(
  space: SearchSpace<P>,
  options: { readonly trials: number; readonly seed: number; readonly base?: Partial<P> },
): Partial<P>[] {
  const { trials, seed } = options;
  if (!Number.isInteger(trials) || trials < 1 || trials > MAX_CANDIDATES) {
    throw new RangeError(`trials must be an integer in [1, ${MAX_CANDIDATES}], got ${trials}`);
  }
  const entries = Object.entries(space) as [string, Distribution][];
  if (entries.length === 0) throw new RangeError("The search space names no parameter");
  const random = new CounterRandom(seed, 0x7e57);
  const out: Partial<P>[] = [];
  for (let i = 0; i < trials; i++) {
    random.at(i);
    const c: Record<string, unknown> = { ...options.base };
    entries.forEach(([name, d], j) => {
      c[name] = draw(name, d, random.float(j));
    });
    out.push(c as Partial<P>);
  }
  return out;
}
