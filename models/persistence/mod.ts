/**
 * Model persistence: a fitted model as a self-checking directory that loads without evaluating
 * anything in it.
 *
 * ## The directory (format version 1)
 * ```
 * model_dir/
 *   model.json     kind, format and body versions, Frontier version, created-at, seed, params,
 *                  feature schema (input columns and types, label/weight/time columns, every fitted
 *                  feature stage's state, feature names), metrics, training data hash, warnings
 *   body.json      the body header: meta JSON, and per array its name, dtype, length, byte offset
 *   body.bin       the arrays: little-endian, each at the next multiple of 8, zero padding
 *   manifest.json  byte size and SHA-256 of each file above
 * ```
 * Field-by-field specifications: `envelope.ts` (`model.json`, and the versioning rule),
 * `feature_schema.ts`, `body_layout.ts` (`body.json`, `body.bin`), `manifest.ts`.
 *
 * ## Kinds
 * The body belongs to the model's kind: each model package exports a {@linkcode BodyCodec} (model
 * ↔ named typed arrays plus meta JSON, with its own body version). Loading needs a
 * {@linkcode ModelRegistry} — an immutable object the caller builds; there is no global one.
 * {@linkcode defaultModelRegistry} builds one from the codecs in the tree.
 *
 * ## Guarantees
 * - Writes are atomic (a temporary sibling, fsynced, then renamed) and never replace a path.
 * - The same model and info give byte-identical files.
 * - Loading checks the manifest before parsing: every listed file present, no other file, each
 *   of the listed size and hash, no path outside the directory ({@linkcode ModelIntegrityError}).
 * - Then `model.json` is decoded by hand from `unknown`: an unreadable format version, an
 *   unregistered kind, an unreadable body version or a malformed field is a
 *   {@linkcode ModelFormatError} naming the file and field.
 * - Arrays come back bit-exact (NaN payloads and `-0` included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BodyCodec, BodyReader, loadModel, ModelRegistry, saveModel } from "./mod.ts";
 *
 * interface Linear { weights: Float64Array; bias: number }
 * const linear: BodyCodec<Linear> = {
 *   kind: "linear",
 *   version: 1,
 *   readableVersions: [1],
 *   encode: (m) => ({ meta: { bias: m.bias }, arrays: new Map([["weights", m.weights]]) }),
 *   decode: (body) => {
 *     const r = new BodyReader(body);
 *     return { weights: r.f64("weights"), bias: r.meta.number("bias") };
 *   },
 * };
 * const parent = await Deno.makeTempDir();
 * const dir = `${parent}/model`;
 * await saveModel(dir, {
 *   codec: linear,
 *   model: { weights: Float64Array.of(0.5, -0), bias: 1 },
 *   info: {
 *     frontierVersion: "0.1.0",
 *     createdAt: "2025-06-01T12:00:00.000Z",
 *     params: { l2: 0.01 },
 *     schema: {
 *       inputColumns: [{ name: "a", type: "double", nullable: false }, { name: "b", type: "double", nullable: true }],
 *       label: "y",
 *       stages: [],
 *       featureNames: ["a", "b"],
 *     },
 *     metrics: { rocAuc: 0.75 },
 *     training: { dataHash: "sha256:00" },
 *     warnings: [],
 *   },
 * });
 * const { envelope, model } = await loadModel(dir, new ModelRegistry([linear]));
 * assert.equal(envelope.kind, "linear");
 * assert.ok(Object.is(model.weights[1], -0));
 * await Deno.remove(parent, { recursive: true });
 * ```
 *
 * @module
 */
import { ModelRegistry } from "./registry.ts";
import { LOGISTIC_BODY_CODEC } from "../classification/logistic_regression/body_codec.ts";
import type { LogisticModel } from "../classification/logistic_regression/logistic_model.ts";
import { forestCodec } from "../classification/random_forest/forest_codec.ts";
import { gbtCodec } from "../classification/gbt/gbt_codec.ts";
import type { GbtModel } from "../classification/gbt/gbt_model.ts";
import type { ForestModel } from "../classification/random_forest/forest_model.ts";

export {
  BODY_DATA_FILE,
  BODY_DTYPES,
  BODY_HEADER_FILE,
  type BodyArray,
  type BodyArrayEntry,
  type BodyDtype,
  decodeBody,
  dtypeOf,
  encodeBody,
  type ModelBody,
} from "./body_layout.ts";
export {
  decodeEnvelope,
  encodeEnvelope,
  FORMAT_VERSION,
  MODEL_FILE,
  type ModelEnvelope,
  type ModelInfo,
  type ModelWarning,
  READABLE_FORMAT_VERSIONS,
  type TrainingInfo,
} from "./envelope.ts";
export {
  errorToWire,
  type IntegrityReason,
  ModelExistsError,
  ModelFormatError,
  ModelIntegrityError,
  ModelNotFoundError,
  persistenceErrorFromWire,
} from "./errors.ts";
export { type FeatureSchema, type FeatureStageState } from "./feature_schema.ts";
export { JsonFields } from "./json_fields.ts";
export {
  buildManifest,
  decodeManifest,
  encodeManifest,
  type Manifest,
  MANIFEST_FILE,
  MANIFEST_VERSION,
  type ManifestEntry,
  sha256Hex,
  verifyModelDir,
} from "./manifest.ts";
export {
  decodeModelFiles,
  type EncodedModel,
  encodeModelFiles,
  type LoadedModel,
  loadModel,
  MODEL_DIR_FILES,
  type SavedModel,
  saveModel,
  type SaveModelInput,
  stageModelDir,
} from "./model_dir.ts";
export {
  type BodyCodec,
  type BodyDecodeContext,
  type BodyDecoder,
  BodyReader,
  ModelRegistry,
} from "./registry.ts";

/**
 * A new registry of every model kind whose codec is in the tree, in the order
 * `logistic_regression`, `random_forest`, `gbt`, `pipeline`. Model packages add their codec here
 * when they gain one; until then a kind is loadable only through a registry that holds it.
 * Today: `logistic_regression` ({@linkcode LOGISTIC_BODY_CODEC}), `random_forest` (`forestCodec`)
 * and `gbt` (`gbtCodec`).
 */
export function defaultModelRegistry(): ModelRegistry<LogisticModel | ForestModel | GbtModel> {
  return new ModelRegistry<LogisticModel>([LOGISTIC_BODY_CODEC]).with(forestCodec).with(gbtCodec);
}
