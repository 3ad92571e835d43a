import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../../actors/errors.ts";
import type { Schema } from "../../../../cluster/columnar/batch.ts";
import { batchFromRows } from "../../../../cluster/columnar/batch_ops.ts";
import { InvalidRowError, SchemaError } from "../../../../cluster/errors.ts";
import { StateStore } from "../../../../cluster/executor/state_store.ts";
import {
  blockOfBatch,
  type BlockSource,
  featuresOfBatch,
} from "../../../../models/classification/logistic_regression/block_source.ts";
import { localPasses } from "../../../../models/classification/logistic_regression/local_passes.ts";
import {
  decodeFoldArgs,
  foldArgsJson,
  foldLogistic,
  mergeLogistic,
} from "../../../../models/classification/logistic_regression/partition_functions.ts";
import {
  decodeSummary,
  encodeSummary,
} from "../../../../models/classification/logistic_regression/summary_codec.ts";

const SCHEMA: Schema = [
  { name: "a", type: "double", nullable: true },
  { name: "b", type: "int", nullable: false },
  { name: "y", type: "bool", nullable: false },
  { name: "w", type: "double", nullable: false },
  { name: "s", type: "string", nullable: false },
];
const SOURCE: BlockSource = { kind: "columns", features: ["a", "b"], label: "y", weight: "w" };
const ROWS = [
  { a: 0.5, b: 3, y: true, w: 1.5, s: "p" },
  { a: -2, b: 7, y: false, w: 0.25, s: "q" },
  { a: 4, b: -1, y: true, w: 2, s: "r" },
];

function context(partition: number, args: unknown) {
  return {
    partition,
    numPartitions: 2,
    args: args as never,
    seed: 0,
    signal: new AbortController().signal,
    state: new StateStore(),
    schema: SCHEMA,
  };
}

Deno.test("a batch becomes row-major features, 0/1 labels and weights; bools and ints are numbers", () => {
  const batch = batchFromRows(SCHEMA, ROWS);
  const block = blockOfBatch(batch, SOURCE);
  assert.deepEqual([...block.features], [0.5, 3, -2, 7, 4, -1]);
  assert.deepEqual(Array.from(block.labels), [1, 0, 1]);
  assert.deepEqual([...block.weights!], [1.5, 0.25, 2]);
  assert.deepEqual([...featuresOfBatch(batch, { kind: "columns", features: ["b"] })], [3, 7, -1]);
  assert.equal(blockOfBatch(batch, { kind: "columns", features: ["a"], label: "y" }).weights, undefined);
});

Deno.test("bad data is a deterministic error naming the column and the row", () => {
  const withNull = batchFromRows(SCHEMA, [ROWS[0]!, { ...ROWS[1]!, a: null }]);
  assert.throws(
    () => blockOfBatch(withNull, SOURCE),
    (e: Error) => e instanceof InvalidRowError && /"a" holds null in row 1/.test(e.message),
  );
  const nan = batchFromRows(SCHEMA, [{ ...ROWS[0]!, a: NaN }]);
  assert.throws(() => featuresOfBatch(nan, SOURCE), /"a" holds NaN in row 0/);
  const badWeight = batchFromRows(SCHEMA, [{ ...ROWS[0]!, w: -1 }]);
  assert.throws(
    () => blockOfBatch(badWeight, SOURCE),
    /"w" holds -1 in row 0 of a batch: expected finite and ≥ 0/,
  );
  const badLabel = batchFromRows(SCHEMA, ROWS);
  assert.throws(
    () => blockOfBatch(badLabel, { ...SOURCE, label: "b" }),
    /"b" holds 3 in row 0 of a batch: expected 0 or 1/,
  );
  assert.throws(() => blockOfBatch(badLabel, { ...SOURCE, features: ["s"] }), SchemaError);
  assert.throws(() => blockOfBatch(badLabel, { ...SOURCE, features: ["nope"] }), /"nope" is not in the data/);
  assert.throws(() => blockOfBatch(badLabel, { kind: "columns", features: ["a"] }), TypeError);
});

Deno.test("featuresOfBatch transposes in chunks: every value in place past chunk edges, the first bad value by column", () => {
  const schema: Schema = [
    { name: "p", type: "double", nullable: true },
    { name: "q", type: "int", nullable: false },
    { name: "r", type: "double", nullable: false },
  ];
  const n = 1300; // not a multiple of the chunk
  const rows = Array.from({ length: n }, (_, i) => ({ p: i / 7 - 50, q: (i * 37) % 101, r: Math.sin(i) }));
  const source: BlockSource = { kind: "columns", features: ["r", "p", "q"] };
  const got = featuresOfBatch(batchFromRows(schema, rows), source);
  const want = rows.flatMap((row) => [row.r, row.p, row.q]);
  assert.deepEqual([...got], want);
  // bad values in a later chunk of the first column and an earlier chunk of a later column: the
  // error names the first in column-by-column order (column r, row 1100), not in chunk order
  const bad = rows.map((row, i) =>
    i === 1100 ? { ...row, r: Infinity } : i === 3 ? { ...row, p: null } : row
  );
  assert.throws(() => featuresOfBatch(batchFromRows(schema, bad), source), /"r" holds Infinity in row 1100/);
});

Deno.test("fold and merge exports give the summaries the local passes give, and check what they are handed", async () => {
  const batches = [batchFromRows(SCHEMA, ROWS.slice(0, 1)), batchFromRows(SCHEMA, ROWS.slice(1))];
  const args = foldArgsJson({ source: SOURCE, context: { type: "lr.ranges", context: { dimension: 2 } } });
  assert.deepEqual(decodeFoldArgs(args).source, { ...SOURCE });
  const merged = mergeLogistic(
    foldLogistic([batches[0]!], context(0, args)),
    foldLogistic([batches[1]!], context(1, args)),
  );
  const local = await localPasses([[blockOfBatch(batches[0]!, SOURCE)], [blockOfBatch(batches[1]!, SOURCE)]])
    .ranges({ dimension: 2 });
  assert.deepEqual(merged, encodeSummary(local));
  assert.deepEqual(decodeSummary(merged), local);
  assert.throws(() => decodeFoldArgs({ source: SOURCE, context: "%%%" }), MalformedMessageError);
  assert.throws(
    () => decodeFoldArgs({ source: { ...SOURCE, kind: "spec" }, context: "" }),
    MalformedMessageError,
  );
  assert.throws(() => decodeFoldArgs({ ...(args as object), extra: 1 }), MalformedMessageError);
  const moments = encodeSummary({
    type: "lr.moments",
    dimension: 2,
    sums: {
      folds: 1,
      exponents: new Int16Array(7),
      hi1: new Float64Array(7),
      lo1: new Float64Array(7),
      hi2: new Float64Array(0),
      lo2: new Float64Array(0),
    },
  });
  assert.throws(
    () => mergeLogistic(merged, moments),
    /Cannot merge a lr.ranges summary with a lr.moments summary/,
  );
});
