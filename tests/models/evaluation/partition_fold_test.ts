import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import { SchemaError } from "../../../cluster/errors.ts";
import type { Batch, Row, Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows } from "../../../cluster/columnar/batch_ops.ts";
import { evaluateBinary } from "../../../models/evaluation/mod.ts";
import {
  decodeEvaluationArgs,
  finishEvaluation,
  foldEvaluationPartition,
  mergeEvaluationPartials,
} from "../../../models/evaluation/partition_fold.ts";
import { randomRows } from "./oracle.ts";

const schema: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "y", type: "bool", nullable: true },
  { name: "probability", type: "double", nullable: true },
  { name: "w", type: "double", nullable: false },
  { name: "name", type: "string", nullable: true },
];

const data = randomRows({ n: 1200, seed: 91, grid: 250, weights: "decimal" });
const rows: Row[] = Array.from(data.labels, (y, i) => ({
  id: i,
  y: y === 1,
  probability: data.scores[i]!,
  w: data.weights[i]!,
  name: `r${i}`,
}));

/** The rows as `parts` partitions of batches of at most 100 rows. */
function partitions(parts: number): Batch[][] {
  const size = Math.ceil(rows.length / parts);
  return Array.from({ length: parts }, (_, p) => {
    const mine = rows.slice(p * size, (p + 1) * size);
    return Array.from(
      { length: Math.ceil(mine.length / 100) },
      (_, b) => batchFromRows(schema, mine.slice(b * 100, b * 100 + 100)),
    );
  });
}

const args = { label: "y", score: "probability", weight: "w" };

Deno.test("fold per partition, merge in any tree, finish: the same bytes and metrics as one pass", () => {
  const reference = evaluateBinary({ labels: data.labels, scores: data.scores, weights: data.weights });
  let first: Uint8Array | undefined;
  for (const parts of [1, 3, 8]) {
    const partials = partitions(parts).map((batches) => foldEvaluationPartition(batches, args));
    const leftFold = partials.reduce((a, b) => mergeEvaluationPartials(a, b));
    const rightFold = partials.reduceRight((a, b) => mergeEvaluationPartials(b, a));
    assert.deepEqual(rightFold, leftFold, `${parts} partitions: merge order`);
    first ??= leftFold;
    assert.deepEqual(leftFold, first, `${parts} partitions vs 1`);
    assert.deepEqual(finishEvaluation(leftFold), reference);
  }
});

Deno.test("the fold reads int labels and binned settings from its JSON arguments", () => {
  const intSchema: Schema = [{ name: "label", type: "int", nullable: false }, {
    name: "score",
    type: "double",
    nullable: false,
  }];
  const batch = batchFromRows(intSchema, [{ label: 1, score: 0.9 }, { label: 0, score: 0.2 }, {
    label: 0,
    score: 0.95,
  }]);
  const bytes = foldEvaluationPartition([batch], JSON.parse('{"label":"label","score":"score","bins":10}'));
  const m = finishEvaluation(bytes);
  assert.equal(m.mode, "binned");
  assert.equal(m.groups, 2, "0.9 and 0.95 share a bin");
  assert.equal(m.rocAuc, 0.75);
});

Deno.test("the fold refuses nulls, string columns and unknown columns by name", () => {
  const withNull = batchFromRows(schema, [{ id: 1, y: null, probability: 0.5, w: 1, name: "a" }]);
  assert.throws(() => foldEvaluationPartition([withNull], args), /label column "y" is null at row 0/);
  assert.throws(
    () => foldEvaluationPartition(partitions(1)[0]!, { label: "y", score: "name" }),
    (e: unknown) => e instanceof SchemaError && /score column "name" must be numeric or bool/.test(e.message),
  );
  assert.throws(
    () => foldEvaluationPartition(partitions(1)[0]!, { label: "y", score: "prob" }),
    (e: unknown) => e instanceof SchemaError && /Cannot resolve column "prob"/.test(e.message),
  );
});

Deno.test("decodeEvaluationArgs rejects malformed arguments with MalformedMessageError", () => {
  assert.deepEqual(decodeEvaluationArgs({ label: "y", score: "p" }), {
    label: "y",
    score: "p",
    weight: undefined,
    bins: undefined,
    range: undefined,
    eps: undefined,
  });
  const bad: [unknown, RegExp][] = [
    [null, /expected an object/],
    [[], /expected an object/],
    [{ score: "p" }, /"label" must be a column name/],
    [{ label: "y", score: "" }, /"score" must be a column name/],
    [{ label: "y", score: "p", bins: "10" }, /"bins" must be a number/],
    [{ label: "y", score: "p", range: [0] }, /"range" must be \[min, max\]/],
    [{ label: "y", score: "p", threshold: 0.5 }, /unknown "threshold"/],
  ];
  for (const [input, message] of bad) {
    assert.throws(
      () => decodeEvaluationArgs(input),
      (e: unknown) => e instanceof MalformedMessageError && message.test(e.message),
    );
  }
  assert.throws(() => mergeEvaluationPartials(new Uint8Array(3), new Uint8Array(3)), MalformedMessageError);
});
