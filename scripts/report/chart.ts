/**
 * Renders a vega-lite chart to SVG (vega, headless, no network) and to PNG (resvg, with explicit
 * font files so the pixels do not depend on the machine's font set). Every chart is stamped with
 * the data range, the seed and the versions that produced it.
 *
 * The PNG path loads resvg's native binary through Node-API, so Deno needs `--allow-ffi`
 * (plus `--allow-read` for the font files).
 *
 * @module
 */
import * as vl from "vega-lite";
import * as vega from "vega";
import { Resvg } from "@resvg/resvg-js";

/** The font family every chart is laid out and rasterised with. */
export const CHART_FONT_FAMILY = "DejaVu Sans";

/** DejaVu Sans as installed by Debian's `fonts-dejavu-core` (see `scripts/setup/chromium.sh`). */
export const DEFAULT_FONT_FILES: readonly string[] = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
];

/** What produced a chart: printed under its title. */
export interface ChartStamp {
  /** The data the chart covers, e.g. `"2024-01-01 → 2024-03-31, 1,000,000 rows"`. */
  dataRange: string;
  /** The seed of any randomness that shaped the data (sampling, splits, training). */
  seed?: string | number;
  /** Versions, e.g. `{ frontier: "0.1.0" }`; vega-lite's and vega's are added automatically. */
  versions: Record<string, string>;
}

/** Options of {@linkcode renderChart}. */
export interface RenderChartOptions {
  /** Provenance printed on the chart. */
  stamp: ChartStamp;
  /** PNG pixels per SVG pixel. @default {2} */
  scale?: number;
  /** Font files given to resvg; system fonts are never loaded. @default {DEFAULT_FONT_FILES} */
  fontFiles?: readonly string[];
}

/** A rendered chart. */
export interface RenderedChart {
  /** Standalone SVG document text. */
  svg: string;
  /** PNG bytes, `scale` times the SVG's size. */
  png: Uint8Array;
  /** Warnings from vega-lite and vega (e.g. a dropped encoding); empty for a clean spec. */
  warnings: string[];
}

/** Width and height from a PNG's IHDR chunk. */
export interface PngSize {
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_SCALE = 8;

/**
 * Compiles `spec` with vega-lite, renders it headless with vega, and rasterises the SVG with resvg.
 * Data must be inline (`data: { values }`): the vega loader refuses every URL and file.
 *
 * @example
 * ```ts ignore
 * import { renderChart } from "./chart.ts";
 * const { svg, png } = await renderChart(
 *   { data: { values: [{ k: "a", n: 3 }] }, mark: "bar", encoding: { x: { field: "k" }, y: { field: "n", type: "quantitative" } } },
 *   { stamp: { dataRange: "toy", seed: 1, versions: { frontier: "0.1.0" } } },
 * );
 * ```
 */
export async function renderChart(
  spec: vl.TopLevelSpec,
  options: RenderChartOptions,
): Promise<RenderedChart> {
  const scale = options.scale ?? 2;
  if (!Number.isFinite(scale) || scale <= 0 || scale > MAX_SCALE) {
    throw new RangeError(`Cannot render chart: scale must be in (0, ${MAX_SCALE}], got ${scale}`);
  }
  const fontFiles = [...(options.fontFiles ?? DEFAULT_FONT_FILES)];
  await assertFontFiles(fontFiles);
  const sink: LogSink = { errors: [], warnings: [] };
  const svg = await renderSvg(stampSpec(spec, options.stamp), sink);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: {
      loadSystemFonts: false,
      fontFiles,
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
  });
  const png = resvg.render().asPng();
  const bytes = new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
  return { svg, png: bytes, warnings: sink.warnings };
}

/** The stamp as text lines: data range and seed first, versions second. */
export function stampLines(stamp: ChartStamp): string[] {
  const versions = { ...stamp.versions, "vega-lite": vl.version, vega: vega.version };
  const first = [`data: ${stamp.dataRange}`];
  if (stamp.seed !== undefined) first.push(`seed: ${stamp.seed}`);
  const second = Object.entries(versions).map(([name, version]) => `${name} ${version}`);
  return [first.join(" · "), second.join(" · ")];
}

/**
 * Reads width and height from a PNG's IHDR chunk.
 * @throws {TypeError} when `png` does not start with the PNG signature and an IHDR chunk.
 */
export function readPngSize(png: Uint8Array): PngSize {
  const isPng = png.length >= 24 && PNG_SIGNATURE.every((byte, i) => png[i] === byte);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const ihdr = isPng ? String.fromCharCode(...png.subarray(12, 16)) : "";
  if (ihdr !== "IHDR") throw new TypeError("Cannot read PNG size: bytes are not a PNG with an IHDR chunk");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Adds the stamp as the title's subtitle and pins the font, leaving the caller's spec untouched. */
function stampSpec(spec: vl.TopLevelSpec, stamp: ChartStamp): vl.TopLevelSpec {
  const lines = stampLines(stamp);
  const title = spec.title;
  const base = title === undefined
    ? { text: "" }
    : typeof title === "string" || Array.isArray(title)
    ? { text: title }
    : title;
  const existing = base.subtitle === undefined
    ? []
    : Array.isArray(base.subtitle)
    ? base.subtitle
    : [base.subtitle];
  const stamped = {
    ...spec,
    title: {
      anchor: "start" as const,
      ...base,
      subtitle: [...existing, ...lines],
      subtitleColor: "#555555",
      subtitleFontSize: 10,
    },
    config: { font: CHART_FONT_FAMILY, ...spec.config },
  };
  return stamped as vl.TopLevelSpec;
}

interface LogSink {
  errors: string[];
  warnings: string[];
}

async function renderSvg(spec: vl.TopLevelSpec, sink: LogSink): Promise<string> {
  const compiled = vl.compile(spec, { logger: collectingLogger(sink) }).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: "none",
    loader: offlineLoader(sink),
    logLevel: vega.Warn,
    logger: collectingLogger(sink),
  });
  try {
    const svg = await view.toSVG();
    if (sink.errors.length > 0) {
      throw new TypeError(`Cannot render chart: ${sink.errors.join("; ")}`);
    }
    return svg;
  } finally {
    view.finalize();
  }
}

/** A loader that refuses everything, and records the refusal so the render fails loudly. */
function offlineLoader(sink: LogSink): vega.Loader {
  const refuse = (what: string) => {
    const message = `cannot load "${what}": charts render offline, pass data inline as values`;
    sink.errors.push(message);
    return Promise.reject(new TypeError(message));
  };
  return {
    load: (uri) => refuse(uri),
    sanitize: (uri) => refuse(uri),
    http: (uri) => refuse(uri),
    file: (filename) => refuse(filename),
  };
}

/** A vega logger that keeps messages instead of printing them (tests stay quiet). */
function collectingLogger(sink: LogSink): vega.LoggerInterface {
  let level = vega.Warn;
  const text = (args: readonly unknown[]) => args.map(String).join(" ");
  const logger: vega.LoggerInterface = {
    level(next?: number) {
      if (next === undefined) return level;
      level = next;
      return logger;
    },
    error(...args: unknown[]) {
      sink.errors.push(text(args));
      return logger;
    },
    warn(...args: unknown[]) {
      if (level >= vega.Warn) sink.warnings.push(text(args));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

async function assertFontFiles(files: readonly string[]): Promise<void> {
  if (files.length === 0) throw new TypeError("Cannot render chart: fontFiles is empty");
  for (const file of files) {
    try {
      await Deno.stat(file);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new Deno.errors.NotFound(
        `Cannot render chart text: font file "${file}" is missing; run scripts/setup/chromium.sh ` +
          `(installs fonts-dejavu-core)`,
        { cause: error },
      );
    }
  }
}
