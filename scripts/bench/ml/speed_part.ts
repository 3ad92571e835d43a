/**
 * The speed part of the ML benchmark: the generated 1M-row data (`speed_data.ts`), then for each
 * model family every engine in its own measured child process — Frontier, scikit-learn or
 * LightGBM, Spark — and the ratios and targets of `speed_report.ts`.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { describeError } from "../harness.ts";
import { type EngineFit, type ModelKind, readScores } from "./engine_result.ts";
import { runFrontierChild } from "./frontier_child.ts";
import type { PartContext } from "./part_context.ts";
import { PEER_ENV, type PeerRun, runPeer } from "./peers.ts";
import { type EngineSettings, formatSettings, speedSettings } from "./settings.ts";
import { prepareSpeedData, type SpeedData } from "./speed_data.ts";
import { speedReport, type SpeedRun } from "./speed_report.ts";

/** What the speed part measured. */
export interface SpeedOutcome {
  data: SpeedData;
  settings: EngineSettings;
  report: ReturnType<typeof speedReport>;
  children: Record<string, Json>;
}

const PEERS: Record<ModelKind, { sklearn: string; spark: string }> = {
  gbt: { sklearn: "lightgbm", spark: "spark-gbt" },
  rf: { sklearn: "sklearn-rf", spark: "spark-rf" },
  lr: { sklearn: "sklearn-lr", spark: "spark-lr" },
};

/** Runs the speed part on `rows` training rows. */
export async function runSpeedPart(
  ctx: PartContext,
  sizes: { rows: number; testRows: number; seed: number; regenerate: boolean; models?: readonly ModelKind[] },
): Promise<SpeedOutcome> {
  const { log } = ctx;
  const settings = speedSettings(ctx.quick);
  log(
    `\n== ML speed: ${sizes.rows} rows × 20 numeric features, ${ctx.threads} executors vs ${ctx.threads} threads ==`,
  );
  const data = await prepareSpeedData({ dir: `${ctx.dir}/speed`, ...sizes });
  log(
    `  data ${data.dir} (seed ${data.seed}, ${data.positives} positives, ${data.testRows} test rows${
      data.reused ? ", reused" : ""
    })`,
  );
  log("  settings (pinned):");
  for (const line of formatSettings(settings)) log(`    ${line}`);
  log(`    peer processes: ${Object.entries(PEER_ENV).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  const jobData = { dir: data.dir, rows: data.rows, testRows: data.testRows, features: data.features };
  const outDir = `${ctx.dir}/speed-scores`;
  const runs: SpeedRun[] = [];
  const children: Record<string, Json> = {};
  const take = async (name: string, run: () => Promise<PeerRun>) => {
    try {
      const r = await run();
      const fit: EngineFit = r.results[0]!;
      runs.push({
        engine: fit.engine,
        model: fit.model,
        fitSeconds: fit.fitSeconds,
        loadSeconds: fit.loadSeconds,
        processMs: r.wallMs,
        peakRssMb: r.peakRssMb,
        scores: await readScores(fit.scores, data.testRows),
        extra: { ...fit.extra, processCpuSeconds: r.cpuSeconds ?? null, loadAvg: r.loadAvg },
      });
      children[name] = {
        versions: r.versions,
        wallMs: r.wallMs,
        peakRssMb: r.peakRssMb,
        cpuSeconds: r.cpuSeconds ?? null,
        loadAvg: r.loadAvg,
        command: r.command,
      };
      log(
        `  ${fit.engine.padEnd(13)} training ${fit.fitSeconds.toFixed(2).padStart(7)} s  process ${
          (r.wallMs / 1000).toFixed(1).padStart(6)
        } s  cpu ${r.cpuSeconds === undefined ? "?" : r.cpuSeconds.toFixed(1)} s  peak RSS ${
          r.peakRssMb.toFixed(0).padStart(5)
        } MiB  load ${r.loadAvg.start?.split(" ")[0] ?? "?"} → ${r.loadAvg.end?.split(" ")[0] ?? "?"}`,
      );
    } catch (e) {
      ctx.skip(`speed/${name}`, describeError(e));
      if (name.startsWith("frontier")) ctx.failures.push(`speed/${name}: ${describeError(e)}`);
    }
  };
  for (const model of sizes.models ?? (["gbt", "rf", "lr"] as const)) {
    const job = (engine: string) => ({
      data: jobData,
      model,
      params: settings[engine]!,
      outDir,
      executors: ctx.threads,
      threads: ctx.threads,
      driverMemory: "6g",
    });
    await take(`frontier-${model}`, () =>
      runFrontierChild("speed", job(`frontier-${model}`), {
        jobPath: `${ctx.dir}/job-speed-frontier-${model}.json`,
        signal: ctx.signal,
      }));
    const peers = PEERS[model];
    if (ctx.python === undefined) {
      ctx.skip(`speed/${peers.sklearn}`, ctx.pythonMissing ?? "no python");
      continue;
    }
    const python = ctx.python;
    await take(peers.sklearn, () =>
      runPeer("sklearn", { mode: "speed", job: job(peers.sklearn) }, {
        python,
        jobPath: `${ctx.dir}/job-speed-${peers.sklearn}.json`,
        signal: ctx.signal,
      }));
    if (ctx.sparkMissing !== undefined) ctx.skip(`speed/${peers.spark}`, ctx.sparkMissing);
    else {
      await take(peers.spark, () =>
        runPeer("spark", { mode: "speed", job: job(peers.spark) }, {
          python,
          jobPath: `${ctx.dir}/job-speed-${peers.spark}.json`,
          signal: ctx.signal,
        }));
    }
  }
  const labels = await Deno.readFile(`${data.dir}/test.u8`);
  const report = speedReport(runs, labels);
  log("");
  for (const line of report.lines) log(`  ${line}`);
  return { data, settings, report, children };
}
