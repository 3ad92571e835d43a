/**
 * The `--grid` of `frontier tune`: `name=v1,v2;name2=v3,v4`, checked against the model kind's own
 * parameters; with `--random N`, parts may also be ranges (`lo..hi`, `int:lo..hi`, `log:lo..hi`)
 * and `N` candidates are drawn ({@linkcode parseRandomSearch}). Values are numbers (`0.05`, `1e-3`, `Infinity`), `true`/`false`, or text; every
 * value is validated by the kind's own parameter check, so a bad one fails before anything runs
 * with a `UsageError` that names the part of the grid at fault.
 *
 * @module
 */
import { resolveGbtParams } from "../../../models/classification/gbt/params.ts";
import { resolveParams as resolveLogisticParams } from "../../../models/classification/logistic_regression/params.ts";
import { resolveForestParams } from "../../../models/classification/random_forest/params.ts";
import { type Distribution, randomSearch } from "../../../models/tuning/param_grid.ts";
import { UsageError } from "../common.ts";

/** Resolves a kind's params (throws `RangeError` naming a bad one), and the names it knows. */
interface KindParams {
  readonly resolve: (params: Record<string, unknown>) => object;
  /** Names a grid may not set (the search sets them). */
  readonly reserved: readonly string[];
}

const KINDS: Record<string, KindParams> = {
  gbt: { resolve: (p) => resolveGbtParams(p), reserved: ["seed"] },
  rf: { resolve: (p) => resolveForestParams(p), reserved: ["seed"] },
  lr: { resolve: (p) => resolveLogisticParams(p), reserved: ["featureNames"] },
};

/** The parameter names `kind` accepts in a grid. */
export function gridNames(kind: string): string[] {
  const k = KINDS[kind];
  if (k === undefined) throw new UsageError(`--model: unknown model ${JSON.stringify(kind)}`);
  return Object.keys(k.resolve({})).filter((n) => !k.reserved.includes(n)).sort();
}

function value(text: string): unknown {
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) || /^[+-]?Infinity$/.test(text)) return Number(text);
  return text;
}

/** A parsed part of a random-search space: a list of choices or a range. */
type Axis = { name: string; part: string; values: unknown[] } | {
  name: string;
  part: string;
  range: Distribution;
};

const RANGE = /^(int:|log:)?([^.]+|[^.]*\.[^.]+)\.\.(.+)$/;

/**
 * `--random N`: `N` candidates drawn from `space` (the `--grid` syntax, where a part may also be
 * a range `name=lo..hi` (uniform), `name=int:lo..hi` (integers, both ends included) or
 * `name=log:lo..hi` (log-uniform)), seeded by `seed`; every drawn value is checked as a grid
 * value is.
 */
export function parseRandomSearch(
  space: string,
  kind: string,
  options: { trials: number; seed: number },
): Record<string, unknown>[] {
  const k = KINDS[kind]!;
  const axes = parseAxes(space, kind, true);
  const distributions: Record<string, Distribution> = {};
  for (const a of axes) distributions[a.name] = "range" in a ? a.range : { choice: a.values };
  const out = randomSearch<Record<string, unknown>>(distributions, options);
  for (const c of out) {
    for (const a of axes) {
      try {
        k.resolve({ [a.name]: c[a.name] });
      } catch (e) {
        if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
        throw new UsageError(`--grid: ${JSON.stringify(a.part)} draws ${String(c[a.name])}: ${e.message}`);
      }
    }
  }
  return out;
}

function parseAxes(grid: string, kind: string, ranges: boolean): Axis[] {
  const names = gridNames(kind);
  const k = KINDS[kind]!;
  const parts = grid.split(";").map((s) => s.trim());
  if (parts.every((p) => p === "")) throw new UsageError("--grid is empty: give name=v1,v2;name2=v3");
  const axes: Axis[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) throw new UsageError(`--grid: ${JSON.stringify(part)} has no "=" (expected name=v1,v2)`);
    const name = part.slice(0, eq).trim();
    if (!names.includes(name)) {
      throw new UsageError(
        `--grid: ${JSON.stringify(part)}: ${kind} has no parameter ${JSON.stringify(name)} (it has ${
          names.join(", ")
        })`,
      );
    }
    if (axes.some((a) => a.name === name)) {
      throw new UsageError(`--grid: ${JSON.stringify(name)} is given twice`);
    }
    const text = part.slice(eq + 1).trim();
    const range = RANGE.exec(text);
    if (range !== null) {
      if (!ranges) {
        throw new UsageError(
          `--grid: ${JSON.stringify(part)} is a range: ranges need --random N (a random search)`,
        );
      }
      const lo = Number(range[2]), hi = Number(range[3]);
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) {
        throw new UsageError(
          `--grid: ${JSON.stringify(part)}: a range needs finite numbers lo..hi with lo ≤ hi`,
        );
      }
      const ends = [lo, hi] as const;
      const d: Distribution = range[1] === "int:"
        ? { int: ends }
        : range[1] === "log:"
        ? { logUniform: ends }
        : { uniform: ends };
      if ("int" in d && !(Number.isInteger(lo) && Number.isInteger(hi))) {
        throw new UsageError(`--grid: ${JSON.stringify(part)}: an int: range needs integer ends`);
      }
      if ("logUniform" in d && !(lo > 0)) {
        throw new UsageError(`--grid: ${JSON.stringify(part)}: a log: range needs lo > 0`);
      }
      axes.push({ name, part, range: d });
      continue;
    }
    const texts = text.split(",").map((s) => s.trim());
    if (texts.some((t) => t === "")) {
      throw new UsageError(`--grid: ${JSON.stringify(part)} has an empty value (expected name=v1,v2)`);
    }
    const values = texts.map(value);
    for (const v of values) {
      try {
        k.resolve({ [name]: v });
      } catch (e) {
        if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
        throw new UsageError(`--grid: ${JSON.stringify(part)}: ${e.message}`);
      }
    }
    axes.push({ name, part, values });
  }
  return axes;
}

/** The candidates of `grid` for `kind` (the last parameter varying fastest). */
export function parseGrid(grid: string, kind: string): Record<string, unknown>[] {
  const axes = parseAxes(grid, kind, false) as { name: string; values: unknown[] }[];
  let out: Record<string, unknown>[] = [{}];
  for (const a of axes) out = out.flatMap((c) => a.values.map((v) => ({ ...c, [a.name]: v })));
  if (out.length > 1000) throw new UsageError(`--grid has ${out.length} candidates; at most 1000`);
  return out;
}
