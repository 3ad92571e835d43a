/**
 * A saved model applied to one event at a time: the model directory `models/persistence` wrote
 * (logistic regression, boosted trees or a random forest, through {@linkcode defaultModelRegistry})
 * is loaded once, and each event goes through the same code as the batch `model.transform`:
 * the fitted feature pipeline's {@linkcode FeatureAssembler} (what `PipelineModel.transform` runs
 * on the executors), then the model's own scoring arithmetic — `probabilitiesOf` over the source
 * columns for logistic regression, binning with the model's binnings and the binned trees for
 * trees — so a score online is the batch score bit for bit.
 *
 * {@linkcode Scorer.explain} gives an event's per-feature contributions (`contributions.ts`:
 * coefficient × standardized value for logistic regression, Saabas path contributions for trees)
 * — computed only when asked, e.g. for alerts.
 *
 * @module
 */
import type { Row, Schema } from "../../cluster/columnar/batch.ts";
import { batchFromRows } from "../../cluster/columnar/batch_ops.ts";
import { LogisticModel } from "../../models/classification/logistic_regression/logistic_model.ts";
import { GbtModel } from "../../models/classification/gbt/gbt_model.ts";
import { ForestModel } from "../../models/classification/random_forest/forest_model.ts";
import { binValue } from "../../models/classification/tree/binning.ts";
import { readColumn } from "../../models/classification/tree/shard_source.ts";
import { slotColumn } from "../../models/features/column_info.ts";
import { FeatureAssembler } from "../../models/features/spec/assemble.ts";
import { fromFeatureSchema } from "../../models/features/spec/spec_codec.ts";
import type { ModelEnvelope } from "../../models/persistence/envelope.ts";
import { loadModel } from "../../models/persistence/model_dir.ts";
import { defaultModelRegistry } from "../../models/persistence/mod.ts";
import { type Attribution, linearAttribution, treeAttribution } from "./contributions.ts";
import { type RowPipeline, rowPipeline } from "./row_pipeline.ts";

/** One event's score. */
export type ScoreResult =
  | {
    readonly ok: true;
    /** P(positive), as the batch transform gives it. */
    readonly probability: number;
    /** The model's features of the event, in model order (what {@linkcode Scorer.explain} reads). */
    readonly features: Float64Array;
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
  /** Where each model feature sits in the pipeline's vector, when the model reads only that. */
  readonly #slots: Int32Array | undefined;
  /** The pipeline on single rows (`row_pipeline.ts`), when every stage has a row form. */
  readonly #row: RowPipeline | undefined;

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
    const at = Int32Array.from(columns, (c) => slots.indexOf(c));
    this.#slots = at.every((j) => j >= 0) ? at : undefined;
    this.#row = this.#slots === undefined ? undefined : rowPipeline(spec);
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
    const s = this.#scoring, slots = this.#slots;
    let features: Float64Array;
    try {
      // The row path gives the batch path's vector; it declines whenever the batch path would
      // skip the row or fail, and the batch path then decides.
      const assembled = this.#row?.assemble(row);
      const batch = assembled === undefined ? batchFromRows(this.inputColumns, [row]) : undefined;
      if (assembled !== undefined) {
        const at = slots!;
        features = new Float64Array(at.length);
        for (let i = 0; i < at.length; i++) features[i] = assembled[at[i]!]!;
      } else if (slots !== undefined) {
        // The model reads the pipeline's own vector: assemble it directly (the values the
        // transform's slot columns hold, NaN where they hold null).
        const block = this.#assembler.block(batch!, { labels: "ignore" });
        if (block.rows === 0) return { ok: false, reason: "the feature pipeline skipped the event" };
        features = Float64Array.from(slots, (j) => block.values[j]!);
      } else {
        const out = this.#assembler.transform(batch!);
        if (out.length === 0) return { ok: false, reason: "the feature pipeline skipped the event" };
        features = Float64Array.from(s.columns, (c) => readColumn([out], c)[0]!);
      }
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
    if (s.kind === "logistic") {
      let bad = -1;
      for (let i = 0; i < features.length && bad < 0; i++) if (features[i]! - features[i]! !== 0) bad = i;
      if (bad >= 0) {
        return { ok: false, reason: `feature "${s.columns[bad]}" is ${features[bad]}, not a finite number` };
      }
      return { ok: true, probability: s.model.predictProbabilities(features, 1)[0]!, features };
    }
    return { ok: true, probability: s.model.probabilityBinned(this.#bin(s.model, features), 0), features };
  }

  /**
   * Each feature's contribution to the score of an event whose model features are `features`
   * (from {@linkcode Scorer.score}): `"linear"` or `"saabas"` (see `contributions.ts`).
   */
  explain(features: Float64Array): Attribution {
    const s = this.#scoring;
    if (s.kind === "logistic") {
      const { standardizedCoefficients, standardization, intercept } = s.model;
      return linearAttribution(standardizedCoefficients, standardization, features, intercept);
    }
    const { trees, binnings } = s.model, bins = this.#bin(s.model, features);
    return s.model instanceof GbtModel
      ? treeAttribution(trees, binnings, { bins, start: 0 }, { scale: 1, bias0: s.model.initScore })
      : treeAttribution(trees, binnings, { bins, start: 0 }, { scale: 1 / trees.length, bias0: 0 });
  }

  /** The bins of one row of raw features (as `binRows` bins them). */
  #bin(model: GbtModel | ForestModel, features: Float64Array): Uint8Array {
    const bins = new Uint8Array(features.length);
    model.binnings.forEach((b, j) => bins[j] = binValue(b, features[j]!));
    return bins;
  }
}
