/**
 * A self-contained HTML report: inline CSS, charts inlined as `<svg>` or `data:` PNG, no external
 * URL anywhere (a Content-Security-Policy meta tag makes the browser enforce it), a table of
 * contents, formatted numbers, and all text HTML-escaped.
 *
 * A tiny inline script records, once the page has loaded, how many images decoded
 * (`<body data-images-ok="N/M">`) and how many inline SVG charts have a size (`data-svgs-ok`),
 * so a headless browser can assert the charts rendered.
 *
 * @module
 */
import { readPngSize } from "./chart.ts";

/** A table cell; numbers are formatted, `null`/`undefined` print as an em dash. */
export type ReportCell = string | number | bigint | boolean | null | undefined;

/** A table in a section. */
export interface ReportTable {
  caption: string;
  columns: readonly string[];
  rows: readonly (readonly ReportCell[])[];
}

/** A chart in a section: the PNG is shown when given (pixel-identical everywhere), else the SVG. */
export interface ReportChart {
  title: string;
  svg: string;
  png?: Uint8Array;
  /** Alternative text for the PNG. @default {title} */
  alt?: string;
}

/** One section of the report. */
export interface ReportSection {
  /** Anchor id: a letter, then letters, digits, `-` or `_`. Unique within the report. */
  id: string;
  title: string;
  /** Trusted HTML inserted as is; it must not reference external URLs. */
  html?: string;
  tables?: readonly ReportTable[];
  charts?: readonly ReportChart[];
}

/** Input of {@linkcode buildReport}. */
export interface ReportInput {
  title: string;
  subtitle?: string;
  sections: readonly ReportSection[];
  /** Provenance shown under the title (data range, seed, versions, generated at, …). */
  meta?: Readonly<Record<string, string | number>>;
}

const SECTION_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
const EXTERNAL_REF = /\b(?:src|href|xlink:href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\//i;
const EXTERNAL_CSS = /(?:url\(\s*["']?\s*(?:https?:)?\/\/|@import)/i;
const INTEGER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const DECIMAL = new Intl.NumberFormat("en-US", { maximumFractionDigits: 3 });
const SMALL = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });

/** Escapes `& < > " '` for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Formats a number for people: integers with thousands separators (`1,234,567`), others with at
 * most three decimals (`3.142`) or three significant digits below 1 (`0.000123`).
 */
export function formatNumber(value: number | bigint): string {
  if (typeof value === "bigint") return INTEGER.format(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "∞" : "−∞";
  if (Number.isInteger(value)) return INTEGER.format(value);
  return Math.abs(value) < 1 ? SMALL.format(value) : DECIMAL.format(value);
}

/**
 * Builds the report page.
 * @throws {TypeError} for a bad or duplicate section id, a row whose width differs from its
 * columns, or HTML/SVG that references an external URL.
 */
export function buildReport(input: ReportInput): string {
  const ids = new Set<string>();
  for (const section of input.sections) {
    if (!SECTION_ID.test(section.id)) {
      throw new TypeError(`Cannot build report: section id "${section.id}" must match ${SECTION_ID}`);
    }
    if (ids.has(section.id)) {
      throw new TypeError(`Cannot build report: section id "${section.id}" is repeated`);
    }
    ids.add(section.id);
  }
  const toc = input.sections
    .map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`)
    .join("\n");
  const body = input.sections.map((s, i) => renderSection(s, i)).join("\n");
  const subtitle = input.subtitle === undefined
    ? ""
    : `<p class="subtitle">${escapeHtml(input.subtitle)}</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(input.title)}</h1>
${subtitle}
${renderMeta(input.meta ?? {})}
</header>
<nav aria-label="Contents"><h2>Contents</h2><ol>
${toc}
</ol></nav>
<main>
${body}
</main>
<script>${RENDER_CHECK}</script>
</body>
</html>
`;
}

function renderMeta(meta: Readonly<Record<string, string | number>>): string {
  const entries = Object.entries(meta);
  if (entries.length === 0) return "";
  const items = entries.map(([key, value]) =>
    `<div><dt>${escapeHtml(key)}</dt><dd>${
      escapeHtml(typeof value === "number" ? formatNumber(value) : value)
    }</dd></div>`
  );
  return `<dl class="meta">${items.join("")}</dl>`;
}

function renderSection(section: ReportSection, index: number): string {
  const parts = [`<section id="${section.id}">`, `<h2>${escapeHtml(section.title)}</h2>`];
  if (section.html !== undefined) {
    assertSelfContained(section.html, `section "${section.id}" html`);
    parts.push(`<div class="prose">${section.html}</div>`);
  }
  for (const table of section.tables ?? []) parts.push(renderTable(table, section.id));
  for (const [j, chart] of (section.charts ?? []).entries()) {
    parts.push(
      renderChart(chart, { where: `section "${section.id}" chart ${j}`, prefix: `s${index}c${j}-` }),
    );
  }
  parts.push("</section>");
  return parts.join("\n");
}

function renderTable(table: ReportTable, sectionId: string): string {
  const numeric = table.columns.map((_, c) =>
    table.rows.some((row) => isNumber(row[c])) &&
    table.rows.every((row) => isNumber(row[c]) || row[c] === null || row[c] === undefined)
  );
  const head = table.columns
    .map((c, i) => `<th scope="col"${numeric[i] ? ` class="num"` : ""}>${escapeHtml(c)}</th>`)
    .join("");
  const rows = table.rows.map((row, r) => {
    if (row.length !== table.columns.length) {
      throw new TypeError(
        `Cannot build report: table "${table.caption}" in section "${sectionId}" row ${r} has ` +
          `${row.length} cells for ${table.columns.length} columns`,
      );
    }
    return `<tr>${row.map(renderCell).join("")}</tr>`;
  });
  return `<div class="table-wrap"><table>
<caption>${escapeHtml(table.caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table></div>`;
}

function isNumber(cell: ReportCell): boolean {
  return typeof cell === "number" || typeof cell === "bigint";
}

function renderCell(cell: ReportCell): string {
  if (cell === null || cell === undefined) return `<td class="empty">—</td>`;
  if (typeof cell === "number" || typeof cell === "bigint") {
    return `<td class="num">${formatNumber(cell)}</td>`;
  }
  return `<td>${escapeHtml(String(cell))}</td>`;
}

function renderChart(chart: ReportChart, options: { where: string; prefix: string }): string {
  const caption = `<figcaption>${escapeHtml(chart.title)}</figcaption>`;
  if (chart.png !== undefined) {
    const { width, height } = pngDisplaySize(chart.png, chart.svg);
    const src = `data:image/png;base64,${toBase64(chart.png)}`;
    const alt = escapeHtml(chart.alt ?? chart.title);
    return `<figure class="chart"><img src="${src}" alt="${alt}" width="${width}" height="${height}">${caption}</figure>`;
  }
  assertSelfContained(chart.svg, options.where);
  return `<figure class="chart">${scopeSvgIds(stripProlog(chart.svg), options.prefix)}${caption}</figure>`;
}

/** Shows a PNG at the SVG's CSS size (the PNG is usually rendered at 2x for sharp text). */
function pngDisplaySize(png: Uint8Array, svg: string): { width: number; height: number } {
  const size = readPngSize(png);
  const width = Number(/<svg\b[^>]*?\swidth="([\d.]+)"/.exec(svg)?.[1]);
  if (!Number.isFinite(width) || width <= 0) return size;
  return { width: Math.round(width), height: Math.round(size.height * width / size.width) };
}

/** Inline SVGs share one id space; vega names its clip paths `clip1`, … in every chart. */
function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/\bhref="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}

function stripProlog(svg: string): string {
  return svg.replace(/^\s*<\?xml[^>]*\?>\s*/, "").replace(/^\s*<!DOCTYPE[^>]*>\s*/i, "");
}

function assertSelfContained(markup: string, where: string): void {
  if (EXTERNAL_REF.test(markup) || EXTERNAL_CSS.test(markup)) {
    throw new TypeError(
      `Cannot build report: ${where} references an external URL; reports must be self-contained`,
    );
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

const RENDER_CHECK = `addEventListener("load", () => {
  const imgs = Array.from(document.images);
  const okImgs = imgs.filter((img) => img.complete && img.naturalWidth > 0).length;
  const svgs = Array.from(document.querySelectorAll("figure.chart > svg"));
  const okSvgs = svgs.filter((svg) => { const r = svg.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length;
  document.body.dataset.imagesOk = okImgs + "/" + imgs.length;
  document.body.dataset.svgsOk = okSvgs + "/" + svgs.length;
});`;

const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --accent: #2f5f8f; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1120px; padding: 32px 40px 64px; color: var(--ink); background: #fff;
  font: 16px/1.55 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { border-bottom: 2px solid var(--rule); padding-bottom: 16px; margin-bottom: 24px; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 4px; }
h2 { font-size: 1.35rem; margin: 0 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
.subtitle { color: var(--muted); margin: 0 0 12px; font-size: 1.05rem; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0; font-size: 0.85rem; color: var(--muted); }
.meta div { display: flex; gap: 6px; }
.meta dt { font-weight: 600; }
.meta dt::after { content: ":"; }
.meta dd { margin: 0; font-variant-numeric: tabular-nums; }
nav { background: #f6f8fa; border: 1px solid var(--rule); border-radius: 6px; padding: 12px 20px; margin-bottom: 32px; }
nav h2 { font-size: 1rem; border: 0; margin: 0 0 4px; padding: 0; }
nav ol { margin: 0; padding-left: 20px; }
a { color: var(--accent); }
section { margin-bottom: 40px; }
.prose { max-width: 72ch; }
.table-wrap { overflow-x: auto; margin: 16px 0; }
table { border-collapse: collapse; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 6px; }
th, td { padding: 6px 12px; border-bottom: 1px solid var(--rule); text-align: left; }
th { background: #f6f8fa; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.empty { color: var(--muted); text-align: center; }
tbody tr:nth-child(even) { background: #fafbfc; }
figure.chart { margin: 20px 0; }
figure.chart > svg, figure.chart > img { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 6px; }
`;
