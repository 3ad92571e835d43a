/**
 * Probability calibration fitted on a validation part: Platt scaling and isotonic regression
 * (PAV), applied as a stage to a model's probability column.
 *
 * @module
 */
export {
  CALIBRATION_VERSION,
  type CalibrationMethod,
  CalibrationModel,
  type CalibrationState,
  decodeCalibration,
  encodeCalibration,
  loadCalibration,
  MAX_ISOTONIC_KNOTS,
  ProbabilityCalibrator,
  type ProbabilityCalibratorOptions,
  saveCalibration,
} from "./calibrator.ts";
export { fitIsotonic, isotonicProbability, type IsotonicState, pav } from "./isotonic.ts";
export { fitPlatt, logit, plattProbability, type PlattState, sigmoid, type WeightedScores } from "./platt.ts";
