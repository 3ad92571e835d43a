/**
 * Turns EDA results into report sections: tables (written as CSV/JSON too) and vega-lite chart
 * specs (rendered to SVG+PNG by `eda_report.ts`), each chart with its provenance stamp. Pure: no
 * I/O, no cluster.
 *
 * @module
 */
import type { ChartStamp } from "../report/chart.ts";
import {
  correlationHeatmapSpec,
  distributionSpec,
  partitionTimingsSpec,
  rateBySegmentSpec,
  trendSpec,
} from "../report/chart_specs.ts";
import { escapeHtml, formatNumber, type ReportCell } from "../report/html_report.ts";
import type { ChartPlan, SectionPlan, TablePlan } from "../report/report_plan.ts";
import type { DatasetEda } from "./analyze.ts";
import type { ExperimentsReport } from "./experiments.ts";
import type { SegmentStat } from "../../models/stat/segment_rates.ts";
import { SUMMARY_HEADERS, summaryRows } from "../../models/stat/summary_stats.ts";

export type { ChartPlan, SectionPlan, TablePlan } from "../report/report_plan.ts";

/** A safe identifier (file names, section ids) from free text. */
export function slug(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return /^[a-z]/.test(s) ? s : `x-${s}`;
}

function segmentTable(
  rows: readonly SegmentStat[],
  what: { file: string; caption: string; label?: string; value?: string },
): TablePlan {
  const columns = ["segment", "rows"];
  if (what.label) columns.push(what.label, "rate");
  if (what.value) columns.push(`sum ${what.value}`, `mean ${what.value}`);
  return {
    file: what.file,
    caption: what.caption,
    columns,
    rows: rows.map((r) => {
      const out: ReportCell[] = [r.segment, r.count];
      if (what.label) out.push(r.positives, r.rate);
      if (what.value) out.push(r.sum, r.mean);
      return out;
    }),
  };
}

interface RateChartOptions {
  file: string;
  title: string;
  segmentTitle: string;
  rateTitle: string;
  stamp: ChartStamp;
  /** What the bars show. @default {"rate"} */
  metric?: "rate" | "mean" | "count";
}

function rateChart(rows: readonly SegmentStat[], options: RateChartOptions): ChartPlan {
  const { file, title } = options;
  const metric = options.metric ?? "rate";
  const data = rows.slice(0, 40).map((r) => ({
    segment: r.segment,
    rate: (metric === "mean" ? r.mean : metric === "count" ? r.count : r.rate) ?? 0,
    count: r.count,
  }));
  const wide = data.length > 8;
  return {
    file,
    title,
    stamp: options.stamp,
    spec: rateBySegmentSpec(data, {
      title,
      segmentTitle: options.segmentTitle,
      rateTitle: options.rateTitle,
      percent: metric === "rate",
      width: wide ? Math.min(900, 60 * data.length) : 480,
    }),
  };
}

function monthStart(segment: string): string {
  return /^\d{4}-\d{2}$/.test(segment) ? `${segment}-01T00:00:00Z` : `${segment}T00:00:00Z`;
}

/** The sections of one dataset: summary, distributions, rates/breakdowns, trends, correlations. */
export function datasetSections(d: DatasetEda, versions: Record<string, string>): SectionPlan[] {
  const stamp: ChartStamp = {
    dataRange: `${d.name}: ${d.dataRange}`,
    seed: d.seed ?? "none (observed data)",
    versions,
  };
  const base = slug(d.name);
  const sections: SectionPlan[] = [];
  sections.push({
    id: `${base}-summary`,
    title: `${d.name}: summary statistics`,
    html: `<p>${escapeHtml(d.source)} — ${formatNumber(d.rows)} rows, ${d.summary.columns.length} columns, ` +
      `${escapeHtml(d.dataRange)}. All statistics come from one aggregation job over every column; ` +
      `quantiles are approximate (1% relative error)${
        d.summary.columns[0]?.distinctApprox ? ", distinct counts marked ~ are HyperLogLog estimates" : ""
      }.</p>`,
    tables: [{
      file: `${base}_summary`,
      caption: `${d.name}: every column`,
      columns: [...SUMMARY_HEADERS],
      rows: summaryRows(d.summary),
    }],
    charts: [],
  });
  if (d.histograms.length > 0) {
    sections.push({
      id: `${base}-distributions`,
      title: `${d.name}: distributions`,
      html: "<p>Counts pre-binned in the cluster over the 1st–99th percentile range; values beyond it are " +
        "counted in the first and last bins. Heavily right-skewed positive columns are binned on log10.</p>",
      tables: [],
      charts: d.histograms.map((h) => ({
        file: `${base}_hist_${slug(h.column)}`,
        title: `${d.name}: ${h.column}`,
        stamp,
        spec: distributionSpec(h.bins, {
          title: `Distribution of ${h.column}${h.scale === "log10" ? " (log scale)" : ""}`,
          valueTitle: h.scale === "log10" ? `log10(${h.column})` : h.column,
        }),
      })),
    });
  }
  if (d.bank) {
    const b = d.bank;
    const label = { label: "subscribed" };
    sections.push({
      id: `${base}-rates`,
      title: `${d.name}: subscription rate by segment`,
      html: `<p>Overall: ${formatNumber(b.overall.positives ?? 0)} of ${formatNumber(b.overall.count)} ` +
        `contacts subscribed (${((b.overall.rate ?? 0) * 100).toFixed(2)}%). Each bar is labelled with its ` +
        "number of contacts.</p>",
      tables: b.breakdowns.map((r) =>
        segmentTable(r.rows, {
          file: `${base}_rate_by_${slug(r.dimension)}`,
          caption: `Subscription rate by ${r.dimension}`,
          ...label,
        })
      ),
      charts: b.breakdowns.map((r) =>
        rateChart(r.rows, {
          file: `${base}_rate_by_${slug(r.dimension)}`,
          title: `${d.name}: subscription rate by ${r.dimension}`,
          segmentTitle: r.dimension,
          rateTitle: "Subscription rate",
          stamp,
        })
      ),
    });
    if (b.overTime.length > 0) {
      sections.push({
        id: `${base}-trend`,
        title: `${d.name}: subscription rate over time`,
        html:
          "<p>By calendar month of the derived contact date (the files hold no year; it is derived from " +
          "the month roll-over in row order).</p>",
        tables: [
          segmentTable(b.overTime, {
            file: `${base}_rate_by_contact_month`,
            caption: "Subscription rate by contact month",
            ...label,
          }),
        ],
        charts: [{
          file: `${base}_trend_rate`,
          title: `${d.name}: monthly subscription rate`,
          stamp,
          spec: trendSpec(b.overTime.map((p) => ({ time: monthStart(p.segment), value: p.rate ?? 0 })), {
            title: "Subscription rate by contact month",
            valueTitle: "Subscription rate",
            timeTitle: "Contact month",
          }),
        }, {
          file: `${base}_trend_contacts`,
          title: `${d.name}: contacts per month`,
          stamp,
          spec: trendSpec(b.overTime.map((p) => ({ time: monthStart(p.segment), value: p.count })), {
            title: "Contacts per month",
            valueTitle: "Contacts",
            timeTitle: "Contact month",
          }),
        }],
      });
    }
  }
  if (d.transactions) {
    const t = d.transactions;
    const what = { label: "fraud", value: "amount" };
    sections.push({
      id: `${base}-segments`,
      title: `${d.name}: volume, amount and fraud rate by segment`,
      html: `<p>Overall: ${formatNumber(t.overall.count)} transactions, total amount ` +
        `${formatNumber(Math.round(t.overall.sum ?? 0))}, fraud rate ${
          ((t.overall.rate ?? 0) * 100).toFixed(3)
        }%.</p>`,
      tables: t.breakdowns.map((r) =>
        segmentTable(r.rows, {
          file: `${base}_by_${slug(r.dimension)}`,
          caption: `Transactions by ${r.dimension}`,
          ...what,
        })
      ),
      charts: t.breakdowns.flatMap((r) => [
        rateChart(r.rows, {
          file: `${base}_fraud_by_${slug(r.dimension)}`,
          title: `${d.name}: fraud rate by ${r.dimension}`,
          segmentTitle: r.dimension,
          rateTitle: "Fraud rate",
          stamp,
        }),
        rateChart(r.rows, {
          file: `${base}_amount_by_${slug(r.dimension)}`,
          title: `${d.name}: mean amount by ${r.dimension}`,
          segmentTitle: r.dimension,
          rateTitle: "Mean amount",
          stamp,
          metric: "mean",
        }),
        ...(r.dimension === "hour of day" || r.dimension === "day of week"
          ? [
            rateChart(r.rows, {
              file: `${base}_volume_by_${slug(r.dimension)}`,
              title: `${d.name}: volume by ${r.dimension}`,
              segmentTitle: r.dimension,
              rateTitle: "Transactions",
              stamp,
              metric: "count",
            }),
          ]
          : []),
      ]),
    });
    sections.push({
      id: `${base}-trend`,
      title: `${d.name}: daily volume and fraud rate`,
      tables: [
        segmentTable(t.daily, { file: `${base}_daily`, caption: "Transactions per day (UTC)", ...what }),
      ],
      charts: [{
        file: `${base}_trend_volume`,
        title: `${d.name}: transactions per day`,
        stamp,
        spec: trendSpec(t.daily.map((p) => ({ time: monthStart(p.segment), value: p.count })), {
          title: "Transactions per day",
          valueTitle: "Transactions",
        }),
      }, {
        file: `${base}_trend_fraud`,
        title: `${d.name}: daily fraud rate`,
        stamp,
        spec: trendSpec(t.daily.map((p) => ({ time: monthStart(p.segment), value: p.rate ?? 0 })), {
          title: "Fraud rate per day",
          valueTitle: "Fraud rate",
        }),
      }],
    });
  }
  if (d.correlations) {
    const c = d.correlations;
    const cells = c.columns.flatMap((a, i) =>
      c.columns.flatMap((b, j) => {
        const v = c.matrix[i]![j];
        return v === null || v === undefined ? [] : [{ row: a, col: b, value: v }];
      })
    );
    sections.push({
      id: `${base}-correlations`,
      title: `${d.name}: correlations`,
      html:
        "<p>Pearson r between numeric columns (bools as 0/1), from centered sums in one aggregation job; " +
        "pairs use the rows where both values are present.</p>",
      tables: [{
        file: `${base}_correlations`,
        caption: "Correlation matrix",
        columns: ["", ...c.columns],
        rows: c.columns.map((
          a,
          i,
        ) => [a, ...c.matrix[i]!.map((v) => v === null ? null : Math.round(v * 1000) / 1000)]),
      }],
      charts: cells.length === 0 ? [] : [{
        file: `${base}_correlation_heatmap`,
        title: `${d.name}: correlation heatmap`,
        stamp,
        spec: correlationHeatmapSpec(cells, { title: "Correlation (Pearson r)" }),
      }],
    });
  }
  return sections;
}

/** The experiments section: context, one table and plan list per experiment, timing charts. */
export function experimentSections(e: ExperimentsReport, versions: Record<string, string>): SectionPlan[] {
  const m = e.machine;
  const stamp: ChartStamp = { dataRange: `${e.data.label}, ${formatNumber(e.data.rows)} rows`, versions };
  const context: TablePlan = {
    file: "experiments_context",
    caption: "What was measured, on which data and machine",
    columns: ["item", "value"],
    rows: [
      ["data", e.data.label],
      ["rows", e.data.rows],
      ["input bytes", e.data.bytes],
      ["executors", e.data.executors],
      ["runs per variant (median shown)", e.data.repeats],
      ["cores (nproc)", m.nproc],
      ["memory", `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
      ["cpu", m.cpu],
      ["os", m.os],
      ["deno", m.deno],
      ["v8", m.v8],
    ],
  };
  const sections: SectionPlan[] = [{
    id: "experiments",
    title: "Experiments: setup",
    html: "<p>Wall time measured around each action with <code>performance.now()</code>; every variant run " +
      `${e.data.repeats} times in interleaved rounds, the median reported with min and max.</p>`,
    tables: [context],
    charts: [],
  }];
  for (const x of e.experiments) {
    const plans = x.plans.map((p) =>
      `<h3>${escapeHtml(p.variant)}</h3><pre class="plan">${escapeHtml(p.explain)}</pre>`
    ).join("\n");
    sections.push({
      id: `experiment-${x.id}`,
      title: `Experiment: ${x.title}`,
      html: `<p>${
        escapeHtml(x.method)
      }</p><details open><summary>Plans (explain)</summary>${plans}</details>`,
      tables: [{
        file: `experiment_${x.id}`,
        caption: x.title,
        columns: ["variant", "partitions", "median ms", "min ms", "max ms", "rows", "jobs", "runs (ms)"],
        rows: x.rows.map((r) => [
          r.variant,
          r.partitions,
          Math.round(r.ms * 10) / 10,
          Math.round(r.minMs * 10) / 10,
          Math.round(r.maxMs * 10) / 10,
          r.rows,
          r.jobs,
          r.runs.map((ms) => ms.toFixed(0)).join(", "),
        ]),
      }],
      charts: [{
        file: `experiment_${x.id}`,
        title: `${x.title}: median wall time`,
        stamp,
        spec: partitionTimingsSpec(
          x.rows.map((r) => ({
            partitions: x.id === "partitions" ? r.partitions : r.variant,
            variant: x.id === "partitions" ? "groupBy + agg" : r.variant,
            ms: r.ms,
          })),
          {
            title: `${x.title}: median of ${e.data.repeats} runs`,
            partitionsTitle: x.id === "partitions" ? "Partitions" : "Variant",
            width: 360,
          },
        ),
      }],
    });
  }
  return sections;
}
