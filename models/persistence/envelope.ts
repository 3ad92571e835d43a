/**
 * `model.json`: everything about a model except its body — kind, versions, params, feature
 * schema, metrics, training provenance and warnings.
 *
 * `model.json` (format version 1):
 * ```json
 * {
 *   "format": "frontier-model",
 *   "formatVersion": 1,
 *   "kind": "gbt",
 *   "bodyVersion": 1,
 *   "frontierVersion": "0.1.0",
 *   "createdAt": "2025-06-01T12:00:00.000Z",
 *   "seed": 42,
 *   "params": { "numLeaves": 31, "learningRate": 0.05 },
 *   "schema": {
 *     "inputColumns": [{ "name": "age", "type": "long", "nullable": false }],
 *     "label": "y",
 *     "stages": [{ "kind": "string_indexer", "inputs": ["job"], "outputs": ["job_idx"], "state": {} }],
 *     "featureNames": ["age", "job_idx"]
 *   },
 *   "metrics": { "rocAuc": 0.79, "logLoss": "NaN" },
 *   "training": { "dataHash": "sha256:…", "rows": 32950 },
 *   "warnings": [{ "kind": "collinear", "message": "…" }]
 * }
 * ```
 * `seed`, `schema.weight`, `schema.time` and `training.rows` may be absent. Metrics are numbers;
 * the non-finite ones are written as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
 *
 * **Versioning.** `formatVersion` covers the directory layout, `model.json`, `body.json` and the
 * body bytes; `bodyVersion` is the kind's own, owned by its codec. A change an older reader could
 * misread bumps the version; the reader keeps a decoder for every version in
 * {@linkcode READABLE_FORMAT_VERSIONS} that upgrades it to the current in-memory shape, and a
 * committed fixture directory per version (`tests/models/persistence/fixtures/`) proves it still
 * loads. Versions outside the list are refused, newer ones included.
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import { decodeFeatureSchema, encodeFeatureSchema, type FeatureSchema } from "./feature_schema.ts";
import { JsonFields } from "./json_fields.ts";

/** The envelope file's name. */
export const MODEL_FILE = "model.json";
/** The format version this build writes. */
export const FORMAT_VERSION = 1;
/** The format versions this build reads. */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [1];

const FORMAT = "frontier-model";
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const KIND = /^[a-z][a-z0-9_]{0,63}$/;

/** Something the user should know about the model (a collinear pair, a constant feature…). */
export interface ModelWarning {
  /** What kind of warning, e.g. `"collinear"`. */
  readonly kind: string;
  /** The warning for people. */
  readonly message: string;
  /** Structured details, e.g. `{ features: [3, 7], correlation: 0.97 }`. */
  readonly data?: Json;
}

/** Where the training data came from. */
export interface TrainingInfo {
  /** A digest of the training rows, e.g. `"sha256:…"`; its meaning is the trainer's. */
  readonly dataHash: string;
  /** Training rows. */
  readonly rows?: number;
}

/** What the caller says about a model when saving it (the codec supplies kind and body version). */
export interface ModelInfo {
  /** The Frontier version that trained the model. */
  readonly frontierVersion: string;
  /** When the model was made, ISO 8601 UTC (`new Date(clock.now()).toISOString()`). */
  readonly createdAt: string;
  /** The training seed, when training was randomized. */
  readonly seed?: number;
  /** The estimator's params as JSON. */
  readonly params: Json;
  /** What the model reads and how its features were made. */
  readonly schema: FeatureSchema;
  /** Evaluation figures by name. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Where the training data came from. */
  readonly training: TrainingInfo;
  /** What training warned about. */
  readonly warnings: readonly ModelWarning[];
}

/** A decoded `model.json`. */
export interface ModelEnvelope extends ModelInfo {
  /** The format version the directory was written with. */
  readonly formatVersion: number;
  /** The model kind, e.g. `"logistic_regression"`. */
  readonly kind: string;
  /** The kind's body version the directory was written with. */
  readonly bodyVersion: number;
}

/** Whether `kind` is a well-formed kind name (lowercase snake case). */
export function isKindName(kind: string): boolean {
  return KIND.test(kind);
}

function metricToJson(x: number): Json {
  return Number.isFinite(x) ? x : String(x);
}

function metricFromJson(f: JsonFields, k: string): number {
  const v = f.raw(k);
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  throw f.error('must be a finite number or "NaN", "Infinity", "-Infinity"', k);
}

/** `model.json`'s object for `envelope` (written at {@linkcode FORMAT_VERSION}). */
export function encodeEnvelope(envelope: Omit<ModelEnvelope, "formatVersion">): Json {
  const out: Record<string, Json> = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    kind: envelope.kind,
    bodyVersion: envelope.bodyVersion,
    frontierVersion: envelope.frontierVersion,
    createdAt: envelope.createdAt,
  };
  if (envelope.seed !== undefined) out.seed = envelope.seed;
  out.params = envelope.params;
  out.schema = encodeFeatureSchema(envelope.schema);
  out.metrics = Object.fromEntries(Object.entries(envelope.metrics).map(([k, v]) => [k, metricToJson(v)]));
  const training: Record<string, Json> = { dataHash: envelope.training.dataHash };
  if (envelope.training.rows !== undefined) training.rows = envelope.training.rows;
  out.training = training;
  out.warnings = envelope.warnings.map((w) =>
    w.data === undefined
      ? { kind: w.kind, message: w.message }
      : { kind: w.kind, message: w.message, data: w.data }
  );
  return out;
}

/**
 * Decodes a parsed `model.json`. Checks, in order: the format marker, that `formatVersion` is
 * readable, that `kind` is one of `kinds`, then every other field. Throws
 * {@linkcode ModelFormatError}.
 */
export function decodeEnvelope(parsed: unknown, kinds: readonly string[]): ModelEnvelope {
  const m = new JsonFields(parsed, { file: MODEL_FILE });
  if (m.raw("format") !== FORMAT) throw m.error(`must be "${FORMAT}"`, "format");
  const formatVersion = m.integer("formatVersion");
  if (!READABLE_FORMAT_VERSIONS.includes(formatVersion)) {
    throw m.error(
      `is ${formatVersion}, which this build does not read (it reads ${READABLE_FORMAT_VERSIONS.join(", ")})`,
      "formatVersion",
    );
  }
  const kind = m.string("kind", 64);
  if (!kinds.includes(kind)) {
    const known = kinds.length === 0 ? "(no kinds registered)" : kinds.join(", ");
    throw m.error(`"${kind}" is not one of ${known}`, "kind");
  }
  return decodeV1(m, kind);
}

function decodeV1(m: JsonFields, kind: string): ModelEnvelope {
  const createdAt = m.string("createdAt", 64);
  if (!ISO_UTC.test(createdAt)) throw m.error("must be an ISO 8601 UTC time", "createdAt");
  const seed = m.has("seed") ? m.integer("seed", Number.MIN_SAFE_INTEGER) : undefined;
  const metricsFields = m.object("metrics");
  const metrics: Record<string, number> = {};
  for (const k of metricsFields.keys()) metrics[k] = metricFromJson(metricsFields, k);
  const t = m.object("training");
  const rows = t.optionalInteger("rows");
  return {
    formatVersion: m.integer("formatVersion"),
    kind,
    bodyVersion: m.integer("bodyVersion", 1),
    frontierVersion: m.string("frontierVersion", 64),
    createdAt,
    ...(seed === undefined ? {} : { seed }),
    params: m.json("params"),
    schema: decodeFeatureSchema(m.object("schema")),
    metrics,
    training: { dataHash: t.string("dataHash", 1000), ...(rows === undefined ? {} : { rows }) },
    warnings: m.objects("warnings", 10_000).map(decodeWarning),
  };
}

function decodeWarning(w: JsonFields): ModelWarning {
  const warning = { kind: w.string("kind", 200), message: w.string("message") };
  return w.has("data") ? { ...warning, data: w.json("data") } : warning;
}
