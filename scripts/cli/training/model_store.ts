/**
 * Model directories of `frontier train` (written) and `frontier evaluate` / `predict` (read):
 * `models/persistence`'s format, the body through the kind's codec, and in `model.json` the
 * fitted feature pipeline as the feature schema (so the directory alone turns raw rows into
 * scores), the test metrics (the decision threshold among them), the training data hash, the seed
 * and the versions. Loading checks the manifest and refuses unknown kinds (the registry holds
 * exactly the kinds of {@linkcode MODEL_KINDS}).
 *
 * @module
 */
import type { Dataset } from "../../../cluster/dataset.ts";
import { SchemaError } from "../../../cluster/errors.ts";
import { col } from "../../../cluster/expr/column.ts";
import { PipelineModel } from "../../../models/features/pipeline.ts";
import { fromFeatureSchema, toFeatureSchema } from "../../../models/features/spec/spec_codec.ts";
import type { ModelEnvelope, ModelWarning } from "../../../models/persistence/envelope.ts";
import { loadModel, type SavedModel, saveModel } from "../../../models/persistence/model_dir.ts";
import { ModelRegistry } from "../../../models/persistence/registry.ts";
import { MODEL_KINDS, modelKind, type TrainedModel } from "./model_kinds.ts";

/** What `model.json` records besides the model. */
export interface StoredInfo {
  /** The pipeline fitted on the fit rows. */
  readonly pipeline: PipelineModel;
  /** Training seed. */
  readonly seed: number;
  /** Test metrics, `threshold` among them. */
  readonly metrics: Readonly<Record<string, number>>;
  /** The training data's content hash. */
  readonly dataHash: string;
  /** Rows the model was fitted on. */
  readonly rows: number;
  /** Frontier's version. */
  readonly frontierVersion: string;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  /** Extra warnings (beyond the model's own). */
  readonly warnings?: readonly ModelWarning[];
}

/** Saves `trained` as the model directory `dir` (which must not exist). */
export async function saveTrained(dir: string, trained: TrainedModel, info: StoredInfo): Promise<SavedModel> {
  return await trained.save((codec, model) =>
    saveModel(dir, {
      codec,
      model,
      info: {
        frontierVersion: info.frontierVersion,
        createdAt: info.createdAt,
        seed: info.seed,
        params: trained.params(),
        schema: toFeatureSchema(info.pipeline.spec),
        metrics: info.metrics,
        training: { dataHash: info.dataHash, rows: info.rows },
        warnings: [...trained.warnings(), ...(info.warnings ?? [])],
      },
    })
  );
}

/** A loaded model directory. */
export interface LoadedTrained {
  /** The model. */
  readonly trained: TrainedModel;
  /** Its feature pipeline. */
  readonly pipeline: PipelineModel;
  /** The decoded `model.json`. */
  readonly envelope: ModelEnvelope;
  /** The decision threshold (`metrics.threshold`, else 0.5). */
  readonly threshold: number;
}

/** The registry of every kind in {@linkcode MODEL_KINDS}. */
export function trainedRegistry(): ModelRegistry<unknown> {
  return new ModelRegistry<unknown>(MODEL_KINDS.map((k) => k.decoder));
}

/**
 * Loads the model directory `dir`. Throws `ModelIntegrityError` (a file changed, missing or
 * added), `ModelFormatError` (unknown kind or version, malformed field), `ModelNotFoundError`.
 */
export async function loadTrained(dir: string): Promise<LoadedTrained> {
  const { envelope, model } = await loadModel(dir, trainedRegistry());
  const kind = modelKind(envelope.kind)!; // the registry holds only these kinds
  const pipeline = PipelineModel.fromSpec(fromFeatureSchema(envelope.schema));
  const threshold = envelope.metrics["threshold"] ?? 0.5;
  return { trained: kind.wrap(model), pipeline, envelope, threshold };
}

/**
 * `data` with the pipeline's input columns in the types it was fitted on: a number column read
 * with another number type is cast; a missing column, or text where a number was (or the reverse),
 * is a `SchemaError` naming the column.
 */
export function conformInput(data: Dataset, pipeline: PipelineModel): Dataset {
  const wanted = pipeline.spec.inputColumns;
  let out = data;
  for (const f of wanted) {
    const have = data.schema.find((x) => x.name === f.name);
    if (have === undefined) {
      throw new SchemaError(
        `The input has no column "${f.name}" (the model reads ${wanted.length} columns)`,
        {
          data: { column: f.name },
        },
      );
    }
    if (have.type === f.type) continue;
    const text = (t: string) => t === "string";
    if (text(have.type) !== text(f.type) || have.type === "date" || have.type === "timestamp") {
      throw new SchemaError(
        `Column "${f.name}" is ${have.type} in the input; the model was trained on ${f.type}`,
        {
          data: { column: f.name },
        },
      );
    }
    out = out.withColumn(f.name, col(f.name).cast(f.type));
  }
  return out;
}
