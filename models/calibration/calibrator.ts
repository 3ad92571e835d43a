/**
 * Probability calibration as a pipeline-like stage: {@linkcode ProbabilityCalibrator} is fitted on
 * a scored validation part (never the rows the model was fitted on) and gives a
 * {@linkcode CalibrationModel} whose `transform` maps the probability column lazily on the
 * executors (fused engine expressions), like any fitted feature stage.
 *
 * Fitting runs one `aggregatePartitions` job (`summarizeDataset`: exact per-score positive and
 * negative weights, merged in partition order) and then Platt's Newton fit or PAV on the driver
 * over the distinct scores, so the result is the same bits for any partitioning.
 *
 * Persistence: {@linkcode encodeCalibration} / {@linkcode decodeCalibration} (JSON) and
 * {@linkcode saveCalibration} / {@linkcode loadCalibration} (a `calibration.json` file). It is a
 * file beside the model directory, not inside it: the model directory's manifest admits only its
 * own files, and adding one is a format-version change.
 *
 * @example
 * ```ts ignore
 * const scoredValidation = model.transform(pipeline.transform(validation));
 * const calibration = await new ProbabilityCalibrator({ method: "isotonic", labelCol: "label" })
 *   .fit(scoredValidation);
 * const calibrated = calibration.transform(model.transform(pipeline.transform(test)));
 * ```
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import type { Dataset } from "../../cluster/dataset.ts";
import { col, type Column, lit, when, type WhenColumn } from "../../cluster/expr/column.ts";
import { summarizeDataset } from "../evaluation/dataset_evaluation.ts";
import { scoreGroups } from "../evaluation/score_groups.ts";
import { checkChoice, checkColumn } from "../features/params.ts";
import { doubleLit } from "../features/stages/stage.ts";
import { JsonFields } from "../persistence/json_fields.ts";
import { fitIsotonic, isotonicProbability, type IsotonicState } from "./isotonic.ts";
import { fitPlatt, LOGIT_EPS, plattProbability, type PlattState } from "./platt.ts";

/** A calibration method. */
export type CalibrationMethod = "platt" | "isotonic";

/** What a calibrator learned. */
export type CalibrationState = PlattState | IsotonicState;

/** Knots an isotonic map may have as an expression (each knot is a `CASE` branch). */
export const MAX_ISOTONIC_KNOTS = 1000;

/** Options of {@linkcode ProbabilityCalibrator}. */
export interface ProbabilityCalibratorOptions {
  /** `"platt"` (sigmoid of the log-odds) or `"isotonic"` (PAV). */
  method: CalibrationMethod;
  /** The 0/1 (or bool) label column of the validation rows. */
  labelCol: string;
  /** The probability column read. @default {"probability"} */
  inputCol?: string;
  /** The calibrated column written (replaced when it exists). @default {inputCol} */
  outputCol?: string;
  /** Instance-weight column of the validation rows. */
  weightCol?: string;
}

/** Fits a probability calibration on scored validation rows. */
export class ProbabilityCalibrator {
  /** The method. */
  readonly method: CalibrationMethod;
  /** The label column. */
  readonly labelCol: string;
  /** The probability column read. */
  readonly inputCol: string;
  /** The column written. */
  readonly outputCol: string;
  /** The weight column, if any. */
  readonly weightCol: string | undefined;

  /** Throws `RangeError` naming the first bad option. */
  constructor(options: ProbabilityCalibratorOptions) {
    this.method = checkChoice("method", options.method, ["platt", "isotonic"]);
    this.labelCol = checkColumn("labelCol", options.labelCol);
    this.inputCol = checkColumn("inputCol", options.inputCol ?? "probability");
    this.outputCol = checkColumn("outputCol", options.outputCol ?? this.inputCol);
    this.weightCol = options.weightCol === undefined
      ? undefined
      : checkColumn("weightCol", options.weightCol);
  }

  /**
   * Fits on `scored` (validation rows with the label and probability columns): one aggregation
   * job. Throws `RangeError` when a probability is outside [0, 1] or (Platt) a class is missing.
   */
  async fit(scored: Dataset, options: { signal?: AbortSignal } = {}): Promise<CalibrationModel> {
    const summary = await summarizeDataset(scored, {
      labelCol: this.labelCol,
      scoreCol: this.inputCol,
      weightCol: this.weightCol,
      signal: options.signal,
    });
    const groups = scoreGroups(summary);
    const state = this.method === "platt" ? fitPlatt(groups) : fitIsotonic(groups);
    return new CalibrationModel(state, { inputCol: this.inputCol, outputCol: this.outputCol });
  }
}

/** A fitted calibration: maps probabilities, one at a time or as a dataset column. */
export class CalibrationModel {
  /** What was learned. */
  readonly state: CalibrationState;
  /** The probability column read. */
  readonly inputCol: string;
  /** The column written. */
  readonly outputCol: string;

  /** A model of `state` (checked: finite Platt parameters, ascending knots in [0, 1]). */
  constructor(state: CalibrationState, columns: { inputCol?: string; outputCol?: string } = {}) {
    this.state = checkState(state);
    this.inputCol = checkColumn("inputCol", columns.inputCol ?? "probability");
    this.outputCol = checkColumn("outputCol", columns.outputCol ?? this.inputCol);
  }

  /** The calibrated probability of `p` (NaN stays NaN). */
  calibrate(p: number): number {
    return this.state.kind === "platt" ? plattProbability(this.state, p) : isotonicProbability(this.state, p);
  }

  /** The calibrated probability as an engine expression over column `input`. */
  expression(input: string = this.inputCol): Column {
    const p = col(input).cast("double");
    const s = this.state;
    if (s.kind === "platt") {
      const clipped = when(p.lt(LOGIT_EPS), lit(LOGIT_EPS, "double"))
        .when(p.gt(1 - LOGIT_EPS), lit(1 - LOGIT_EPS, "double"))
        .otherwise(p);
      const z = clipped.div(lit(1, "double").minus(clipped)).log().times(doubleLit(s.a)).plus(doubleLit(s.b));
      return lit(1, "double").div(lit(1, "double").plus(z.neg().exp()));
    }
    const { x, y } = s, m = x.length;
    if (m > MAX_ISOTONIC_KNOTS) {
      throw new RangeError(`The isotonic map has ${m} knots; as an expression at most ${MAX_ISOTONIC_KNOTS}`);
    }
    let chain: WhenColumn = when(p.isNull().or(p.ne(p)), lit(null, "double"))
      .when(p.le(doubleLit(x[0]!)), doubleLit(y[0]!));
    for (let k = 0; k + 1 < m; k++) {
      const slope = (y[k + 1]! - y[k]!) / (x[k + 1]! - x[k]!);
      const value = slope === 0
        ? doubleLit(y[k]!)
        : p.minus(doubleLit(x[k]!)).times(doubleLit(slope)).plus(doubleLit(y[k]!));
      chain = chain.when(p.lt(doubleLit(x[k + 1]!)), value);
    }
    return chain.otherwise(doubleLit(y[m - 1]!));
  }

  /** `dataset` with `outputCol` set to the calibrated probability (lazy, on the executors). */
  transform(dataset: Dataset): Dataset {
    if (!dataset.columns.includes(this.inputCol)) {
      throw new TypeError(`Column "${this.inputCol}" is not in the dataset (${dataset.columns.join(", ")})`);
    }
    return dataset.withColumn(this.outputCol, this.expression());
  }

  /** The model as JSON (see {@linkcode encodeCalibration}). */
  toJSON(): Json {
    return encodeCalibration(this);
  }
}

function checkState(s: CalibrationState): CalibrationState {
  if (s.kind === "platt") {
    if (!Number.isFinite(s.a) || !Number.isFinite(s.b)) {
      throw new RangeError(`Platt parameters must be finite, got a=${s.a}, b=${s.b}`);
    }
    return s;
  }
  const { x, y } = s;
  if (x.length === 0 || x.length !== y.length) {
    throw new RangeError(
      `isotonic knots must be non-empty with as many values, got ${x.length} and ${y.length}`,
    );
  }
  for (let i = 0; i < x.length; i++) {
    if (!(x[i]! >= 0 && x[i]! <= 1) || (i > 0 && !(x[i]! > x[i - 1]!))) {
      throw new RangeError(`isotonic knot scores must ascend strictly within [0, 1], got x[${i}]=${x[i]}`);
    }
    if (!(y[i]! >= 0 && y[i]! <= 1) || (i > 0 && !(y[i]! >= y[i - 1]!))) {
      throw new RangeError(`isotonic knot values must be non-decreasing within [0, 1], got y[${i}]=${y[i]}`);
    }
  }
  return s;
}

/** The calibration file's format version. */
export const CALIBRATION_VERSION = 1;

/** `model` as JSON: `{ format, version, inputCol, outputCol, kind, a, b }` or `{ …, kind, x, y }`. */
export function encodeCalibration(model: CalibrationModel): Json {
  const s = model.state;
  const body: Json = s.kind === "platt"
    ? { kind: s.kind, a: s.a, b: s.b }
    : { kind: s.kind, x: [...s.x], y: [...s.y] };
  return {
    format: "frontier-calibration",
    version: CALIBRATION_VERSION,
    inputCol: model.inputCol,
    outputCol: model.outputCol,
    ...body,
  };
}

/** The model `u` describes; throws `ModelFormatError` (via `JsonFields`) or `RangeError` naming what is wrong. */
export function decodeCalibration(u: unknown, file = "calibration.json"): CalibrationModel {
  const f = new JsonFields(u, { file });
  if (f.string("format") !== "frontier-calibration") {
    throw f.error('must be "frontier-calibration"', "format");
  }
  const version = f.integer("version", 1);
  if (version !== CALIBRATION_VERSION) {
    throw f.error(`is ${version}; this build reads ${CALIBRATION_VERSION}`, "version");
  }
  const kind = f.oneOf("kind", ["platt", "isotonic"] as const);
  const state: CalibrationState = kind === "platt" ? { kind, a: f.number("a"), b: f.number("b") } : {
    kind,
    x: f.array("x").map((v, i) => numberAt(v, () => f.error("must be a list of numbers", `x[${i}]`))),
    y: f.array("y").map((v, i) => numberAt(v, () => f.error("must be a list of numbers", `y[${i}]`))),
  };
  return new CalibrationModel(state, { inputCol: f.string("inputCol"), outputCol: f.string("outputCol") });
}

function numberAt(v: unknown, fail: () => Error): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw fail();
  return v;
}

/** Writes `model` to `path` as JSON; never replaces an existing file (`Deno.errors.AlreadyExists`). */
export async function saveCalibration(path: string, model: CalibrationModel): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(encodeCalibration(model), null, 2) + "\n", {
    createNew: true,
  });
}

/** Reads a model written by {@linkcode saveCalibration}. */
export async function loadCalibration(path: string): Promise<CalibrationModel> {
  return decodeCalibration(JSON.parse(await Deno.readTextFile(path)), path);
}
