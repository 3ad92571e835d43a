/**
 * The cross-validation benchmark alone (issue 9 §4; the `cv` part of `bench.ts`): Frontier
 * `CrossValidator(parallelism=2)` vs Spark MLlib `CrossValidator(parallelism=2)` vs scikit-learn
 * `GridSearchCV(n_jobs=2)` with LightGBM, on the same grid, folds and data (see `cv_part.ts`).
 *
 * ```sh
 * deno run -A scripts/bench/ml/cv_bench.ts [--skip-spark] [--skip-python] [--venv out/venv-ml]
 *        [--dir out/bench/ml] [--out out/bench/ml_cv.json]
 * ```
 *
 * @module
 */
import { mlBenchMain } from "./bench.ts";

/** `bench.ts --parts cv` with its own default report path. */
export function cvBenchArgs(args: readonly string[]): string[] {
  const out = args.includes("--out") ? [] : ["--out", "out/bench/ml_cv.json"];
  return ["--parts", "cv", ...out, ...args];
}

if (import.meta.main) Deno.exit(await mlBenchMain(cvBenchArgs(Deno.args)));
