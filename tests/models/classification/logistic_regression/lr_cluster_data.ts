/**
 * The logistic-regression test rows as a cluster dataset, and bitwise comparison of fits.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Dataset } from "../../../../cluster/dataset.ts";
import type { Frontier } from "../../../../cluster/frontier.ts";
import type { Row, Schema } from "../../../../cluster/columnar/batch.ts";
import type { LogisticModel } from "../../../../models/classification/logistic_regression/logistic_model.ts";
import type { LogisticRegressionFit } from "../../../../models/classification/logistic_regression/train.ts";
import type { Rows } from "./lr_test_data.ts";

/** Feature column names of {@linkcode datasetOf}. */
export const FEATURES = ["age", "balance", "housing", "tiny", "heavy"];

/** `rows` as a dataset with columns `FEATURES`, `y` (bool) and, when weighted, `w`. */
export async function datasetOf(fx: Frontier, rows: Rows, partitions: number): Promise<Dataset> {
  const schema: Schema = [
    ...FEATURES.map((name) => ({ name, type: "double" as const, nullable: false })),
    { name: "y", type: "bool", nullable: false },
    ...(rows.w === undefined ? [] : [{ name: "w", type: "double" as const, nullable: false }]),
  ];
  const data: Row[] = rows.x.map((x, i) => {
    const row: Row = { y: rows.y[i] === 1 };
    FEATURES.forEach((f, j) => (row[f] = x[j]!));
    if (rows.w !== undefined) row.w = rows.w[i]!;
    return row;
  });
  return await fx.fromRows(data, { schema, partitions });
}

function bits(values: ArrayLike<number>): string {
  return [...new Uint8Array(Float64Array.from(values).buffer)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Asserts that a cluster model and a local fit hold the same bits everywhere. */
export function assertSameFit(model: LogisticModel, local: LogisticRegressionFit, what: string): void {
  assert.equal(bits(model.coefficients), bits(local.model.coefficients), `${what}: coefficients`);
  assert.equal(bits([model.intercept]), bits([local.model.intercept]), `${what}: intercept`);
  assert.equal(
    bits(model.standardizedCoefficients),
    bits(local.standardizedCoefficients),
    `${what}: standardized coefficients`,
  );
  assert.deepEqual(model.standardization, local.standardization, `${what}: standardization`);
  assert.deepEqual(model.convergence, local.convergence, `${what}: convergence`);
  assert.deepEqual(model.warnings, local.warnings, `${what}: warnings`);
}
