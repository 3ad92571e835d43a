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
import { renderChart } from "../report/chart.ts";
import { buildReport, formatNumber, type ReportCell, type ReportSection } from "../report/html_report.ts";
import type { DatasetEda, IngestFigures } from "./analyze.ts";
import type { ExperimentsReport } from "./experiments.ts";
import { datasetSections, experimentSections, type SectionPlan, type TablePlan } from "./report_sections.ts";

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

function csvCell(v: ReportCell): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A table as CSV text (header line, then rows; empty cells for null). */
export function tableToCsv(
  table: { columns: readonly string[]; rows: readonly (readonly ReportCell[])[] },
): string {
  return [table.columns, ...table.rows].map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
}

function tableToJson(table: TablePlan): string {
  const rows = table.rows.map((r) =>
    Object.fromEntries(
      table.columns.map((c, i) => [c || "column", typeof r[i] === "bigint" ? String(r[i]) : r[i] ?? null]),
    )
  );
  return JSON.stringify({ caption: table.caption, columns: table.columns, rows }, null, 1);
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
  await Deno.mkdir(`${out}/tables`, { recursive: true });
  await Deno.mkdir(`${out}/charts`, { recursive: true });
  const versions = stampVersions();
  const plans: SectionPlan[] = [overviewSection(datasets, options.ingest ?? [])];
  for (const d of datasets) plans.push(...datasetSections(d, versions));
  if (options.experiments) plans.push(...experimentSections(options.experiments, versions));

  const tables: string[] = [];
  const charts: string[] = [];
  const sections: ReportSection[] = [];
  const png = options.png ?? true;
  for (const plan of plans) {
    options.log?.(`report: ${plan.title}`);
    for (const t of plan.tables) {
      await Deno.writeTextFile(`${out}/tables/${t.file}.csv`, tableToCsv(t));
      await Deno.writeTextFile(`${out}/tables/${t.file}.json`, tableToJson(t));
      tables.push(`${out}/tables/${t.file}.csv`);
    }
    const rendered = [];
    for (const c of plan.charts) {
      const r = await renderChart(c.spec, { stamp: c.stamp });
      await Deno.writeTextFile(`${out}/charts/${c.file}.svg`, r.svg);
      if (png) await Deno.writeFile(`${out}/charts/${c.file}.png`, r.png);
      charts.push(`${out}/charts/${c.file}.svg`);
      rendered.push({ title: c.title, svg: r.svg, ...(png ? { png: r.png } : {}) });
    }
    sections.push({
      id: plan.id,
      title: plan.title,
      ...(plan.html === undefined ? {} : { html: plan.html }),
      tables: plan.tables.map((t) => ({ caption: t.caption, columns: t.columns, rows: t.rows })),
      charts: rendered,
    });
  }
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
