/**
 * The study's two model families and how each is measured, the same for every variant: a model
 * is fitted on the fit rows (boosting stops early on the validation rows), the decision threshold
 * is the least-cost one on the validation rows, and every figure is taken on the test rows.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { GbtClassifier } from "../../models/classification/gbt/gbt_classifier.ts";
import { LogisticRegression } from "../../models/classification/logistic_regression/logistic_regression.ts";
import type { TreeClassWeight } from "../../models/classification/tree/class_weights.ts";
import { type CalibrationModel, ProbabilityCalibrator } from "../../models/calibration/calibrator.ts";
import { binaryMetrics } from "../../models/evaluation/binary_metrics.ts";
import { evaluateBinary, summarizeDataset } from "../../models/evaluation/dataset_evaluation.ts";
import { scoreGroups } from "../../models/evaluation/score_groups.ts";
import { chooseThreshold } from "../../models/evaluation/threshold.ts";
import type { ErrorCosts } from "../../models/evaluation/operating_point.ts";
import type { PipelineModel } from "../../models/features/pipeline.ts";
import { categoricalColumns, featureColumns, GBT_PARAMS } from "../cli/training/model_kinds.ts";

/** The 0/1 label column the study adds. */
export const LABEL = "y01";
/** The study's cost matrix: a missed subscriber (or fraud) costs 5, a needless call (alert) 1. */
export const COSTS: ErrorCosts = { falseNegative: 5, falsePositive: 1 };

/** A fitted model as the study needs it: `score(raw)` adds `probability`. */
export interface Scorer {
  readonly score: (raw: Dataset) => Dataset;
  readonly describe: string;
}

/** How a model is trained. */
export interface TrainSpec {
  readonly model: "lr" | "gbt";
  readonly pipeline: PipelineModel;
  /** Rows the model is fitted on (raw columns plus {@linkcode LABEL}). */
  readonly fit: Dataset;
  /** Validation rows (early stopping). */
  readonly validation: Dataset;
  readonly classWeight?: TreeClassWeight;
  readonly weightCol?: string;
  readonly seed: number;
  /** Boosting: stop early on the validation rows (else all `numRounds` rounds). @default {true} */
  readonly earlyStopping?: boolean;
}

/** Fits a model as `spec` says. */
export async function train(spec: TrainSpec): Promise<Scorer> {
  const { pipeline } = spec;
  const features = featureColumns(pipeline);
  if (spec.model === "lr") {
    const lr = new LogisticRegression({
      featureNames: pipeline.featureNames,
      ...(spec.classWeight === undefined ? {} : { classWeight: spec.classWeight }),
    });
    const model = await lr.fit(pipeline.transform(spec.fit), {
      featureCols: features,
      labelCol: LABEL,
      ...(spec.weightCol === undefined ? {} : { weightCol: spec.weightCol }),
    });
    return {
      score: (raw) => model.transform(pipeline.transform(raw)),
      describe: `${model.convergence.iterations} iterations${
        model.convergence.converged ? "" : " (not converged)"
      }`,
    };
  }
  const stopEarly = spec.earlyStopping ?? true;
  const { earlyStoppingRounds, ...rest } = GBT_PARAMS;
  const gbt = new GbtClassifier({
    ...rest,
    ...(stopEarly ? { earlyStoppingRounds } : {}),
    seed: spec.seed,
    ...(spec.classWeight === undefined ? {} : { classWeight: spec.classWeight }),
  });
  const t = await gbt.fit(pipeline.transform(spec.fit), {
    features,
    categorical: categoricalColumns(pipeline),
    label: LABEL,
    ...(stopEarly ? { validation: pipeline.transform(spec.validation) } : {}),
    ...(spec.weightCol === undefined ? {} : { weight: spec.weightCol }),
  });
  return {
    score: (raw) => t.model.transform(pipeline.transform(raw), { features }),
    describe: `${t.model.trees.length} trees`,
  };
}

/** The figures of one variant on the test rows. */
export interface Figures {
  readonly rocAuc: number;
  readonly prAuc: number;
  readonly logLoss: number;
  readonly brier: number;
  readonly ece: number;
  /** Expected cost per row at the threshold chosen on validation (least cost). */
  readonly cost: number;
  /** The least expected cost per row any threshold reaches on test (hindsight, for reference). */
  readonly bestCost: number;
  readonly threshold: number;
  /** Validation PR-AUC (what feature selection looks at). */
  readonly validPrAuc: number;
  /** 95 % bootstrap interval of the test PR-AUC (300 Poisson replicates). */
  readonly prAucInterval: readonly [number, number];
}

/** Scores of validation and test, and what is measured on them. */
export async function measure(
  scorer: Scorer,
  validation: Dataset,
  test: Dataset,
  calibration?: CalibrationModel,
): Promise<Figures> {
  const apply = (ds: Dataset) => calibration === undefined ? ds : calibration.transform(ds);
  const v = apply(scorer.score(validation)), t = apply(scorer.score(test));
  const cols = { labelCol: LABEL, scoreCol: "probability" };
  // One job for validation: the threshold and the validation PR-AUC come from the same summary.
  const vs = await summarizeDataset(v, cols);
  const chosen = chooseThreshold(scoreGroups(vs), { by: "cost", costs: COSTS });
  const vm = binaryMetrics(vs);
  const m = await evaluateBinary(t, {
    ...cols,
    threshold: chosen.threshold,
    costs: COSTS,
    bootstrap: { replicates: 300, seed: 1, maxDraws: 5e6 },
  });
  const pr = m.intervals?.intervals.averagePrecision;
  return {
    rocAuc: m.rocAuc,
    prAuc: m.averagePrecision,
    logLoss: m.logLoss ?? NaN,
    brier: m.brier ?? NaN,
    ece: m.calibration?.ece ?? NaN,
    cost: m.atThreshold.expectedCost ?? NaN,
    bestCost: m.minCost?.expectedCost ?? NaN,
    threshold: chosen.threshold,
    validPrAuc: vm.averagePrecision,
    prAucInterval: [pr?.lo ?? NaN, pr?.hi ?? NaN],
  };
}

/** Platt and isotonic calibrations of `scorer` fitted on the validation rows. */
export async function calibrations(
  scorer: Scorer,
  validation: Dataset,
): Promise<{ platt: CalibrationModel; isotonic: CalibrationModel }> {
  const scored = scorer.score(validation);
  const fit = (method: "platt" | "isotonic") =>
    new ProbabilityCalibrator({ method, labelCol: LABEL }).fit(scored);
  return { platt: await fit("platt"), isotonic: await fit("isotonic") };
}
