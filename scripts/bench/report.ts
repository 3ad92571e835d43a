/**
 * Benchmark figures: write them as JSON ({@linkcode writeBenchReport}) and print a table with ratios
 * against a baseline engine ({@linkcode printRatios}), e.g. `frontier/spark` = Frontier's wall time
 * divided by Spark's (below 1 means Frontier is faster).
 *
 * @module
 */

import type { Json } from "../../actors/errors.ts";
import type { EngineRun } from "./job10m/job_10m.ts";

/** One measured figure: a suite (workload) run by one engine. */
export interface BenchFigure {
  suite: string;
  engine: string;
  wallMs: number;
  peakRssMb: number;
  /** Anything else worth keeping (startup time, settings, versions). */
  extra?: Record<string, Json>;
}

/** A figure with its ratios against the baseline engine of its suite. */
export interface RatioRow {
  suite: string;
  engine: string;
  wallMs: number;
  peakRssMb: number;
  /** baseline wallMs / this wallMs; `undefined` when the suite has no baseline figure. */
  timeRatio?: number;
  /** baseline peakRssMb / this peakRssMb; `undefined` without a baseline figure or when either RSS is 0 (unmeasured). */
  rssRatio?: number;
}

/** Options of {@linkcode ratioRows}, {@linkcode formatRatios} and {@linkcode printRatios}. */
export interface RatioOptions {
  /** Engine the others are compared with, e.g. `"frontier"`. */
  baseline: string;
}

/** The JSON document written by {@linkcode writeBenchReport}. */
export interface BenchReport {
  version: 1;
  meta: Record<string, Json>;
  figures: BenchFigure[];
}

/** Turns an engine run of the shared job into a figure (startup, process time and settings go to `extra`). */
export function engineRunToFigure(suite: string, run: EngineRun): BenchFigure {
  const extra: Record<string, Json> = {};
  if (run.startupMs !== undefined) extra["startupMs"] = run.startupMs;
  if (run.processMs !== undefined) extra["processMs"] = run.processMs;
  if (run.runsMs !== undefined) extra["runsMs"] = [...run.runsMs];
  if (run.config !== undefined) extra["config"] = { ...run.config };
  return { suite, engine: run.engine, wallMs: run.wallMs, peakRssMb: run.peakRssMb, extra };
}

/**
 * Writes figures as pretty JSON (`{ version, meta, figures }`), creating the parent directory.
 * Put the data range, seed and versions in `meta`.
 */
export async function writeBenchReport(
  path: string,
  figures: readonly BenchFigure[],
  options: { meta?: Record<string, Json> } = {},
): Promise<void> {
  for (const f of figures) validateFigure(f);
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
  const report: BenchReport = { version: 1, meta: options.meta ?? {}, figures: [...figures] };
  await Deno.writeTextFile(path, `${JSON.stringify(report, undefined, 2)}\n`);
}

/** Figures grouped by suite (in first-seen order) with ratios against the baseline engine. */
export function ratioRows(figures: readonly BenchFigure[], options: RatioOptions): RatioRow[] {
  for (const f of figures) validateFigure(f);
  const suites = [...new Set(figures.map((f) => f.suite))];
  const out: RatioRow[] = [];
  for (const suite of suites) {
    const inSuite = figures.filter((f) => f.suite === suite);
    const base = inSuite.find((f) => f.engine === options.baseline);
    const ordered = base ? [base, ...inSuite.filter((f) => f !== base)] : inSuite;
    for (const f of ordered) {
      const row: RatioRow = { suite, engine: f.engine, wallMs: f.wallMs, peakRssMb: f.peakRssMb };
      if (base) {
        row.timeRatio = base.wallMs / f.wallMs;
        if (base.peakRssMb > 0 && f.peakRssMb > 0) row.rssRatio = base.peakRssMb / f.peakRssMb;
      }
      out.push(row);
    }
  }
  return out;
}

/**
 * A plain-text table, one block per suite:
 *
 * ```
 * suite job_10m (baseline frontier)
 *   engine      wall ms  peak RSS MiB  frontier/engine time  frontier/engine RSS
 *   frontier     1200.0         410.0                 1.00x                1.00x
 *   spark        6000.0        1500.0                 0.20x                0.27x
 * ```
 */
export function formatRatios(figures: readonly BenchFigure[], options: RatioOptions): string {
  const rows = ratioRows(figures, options);
  const b = options.baseline;
  const header = ["engine", "wall ms", "peak RSS MiB", `${b}/engine time`, `${b}/engine RSS`];
  const lines: string[] = [];
  for (const suite of [...new Set(rows.map((r) => r.suite))]) {
    const cells = rows.filter((r) => r.suite === suite).map((r) => [
      r.engine,
      r.wallMs.toFixed(1),
      r.peakRssMb.toFixed(1),
      r.timeRatio === undefined ? "-" : `${r.timeRatio.toFixed(2)}x`,
      r.rssRatio === undefined ? "-" : `${r.rssRatio.toFixed(2)}x`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const fmt = (c: readonly string[]) =>
      "  " + c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
    const hasBase = rows.some((r) => r.suite === suite && r.engine === b);
    lines.push(`suite ${suite} (${hasBase ? `baseline ${b}` : `no ${b} figure: no ratios`})`);
    lines.push(fmt(header));
    for (const c of cells) lines.push(fmt(c));
  }
  return lines.join("\n");
}

/** Prints {@linkcode formatRatios} (to `console.log` unless `log` is given) and returns the text. */
export function printRatios(
  figures: readonly BenchFigure[],
  options: RatioOptions & { log?: (text: string) => void },
): string {
  const text = formatRatios(figures, options);
  (options.log ?? console.log)(text);
  return text;
}

function validateFigure(f: BenchFigure): void {
  if (!(Number.isFinite(f.wallMs) && f.wallMs > 0) || !(Number.isFinite(f.peakRssMb) && f.peakRssMb >= 0)) {
    throw new RangeError(
      `Cannot report figure "${f.suite}/${f.engine}": wallMs must be > 0 and peakRssMb >= 0, ` +
        `got ${f.wallMs} and ${f.peakRssMb}`,
    );
  }
}
