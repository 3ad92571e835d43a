import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../../actors/errors.ts";
import {
  decodeSummary,
  encodeSummary,
} from "../../../../models/classification/logistic_regression/summary_codec.ts";
import {
  finishLoss,
  foldLoss,
  mergeLoss,
} from "../../../../models/classification/logistic_regression/loss_pass.ts";
import { foldMoments } from "../../../../models/classification/logistic_regression/moment_pass.ts";
import { foldRanges } from "../../../../models/classification/logistic_regression/range_pass.ts";
import type {
  LossContext,
  LossSummary,
} from "../../../../models/classification/logistic_regression/loss_pass.ts";
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

Deno.test("every summary kind survives encoding byte for byte", () => {
  const ranges = foldRanges(PARTS[0]!, { dimension: 5 });
  const moments = foldMoments(PARTS[1]!, {
    dimension: 5,
    classWeights: [1, 2],
    maxWeight: 6,
    centers: [0, 5e4, 0.5, 0, 10],
    spreads: [6, 600, 0.5, 0.006, 6000],
    gram: true,
  });
  const loss = foldLoss(PARTS[2]!, LOSS_CONTEXT);
  const withoutHessian = foldLoss(PARTS[2]!, { ...LOSS_CONTEXT, hessian: false });
  for (const s of [ranges, moments, loss, withoutHessian, foldRanges([], { dimension: 2 })]) {
    const bytes = encodeSummary(s);
    assert.deepEqual(decodeSummary(bytes), s);
    assert.deepEqual(encodeSummary(decodeSummary(bytes)), bytes);
  }
});

Deno.test("summaries merged after a trip through bytes give the same bits", () => {
  const direct = PARTS.map((p) => foldLoss(p, LOSS_CONTEXT)).reduce((a, b) => mergeLoss(a, b));
  const shipped = PARTS.map((p) => decodeSummary(encodeSummary(foldLoss(p, LOSS_CONTEXT))) as LossSummary)
    .reduce((a, b) => mergeLoss(a, b));
  assert.deepEqual(finishLoss(shipped), finishLoss(direct));
});

Deno.test("decodeSummary refuses malformed bytes with a MalformedMessageError", () => {
  const good = encodeSummary(foldLoss(PARTS[0]!, LOSS_CONTEXT));
  const bad = (mutate: (b: Uint8Array) => Uint8Array | unknown, message: RegExp) =>
    assert.throws(
      () => decodeSummary(mutate(Uint8Array.from(good))),
      (e: unknown) => e instanceof MalformedMessageError && message.test(e.message),
    );
  bad(() => "FLRS", /expected a Uint8Array/);
  bad((b) => b.fill(0, 0, 1), /bad magic/);
  bad((b) => ((b[4] = 9), b), /unsupported version 9/);
  bad((b) => ((b[5] = 7), b), /unknown kind 7/);
  bad((b) => b.subarray(0, b.length - 3), /truncated/);
  bad((b) => Uint8Array.of(...b, 0), /trailing bytes/);
  bad((b) => ((b[6] = 9), b), /gradient sums do not fit the size/);
  bad((b) => {
    new DataView(b.buffer).setFloat64(18, 0.1, true); // the loss's first exact-sum chunk
    return b;
  }, /bad exact sum/);
});
