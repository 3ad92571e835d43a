/**
 * Independent answers for the evaluation tests: DuckDB SQL over the same rows (loaded through the
 * appender, so every double arrives bit for bit), a brute-force O(n²) pairwise ROC-AUC in plain
 * TypeScript, and seeded random data with ties.
 *
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";

/** Labeled scores with weights (all 1 when the case is unweighted). */
export interface Rows {
  readonly labels: Float64Array;
  readonly scores: Float64Array;
  readonly weights: Float64Array;
  /** Whether the weights are part of the case (otherwise they are all 1 and not passed). */
  readonly weighted: boolean;
}

/** How {@linkcode randomRows} draws. */
export interface RandomRowsOptions {
  n: number;
  seed: number;
  /** Scores are rounded to multiples of 1/grid (ties); `undefined`: continuous. */
  grid?: number | undefined;
  /** Weight draw: none (all 1), two-decimal in [0, 4), or from a small set that includes 0. */
  weights?: "none" | "decimal" | "with-zeros";
  /** P(y = 1) = base + slope · score. @default {0.2, 0.6} */
  base?: number;
  slope?: number;
}

/** Seeded rows whose labels depend on the score (so AUC is well above 0.5). */
export function randomRows(options: RandomRowsOptions): Rows {
  const { n, seed, grid, weights = "none", base = 0.2, slope = 0.6 } = options;
  const rng = new CounterRandom(seed, 7);
  const labels = new Float64Array(n), scores = new Float64Array(n), w = new Float64Array(n);
  const set = [0, 0.5, 1, 1.25, 3];
  for (let i = 0; i < n; i++) {
    rng.at(i);
    const u = rng.float(0);
    const s = grid === undefined ? u : Math.round(u * grid) / grid;
    scores[i] = s;
    labels[i] = rng.float(1) < base + slope * s ? 1 : 0;
    w[i] = weights === "none"
      ? 1
      : weights === "decimal"
      ? Math.round(rng.float(2) * 400) / 100
      : set[rng.below(3, set.length)]!;
  }
  return { labels, scores, weights: w, weighted: weights !== "none" };
}

/** The rows as the input of `summarizeScores`. */
export function asInput(rows: Rows): { labels: Float64Array; scores: Float64Array; weights?: Float64Array } {
  return rows.weighted
    ? { labels: rows.labels, scores: rows.scores, weights: rows.weights }
    : { labels: rows.labels, scores: rows.scores };
}

/** ROC-AUC by comparing every positive with every negative (ties count one half). */
export function bruteForceAuc(rows: Rows): number {
  const { labels, scores, weights } = rows;
  let num = 0, P = 0, N = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) P += weights[i]!;
    else N += weights[i]!;
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1 || weights[i] === 0) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      const c = scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      num += weights[i]! * weights[j]! * c;
    }
  }
  return num / (P * N);
}

/** Runs `fn` with a connection to a fresh in-memory DuckDB holding `rows` as table `t(y, p, w)`. */
export async function withDuck<T>(
  rows: Rows,
  fn: (query: (sql: string) => Promise<Record<string, number | null>[]>) => Promise<T>,
): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const connection = await instance.connect();
    try {
      await connection.run("SET threads=1");
      await connection.run("CREATE TABLE t (y INTEGER, p DOUBLE, w DOUBLE)");
      const appender = await connection.createAppender("t");
      for (let i = 0; i < rows.labels.length; i++) {
        appender.appendInteger(rows.labels[i]!);
        appender.appendDouble(rows.scores[i]!);
        appender.appendDouble(rows.weights[i]!);
        appender.endRow();
      }
      appender.closeSync();
      // Zero-weight rows change no metric: the oracle drops them, as the summary does.
      await connection.run("DELETE FROM t WHERE w = 0");
      const query = async (sql: string) => {
        const out = (await connection.runAndReadAll(sql)).getRowObjectsJS();
        return out.map((r) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k, v === null ? null : Number(v)]),
          )
        );
      };
      return await fn(query);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** What DuckDB says about `rows`. */
export interface OracleAnswer {
  /** Mann–Whitney from average ranks (unweighted) or the pairwise self-join (weighted). */
  auc: number | null;
  ap: number | null;
  logLoss: number;
  brier: number;
  weight: number;
  positives: number;
  /** Confusion counts per requested threshold (score ≥ threshold is positive). */
  confusion: { threshold: number; tp: number; fp: number; tn: number; fn: number }[];
  /** Best F1 over thresholds at the distinct scores, ties to the highest threshold. */
  bestF1: { threshold: number; f1: number } | undefined;
  /** Least cost `cfn·fn + cfp·fp` over the distinct scores and "nothing positive" (threshold Infinity). */
  minCost: { threshold: number; cost: number };
}

/** Asks DuckDB (see {@linkcode OracleAnswer}). */
export function oracle(
  rows: Rows,
  options: { thresholds: readonly number[]; eps: number; costs: { fn: number; fp: number } },
): Promise<OracleAnswer> {
  const eps = `CAST('${options.eps}' AS DOUBLE)`;
  return withDuck(rows, async (q) => {
    const one = async (sql: string) => (await q(sql))[0]!;
    const totals = await one(
      `SELECT sum(w) AS weight, sum(w * y) AS positives, count(*) AS n, sum(y) AS npos FROM t`,
    );
    const W = totals["weight"] ?? 0, P = totals["positives"] ?? 0;
    const aucSql = rows.weighted
      ? `SELECT sum(a.w * b.w * CASE WHEN a.p > b.p THEN 1.0 WHEN a.p = b.p THEN 0.5 ELSE 0.0 END)
           / (SELECT sum(w * y) * sum(w * (1 - y)) FROM t) AS auc
         FROM t a JOIN t b ON a.y = 1 AND b.y = 0`
      : `WITH r AS (SELECT y, rank() OVER (ORDER BY p) AS rk, count(*) OVER (PARTITION BY p) AS c FROM t),
           s AS (SELECT sum(y) AS np, count(*) - sum(y) AS nn FROM t)
         SELECT (sum(CASE WHEN y = 1 THEN rk + (c - 1) / 2.0 END) - any_value(np) * (any_value(np) + 1) / 2.0)
           / (any_value(np) * any_value(nn)) AS auc FROM r, s`;
    const auc = (await one(aucSql))["auc"] ?? null;
    const groups = `g AS (SELECT p, sum(w * y) AS pos, sum(w * (1 - y)) AS neg FROM t GROUP BY p),
      c AS (SELECT p, pos, sum(pos) OVER (ORDER BY p DESC) AS tp, sum(neg) OVER (ORDER BY p DESC) AS fp FROM g)`;
    const ap = (await one(
      `WITH ${groups} SELECT sum(CASE WHEN pos > 0 THEN pos * tp / (tp + fp) END) / ${P} AS ap FROM c`,
    ))["ap"] ?? null;
    const clipped = `greatest(least(p, 1 - ${eps}), ${eps})`;
    const probs = await one(`SELECT
        sum(w * -ln(CASE WHEN y = 1 THEN ${clipped} ELSE 1 - ${clipped} END)) / sum(w) AS ll,
        sum(w * (p - y) * (p - y)) / sum(w) AS brier FROM t`);
    const confusion = [];
    for (const t of options.thresholds) {
      const r = await one(`SELECT
          coalesce(sum(w) FILTER (WHERE y = 1 AND p >= CAST('${t}' AS DOUBLE)), 0) AS tp,
          coalesce(sum(w) FILTER (WHERE y = 0 AND p >= CAST('${t}' AS DOUBLE)), 0) AS fp,
          coalesce(sum(w) FILTER (WHERE y = 0 AND p < CAST('${t}' AS DOUBLE)), 0) AS tn,
          coalesce(sum(w) FILTER (WHERE y = 1 AND p < CAST('${t}' AS DOUBLE)), 0) AS fn FROM t`);
      confusion.push({ threshold: t, tp: r["tp"]!, fp: r["fp"]!, tn: r["tn"]!, fn: r["fn"]! });
    }
    const f1 = P > 0
      ? await one(`WITH ${groups}
          SELECT p AS threshold, 2 * tp / (tp + fp + ${P}) AS f1 FROM c ORDER BY f1 DESC, p DESC LIMIT 1`)
      : undefined;
    const { fn: cfn, fp: cfp } = options.costs;
    const cost = await one(`WITH ${groups},
        k AS (SELECT p, ${cfn} * (${P} - tp) + ${cfp} * fp AS cost FROM c
              UNION ALL SELECT CAST('inf' AS DOUBLE), ${cfn} * ${P})
        SELECT p AS threshold, cost FROM k ORDER BY cost, p DESC LIMIT 1`);
    return {
      auc,
      ap,
      logLoss: probs["ll"]!,
      brier: probs["brier"]!,
      weight: W,
      positives: P,
      confusion,
      bestF1: f1 === undefined ? undefined : { threshold: f1["threshold"]!, f1: f1["f1"]! },
      minCost: { threshold: cost["threshold"]!, cost: cost["cost"]! },
    };
  });
}

/** Positive weight among the `m` highest scores (the rows must have no ties and unit weights). */
export function topPositives(rows: Rows, m: number): Promise<number> {
  return withDuck(rows, async (q) => {
    const [r] = await q(`SELECT sum(y) AS s FROM (SELECT y FROM t ORDER BY p DESC LIMIT ${m})`);
    return r!["s"] ?? 0;
  });
}
