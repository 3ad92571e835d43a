import assert from "node:assert/strict";
import { SchemaError } from "../../../cluster/errors.ts";
import type { Row, Scalar, Schema } from "../../../cluster/columnar/batch.ts";
import {
  batchFromRows,
  batchToRows,
  concatBatches,
  sliceBatch,
} from "../../../cluster/columnar/batch_ops.ts";
import { buildHashTable, hashJoin, type JoinHow, joinOutputSchema } from "../../../cluster/kernels/join.ts";
import { rng } from "../test_rng.ts";

const LEFT: Schema = [
  { name: "k", type: "int", nullable: true },
  { name: "k2", type: "string", nullable: true },
  { name: "lv", type: "double", nullable: false },
];
const RIGHT: Schema = [
  { name: "k", type: "int", nullable: true },
  { name: "rk2", type: "string", nullable: true },
  { name: "rv", type: "string", nullable: true },
];

function randomSide(random: () => number, n: number, right: boolean): Row[] {
  return Array.from({ length: n }, (_, i) => {
    const k = random() < 0.1 ? null : Math.floor(random() * 6);
    const k2 = random() < 0.1 ? null : ["a", "b"][Math.floor(random() * 2)]!;
    return right ? { k, rk2: k2, rv: random() < 0.2 ? null : `r${i}` } : { k, k2, lv: i };
  });
}

const HOWS: JoinHow[] = ["inner", "left", "right", "full", "semi", "anti"];

/** Nested-loop join with the documented output order. */
function naiveJoin(left: Row[], right: Row[], how: JoinHow, on: [string, string][]): Row[] {
  const eq = (l: Row, r: Row) => on.every(([a, b]) => l[a] !== null && r[b] !== null && l[a] === r[b]);
  const merged = on.filter(([a, b]) => a === b).map(([a]) => a);
  const nullsOf = (row: Row) => Object.fromEntries(Object.keys(row).map((c) => [c, null]));
  const combine = (l: Row | undefined, r: Row | undefined): Row => {
    const out: Row = { ...(l ?? nullsOf(left[0] ?? {})) };
    for (const [c, v] of Object.entries(r ?? nullsOf(right[0] ?? {}))) {
      if (merged.includes(c)) out[c] = l ? l[c]! : v;
      else out[c] = v;
    }
    return out;
  };
  const out: Row[] = [];
  const rightMatched = new Set<number>();
  for (const l of left) {
    const matches = right.map((r, j) => [r, j] as const).filter(([r]) => eq(l, r));
    if (how === "semi" || how === "anti") {
      if ((matches.length > 0) === (how === "semi")) out.push(l);
      continue;
    }
    for (const [r, j] of matches) {
      out.push(combine(l, r));
      rightMatched.add(j);
    }
    if (matches.length === 0 && (how === "left" || how === "full")) out.push(combine(l, undefined));
  }
  if (how === "right" || how === "full") {
    right.forEach((r, j) => rightMatched.has(j) || out.push(combine(undefined, r)));
  }
  return out;
}

Deno.test("hashJoin matches a nested-loop reference for every join type and build side, row order included", () => {
  const random = rng(9);
  for (let trial = 0; trial < 6; trial++) {
    const lRows = randomSide(random, 20 + Math.floor(random() * 40), false);
    const rRows = randomSide(random, 20 + Math.floor(random() * 40), true);
    const left = batchFromRows(LEFT, lRows), right = batchFromRows(RIGHT, rRows);
    for (const how of HOWS) {
      for (const on of [[["k", "k"]], [["k", "k"], ["k2", "rk2"]]] as [string, string][][]) {
        const expected = naiveJoin(lRows, rRows, how, on);
        for (const buildSide of ["left", "right"] as const) {
          const out = hashJoin(left, right, {
            leftOn: on.map(([a]) => a),
            rightOn: on.map(([, b]) => b),
            how,
            buildSide,
          });
          assert.deepEqual(batchToRows(out), expected, `${how} on ${JSON.stringify(on)} built ${buildSide}`);
        }
      }
    }
  }
});

Deno.test("joining on a shared key name yields one key column, coalesced in a full join", () => {
  const l = batchFromRows(LEFT, [{ k: 1, k2: "x", lv: 1 }, { k: 2, k2: "y", lv: 2 }]);
  const r = batchFromRows(RIGHT, [{ k: 2, rk2: "p", rv: "two" }, { k: 3, rk2: "q", rv: "three" }]);
  const out = hashJoin(l, r, { leftOn: ["k"], rightOn: ["k"], how: "full" });
  assert.deepEqual(out.schema.map((f) => f.name), ["k", "k2", "lv", "rk2", "rv"]);
  assert.deepEqual(batchToRows(out).map((row) => [row["k"], row["lv"], row["rv"]]), [
    [1, 1, null],
    [2, 2, "two"],
    [3, null, "three"],
  ]);
});

Deno.test("a column present on both sides that is not a shared key is a SchemaError asking to rename", () => {
  const r: Schema = [{ name: "id", type: "int", nullable: false }, {
    name: "lv",
    type: "double",
    nullable: false,
  }];
  assert.throws(
    () => joinOutputSchema(LEFT, r, { leftOn: ["k"], rightOn: ["id"], how: "inner" }),
    (e: unknown) => e instanceof SchemaError && /"lv".*rename/.test(e.message),
  );
  assert.throws(
    () => joinOutputSchema(LEFT, RIGHT, { leftOn: ["k2"], rightOn: ["k"], how: "inner" }),
    SchemaError,
  );
  assert.throws(
    () => joinOutputSchema(LEFT, RIGHT, { leftOn: ["nope"], rightOn: ["k"], how: "inner" }),
    SchemaError,
  );
});

Deno.test("numeric keys of different types match by value and the shared key widens to double", () => {
  const l = batchFromRows([{ name: "k", type: "int", nullable: false }], [{ k: 1 }, { k: 2 }]);
  const r = batchFromRows([{ name: "k", type: "double", nullable: false }, {
    name: "v",
    type: "string",
    nullable: false,
  }], [
    { k: 2, v: "b" },
    { k: 2.5, v: "c" },
  ]);
  const out = hashJoin(l, r, { leftOn: ["k"], rightOn: ["k"], how: "full" });
  assert.equal(out.schema[0]!.type, "double");
  assert.deepEqual(batchToRows(out), [{ k: 1, v: null }, { k: 2, v: "b" }, { k: 2.5, v: "c" }]);
});

Deno.test("null keys never match, not even each other", () => {
  const l = batchFromRows(LEFT, [{ k: null, k2: "a", lv: 1 }]);
  const r = batchFromRows(RIGHT, [{ k: null, rk2: "a", rv: "x" }]);
  assert.equal(hashJoin(l, r, { leftOn: ["k"], rightOn: ["k"], how: "inner" }).length, 0);
  assert.deepEqual(
    batchToRows(hashJoin(l, r, { leftOn: ["k"], rightOn: ["k"], how: "full" })).map((row) =>
      row["lv"] as Scalar
    ),
    [1, null],
  );
});

Deno.test("a prepared hash table probed batch by batch equals one join of the whole probe side", () => {
  const random = rng(5);
  const left = batchFromRows(LEFT, randomSide(random, 90, false));
  const right = batchFromRows(RIGHT, randomSide(random, 30, true));
  const table = buildHashTable(right, ["k"]);
  for (const how of ["inner", "left", "semi", "anti"] as const) {
    const options = { leftOn: ["k"], rightOn: ["k"], how };
    const whole = hashJoin(left, right, options);
    const pieces = [sliceBatch(left, 0, 40), sliceBatch(left, 40, 41), sliceBatch(left, 41, 90)]
      .map((b) => hashJoin(b, table, options));
    assert.deepEqual(batchToRows(concatBatches(whole.schema, pieces)), batchToRows(whole), how);
  }
  const table2 = buildHashTable(right, ["k", "rk2"]);
  assert.throws(() => hashJoin(left, table2, { leftOn: ["k"], rightOn: ["k"], how: "inner" }), TypeError);
});

Deno.test("joining without keys is a cross join in left-then-right order", () => {
  const l = batchFromRows([{ name: "a", type: "int", nullable: false }], [{ a: 1 }, { a: 2 }]);
  const r = batchFromRows([{ name: "b", type: "string", nullable: false }], [{ b: "x" }, { b: "y" }]);
  const out = batchToRows(hashJoin(l, r, { leftOn: [], rightOn: [], how: "inner" }));
  assert.deepEqual(out, [{ a: 1, b: "x" }, { a: 1, b: "y" }, { a: 2, b: "x" }, { a: 2, b: "y" }]);
});
