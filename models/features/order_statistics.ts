/**
 * Exact order statistics on the cluster: the value of rank `k` (1-based, ascending) of a number
 * column, per stratum, without collecting rows. Each round is one aggregation job:
 *
 * 1. per stratum: row count, count of −∞ and +∞, min and max of the finite values;
 * 2. while a rank's interval holds more than `exactLimit` rows: a histogram of `buckets` equal
 *    width buckets over the interval (count, min, max per bucket), and the rank moves into the
 *    bucket holding it (whose real min and max become the new interval);
 * 3. the value counts inside each small interval, walked in order to the rank.
 *
 * Intervals of one stratum are always disjoint or equal, so every row falls into at most one and
 * one job serves every rank of every stratum. A bucket holding a single value ends the search at
 * once, so heavy ties cost nothing. Uniform data (hashes) needs one histogram round per factor of
 * `buckets` rows above `exactLimit`; any data ends after at most {@linkcode MAX_REFINE_ROUNDS}
 * histogram rounds (then it counts values whatever their number). Nulls and NaN are ignored.
 *
 * @module
 */
import type { Scalar } from "../../cluster/columnar/batch.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import {
  col,
  type Column,
  count,
  greatest,
  least,
  lit,
  max,
  min,
  when,
  type WhenColumn,
} from "../../cluster/expr/column.ts";
import { doubleLit } from "./stages/stage.ts";

/** Histogram rounds before the search counts values regardless of how many there are. */
export const MAX_REFINE_ROUNDS = 8;
/** Intervals searched by one job (their CASE chain stays well within an expression's 10,000 nodes). */
export const MAX_INTERVALS_PER_JOB = 400;

/** Options of {@linkcode selectRanks}. */
export interface SelectRanksOptions {
  /** The stratum of each row (e.g. the label); one stratum when absent. */
  readonly by?: Column;
  /** The 1-based ranks wanted in a stratum of `count` values (each in `[1, count]`). */
  readonly ranks: (stratum: Scalar, count: number) => readonly number[];
  /** An interval with at most this many rows is resolved by counting its values. @default {4096} */
  readonly exactLimit?: number;
  /** Buckets per histogram round. @default {1024} */
  readonly buckets?: number;
  /** Cancels the jobs. */
  readonly signal?: AbortSignal | undefined;
}

/** The values at the requested ranks of one stratum. */
export interface StratumRanks {
  /** The stratum value (null for rows whose stratum column is null). */
  readonly stratum: Scalar;
  /** Non-missing values in the stratum. */
  readonly count: number;
  /** The ranks asked for, 1-based. */
  readonly ranks: readonly number[];
  /** `values[i]` is the value of rank `ranks[i]`. */
  readonly values: readonly number[];
}

interface Target {
  readonly rank: number;
  lo: number;
  hi: number;
  /** Values below `lo` in the stratum. */
  below: number;
  /** Values in `[lo, hi]`. */
  inside: number;
  value: number | undefined;
}

interface Stratum {
  readonly key: Scalar;
  readonly targets: Target[];
}

/** A search interval shared by the targets of one stratum that sit in it. */
interface Interval {
  readonly id: number;
  readonly stratum: Stratum;
  readonly lo: number;
  readonly hi: number;
  readonly targets: Target[];
}

const S = "__s", V = "__v", ID = "__id", B = "__b", N = "__n";

/** The values at the requested ranks of `value`, per stratum (strata without values are absent). */
export async function selectRanks(
  dataset: Dataset,
  value: Column,
  options: SelectRanksOptions,
): Promise<StratumRanks[]> {
  const exactLimit = options.exactLimit ?? 4096, buckets = options.buckets ?? 1024;
  const signal = options.signal;
  const v = value.cast("double");
  const base = dataset.select((options.by ?? lit(0)).alias(S), v.alias(V)).filter(col(V).eq(col(V)));
  const vc = col(V);
  const first = await base.groupBy(S).agg(
    count().alias(N),
    count(when(vc.eq(doubleLit(-Infinity)), 1)).alias("__neg"),
    count(when(vc.eq(doubleLit(Infinity)), 1)).alias("__pos"),
    min(when(vc.gt(doubleLit(-Infinity)).and(vc.lt(doubleLit(Infinity))), vc)).alias("__min"),
    max(when(vc.gt(doubleLit(-Infinity)).and(vc.lt(doubleLit(Infinity))), vc)).alias("__max"),
  ).collect({ signal });
  const strata: Stratum[] = [];
  const results: StratumRanks[] = [];
  for (const row of first) {
    const n = Number(row[N]), neg = Number(row["__neg"]), pos = Number(row["__pos"]);
    const key = row[S] ?? null;
    const ranks = options.ranks(key, n);
    const stratum: Stratum = { key, targets: [] };
    for (const rank of ranks) {
      if (!(Number.isInteger(rank) && rank >= 1 && rank <= n)) {
        throw new RangeError(`Rank ${rank} is outside [1, ${n}] in stratum ${JSON.stringify(key)}`);
      }
      const lo = Number(row["__min"]), hi = Number(row["__max"]);
      const t: Target = { rank, lo, hi, below: neg, inside: n - neg - pos, value: undefined };
      if (rank <= neg) t.value = -Infinity;
      else if (rank > n - pos) t.value = Infinity;
      else if (lo === hi) t.value = lo;
      stratum.targets.push(t);
    }
    strata.push(stratum);
    results.push({ stratum: key, count: n, ranks, values: [] });
  }
  for (let round = 0;; round++) {
    const open = strata.flatMap((s) => s.targets.filter((t) => t.value === undefined).map((t) => ({ s, t })));
    if (open.length === 0) break;
    const exact = round >= MAX_REFINE_ROUNDS;
    const small = intervals(open.filter(({ t }) => exact || t.inside <= exactLimit));
    const large = intervals(open.filter(({ t }) => !exact && t.inside > exactLimit));
    for (let i = 0; i < large.length; i += MAX_INTERVALS_PER_JOB) {
      await refine(base, large.slice(i, i + MAX_INTERVALS_PER_JOB), buckets, signal);
    }
    for (let i = 0; i < small.length; i += MAX_INTERVALS_PER_JOB) {
      await resolve(base, small.slice(i, i + MAX_INTERVALS_PER_JOB), signal);
    }
  }
  return results.map((r, i) => ({ ...r, values: strata[i]!.targets.map((t) => t.value!) }));
}

function intervals(open: readonly { s: Stratum; t: Target }[]): Interval[] {
  const byKey = new Map<string, Interval>();
  for (const { s, t } of open) {
    const key = `${JSON.stringify(s.key)}|${t.lo}|${t.hi}`;
    let iv = byKey.get(key);
    if (iv === undefined) {
      iv = { id: byKey.size, stratum: s, lo: t.lo, hi: t.hi, targets: [] };
      byKey.set(key, iv);
    }
    iv.targets.push(t);
  }
  return [...byKey.values()];
}

/** The id of the interval a row falls in (null when none). */
function intervalId(list: readonly Interval[]): Column {
  const cond = (iv: Interval) => {
    const s = iv.stratum.key === null ? col(S).isNull() : col(S).eq(lit(iv.stratum.key));
    return s.and(col(V).ge(doubleLit(iv.lo))).and(col(V).le(doubleLit(iv.hi)));
  };
  let chain: WhenColumn = when(cond(list[0]!), lit(list[0]!.id));
  for (const iv of list.slice(1)) chain = chain.when(cond(iv), lit(iv.id));
  return chain;
}

/** One histogram round: moves every target of `list` into the bucket that holds its rank. */
async function refine(base: Dataset, list: readonly Interval[], buckets: number, signal?: AbortSignal) {
  const id = col(ID);
  let bucket: WhenColumn | undefined;
  for (const iv of list) {
    const scale = buckets / (iv.hi / 2 - iv.lo / 2);
    const b = greatest(
      least(col(V).div(2).minus(doubleLit(iv.lo / 2)).times(doubleLit(scale)).floor(), buckets - 1),
      0,
    );
    bucket = bucket === undefined ? when(id.eq(iv.id), b) : bucket.when(id.eq(iv.id), b);
  }
  const rows = await base.withColumn(ID, intervalId(list)).filter(id.isNotNull()).withColumn(B, bucket!)
    .groupBy(ID, B).agg(count().alias(N), min(V).alias("__min"), max(V).alias("__max"))
    .collect({ signal });
  const at = new Map(list.map((iv, k) => [iv.id, k]));
  const hist = list.map(() => [] as { b: number; n: number; min: number; max: number }[]);
  for (const r of rows) {
    hist[at.get(Number(r[ID]))!]!.push({
      b: Number(r[B]),
      n: Number(r[N]),
      min: Number(r["__min"]),
      max: Number(r["__max"]),
    });
  }
  list.forEach((iv, k) => {
    const h = hist[k]!.sort((a, c) => a.b - c.b);
    for (const t of iv.targets) {
      let cum = t.below;
      for (const x of h) {
        if (cum + x.n >= t.rank) {
          t.lo = x.min;
          t.hi = x.max;
          t.below = cum;
          t.inside = x.n;
          if (x.min === x.max) t.value = x.min;
          break;
        }
        cum += x.n;
      }
    }
  });
}

/** Counts the values inside each interval of `list` and walks them to every target's rank. */
async function resolve(base: Dataset, list: readonly Interval[], signal?: AbortSignal) {
  const id = col(ID);
  const rows = await base.withColumn(ID, intervalId(list)).filter(id.isNotNull())
    .groupBy(ID, V).agg(count().alias(N)).collect({ signal });
  const at = new Map(list.map((iv, k) => [iv.id, k]));
  const values = list.map(() => [] as { v: number; n: number }[]);
  for (const r of rows) values[at.get(Number(r[ID]))!]!.push({ v: Number(r[V]), n: Number(r[N]) });
  list.forEach((iv, k) => {
    const vs = values[k]!.sort((a, c) => a.v - c.v);
    for (const t of iv.targets) {
      let cum = t.below;
      for (const x of vs) {
        cum += x.n;
        if (cum >= t.rank) {
          t.value = x.v;
          break;
        }
      }
    }
  });
}

/**
 * The values at the requested ranks of each of `columns` (numbers), all in the same jobs: the
 * columns are stacked into one `(column number, value)` dataset and searched as strata.
 * `undefined` for a column without values.
 */
export async function selectColumnRanks(
  dataset: Dataset,
  columns: readonly Column[],
  options: { ranks: (count: number) => readonly number[]; signal?: AbortSignal | undefined },
): Promise<(StratumRanks | undefined)[]> {
  if (columns.length === 0) return [];
  const parts = columns.map((c, j) => dataset.select(lit(j).alias("__col"), c.cast("double").alias("__x")));
  const stacked = parts.length === 1 ? parts[0]! : parts[0]!.union(...parts.slice(1));
  const found = await selectRanks(stacked, col("__x"), {
    by: col("__col"),
    ranks: (_, n) => options.ranks(n),
    signal: options.signal,
  });
  const out: (StratumRanks | undefined)[] = columns.map(() => undefined);
  for (const r of found) out[Number(r.stratum)] = r;
  return out;
}
