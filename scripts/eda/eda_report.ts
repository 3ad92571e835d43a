/**
 * Writes the EDA out: every table as CSV and JSON, every chart as SVG and PNG (vega-lite → vega →
 * resvg, stamped with data range, seed and versions), the whole result as `eda.json`, and a
 * self-contained `report.html` (tables, charts inlined, experiment plans) that needs no network.
 *
 * ```
 * <outDir>/report.html
 * <outDir>/eda.json
 * <outDir>/tables/<name>.csv, <name>.json
 * <outDir>/charts/<name>.svg, <name>.png
 * ```
 *
 * @module
 */
import { type Clock, systemClock } from "../../actors/clock.ts";
import { buildReport, formatNumber } from "../report/html_report.ts";
import { renderSectionPlans, type SectionPlan, type TablePlan } from "../report/report_plan.ts";
import type { DatasetEda, IngestFigures } from "./analyze.ts";
import type { ExperimentsReport } from "./experiments.ts";
import { datasetSections, experimentSections } from "./report_sections.ts";

export { tableToCsv } from "../report/report_plan.ts";

/** Frontier's version, stamped on charts. */
export const FRONTIER_VERSION = "0.1.0";

/** Options of {@linkcode writeEdaReport}. */
export interface EdaReportOptions {
  outDir: string;
  /** @default {"Frontier — Task 1 exploratory data analysis"} */
  title?: string;
  /** Extra provenance shown under the title. */
  meta?: Record<string, string | number>;
  /** More ingest results for the overview's ingest table (inputs that were not analysed). */
  ingest?: readonly IngestFigures[];
  /** Measured experiments to include. */
  experiments?: ExperimentsReport;
  /** Render PNGs beside the SVGs (and show them in the page). @default {true} */
  png?: boolean;
  clock?: Clock;
  log?: (line: string) => void;
}

/** What {@linkcode writeEdaReport} wrote. */
export interface EdaReportResult {
  reportPath: string;
  jsonPath: string;
  tables: string[];
  charts: string[];
  sections: string[];
  /** Wall time of rendering and writing, ms. */
  ms: number;
}

/** The versions stamped on every chart. */
export function stampVersions(): Record<string, string> {
  return { frontier: FRONTIER_VERSION, deno: Deno.version.deno };
}

function overviewSection(datasets: readonly DatasetEda[], extra: readonly IngestFigures[]): SectionPlan {
  const ingest = [...datasets.flatMap((d) => d.ingest ? [d.ingest] : []), ...extra];
  const tables: TablePlan[] = [{
    file: "datasets",
    caption: "Datasets analysed",
    columns: ["dataset", "kind", "rows", "columns", "coverage", "source", "analysis ms"],
    rows: datasets.map((d) => [
      d.name,
      d.kind,
      d.rows,
      d.summary.columns.length,
      d.dataRange,
      d.source,
      Math.round(Object.values(d.timings).reduce((a, b) => a + b, 0)),
    ]),
  }];
  if (ingest.length > 0) {
    tables.push({
      file: "ingest",
      caption: "Ingest: rows read = rows valid + rows quarantined",
      columns: [
        "file",
        "bytes",
        "partitions",
        "rows read",
        "rows valid",
        "rows quarantined",
        "reasons",
        "ms",
      ],
      rows: ingest.map((i) => {
        const reasons = Object.entries(i.reasons).map(([r, n]) => `${r}: ${n}`).join("; ");
        return [
          i.file,
          i.bytes,
          i.partitions,
          i.rows_read,
          i.rows_valid,
          i.rows_quarantined,
          reasons || "none",
          i.ms === undefined ? null : Math.round(i.ms),
        ];
      }),
    });
  }
  return {
    id: "overview",
    title: "Overview",
    html: "<p>Every number below was aggregated on the Frontier cluster; only small results came back to " +
      "the driver. Tables are also written as CSV and JSON, charts as SVG and PNG, beside this page; every " +
      "chart is stamped with the data range, seed and versions that produced it.</p>",
    tables,
    charts: [],
  };
}

/** Renders the charts, writes tables, charts, `eda.json` and `report.html` under `options.outDir`. */
export async function writeEdaReport(
  datasets: readonly DatasetEda[],
  options: EdaReportOptions,
): Promise<EdaReportResult> {
  const clock = options.clock ?? systemClock;
  const t0 = clock.monotonic();
  const out = options.outDir.replace(/\/+$/, "");
  const versions = stampVersions();
  const plans: SectionPlan[] = [overviewSection(datasets, options.ingest ?? [])];
  for (const d of datasets) plans.push(...datasetSections(d, versions));
  if (options.experiments) plans.push(...experimentSections(options.experiments, versions));

  const { sections, tables, charts } = await renderSectionPlans(plans, {
    outDir: out,
    png: options.png ?? true,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const machine = options.experiments?.machine;
  const html = buildReport({
    title: options.title ?? "Frontier — Task 1 exploratory data analysis",
    subtitle: datasets.map((d) => `${d.name} (${formatNumber(d.rows)} rows)`).join(" · "),
    meta: {
      ...Object.fromEntries(datasets.map((d) => [d.name, d.dataRange])),
      ...Object.fromEntries(
        datasets.filter((d) => d.seed !== undefined).map((d) => [`${d.name} seed`, d.seed!]),
      ),
      frontier: FRONTIER_VERSION,
      deno: Deno.version.deno,
      ...(machine
        ? { machine: `${machine.nproc} cores, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB` }
        : {}),
      ...options.meta,
    },
    sections,
  });
  const reportPath = `${out}/report.html`;
  await Deno.writeTextFile(reportPath, html);
  const jsonPath = `${out}/eda.json`;
  await Deno.writeTextFile(
    jsonPath,
    JSON.stringify({ datasets, experiments: options.experiments ?? null, meta: options.meta ?? {} }, null, 1),
  );
  return {
    reportPath,
    jsonPath,
    tables,
    charts,
    sections: sections.map((s) => s.id),
    ms: clock.monotonic() - t0,
  };
}
