/**
 * Frontier's engine children in the ML benchmark (`frontier_quality.ts`, `frontier_speed.ts`):
 * the job file they read, the versions they report, and how the bench runs one as a measured
 * child process that prints the same result line as the Python peers (`engine_result.ts`).
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { denoChildArgs, readLoadAvg, runJsonChild } from "../harness.ts";
import { decodeEngineResult } from "./engine_result.ts";
import type { PeerRun } from "./peers.ts";

/** Reads a job file as a JSON object; a `TypeError` when it is missing or not an object. */
export async function readJob(path: string | undefined): Promise<Record<string, unknown>> {
  if (path === undefined) throw new TypeError("--job FILE is required");
  const value: unknown = JSON.parse(await Deno.readTextFile(path));
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${path} does not hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The runtime versions Frontier's result lines carry. */
export function frontierVersions(): Record<string, Json> {
  return { deno: Deno.version.deno, v8: Deno.version.v8, typescript: Deno.version.typescript };
}

/** The Frontier children. */
export const FRONTIER_CHILDREN = {
  quality: new URL("./frontier_quality.ts", import.meta.url),
  speed: new URL("./frontier_speed.ts", import.meta.url),
} as const;

/** Runs a Frontier child on `job` (written to `jobPath`) as a measured process. */
export async function runFrontierChild(
  which: keyof typeof FRONTIER_CHILDREN,
  job: Record<string, Json>,
  options: { jobPath: string; signal?: AbortSignal | undefined },
): Promise<PeerRun> {
  await Deno.writeTextFile(options.jobPath, JSON.stringify(job));
  const args = denoChildArgs(FRONTIER_CHILDREN[which], ["--job", options.jobPath]);
  const what = `Frontier ${which} child`;
  const loadAtStart = await readLoadAvg();
  const { run, line } = await runJsonChild(Deno.execPath(), args, { what, signal: options.signal });
  return {
    ...decodeEngineResult(line, what),
    wallMs: run.wallMs,
    peakRssMb: run.peakRssMb,
    ...(run.cpuSeconds === undefined ? {} : { cpuSeconds: run.cpuSeconds }),
    loadAvg: { start: loadAtStart ?? null, end: (await readLoadAvg()) ?? null },
    command: `deno ${args.join(" ")}`,
  };
}
