/**
 * Report sections before rendering, and the step that renders them: every table written as CSV
 * and JSON, every chart rendered (vega-lite → vega → resvg, stamped) and written as SVG and PNG,
 * and the {@linkcode ReportSection}s for `buildReport`. Shared by the EDA and training reports.
 *
 * ```
 * <outDir>/tables/<file>.csv, <file>.json
 * <outDir>/charts/<file>.svg, <file>.png
 * ```
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { type ChartStamp, renderChart } from "./chart.ts";
import type { ReportCell, ReportSection } from "./html_report.ts";

/** A table to show and to write as `<file>.csv` / `<file>.json`. */
export interface TablePlan {
  file: string;
  caption: string;
  columns: string[];
  rows: ReportCell[][];
}

/** A chart to render to `<file>.svg` / `<file>.png`. */
export interface ChartPlan {
  file: string;
  title: string;
  spec: TopLevelSpec;
  stamp: ChartStamp;
}

/** A report section before rendering. */
export interface SectionPlan {
  id: string;
  title: string;
  html?: string;
  tables: TablePlan[];
  charts: ChartPlan[];
}

/** Options of {@linkcode renderSectionPlans}. */
export interface RenderPlansOptions {
  /** Directory that receives `tables/` and `charts/`; created when missing. */
  outDir: string;
  /** Write PNGs beside the SVGs and show them in the page. @default {true} */
  png?: boolean;
  log?: (line: string) => void;
}

/** What {@linkcode renderSectionPlans} wrote and what the page shows. */
export interface RenderedPlans {
  sections: ReportSection[];
  /** Paths of the CSV tables written. */
  tables: string[];
  /** Paths of the SVG charts written (PNGs beside them when `png`). */
  charts: string[];
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

/** A table as JSON text: caption, columns, and one object per row keyed by column. */
export function tableToJson(table: TablePlan): string {
  const rows = table.rows.map((r) =>
    Object.fromEntries(
      table.columns.map((c, i) => [c || "column", typeof r[i] === "bigint" ? String(r[i]) : r[i] ?? null]),
    )
  );
  return JSON.stringify({ caption: table.caption, columns: table.columns, rows }, null, 1);
}

/** Writes every table and chart of `plans` under `options.outDir` and returns the page's sections. */
export async function renderSectionPlans(
  plans: readonly SectionPlan[],
  options: RenderPlansOptions,
): Promise<RenderedPlans> {
  const out = options.outDir.replace(/\/+$/, "");
  await Deno.mkdir(`${out}/tables`, { recursive: true });
  await Deno.mkdir(`${out}/charts`, { recursive: true });
  const png = options.png ?? true;
  const tables: string[] = [];
  const charts: string[] = [];
  const sections: ReportSection[] = [];
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
  return { sections, tables, charts };
}
