import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../../actors/errors.ts";
import {
  decodeContext,
  encodeContext,
} from "../../../../models/classification/logistic_regression/context_codec.ts";
import { encodeSummary } from "../../../../models/classification/logistic_regression/summary_codec.ts";
import { finishLoss, foldLoss } from "../../../../models/classification/logistic_regression/loss_pass.ts";
import { foldRanges } from "../../../../models/classification/logistic_regression/range_pass.ts";
import type { LossContext } from "../../../../models/classification/logistic_regression/loss_pass.ts";
import { partitioned, syntheticRows } from "./lr_test_data.ts";

const ROWS = syntheticRows({ rows: 600, seed: 51, weighted: true });
const PARTS = partitioned(ROWS, 3, 100);
const LOSS_CONTEXT: LossContext = {
  dimension: 5,
  fitIntercept: true,
  classWeights: [1, 2],
  maxWeight: 6,
  shift: [0, 5e4, 0.3, 0, 6],
  invStd: [1, 1 / 290, 2, 1000, 1 / 27],
  maxAbsZ: [6, 2, 2, 6, 2000],
  coefficients: [0.5, -0.4, 0.6, 0.2, 0.05, -1],
  hessian: true,
};

Deno.test("contexts survive encoding, and a fold run on a decoded context gives the same bits", () => {
  const moments = {
    dimension: 2,
    classWeights: [1, 3] as const,
    maxWeight: 3,
    centers: Float64Array.of(-0, 5e-324),
    spreads: Float64Array.of(1, 2),
    gram: true,
  };
  for (
    const c of [
      { type: "lr.ranges", context: { dimension: 4 } },
      { type: "lr.moments", context: moments },
      { type: "lr.loss", context: LOSS_CONTEXT },
    ] as const
  ) {
    const decoded = decodeContext(encodeContext(c));
    assert.equal(decoded.type, c.type);
    assert.deepEqual(encodeContext(decoded), encodeContext(c));
  }
  const decoded = decodeContext(encodeContext({ type: "lr.loss", context: LOSS_CONTEXT }));
  assert.equal(decoded.type, "lr.loss");
  if (decoded.type === "lr.loss") {
    assert.deepEqual(
      finishLoss(foldLoss(PARTS[0]!, decoded.context)),
      finishLoss(foldLoss(PARTS[0]!, LOSS_CONTEXT)),
    );
  }
});

Deno.test("decodeContext refuses inconsistent contexts with a MalformedMessageError", () => {
  const refuse = (c: Parameters<typeof encodeContext>[0], message: RegExp) =>
    assert.throws(
      () => decodeContext(encodeContext(c)),
      (e: unknown) => e instanceof MalformedMessageError && message.test(e.message),
    );
  refuse(
    { type: "lr.loss", context: { ...LOSS_CONTEXT, coefficients: [1, 2] } },
    /coefficients has 2 values, expected 6/,
  );
  refuse(
    { type: "lr.loss", context: { ...LOSS_CONTEXT, shift: [0, 0, 0, 0, Number.NaN] } },
    /shift must be finite/,
  );
  refuse({ type: "lr.loss", context: { ...LOSS_CONTEXT, maxWeight: -1 } }, /weights must be finite and ≥ 0/);
  assert.throws(() => decodeContext(encodeSummary(foldRanges([], { dimension: 1 }))), /bad magic/);
});
