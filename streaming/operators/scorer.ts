/**
 * A saved model applied to one event at a time: the model directory `models/persistence` wrote
 * (logistic regression, boosted trees or a random forest, through {@linkcode defaultModelRegistry})
 * is loaded once, and each event goes through the same code as the batch `model.transform`:
 * the fitted feature pipeline's {@linkcode FeatureAssembler} (what `PipelineModel.transform` runs
 * on the executors), then the model's own scoring arithmetic — `probabilitiesOf` over the source
 * columns for logistic regression, binning with the model's binnings and the binned trees for
 * trees — so a score online is the batch score bit for bit.
 *
 * Each score comes with per-feature contributions (`contributions.ts`: coefficient ×
 * standardized value for logistic regression, Saabas path contributions for trees).
 *
 * @module
 */
import type { Row, Schema } from "../../cluster/columnar/batch.ts";
import { batchFromRows, columnIndex } from "../../cluster/columnar/batch_ops.ts";
import { featuresOfBatch } from "../../models/classification/logistic_regression/block_source.ts";
import { LogisticModel } from "../../models/classification/logistic_regression/logistic_model.ts";
import { GbtModel } from "../../models/classification/gbt/gbt_model.ts";
import { ForestModel } from "../../models/classification/random_forest/forest_model.ts";
import { binRows } from "../../models/classification/tree/binning.ts";
import { readColumn } from "../../models/classification/tree/shard_source.ts";
import { slotColumn } from "../../models/features/column_info.ts";
import { FeatureAssembler } from "../../models/features/spec/assemble.ts";
import { fromFeatureSchema } from "../../models/features/spec/spec_codec.ts";
import type { ModelEnvelope } from "../../models/persistence/envelope.ts";
import { loadModel } from "../../models/persistence/model_dir.ts";
import { defaultModelRegistry } from "../../models/persistence/mod.ts";
import { type Attribution, linearAttribution, treeAttribution } from "./contributions.ts";

/** One event's score. */
export type ScoreResult =
  | {
    readonly ok: true;
    /** P(positive), as the batch transform gives it. */
    readonly probability: number;
    /** The model's features of the event, in model order. */
    readonly features: Float64Array;
    /** Per-feature contributions. */
    readonly attribution: Attribution;
  }
  | { readonly ok: false; readonly reason: string };

/** Settings of {@linkcode Scorer.load}. */
export interface LoadScorerOptions {
  /** Alert threshold. @default {the directory's `metrics.threshold`, else 0.5} */
  readonly threshold?: number;
}

type Scoring =
  | { readonly kind: "logistic"; readonly model: LogisticModel; readonly columns: readonly string[] }
  | { readonly kind: "trees"; readonly model: GbtModel | ForestModel; readonly columns: readonly string[] };

/** A loaded model with its feature pipeline: scores rows, one event at a time. */
export class Scorer {
  /** The model kind (`model.json`'s `kind`). */
  readonly kind: string;
  /** Probability at or above which an event is an alert. */
  readonly threshold: number;
  /** The raw columns the pipeline reads. */
  readonly inputColumns: Schema;
  /** Feature names in model order (the pipeline's, e.g. `merchant_category=grocery`). */
  readonly featureNames: readonly string[];
  /** How contributions are computed: `"linear"` or `"saabas"`. */
  readonly attributionMethod: "linear" | "saabas";
  readonly #assembler: FeatureAssembler;
  readonly #scoring: Scoring;

  private constructor(envelope: ModelEnvelope, model: unknown, threshold: number | undefined) {
    const spec = fromFeatureSchema(envelope.schema);
    this.#assembler = new FeatureAssembler(spec);
    this.kind = envelope.kind;
    this.inputColumns = spec.inputColumns;
    const t = threshold ?? envelope.metrics["threshold"] ?? 0.5;
    if (!(t >= 0 && t <= 1)) throw new RangeError(`threshold must be in [0, 1], got ${t}`);
    this.threshold = t;
    const names = this.#assembler.layout.names;
    const slots = names.map((n) => slotColumn(spec.features, n));
    if (model instanceof LogisticModel) {
      this.#scoring = { kind: "logistic", model, columns: model.source.features };
      this.attributionMethod = "linear";
    } else if (model instanceof GbtModel || model instanceof ForestModel) {
      const own = model.featureNames;
      const columns = own.length === model.binnings.length && own.every((c) => slots.includes(c))
        ? own
        : slots;
      if (columns.length !== model.binnings.length) {
        throw new RangeError(
          `The model reads ${model.binnings.length} features; its pipeline makes ${slots.length}`,
        );
      }
      this.#scoring = { kind: "trees", model, columns };
      this.attributionMethod = "saabas";
    } else {
      throw new TypeError(`Cannot score a model of kind "${envelope.kind}" online`);
    }
    const columns = this.#scoring.columns;
    this.featureNames = columns.map((c) => names[slots.indexOf(c)] ?? c);
  }

  /**
   * Loads the model directory `dir` once (checking its manifest).
   *
   * @throws {ModelIntegrityError | ModelFormatError | ModelNotFoundError} as `loadModel` does.
   */
  static async load(dir: string, options: LoadScorerOptions = {}): Promise<Scorer> {
    const { envelope, model } = await loadModel(dir, defaultModelRegistry());
    return new Scorer(envelope, model, options.threshold);
  }

  /** Scores one event (a row with the pipeline's input columns; other fields are ignored). */
  score(row: Row): ScoreResult {
    let batch;
    try {
      batch = this.#assembler.transform(batchFromRows(this.inputColumns, [row]));
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
    if (batch.length === 0) return { ok: false, reason: "the feature pipeline skipped the event" };
    const s = this.#scoring;
    if (s.kind === "logistic") {
      let features: Float64Array;
      try {
        features = featuresOfBatch(batch, s.model.source);
      } catch (e) {
        return { ok: false, reason: e instanceof Error ? e.message : String(e) };
      }
      const probability = s.model.predictProbabilities(features, 1)[0]!;
      const { standardizedCoefficients, standardization } = s.model;
      const attribution = linearAttribution(
        standardizedCoefficients,
        standardization,
        features,
        s.model.intercept,
      );
      return { ok: true, probability, features, attribution };
    }
    const features = Float64Array.from(s.columns, (c) => {
      columnIndex(batch.schema, c);
      return readColumn([batch], c)[0]!;
    });
    const bins = binRows(s.model.binnings, s.columns.map((c) => readColumn([batch], c)), 1);
    const probability = s.model.probabilityBinned(bins, 0);
    const trees = s.model.trees;
    const attribution = s.model instanceof GbtModel
      ? treeAttribution(trees, s.model.binnings, { bins, start: 0 }, { scale: 1, bias0: s.model.initScore })
      : treeAttribution(trees, s.model.binnings, { bins, start: 0 }, { scale: 1 / trees.length, bias0: 0 });
    return { ok: true, probability, features, attribution };
  }
}
