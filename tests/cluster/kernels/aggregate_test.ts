import assert from "node:assert/strict";
import { SchemaError } from "../../../cluster/errors.ts";
import type { Batch, Row, Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows, batchToRows, canonicalRows, takeRows } from "../../../cluster/columnar/batch_ops.ts";
import {
  aggregate,
  aggregateOutputSchema,
  type AggSpec,
  finalizeAggregate,
  mergeAggregate,
  partialAggregate,
  partialStateSchema,
} from "../../../cluster/kernels/aggregate.ts";
import { rng } from "../test_rng.ts";

const SCHEMA: Schema = [
  { name: "k", type: "int", nullable: true },
  { name: "x", type: "double", nullable: true },
  { name: "i", type: "long", nullable: true },
  { name: "s", type: "string", nullable: true },
];

function randomRows(random: () => number, n: number): Row[] {
  return Array.from({ length: n }, () => ({
    k: random() < 0.05 ? null : Math.floor(random() * 8),
    x: random() < 0.1 ? null : Math.round((random() * 2 - 1) * 1e6) / 100,
    i: random() < 0.1 ? null : Math.floor(random() * 2e9) - 1e9,
    s: random() < 0.1 ? null : `s${Math.floor(random() * 50)}`,
  }));
}

const AGGS: AggSpec[] = [
  { fn: "count", name: "rows" },
  { fn: "count", input: "x", name: "cx" },
  { fn: "sum", input: "x", name: "sx" },
  { fn: "avg", input: "x", name: "ax" },
  { fn: "stddev", input: "x", name: "sdx" },
  { fn: "variance", input: "x", name: "vx" },
  { fn: "sum", input: "i", name: "si" },
  { fn: "avg", input: "i", name: "ai" },
  { fn: "min", input: "x", name: "minx" },
  { fn: "max", input: "s", name: "maxs" },
  { fn: "first", input: "s", name: "firsts" },
  { fn: "countDistinct", input: "s", name: "cds" },
  { fn: "countDistinct", input: "x", name: "cdx" },
  { fn: "approxCountDistinct", input: "s", name: "acds" },
  { fn: "approxQuantile", input: "x", name: "medx", q: 0.5 },
];

/** Aggregates `rows` split randomly into partitions and batches, merging states in a random tree. */
function distributedAggregate(rows: readonly Row[], keys: string[], random: () => number): Batch {
  const parts = 1 + Math.floor(random() * 16);
  const assigned: Row[][] = Array.from({ length: parts }, () => []);
  for (const r of rows) assigned[Math.floor(random() * parts)]!.push(r);
  let states: Batch[] = [];
  for (const partRows of assigned) {
    const cut = Math.floor(random() * (partRows.length + 1));
    for (const chunk of [partRows.slice(0, cut), partRows.slice(cut)]) {
      states.push(partialAggregate(batchFromRows(SCHEMA, chunk), keys, AGGS));
    }
  }
  while (states.length > 1) {
    states.sort(() => random() - 0.5);
    const take = 2 + Math.floor(random() * 3);
    states = [mergeAggregate(states.slice(0, take), keys, AGGS), ...states.slice(take)];
  }
  return finalizeAggregate(states[0]!, keys, AGGS);
}

function assertIdentical(actual: Batch, expected: Batch): void {
  assert.deepEqual(actual.schema, expected.schema);
  const a = canonicalRows(batchToRows(actual)), e = canonicalRows(batchToRows(expected));
  assert.equal(a.length, e.length);
  a.forEach((row, r) => {
    for (const [name, v] of Object.entries(row)) {
      assert.ok(Object.is(v, e[r]![name]), `row ${r} column ${name}: ${v} vs ${e[r]![name]}`);
    }
  });
}

Deno.test("aggregates are bit-identical however rows are partitioned and states merged", () => {
  const random = rng(7);
  const rows = randomRows(random, 3000);
  for (const keys of [["k"], [], ["k", "s"]]) {
    const reference = aggregate(batchFromRows(SCHEMA, rows), keys, AGGS);
    for (let trial = 0; trial < 8; trial++) {
      assertIdentical(distributedAggregate(rows, keys, random), reference);
    }
  }
});

/** The sum of doubles, rounded once (all values here are multiples of 2^-80). */
function exactSum(values: readonly number[]): number {
  let s = 0n;
  for (const v of values) {
    const scaled = v * 2 ** 80;
    assert.ok(Number.isInteger(scaled));
    s += BigInt(scaled);
  }
  return Number(s) / 2 ** 80;
}

Deno.test("sum of doubles equals the correctly rounded exact sum", () => {
  const random = rng(11);
  const cases: number[][] = [
    [1e16, 0.01, -1e16],
    [0.1, 0.2, 0.3, -0.6],
    Array.from({ length: 500 }, () => Math.round((random() - 0.5) * 1e8) / 100),
    Array.from({ length: 200 }, (_, i) => (i % 2 ? 1e12 : -1e12) + Math.round(random() * 100) / 100),
  ];
  const schema: Schema = [{ name: "x", type: "double", nullable: false }];
  for (const values of cases) {
    const out = aggregate(batchFromRows(schema, values.map((x) => ({ x }))), [], [{
      fn: "sum",
      input: "x",
      name: "s",
    }]);
    const got = batchToRows(out)[0]!["s"];
    assert.ok(Object.is(got, exactSum(values)), `${got} vs ${exactSum(values)}`);
  }
});

Deno.test("global aggregation over no rows yields one row with count 0 and null sum", () => {
  const empty = batchFromRows(SCHEMA, []);
  const aggs: AggSpec[] = [
    { fn: "count", name: "n" },
    { fn: "sum", input: "x", name: "s" },
    { fn: "min", input: "s", name: "m" },
    { fn: "approxQuantile", input: "x", name: "q", q: 0.9 },
    { fn: "countDistinct", input: "s", name: "d" },
  ];
  assert.deepEqual(batchToRows(aggregate(empty, [], aggs)), [{ n: 0, s: null, m: null, q: null, d: 0 }]);
  const merged = mergeAggregate([], [], aggs, partialStateSchema(SCHEMA, [], aggs));
  assert.deepEqual(batchToRows(finalizeAggregate(merged, [], aggs)), [{
    n: 0,
    s: null,
    m: null,
    q: null,
    d: 0,
  }]);
  assert.equal(aggregate(empty, ["k"], aggs).length, 0);
});

Deno.test("null keys form their own group, -0 and 0 are one key output as 0, NaNs group together", () => {
  const schema: Schema = [{ name: "k", type: "double", nullable: true }, {
    name: "v",
    type: "int",
    nullable: false,
  }];
  const rows = [{ k: null, v: 1 }, { k: -0, v: 2 }, { k: NaN, v: 3 }, { k: 0, v: 4 }, { k: null, v: 5 }, {
    k: NaN,
    v: 6,
  }];
  const out = batchToRows(
    aggregate(batchFromRows(schema, rows), ["k"], [{ fn: "sum", input: "v", name: "t" }]),
  );
  assert.deepEqual(canonicalRows(out), [{ k: null, t: 6 }, { k: 0, t: 6 }, { k: NaN, t: 9 }]);
  assert.ok(Object.is(out.find((r) => r["t"] === 6 && r["k"] !== null)!["k"], 0));
});

Deno.test("min, max and first follow the total order: -0 before 0, NaN after numbers, strings by code units", () => {
  const schema: Schema = [{ name: "x", type: "double", nullable: true }, {
    name: "s",
    type: "string",
    nullable: true,
  }];
  const rows = [{ x: 0, s: "b" }, { x: -0, s: "B" }, { x: NaN, s: null }, { x: null, s: "a" }, {
    x: 5,
    s: "é",
  }];
  const aggs: AggSpec[] = [
    { fn: "min", input: "x", name: "minx" },
    { fn: "max", input: "x", name: "maxx" },
    { fn: "first", input: "x", name: "firstx" },
    { fn: "min", input: "s", name: "mins" },
    { fn: "max", input: "s", name: "maxs" },
  ];
  const [r] = batchToRows(aggregate(batchFromRows(schema, rows), [], aggs));
  assert.ok(Object.is(r!["minx"], -0));
  assert.ok(Number.isNaN(r!["maxx"]));
  assert.ok(Object.is(r!["firstx"], -0));
  assert.equal(r!["mins"], "B");
  assert.equal(r!["maxs"], "é");
});

Deno.test("sum of long is an exact long, and a sum beyond 2^53 is a RangeError", () => {
  const schema: Schema = [{ name: "i", type: "long", nullable: false }];
  const ok = aggregate(batchFromRows(schema, [{ i: 2 ** 52 }, { i: 2 ** 52 - 1 }, { i: -3 }]), [], [
    { fn: "sum", input: "i", name: "s" },
  ]);
  assert.equal(ok.schema[0]!.type, "long");
  assert.equal(batchToRows(ok)[0]!["s"], 2 ** 53 - 4);
  const big = batchFromRows(schema, [{ i: 2 ** 53 - 1 }, { i: 2 ** 53 - 1 }]);
  assert.throws(() => aggregate(big, [], [{ fn: "sum", input: "i", name: "s" }]), RangeError);
});

/** Exact sample variance of doubles (multiples of 2^-40) via BigInt, rounded at the end. */
function exactVariance(xs: readonly number[]): number {
  const n = BigInt(xs.length);
  let s1 = 0n, s2 = 0n;
  for (const x of xs) {
    const k = BigInt(x * 2 ** 40);
    s1 += k;
    s2 += k * k;
  }
  const num = n * s2 - s1 * s1; // variance = num / (n (n-1) 2^80)
  const den = n * (n - 1n);
  const scaled = (num * 2n ** 60n) / den; // keep 60 extra bits before rounding
  return Number(scaled) / 2 ** 140;
}

Deno.test("variance and stddev are accurate despite a large mean; one value gives null", () => {
  const random = rng(3);
  const xs = Array.from({ length: 1000 }, () => 1e6 + Math.round(random() * 1000) / 100);
  const ref = exactVariance(xs);
  const schema: Schema = [{ name: "x", type: "double", nullable: false }];
  const aggs: AggSpec[] = [{ fn: "variance", input: "x", name: "v" }, {
    fn: "stddev",
    input: "x",
    name: "sd",
  }];
  const [r] = batchToRows(aggregate(batchFromRows(schema, xs.map((x) => ({ x }))), [], aggs));
  assert.ok(Math.abs((r!["v"] as number) - ref) / ref < 1e-15, `${r!["v"]} vs ${ref}`);
  assert.ok(Math.abs((r!["sd"] as number) - Math.sqrt(ref)) / Math.sqrt(ref) < 1e-15);
  assert.deepEqual(batchToRows(aggregate(batchFromRows(schema, [{ x: 4 }]), [], aggs)), [{
    v: null,
    sd: null,
  }]);
});

Deno.test("sums with NaN or infinities follow IEEE: +Infinity and -Infinity give NaN", () => {
  const schema: Schema = [{ name: "g", type: "int", nullable: false }, {
    name: "x",
    type: "double",
    nullable: false,
  }];
  const rows = [
    { g: 1, x: Infinity },
    { g: 1, x: 2 },
    { g: 2, x: Infinity },
    { g: 2, x: -Infinity },
    { g: 3, x: NaN },
    { g: 3, x: 1 },
  ];
  const aggs: AggSpec[] = [{ fn: "sum", input: "x", name: "s" }, { fn: "variance", input: "x", name: "v" }];
  const out = canonicalRows(batchToRows(aggregate(batchFromRows(schema, rows), ["g"], aggs)));
  assert.deepEqual(out, [{ g: 1, s: Infinity, v: NaN }, { g: 2, s: NaN, v: NaN }, { g: 3, s: NaN, v: NaN }]);
});

Deno.test("countDistinct is exact across merges, counting -0/0 once and NaN once", () => {
  const schema: Schema = [{ name: "x", type: "double", nullable: true }];
  const a = batchFromRows(schema, [{ x: 0 }, { x: NaN }, { x: 1.5 }, { x: null }]);
  const b = batchFromRows(schema, [{ x: -0 }, { x: NaN }, { x: 2.5 }, { x: Infinity }]);
  const aggs: AggSpec[] = [{ fn: "countDistinct", input: "x", name: "d" }];
  const states = [partialAggregate(a, [], aggs), partialAggregate(b, [], aggs)];
  assert.deepEqual(batchToRows(finalizeAggregate(states, [], aggs)), [{ d: 5 }]);
});

Deno.test("output schema types: count long, sum of int long, sum of double double, min keeps the input type", () => {
  const aggs: AggSpec[] = [
    { fn: "count", name: "n" },
    { fn: "sum", input: "k", name: "sk" },
    { fn: "sum", input: "x", name: "sx" },
    { fn: "avg", input: "k", name: "ak" },
    { fn: "min", input: "s", name: "ms" },
    { fn: "approxCountDistinct", input: "s", name: "ds" },
    { fn: "approxQuantile", input: "k", name: "qk", q: 0.1 },
  ];
  const schema = aggregateOutputSchema(SCHEMA, ["k"], aggs);
  assert.deepEqual(schema.map((f) => `${f.name}:${f.type}`), [
    "k:int",
    "n:long",
    "sk:long",
    "sx:double",
    "ak:double",
    "ms:string",
    "ds:long",
    "qk:double",
  ]);
  const out = aggregate(batchFromRows(SCHEMA, randomRows(rng(1), 50)), ["k"], aggs);
  assert.deepEqual(out.schema, schema);
});

Deno.test("invalid aggregations throw SchemaError or RangeError", () => {
  assert.throws(() => aggregateOutputSchema(SCHEMA, [], [{ fn: "sum", input: "s", name: "t" }]), SchemaError);
  assert.throws(
    () => aggregateOutputSchema(SCHEMA, [], [{ fn: "sum", input: "nope", name: "t" }]),
    SchemaError,
  );
  assert.throws(
    () => aggregateOutputSchema(SCHEMA, ["k"], [{ fn: "count", name: "k" }]),
    (e: unknown) => e instanceof SchemaError && /appears twice/.test(e.message),
  );
  assert.throws(
    () => aggregateOutputSchema(SCHEMA, [], [{ fn: "approxQuantile", input: "x", name: "q", q: 2 }]),
    RangeError,
  );
  assert.throws(() => aggregateOutputSchema(SCHEMA, [], [{ fn: "sum", name: "t" }]), TypeError);
});

Deno.test("partial aggregation keeps one state row per distinct key of the batch", () => {
  const batch = batchFromRows(SCHEMA, randomRows(rng(5), 400));
  const states = partialAggregate(batch, ["k"], AGGS);
  const keys = new Set(
    batchToRows(takeRows(batch, Array.from({ length: 400 }, (_, i) => i))).map((r) => r["k"]),
  );
  assert.equal(states.length, keys.size);
  assert.deepEqual(states.schema, partialStateSchema(SCHEMA, ["k"], AGGS));
});
