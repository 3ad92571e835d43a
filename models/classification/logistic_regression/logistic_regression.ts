/**
 * The logistic-regression estimator: parameters validated at construction, then fitted on a
 * cluster {@linkcode Dataset} (each pass one `aggregatePartitions` job, the optimizer on the
 * driver), through any {@linkcode LogisticPasses}, or on in-memory partitions.
 *
 * @example
 * ```ts
 * import { LogisticRegression } from "./logistic_regression.ts";
 * const lr = new LogisticRegression({ regParam: 1e-3 });
 * const fit = await lr.fitBlocks([[{ features: new Float64Array([0, 1, 2, 3]), labels: [0, 0, 1, 1] }]], 1);
 * fit.model.coefficients; // Float64Array [ > 0 ]
 * ```
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import { SchemaError } from "../../../cluster/errors.ts";
import type { BlockSource } from "./block_source.ts";
import { clusterPasses } from "./cluster_passes.ts";
import type { FeatureBlock } from "./feature_block.ts";
import { localPasses } from "./local_passes.ts";
import { LogisticModel } from "./logistic_model.ts";
import { type LogisticRegressionParams, type ResolvedParams, resolveParams } from "./params.ts";
import {
  type LogisticPasses,
  type LogisticRegressionFit,
  trainLogisticRegression,
  type TrainOptions,
} from "./train.ts";

/** The columns of a dataset fit, and its collaborators. */
export interface DatasetFitOptions extends TrainOptions {
  /** Numeric feature columns, in coefficient order. */
  featureCols: readonly string[];
  /** Label column: 0/1 numbers or bools. */
  labelCol: string;
  /** Instance-weight column (finite, ≥ 0). */
  weightCol?: string;
  /**
   * Cache the projection onto these columns on the executors for the passes, and drop it after
   * (set false when the dataset is cached already and memory is tight). @default {true}
   */
  cache?: boolean;
  /** Called after every pass over the data (one cluster job each). */
  onPass?: (kind: "lr.ranges" | "lr.moments" | "lr.loss") => void;
}

/** Logistic regression with elastic-net regularization and class weights. */
export class LogisticRegression {
  /** The resolved parameters. */
  readonly params: Readonly<ResolvedParams>;

  /** Throws a `RangeError` naming the first invalid parameter and its allowed range. */
  constructor(params: LogisticRegressionParams = {}) {
    this.params = resolveParams(params);
  }

  /**
   * Fits on a cluster dataset: every pass folds the partitions on the executors and merges the
   * summaries on the driver; no row leaves an executor. The model equals, bit for bit, the one
   * {@linkcode LogisticRegression.fitBlocks} gives on the same rows, for any partitioning.
   * Throws a `TypeError` for bad column lists, a `SchemaError` for missing or string columns.
   */
  async fit(dataset: Dataset, options: DatasetFitOptions): Promise<LogisticModel> {
    const source = checkColumns(dataset, options);
    const params = this.params.featureNames === undefined
      ? { ...this.params, featureNames: source.features }
      : this.params;
    const projected = dataset.select(...new Set([...source.features, source.label!, ...weightOf(source)]));
    const input = options.cache === false ? projected : projected.cache();
    try {
      const passes = clusterPasses(input, source, { signal: options.signal, onPass: options.onPass });
      const fit = await trainLogisticRegression(
        passes,
        { dimension: source.features.length, params },
        options,
      );
      return LogisticModel.fromFit(fit, { source, params });
    } finally {
      if (options.cache !== false) await input.unpersist();
    }
  }

  /** Fits on `dimension` features through `passes`. */
  fitPasses(
    passes: LogisticPasses,
    dimension: number,
    options: TrainOptions = {},
  ): Promise<LogisticRegressionFit> {
    return trainLogisticRegression(passes, { dimension, params: this.params }, options);
  }

  /** Fits on in-memory partitions of feature blocks. */
  fitBlocks(
    partitions: readonly (readonly FeatureBlock[])[],
    dimension: number,
    options: TrainOptions = {},
  ): Promise<LogisticRegressionFit> {
    return this.fitPasses(localPasses(partitions), dimension, options);
  }
}

function weightOf(source: BlockSource): string[] {
  return source.weight === undefined ? [] : [source.weight];
}

/** The block source of `options`, checked against the dataset's schema. */
function checkColumns(dataset: Dataset, options: DatasetFitOptions): BlockSource {
  const { featureCols, labelCol, weightCol } = options;
  if (!Array.isArray(featureCols) || featureCols.length === 0) {
    throw new TypeError("featureCols must name at least one column");
  }
  const roles = [...featureCols, labelCol, ...(weightCol === undefined ? [] : [weightCol])];
  const seen = new Set<string>();
  for (const c of roles) {
    if (typeof c !== "string" || c === "") {
      throw new TypeError(`Column names must be non-empty strings, got ${c}`);
    }
    if (seen.has(c)) throw new TypeError(`Column "${c}" is named twice among features, label and weight`);
    seen.add(c);
  }
  for (const c of roles) {
    const field = dataset.schema.find((f) => f.name === c);
    if (field === undefined) {
      throw new SchemaError(`Column "${c}" is not in the dataset (${dataset.columns.join(", ")})`, {
        data: { column: c },
      });
    }
    if (field.type === "string") {
      throw new SchemaError(`Column "${c}" must be numeric or bool to train on, got string`, {
        data: { column: c },
      });
    }
  }
  return {
    kind: "columns",
    features: [...featureCols],
    label: labelCol,
    ...(weightCol === undefined ? {} : { weight: weightCol }),
  };
}
