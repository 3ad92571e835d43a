/**
 * The cross-validation part of the ML benchmark (issue 9 §4): the same grid, the same folds and the
 * same data for Frontier `CrossValidator(foldCol, parallelism = 2)`, Spark MLlib
 * `CrossValidator(foldCol, parallelism = 2)` and scikit-learn `GridSearchCV(PredefinedSplit,
 * n_jobs = 2)` with LightGBM inside, each engine in its own measured child process, one after the
 * other.
 *
 * The data is written once (`cv_data.ts`, under `<dir>/cv/`): bank-additional-full without
 * `duration`, the training part of the out-of-time split, with a stratified seeded `fold` column
 * every engine reads. Settings: `cv_settings.ts`. Figures and targets: `cv_report.ts`.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { denoChildArgs, describeError, runJsonChild } from "../harness.ts";
import { prepareBankDataset } from "./bank_data.ts";
import { type CvManifest, writeCvDataset } from "./cv_data.ts";
import { type CvResultLine, decodeCvResult } from "./cv_result.ts";
import { type CvFigure, type CvReport, cvReport, FRONTIER_CV, SKLEARN_CV, SPARK_CV } from "./cv_report.ts";
import { type CvSettings, cvSettings, cvSettingsJson, gridPoints } from "./cv_settings.ts";
import type { PartContext } from "./part_context.ts";

const REPO_ROOT = new URL("../../../", import.meta.url).pathname;
const PEERS_CV = new URL("./peers_cv.py", import.meta.url).pathname;

/** What the CV part measured. */
export interface CvOutcome {
  manifest: CvManifest;
  settings: CvSettings;
  report: CvReport;
  /** Everything for the JSON report. */
  json: Json;
}

/** Runs the part; a failed Frontier child is a failure, a failed peer is skipped with the reason. */
export async function runCvPart(ctx: PartContext, settings: CvSettings = cvSettings()): Promise<CvOutcome> {
  const dir = `${ctx.dir}/cv`;
  const points = gridPoints(settings.grid);
  ctx.log(
    `\n== ML cross-validation: ${points.length} candidates × ${settings.folds} folds, ${settings.dataset} (no duration), ${settings.splitColumn} training rows ==`,
  );
  ctx.log(`  settings: ${JSON.stringify(cvSettingsJson(settings))}`);
  const source = await prepareBankDataset(settings.dataset, { dir, seeds: [] });
  const manifest = await writeCvDataset(source, { ...settings, dir });
  ctx.log(
    `  data: ${manifest.path}: ${manifest.foldRows.reduce((a, b) => a + b, 0)} rows in the search (folds ${
      manifest.foldRows.join(" / ")
    } rows, ${
      manifest.foldPositives.join(" / ")
    } positives), ${manifest.excludedRows} test rows out (fold −1)`,
  );
  const job = { manifest, settings, executors: ctx.threads } as unknown as Record<string, Json>;
  const jobPath = `${dir}/job-cv.json`;
  await Deno.writeTextFile(jobPath, JSON.stringify(job));

  const figures: CvFigure[] = [];
  const children: Record<string, Json> = {};
  const run = async (engine: string, cmd: string, args: string[], env?: Record<string, string>) => {
    const { run, line } = await runJsonChild(cmd, args, {
      what: `${engine} child`,
      data: { engine },
      signal: ctx.signal,
      cwd: REPO_ROOT,
      ...(env === undefined ? {} : { env }),
    });
    const result: CvResultLine = decodeCvResult(line, `${engine} child`, points.length);
    const figure: CvFigure = {
      engine,
      processSeconds: run.wallMs / 1000,
      peakRssMb: run.peakRssMb,
      result,
      command: `${cmd} ${args.join(" ")}`,
    };
    figures.push(figure);
    children[engine] = { command: figure.command, wallMs: run.wallMs, peakRssMb: run.peakRssMb };
    ctx.log(
      `  ${engine}: process ${figure.processSeconds.toFixed(1)} s, search ${
        result.fitSeconds.toFixed(1)
      } s, best ${result.best.mean.toFixed(4)} ${JSON.stringify(result.best.params)}`,
    );
  };

  try {
    await run(
      FRONTIER_CV,
      Deno.execPath(),
      denoChildArgs(new URL("./frontier_cv.ts", import.meta.url), ["--job", jobPath]),
    );
  } catch (e) {
    ctx.skip(`cv/${FRONTIER_CV}`, describeError(e));
    ctx.failures.push(`cv/${FRONTIER_CV}: ${describeError(e)}`);
  }
  const peers: [string, "sklearn" | "spark"][] = [[SKLEARN_CV, "sklearn"], [SPARK_CV, "spark"]];
  for (const [engine, which] of peers) {
    const missing = ctx.python === undefined
      ? ctx.pythonMissing ?? "no python"
      : which === "spark"
      ? ctx.sparkMissing
      : undefined;
    if (missing !== undefined) {
      ctx.skip(`cv/${engine}`, missing);
      continue;
    }
    try {
      await run(engine, ctx.python!, [PEERS_CV, which, "--job", jobPath], {
        SPARK_LOCAL_IP: "127.0.0.1",
        PYSPARK_PYTHON: ctx.python!,
      });
    } catch (e) {
      ctx.skip(`cv/${engine}`, describeError(e));
    }
  }
  const report = cvReport(figures);
  ctx.log("");
  for (const line of report.lines) ctx.log(line);
  return {
    manifest,
    settings,
    report,
    json: {
      data: JSON.parse(JSON.stringify(manifest)) as Json,
      settings: cvSettingsJson(settings),
      ...(report.json as Record<string, Json>),
      children,
    },
  };
}
