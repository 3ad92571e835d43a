/**
 * A fitted logistic-regression model as a transformer: its coefficients, what training learned
 * (standardization, convergence, warnings, parameters) and the columns it reads. Its
 * {@linkcode LogisticModel.transform} is lazy and runs on the executors through `mapPartitions`,
 * appending `probability` and `prediction` to every row.
 *
 * @example
 * ```ts ignore
 * await using fx = await Frontier.start();
 * const model = await new LogisticRegression().fit(train, { featureCols: ["x1", "x2"], labelCol: "y" });
 * const scored = model.transform(test, { threshold: 0.3 }); // lazy: nothing ran yet
 * const rows = await scored.select("y", "probability", "prediction").collect();
 * ```
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import type { BlockSource } from "./block_source.ts";
import { type Convergence, type LogisticWarning, probabilitiesOf } from "./model.ts";
import type { ResolvedParams } from "./params.ts";
import { LOGISTIC_MODULE, scoreArgsJson, scoreFields } from "./partition_functions.ts";
import type { Standardization } from "./standardization.ts";
import type { LogisticRegressionFit } from "./train.ts";

/** Options of {@linkcode LogisticModel.transform}. */
export interface TransformOptions {
  /** Rows with probability ≥ threshold are predicted 1. @default {the model's threshold} */
  threshold?: number;
  /** Name of the probability column. @default {"probability"} */
  probabilityCol?: string;
  /** Name of the 0/1 prediction column. @default {"prediction"} */
  predictionCol?: string;
}

/** Everything a {@linkcode LogisticModel} is made of (what persistence stores). */
export interface LogisticModelParts {
  /** Coefficients on the original feature scale, one per source feature. */
  readonly coefficients: Float64Array;
  /** The intercept. */
  readonly intercept: number;
  /** The solution in standardized coordinates (intercept last when fitted). */
  readonly standardizedCoefficients: Float64Array;
  /** The columns the model reads. */
  readonly source: BlockSource;
  /** The standardization the solver used. */
  readonly standardization: Standardization;
  /** The training parameters. */
  readonly params: Readonly<ResolvedParams>;
  /** How the optimizer ended. */
  readonly convergence: Convergence;
  /** What training warned about. */
  readonly warnings: readonly LogisticWarning[];
  /** Decision threshold of `prediction`. @default {0.5} */
  readonly threshold?: number;
}

/** A fitted logistic-regression model (see the module documentation). */
export class LogisticModel {
  /** Coefficients on the original feature scale, in {@linkcode LogisticModel.featureNames} order. */
  readonly coefficients: Float64Array;
  /** The intercept (`±Infinity` when training saw a single class). */
  readonly intercept: number;
  /** The solution in standardized coordinates (intercept last when fitted). */
  readonly standardizedCoefficients: Float64Array;
  /** The columns the model reads. */
  readonly source: BlockSource;
  /** The standardization the solver used. */
  readonly standardization: Standardization;
  /** The training parameters. */
  readonly params: Readonly<ResolvedParams>;
  /** How the optimizer ended. */
  readonly convergence: Convergence;
  /** What training warned about. */
  readonly warnings: readonly LogisticWarning[];
  /** Decision threshold of `prediction`: probability ≥ threshold is 1. */
  readonly threshold: number;

  /** Throws a `RangeError` when the parts do not fit together. */
  constructor(parts: LogisticModelParts) {
    const d = parts.source.features.length;
    if (parts.coefficients.length !== d) {
      throw new RangeError(`Got ${parts.coefficients.length} coefficients for ${d} features`);
    }
    if (parts.standardization.dimension !== d) {
      throw new RangeError(`Got a standardization of ${parts.standardization.dimension} features for ${d}`);
    }
    const threshold = parts.threshold ?? 0.5;
    checkThreshold(threshold);
    this.coefficients = parts.coefficients;
    this.intercept = parts.intercept;
    this.standardizedCoefficients = parts.standardizedCoefficients;
    this.source = parts.source;
    this.standardization = parts.standardization;
    this.params = parts.params;
    this.convergence = parts.convergence;
    this.warnings = parts.warnings;
    this.threshold = threshold;
  }

  /** The model of a training run that read its rows through `source`. */
  static fromFit(
    fit: LogisticRegressionFit,
    setup: { source: BlockSource; params: Readonly<ResolvedParams> },
  ): LogisticModel {
    return new LogisticModel({
      coefficients: fit.model.coefficients,
      intercept: fit.model.intercept,
      standardizedCoefficients: fit.standardizedCoefficients,
      source: setup.source,
      standardization: fit.standardization,
      params: setup.params,
      convergence: fit.convergence,
      warnings: fit.warnings,
    });
  }

  /** Feature names, in coefficient order (the source's feature columns). */
  get featureNames(): readonly string[] {
    return this.source.features;
  }

  /** The same model with another decision threshold. */
  withThreshold(threshold: number): LogisticModel {
    return new LogisticModel({ ...this.#parts(), threshold });
  }

  /**
   * `dataset` with `probability` (P(y = 1)) and `prediction` (1 when probability ≥ threshold,
   * else 0) appended, computed on the executors when an action runs. Throws a `TypeError` when an
   * output column already exists, a `SchemaError` when a feature column is missing.
   */
  transform(dataset: Dataset, options: TransformOptions = {}): Dataset {
    const threshold = options.threshold ?? this.threshold;
    checkThreshold(threshold);
    const probabilityCol = options.probabilityCol ?? "probability";
    const predictionCol = options.predictionCol ?? "prediction";
    const names = new Set(dataset.columns);
    for (const c of [probabilityCol, predictionCol]) {
      if (names.has(c)) throw new TypeError(`Cannot add column "${c}": the dataset already has it`);
    }
    if (probabilityCol === predictionCol) {
      throw new TypeError(`probabilityCol and predictionCol must differ, both are "${probabilityCol}"`);
    }
    const features: BlockSource = { kind: this.source.kind, features: this.source.features };
    return dataset.mapPartitions({
      module: LOGISTIC_MODULE,
      export: "scoreLogistic",
      schema: [...dataset.schema, ...scoreFields({ probabilityCol, predictionCol })],
      args: scoreArgsJson({
        source: features,
        coefficients: this.coefficients,
        intercept: this.intercept,
        // Probabilities lie in [0, 1]: every threshold above 1 (Infinity too) predicts 0 alike.
        threshold: Math.min(threshold, 2),
        probabilityCol,
        predictionCol,
      }),
    });
  }

  /** P(y = 1) of `rows` rows of row-major features held here (in `featureNames` order). */
  predictProbabilities(features: Float64Array, rows: number): Float64Array {
    return probabilitiesOf(
      { dimension: this.coefficients.length, coefficients: this.coefficients, intercept: this.intercept },
      { features, rows },
    );
  }

  #parts(): LogisticModelParts {
    return {
      coefficients: this.coefficients,
      intercept: this.intercept,
      standardizedCoefficients: this.standardizedCoefficients,
      source: this.source,
      standardization: this.standardization,
      params: this.params,
      convergence: this.convergence,
      warnings: this.warnings,
      threshold: this.threshold,
    };
  }
}

function checkThreshold(t: number): void {
  if (typeof t !== "number" || Number.isNaN(t)) throw new RangeError(`threshold must be a number, got ${t}`);
}
