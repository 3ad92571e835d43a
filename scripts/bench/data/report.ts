/**
 * The Task 1 data benchmark's verdicts and tables: the cross-check of every engine's result, the
 * ratio targets (Frontier ≤ 0.5× Spark, ≤ 3× DuckDB on ingest + EDA wall time) and the per-phase
 * table. (Verdicts and the machine description are the shared harness's, `../harness.ts`.)
 *
 * @module
 */

import type { TargetCheck } from "../harness.ts";
import { compareEdaResults, type EngineEdaRun } from "./eda_spec.ts";

const f0 = (ms: number) => ms.toFixed(0);

/**
 * Cross-checks every run: against the first run (counts exact, sums/means/std/min/max to 1e-9) and,
 * for quantiles, against DuckDB's exact quantiles when DuckDB ran (else against the first run).
 */
export function crossCheck(runs: readonly EngineEdaRun[]): string[] {
  const reference = runs[0];
  if (reference === undefined) return [];
  const exact = runs.find((r) => r.exactQuantiles !== undefined)?.exactQuantiles;
  const out: string[] = [];
  for (const run of runs) {
    const name = `${run.engine}/${run.input}`;
    const diffs = run === reference
      ? (exact === undefined ? [] : compareEdaResults(run.result, run.result, { exactQuantiles: exact }))
      : compareEdaResults(run.result, reference.result, exact === undefined ? {} : { exactQuantiles: exact });
    for (const d of diffs) out.push(`${name} vs ${reference.engine}/${reference.input}: ${d}`);
  }
  return out;
}

/** Frontier ≤ 0.5× Spark and ≤ 3× DuckDB on ingest + EDA wall time, per input and mode. */
export function dataTargets(runs: readonly EngineEdaRun[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const inputs = [...new Set(runs.map((r) => r.input))];
  for (const input of inputs) {
    const by = (engine: string) => runs.find((r) => r.engine === engine && r.input === input);
    for (const mode of ["embedded", "process"] as const) {
      const f = by(`frontier-${mode}`);
      for (const [other, limit] of [["spark", 0.5], ["duckdb", 3]] as const) {
        const o = by(other);
        const target = `${input} ingest+EDA: frontier-${mode} ≤ ${limit}× ${other}`;
        if (f === undefined || o === undefined) {
          out.push({
            target,
            met: undefined,
            detail: `not measured (${f ? other : `frontier-${mode}`} missing)`,
          });
          continue;
        }
        const ratio = f.wallMs / o.wallMs;
        out.push({
          target,
          met: ratio <= limit,
          detail: `${f0(f.wallMs)} ms / ${f0(o.wallMs)} ms = ${ratio.toFixed(2)}× (ingest ${
            (f.ingestMs / o.ingestMs).toFixed(2)
          }×, EDA ${(f.edaMs / o.edaMs).toFixed(2)}×)`,
        });
      }
    }
  }
  return out;
}

/** The phase table: per input, each engine's ingest, EDA, total, peak RSS and per-query times. */
export function formatPhases(runs: readonly EngineEdaRun[]): string {
  const lines: string[] = [];
  for (const input of [...new Set(runs.map((r) => r.input))]) {
    const inInput = runs.filter((r) => r.input === input);
    const queries = [...new Set(inInput.flatMap((r) => Object.keys(r.queriesMs)))];
    const header = ["engine", "startup", "ingest", "EDA", "ingest+EDA", "peak RSS MiB", ...queries];
    const cells = inInput.map((r) => [
      r.engine,
      f0(r.startupMs),
      f0(r.ingestMs),
      f0(r.edaMs),
      f0(r.wallMs),
      r.peakRssMb.toFixed(0),
      ...queries.map((q) => (r.queriesMs[q] === undefined ? "-" : f0(r.queriesMs[q]!))),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const fmt = (c: readonly string[]) =>
      "  " + c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
    lines.push(`${input} (milliseconds)`, fmt(header), ...cells.map(fmt));
  }
  return lines.join("\n");
}
