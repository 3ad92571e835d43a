/**
 * Data and estimators for the tuning tests: rows with a numeric, a text and a noise feature, a
 * time column and a 0/1 label whose rate depends on the features; the tree and linear pipelines
 * that read them.
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import type { Frontier } from "../../../cluster/frontier.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { OneHotEncoder } from "../../../models/features/one_hot_encoder.ts";
import { Pipeline } from "../../../models/features/pipeline.ts";
import { StringIndexer } from "../../../models/features/string_indexer.ts";
import { VectorAssembler } from "../../../models/features/vector_assembler.ts";

/** The label column. */
export const LABEL = "y01";

/** `n` rows: `t` = 0…n-1, `x`, `noise`, `channel` (4 values) and `y01`. */
export function tuningRows(n: number, seed: number): Record<string, number | string>[] {
  const r = new CounterRandom(seed, 5);
  const channels = ["web", "store", "phone", "app"], effect = [1, -0.8, 0, 0.4];
  return Array.from({ length: n }, (_, t) => {
    r.at(t);
    const x = r.normal(0), c = Math.floor(r.float(1) * 4);
    const p = 1 / (1 + Math.exp(-(-1 + 1.5 * x + effect[c]! + 0.3 * Math.sin(x * 3))));
    return { t, x, noise: r.float(2), channel: channels[c]!, y01: r.float(3) < p ? 1 : 0 };
  });
}

/** {@linkcode tuningRows} as a dataset of `partitions` partitions. */
export function tuningData(fx: Frontier, n: number, seed: number, partitions = 3): Promise<Dataset> {
  return fx.fromRows(tuningRows(n, seed), {
    schema: [
      { name: "t", type: "double", nullable: false },
      { name: "x", type: "double", nullable: false },
      { name: "noise", type: "double", nullable: false },
      { name: "channel", type: "string", nullable: false },
      { name: LABEL, type: "double", nullable: false },
    ],
    partitions,
  });
}

/** Stage parameters of {@linkcode treePipeline}. */
export type TreeStageParams = { "features.noise"?: boolean };

/** Channel index-coded (split natively), numbers raw; `noise` a feature unless turned off. */
export function treePipeline(stages: TreeStageParams = {}): Pipeline {
  const numeric = stages["features.noise"] === false ? ["x"] : ["x", "noise"];
  return new Pipeline([
    new StringIndexer({ inputCols: ["channel"], outputCols: ["channel_index"], handleInvalid: "keep" }),
    new VectorAssembler({
      inputCols: [...numeric, "channel_index"],
      outputCol: "features",
      handleInvalid: "keep",
    }),
  ], { features: "features", label: LABEL });
}

/** Channel one-hot, numbers raw. */
export function linearPipeline(): Pipeline {
  return new Pipeline([
    new StringIndexer({ inputCols: ["channel"], outputCols: ["channel_index"], handleInvalid: "keep" }),
    new OneHotEncoder({ inputCols: ["channel_index"], outputCols: ["channel_vec"], dropLast: true }),
    new VectorAssembler({ inputCols: ["x", "noise", "channel_vec"], outputCol: "features" }),
  ], { features: "features", label: LABEL });
}
