/**
 * `frontier stream status`: the metrics of a running or finished `frontier stream run`, read from
 * the metrics file the run rewrites every half second (`DIR/_metrics.json` for a directory output,
 * `--metrics FILE` otherwise).
 *
 * A run whose file says `running` but whose process is gone (killed, crashed) is reported as
 * `gone`, with the figures of its last write.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { StreamMetrics } from "../../streaming/stream_metrics.ts";
import { type CliIo, UsageError } from "./common.ts";

/** What the metrics file holds. */
export interface MetricsFile {
  /** The run: its pid, source, output, window, key, streams, model. */
  readonly info: Readonly<Record<string, unknown>> & { readonly pid: number };
  /** The last snapshot. */
  readonly metrics: StreamMetrics;
}

/** Writes the metrics file atomically (temporary file, then rename). */
export async function writeMetricsFile(
  path: string,
  info: MetricsFile["info"],
  metrics: StreamMetrics,
): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify({ info, metrics } satisfies MetricsFile));
  await Deno.rename(tmp, path);
}

/** Reads a metrics file, with a clear error when it is missing or not one. */
export async function readMetricsFile(path: string): Promise<MetricsFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UsageError(`no metrics at ${path}: is it the --out DIR (or --metrics FILE) of a stream run?`);
    }
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON`);
  }
  const p = parsed as Partial<MetricsFile>;
  if (
    typeof p !== "object" || p === null || typeof p.info?.pid !== "number" || typeof p.metrics !== "object" ||
    typeof p.metrics?.consumed !== "number"
  ) {
    throw new UsageError(`${path} is not a stream metrics file`);
  }
  return p as MetricsFile;
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Runs `frontier stream status`; resolves to the exit code. */
export async function statusCommand(
  values: Readonly<Record<string, string | boolean | undefined>>,
  io: CliIo,
): Promise<number> {
  const file = typeof values["metrics"] === "string"
    ? values["metrics"]
    : typeof values["out"] === "string" && !values["out"].startsWith("kafka://")
    ? join(values["out"], "_metrics.json")
    : undefined;
  if (file === undefined) throw new UsageError("status needs --out DIR (of the run) or --metrics FILE");
  const { info, metrics } = await readMetricsFile(file);
  const state = metrics.status === "running" && !(info.pid === Deno.pid || alive(info.pid))
    ? "gone"
    : metrics.status;
  const ageMs = io.clock.now() - metrics.updatedAt;
  if (values["json"]) {
    io.out(JSON.stringify({ state, ageMs, file, ...info, ...metrics }));
    return 0;
  }
  const m = metrics;
  io.out(
    [
      `${state} (pid ${info.pid}, updated ${(ageMs / 1000).toFixed(1)} s ago): ${info["source"]} → ${
        info["out"]
      }`,
      `consumed ${m.consumed} = aggregated ${m.aggregated} + late ${m.late} + duplicates ${m.duplicates} + ` +
      `quarantined ${m.quarantined} (${m.reconciled ? "reconciled" : "NOT reconciled"})`,
      `input ${m.inputRate.recent.toFixed(0)}/s now, ${m.inputRate.overall.toFixed(0)}/s overall; ` +
      `processing ${m.processingRate.toFixed(0)}/s; latency p50 ${m.latencyMs.p50.toFixed(0)} ms, ` +
      `p99 ${m.latencyMs.p99.toFixed(0)} ms`,
      `watermark lag ${m.watermarkLagMs ?? "-"} ms; state ${m.stateSize.openPanes} panes, ` +
      `${m.stateSize.rememberedIds} ids; outputs ${JSON.stringify(m.outputs)}`,
    ].join("\n"),
  );
  return 0;
}
