/**
 * The persisted body of a {@linkcode LogisticModel} (model kind `"logistic_regression"`), for
 * `models/persistence`'s model directory.
 *
 * Body version 1 — arrays (float64, each `d` long for `d` features unless said):
 * `coefficients`, `intercept` (1), `standardizedCoefficients` (`d + 1` with an intercept, else
 * `d`), `standardization.mean`, `standardization.std`, `standardization.shift`,
 * `standardization.invStd`, `standardization.maxAbsZ`. Meta:
 * ```json
 * {
 *   "threshold": 0.5,
 *   "source": { "kind": "columns", "features": ["age", "balance"], "label": "y", "weight": "w" },
 *   "params": { "regParam": 0.0001, "elasticNetParam": 0, "maxIter": 200, "tol": 1e-7,
 *               "standardization": true, "fitIntercept": true, "classWeight": "balanced",
 *               "solver": "auto", "newtonMaxDimension": 64, "memory": 10,
 *               "collinearityThreshold": 0.95, "collinearityMaxDimension": 300,
 *               "featureNames": ["age", "balance"] },
 *   "standardization": { "weightSum": 3000, "positiveWeight": 412, "classWeights": [1, 1],
 *                        "maxWeight": 1, "collinear": [{ "a": 0, "b": 5, "correlation": 0.999 }] },
 *   "convergence": { "solver": "newton", "converged": true, "reason": "gradient", "iterations": 6,
 *                    "passes": 9, "gradientNorm": 3.1e-9, "objective": 0.3127 },
 *   "warnings": [{ "kind": "collinear", "features": [0, 5], "correlation": 0.999, "message": "…" }]
 * }
 * ```
 * `classWeight` and `featureNames` are absent when unset; `label`/`weight` when the source names
 * none. Numbers JSON cannot hold are strings: `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"`. Arrays
 * keep every bit. Decoding checks every field, every length against the feature count, and every
 * enum, and refuses anything else with a `ModelFormatError`.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { BODY_HEADER_FILE, type ModelBody } from "../../persistence/body_layout.ts";
import { formatError } from "../../persistence/errors.ts";
import type { JsonFields } from "../../persistence/json_fields.ts";
import { type BodyCodec, BodyReader } from "../../persistence/registry.ts";
import type { BlockSource } from "./block_source.ts";
import { LogisticModel } from "./logistic_model.ts";
import type { Convergence, LogisticWarning } from "./model.ts";
import type { ResolvedParams, Solver } from "./params.ts";
import type { Standardization } from "./standardization.ts";

/** The model kind's name in `model.json`. */
export const LOGISTIC_KIND = "logistic_regression";
/** The body version this build writes. */
export const LOGISTIC_BODY_VERSION = 1;

const VECTORS = ["mean", "std", "shift", "invStd", "maxAbsZ"] as const;
const SOLVERS: readonly Solver[] = ["auto", "lbfgs", "newton"];
const RAN: readonly Convergence["solver"][] = ["newton", "lbfgs", "owlqn", "none"];
const REASONS: readonly Convergence["reason"][] = [
  "gradient",
  "max-iterations",
  "line-search",
  "single-class",
];
const MAX_FEATURES = 1_000_000;

/** Writes and reads {@linkcode LogisticModel} bodies. */
export const LOGISTIC_BODY_CODEC: BodyCodec<LogisticModel> = {
  kind: LOGISTIC_KIND,
  version: LOGISTIC_BODY_VERSION,
  readableVersions: [1],
  encode: encodeLogisticBody,
  decode: (body) => decodeLogisticBody(body),
};

/** The params as JSON (also what a caller puts in `model.json`'s `params`). */
export function logisticParamsJson(params: Readonly<ResolvedParams>): Json {
  const out: Record<string, Json> = {
    regParam: params.regParam,
    elasticNetParam: params.elasticNetParam,
    maxIter: params.maxIter,
    tol: params.tol,
    standardization: params.standardization,
    fitIntercept: params.fitIntercept,
  };
  if (params.classWeight !== undefined) {
    out.classWeight = params.classWeight === "balanced" ? "balanced" : [...params.classWeight];
  }
  Object.assign(out, {
    solver: params.solver,
    newtonMaxDimension: params.newtonMaxDimension,
    memory: params.memory,
    collinearityThreshold: params.collinearityThreshold,
    collinearityMaxDimension: params.collinearityMaxDimension,
  });
  if (params.featureNames !== undefined) out.featureNames = [...params.featureNames];
  return out;
}

function encodeLogisticBody(model: LogisticModel): ModelBody {
  const s = model.standardization;
  const arrays = new Map<string, Float64Array>([
    ["coefficients", model.coefficients],
    ["intercept", Float64Array.of(model.intercept)],
    ["standardizedCoefficients", model.standardizedCoefficients],
  ]);
  for (const v of VECTORS) arrays.set(`standardization.${v}`, s[v]);
  const source: Record<string, Json> = { kind: model.source.kind, features: [...model.source.features] };
  if (model.source.label !== undefined) source.label = model.source.label;
  if (model.source.weight !== undefined) source.weight = model.source.weight;
  const c = model.convergence;
  const meta: Json = {
    threshold: num(model.threshold),
    source,
    params: logisticParamsJson(model.params),
    standardization: {
      weightSum: num(s.weightSum),
      positiveWeight: num(s.positiveWeight),
      classWeights: [num(s.classWeights[0]), num(s.classWeights[1])],
      maxWeight: num(s.maxWeight),
      collinear: s.collinear.map((p) => ({ a: p.a, b: p.b, correlation: num(p.correlation) })),
    },
    convergence: {
      solver: c.solver,
      converged: c.converged,
      reason: c.reason,
      iterations: c.iterations,
      passes: c.passes,
      gradientNorm: num(c.gradientNorm),
      objective: num(c.objective),
    },
    warnings: model.warnings.map(warningJson),
  };
  return { meta, arrays };
}

function decodeLogisticBody(body: ModelBody): LogisticModel {
  const r = new BodyReader(body), m = r.meta;
  const src = m.object("source");
  src.oneOf("kind", ["columns"]);
  const features = src.strings("features", MAX_FEATURES);
  if (features.length === 0) throw src.error("must name at least one feature", "features");
  const label = src.optionalString("label"), weight = src.optionalString("weight");
  const source: BlockSource = {
    kind: "columns",
    features,
    ...(label === undefined ? {} : { label }),
    ...(weight === undefined ? {} : { weight }),
  };
  const d = features.length, params = decodeParams(m.object("params"), d);
  const std = m.object("standardization");
  const classWeights = std.array("classWeights", 2);
  if (classWeights.length !== 2) throw std.error("must hold two weights", "classWeights");
  const standardization: Standardization = {
    dimension: d,
    weightSum: numberAt(std, "weightSum"),
    positiveWeight: numberAt(std, "positiveWeight"),
    classWeights: [
      numberOf(std, classWeights[0], "classWeights[0]"),
      numberOf(std, classWeights[1], "classWeights[1]"),
    ],
    maxWeight: numberAt(std, "maxWeight"),
    mean: r.f64("standardization.mean", d),
    std: r.f64("standardization.std", d),
    shift: r.f64("standardization.shift", d),
    invStd: r.f64("standardization.invStd", d),
    maxAbsZ: r.f64("standardization.maxAbsZ", d),
    collinear: std.objects("collinear", MAX_FEATURES).map((p) => ({
      a: index(p, "a", d),
      b: index(p, "b", d),
      correlation: numberAt(p, "correlation"),
    })),
  };
  const c = m.object("convergence");
  const convergence: Convergence = {
    solver: c.oneOf("solver", RAN),
    converged: c.boolean("converged"),
    reason: c.oneOf("reason", REASONS),
    iterations: c.integer("iterations"),
    passes: c.integer("passes"),
    gradientNorm: numberAt(c, "gradientNorm"),
    objective: numberAt(c, "objective"),
  };
  const parts = {
    coefficients: r.f64("coefficients", d),
    intercept: r.f64("intercept", 1)[0]!,
    standardizedCoefficients: r.f64("standardizedCoefficients", d + (params.fitIntercept ? 1 : 0)),
    source,
    standardization,
    params,
    convergence,
    warnings: m.objects("warnings", MAX_FEATURES).map((w) => decodeWarning(w, d)),
    threshold: numberAt(m, "threshold"),
  };
  try {
    return new LogisticModel(parts);
  } catch (e) {
    throw formatError(
      BODY_HEADER_FILE,
      `${BODY_HEADER_FILE} holds an inconsistent model: ${(e as Error).message}`,
    );
  }
}

function decodeParams(p: JsonFields, d: number): ResolvedParams {
  let classWeight: ResolvedParams["classWeight"];
  if (p.has("classWeight")) {
    const raw = p.raw("classWeight");
    if (raw === "balanced") classWeight = "balanced";
    else {
      const pair = p.array("classWeight", 2);
      if (pair.length !== 2) throw p.error('must be "balanced" or two weights', "classWeight");
      classWeight = [numberOf(p, pair[0], "classWeight[0]"), numberOf(p, pair[1], "classWeight[1]")];
    }
  }
  const featureNames = p.has("featureNames") ? p.strings("featureNames", MAX_FEATURES) : undefined;
  if (featureNames !== undefined && featureNames.length !== d) {
    throw p.error(`must hold ${d} names`, "featureNames");
  }
  return {
    regParam: p.number("regParam"),
    elasticNetParam: p.number("elasticNetParam"),
    maxIter: p.integer("maxIter"),
    tol: p.number("tol"),
    standardization: p.boolean("standardization"),
    fitIntercept: p.boolean("fitIntercept"),
    classWeight,
    solver: p.oneOf("solver", SOLVERS),
    newtonMaxDimension: p.integer("newtonMaxDimension"),
    memory: p.integer("memory", 1),
    collinearityThreshold: p.number("collinearityThreshold"),
    collinearityMaxDimension: p.integer("collinearityMaxDimension"),
    featureNames,
  };
}

function warningJson(w: LogisticWarning): Json {
  switch (w.kind) {
    case "collinear":
      return { kind: w.kind, features: [...w.features], correlation: num(w.correlation), message: w.message };
    case "constant-feature":
      return { kind: w.kind, feature: w.feature, message: w.message };
    case "single-class":
      return { kind: w.kind, label: w.label, message: w.message };
    case "not-converged":
      return { kind: w.kind, reason: w.reason, gradientNorm: num(w.gradientNorm), message: w.message };
    default:
      w satisfies never;
      throw new TypeError("Unknown warning kind");
  }
}

function decodeWarning(w: JsonFields, d: number): LogisticWarning {
  const kind = w.oneOf("kind", ["collinear", "constant-feature", "single-class", "not-converged"]);
  const message = w.string("message");
  switch (kind) {
    case "collinear": {
      const pair = w.array("features", 2);
      if (pair.length !== 2) throw w.error("must hold two feature indices", "features");
      const at = (i: number) => {
        const v = pair[i];
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= d) {
          throw w.error(`must be a feature index below ${d}`, `features[${i}]`);
        }
        return v;
      };
      return { kind, features: [at(0), at(1)], correlation: numberAt(w, "correlation"), message };
    }
    case "constant-feature":
      return { kind, feature: index(w, "feature", d), message };
    case "single-class": {
      const label = w.integer("label");
      if (label !== 0 && label !== 1) throw w.error("must be 0 or 1", "label");
      return { kind, label, message };
    }
    case "not-converged":
      return {
        kind,
        reason: w.oneOf("reason", ["gradient", "max-iterations", "line-search"]),
        gradientNorm: numberAt(w, "gradientNorm"),
        message,
      };
  }
}

function index(f: JsonFields, k: string, d: number): number {
  const v = f.integer(k);
  if (v >= d) throw f.error(`must be a feature index below ${d}`, k);
  return v;
}

/** A double as JSON: finite numbers as numbers, the rest (and -0) as strings. */
function num(x: number): Json {
  if (Object.is(x, -0)) return "-0";
  return Number.isFinite(x) ? x : String(x);
}

const SPECIAL: Readonly<Record<string, number>> = {
  "NaN": NaN,
  "Infinity": Infinity,
  "-Infinity": -Infinity,
  "-0": -0,
};

function numberOf(f: JsonFields, v: unknown, k: string): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v in SPECIAL) return SPECIAL[v]!;
  throw f.error('must be a number or "NaN", "Infinity", "-Infinity", "-0"', k);
}

function numberAt(f: JsonFields, k: string): number {
  return numberOf(f, f.raw(k), k);
}
