/**
 * The modules whose exports model jobs run on the executors (folds, merges, scorers). A cluster
 * runs them only when they are on its allowlist, so start it with them:
 *
 * ```ts ignore
 * await using fx = await Frontier.start({ executors: 2, modules: MODEL_MODULES });
 * ```
 *
 * Why a list and not the cluster's built-ins: `cluster/` never imports `models/` (layers depend
 * one way), so the cluster cannot name these itself. In process mode the executors get read
 * access to exactly these modules' files (see `cluster/deploy/process_cluster.ts`).
 *
 * @module
 */
import { NotAllowedError } from "../cluster/errors.ts";

/** Every module model jobs name; pass it to `Frontier.start({ modules })`. */
export const MODEL_MODULES: readonly string[] = [
  new URL("./classification/logistic_regression/partition_functions.ts", import.meta.url).href,
  new URL("./evaluation/partition_fold.ts", import.meta.url).href,
  new URL("./evaluation/permute_column.ts", import.meta.url).href,
];

/**
 * `e` with how to allow `module` when a `NotAllowedError` is in its cause chain (a job named a
 * model module the cluster does not allow); any other error unchanged.
 */
export function withModuleHint(e: unknown, module: string): unknown {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    if (c.name === "NotAllowedError") {
      return new NotAllowedError(
        `${c.message}. Model jobs run Frontier's model modules on the executors: start the cluster ` +
          `with Frontier.start({ modules: MODEL_MODULES }) (from models/mod.ts)`,
        { cause: e, data: { module } },
      );
    }
  }
  return e;
}
