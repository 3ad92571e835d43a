import assert from "node:assert/strict";
import type { Batch, Row, Schema } from "../../../cluster/columnar/batch.ts";
import {
  batchFromRows,
  batchToRows,
  canonicalRows,
  concatBatches,
  takeRows,
} from "../../../cluster/columnar/batch_ops.ts";
import type { WindowExpr, WindowFrame, WindowOrder } from "../../../cluster/expr/expr.ts";
import { aggregate } from "../../../cluster/kernels/aggregate.ts";
import { hashPartition } from "../../../cluster/kernels/partition.ts";
import { computeWindow, type WindowOperator, windowOutputSchema } from "../../../cluster/kernels/window.ts";
import { rng } from "../test_rng.ts";
import { assertSameRows, randomRows, SCHEMA, windowOracle } from "./window_oracle.ts";

const T_ASC: WindowOrder = { column: "t", ascending: true, nullsFirst: true };
const T_DESC: WindowOrder = { column: "t", ascending: false, nullsFirst: false };
const FRAMES: WindowFrame[] = [
  { kind: "rows", lower: -2, upper: 0 },
  { kind: "rows", lower: "unbounded", upper: -1 },
  { kind: "rows", lower: -1, upper: 1 },
  { kind: "rows", lower: 2, upper: 5 },
  { kind: "range", lower: -3, upper: 0 },
  { kind: "range", lower: -3, upper: 2 },
  { kind: "range", lower: 1, upper: 4 },
  { kind: "range", lower: "unbounded", upper: 0 },
  { kind: "range", lower: 0, upper: "unbounded" },
  { kind: "rows", lower: "unbounded", upper: "unbounded" },
];
const x = { op: "col", name: "x" } as const;
const t = { op: "col", name: "t" } as const;
const tag = { op: "col", name: "tag" } as const;

function frameFns(frame: WindowFrame): WindowExpr[] {
  return [
    { fn: "count", frame, name: "n" },
    { fn: "count", arg: x, frame, name: "nx" },
    { fn: "sum", arg: x, frame, name: "sx" },
    { fn: "sum", arg: t, frame, name: "st" },
    { fn: "avg", arg: x, frame, name: "mean" },
    { fn: "min", arg: x, frame, name: "lo" },
    { fn: "max", arg: tag, frame, name: "hi" },
    { fn: "stddev", arg: x, frame, name: "sd" },
    { fn: "variance", arg: x, frame, name: "var" },
  ];
}

const POSITION_FNS: WindowExpr[] = [
  { fn: "rowNumber", name: "rn" },
  { fn: "rank", name: "rk" },
  { fn: "denseRank", name: "drk" },
  { fn: "lag", arg: x, offset: 1, name: "prev" },
  { fn: "lag", arg: x, offset: 2, default: 0, name: "prev2" },
  { fn: "lead", arg: tag, offset: 1, default: "none", name: "next" },
  { fn: "lead", arg: t, offset: 3, name: "next3" },
];

Deno.test("window kernel equals a brute-force oracle for every function, frame and order, on ties and nulls", () => {
  for (const seed of [1, 2, 3]) {
    const rows = randomRows(seed, 160);
    const batch = batchFromRows(SCHEMA, rows);
    for (const order of [T_ASC, T_DESC]) {
      const positional: WindowOperator = { partitionBy: ["k"], orderBy: [order], fns: POSITION_FNS };
      assertSameRows(
        batchToRows(computeWindow(batch, positional)),
        windowOracle(rows, positional),
        "positions",
      );
      for (const frame of FRAMES) {
        const op: WindowOperator = { partitionBy: ["k"], orderBy: [order], fns: frameFns(frame) };
        const what = `seed ${seed}, ${order.ascending ? "asc" : "desc"}, ${JSON.stringify(frame)}`;
        assertSameRows(batchToRows(computeWindow(batch, op)), windowOracle(rows, op), what);
      }
    }
  }
});

Deno.test("window kernel with two order keys, no partition columns, and no order at all", () => {
  const rows = randomRows(9, 120);
  const batch = batchFromRows(SCHEMA, rows);
  const ops: WindowOperator[] = [
    {
      partitionBy: [],
      orderBy: [T_ASC, { column: "tag", ascending: false, nullsFirst: true }],
      fns: [...POSITION_FNS, ...frameFns({ kind: "range", lower: "unbounded", upper: 0 })],
    },
    { partitionBy: ["k", "tag"], orderBy: [], fns: frameFns({ kind: "rows", lower: -1, upper: 0 }) },
    { partitionBy: ["tag"], orderBy: [], fns: frameFns({ kind: "range", lower: "unbounded", upper: 0 }) },
  ];
  for (const op of ops) {
    assertSameRows(batchToRows(computeWindow(batch, op)), windowOracle(rows, op), JSON.stringify(op.orderBy));
  }
});

function shuffled(batch: Batch, seed: number): Batch {
  const r = rng(seed);
  const idx = Array.from({ length: batch.length }, (_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return takeRows(batch, idx);
}

Deno.test("window kernel rows do not depend on input order or on how keys are spread over partitions", () => {
  const batch = batchFromRows(SCHEMA, randomRows(4, 300));
  const op: WindowOperator = {
    partitionBy: ["k"],
    orderBy: [T_ASC],
    fns: [...POSITION_FNS, ...frameFns({ kind: "rows", lower: -3, upper: 1 })],
  };
  const expected = canonicalRows(batchToRows(computeWindow(batch, op)));
  for (const seed of [1, 2, 3]) {
    const out = batchToRows(computeWindow(shuffled(batch, seed), op));
    assert.deepEqual(canonicalRows(out), expected, `permutation ${seed}`);
  }
  for (const n of [1, 3, 8]) {
    const parts = hashPartition(shuffled(batch, n), ["k"], n).map((p) => computeWindow(p, op));
    const all = concatBatches(parts[0]!.schema, parts);
    assert.deepEqual(canonicalRows(batchToRows(all)), expected, `${n} partitions`);
  }
});

const EVENTS: Schema = [
  { name: "acct", type: "string", nullable: false },
  { name: "ts", type: "timestamp", nullable: true },
  { name: "amount", type: "double", nullable: false },
];
const HOUR = 3_600_000;
const byTs = (frame: WindowFrame, fns: WindowExpr[] = []): WindowOperator => ({
  partitionBy: ["acct"],
  orderBy: [{ column: "ts", ascending: true, nullsFirst: true }],
  fns: [{ fn: "count", frame, name: "n" }, ...fns],
});
const amount = { op: "col", name: "amount" } as const;

function run(rows: Row[], op: WindowOperator, out: string): Scalar[] {
  return batchToRows(computeWindow(batchFromRows(EVENTS, rows), op)).map((r) => r[out]!);
}
type Scalar = Row[string];

Deno.test("a range frame includes an event exactly at its edge and excludes one a millisecond beyond", () => {
  const rows = [0, 1, HOUR, HOUR + 1, 2 * HOUR + 1].map((ts, i) => ({ acct: "a", ts, amount: i }));
  const hour = byTs({ kind: "range", lower: -HOUR, upper: 0 });
  // ts = HOUR sees 0 (exactly an hour back) and 1; HOUR + 1 sees 1 (exactly an hour back), not 0.
  assert.deepEqual(run(rows, hour, "n"), [1, 2, 3, 3, 2]);
  const ahead = byTs({ kind: "range", lower: 0, upper: HOUR });
  assert.deepEqual(run(rows, ahead, "n"), [3, 3, 2, 2, 1]);
});

Deno.test("a range frame includes every peer of the current row, before and after it", () => {
  const rows = [10, 20, 20, 20, 30].map((ts, i) => ({ acct: "a", ts, amount: i }));
  const running = byTs({ kind: "range", lower: "unbounded", upper: 0 });
  assert.deepEqual(run(rows, running, "n"), [1, 4, 4, 4, 5]);
  const rowsFrame = byTs({ kind: "rows", lower: "unbounded", upper: 0 });
  assert.deepEqual(run(rows, rowsFrame, "n"), [1, 2, 3, 4, 5]);
  const ranks = byTs({ kind: "rows", lower: 0, upper: 0 }, [
    { fn: "rank", name: "rk" },
    { fn: "denseRank", name: "drk" },
  ]);
  assert.deepEqual(run(rows, ranks, "rk"), [1, 2, 2, 2, 5]);
  assert.deepEqual(run(rows, ranks, "drk"), [1, 2, 2, 2, 3]);
});

Deno.test("null order values sort first and, in an offset range frame, see only each other", () => {
  const rows = [null, 5, null, 6].map((ts, i) => ({ acct: "a", ts, amount: i }));
  const near = byTs({ kind: "range", lower: -10, upper: 0 }, [{ fn: "rowNumber", name: "rn" }]);
  const out = batchToRows(computeWindow(batchFromRows(EVENTS, rows), near));
  // Rows come out in input order; the two nulls tie on ts and are ordered by amount (0, then 2).
  const expected = [[null, 2, 1], [5, 1, 3], [null, 2, 2], [6, 2, 4]];
  assert.deepEqual(out.map((r) => [r["ts"], r["n"], r["rn"]]), expected);
  const running = byTs({ kind: "range", lower: "unbounded", upper: 0 });
  assert.deepEqual(run(rows, running, "n"), [2, 3, 2, 4]);
});

Deno.test("a descending range frame offsets toward larger values", () => {
  const rows = [1, 2, 4, 8].map((ts) => ({ acct: "a", ts, amount: ts }));
  const op: WindowOperator = {
    partitionBy: ["acct"],
    orderBy: [{ column: "ts", ascending: false, nullsFirst: false }],
    fns: [{ fn: "sum", arg: amount, frame: { kind: "range", lower: -2, upper: 0 }, name: "s" }],
  };
  // Order 8, 4, 2, 1: each sees the values up to 2 above it (rows come out in input order).
  assert.deepEqual(run(rows, op, "s"), [3, 6, 4, 8]);
});

Deno.test("sliding sums are exact: a large value or a NaN that leaves the frame leaves no trace", () => {
  const amounts = [0.01, 1e12, 0.02, 0.03, NaN, 0.04, 0.05];
  const rows = amounts.map((amount, i) => ({ acct: "a", ts: i, amount }));
  const op = byTs({ kind: "rows", lower: -1, upper: 0 }, [
    { fn: "sum", arg: amount, frame: { kind: "rows", lower: -1, upper: 0 }, name: "s" },
  ]);
  const sums = run(rows, op, "s");
  assert.deepEqual(sums, [0.01, 1e12 + 0.01, 1e12 + 0.02, 0.05, NaN, NaN, 0.09]);
  assert.equal(sums[3], 0.02 + 0.03, "the pair (0.02, 0.03) once 1e12 has left");
});

Deno.test("a whole-partition window sum equals groupBy's sum bit for bit", () => {
  const rows = randomRows(11, 400).map((r) => ({
    ...r,
    x: r["x"] === null ? 0.1 : (r["x"] as number) * 1.7,
  }));
  const batch = batchFromRows(SCHEMA, rows);
  const all: WindowFrame = { kind: "rows", lower: "unbounded", upper: "unbounded" };
  const windowed = batchToRows(computeWindow(batch, {
    partitionBy: ["k"],
    orderBy: [T_ASC],
    fns: [{ fn: "sum", arg: x, frame: all, name: "s" }, { fn: "stddev", arg: x, frame: all, name: "sd" }],
  }));
  const grouped = batchToRows(aggregate(batch, ["k"], [
    { fn: "sum", input: "x", name: "s" },
    { fn: "stddev", input: "x", name: "sd" },
  ]));
  for (const g of grouped) {
    const w = windowed.filter((r) => r["k"] === g["k"]);
    assert.ok(w.length > 0);
    for (const r of w) assert.deepEqual([r["s"], r["sd"]], [g["s"], g["sd"]]);
  }
});

Deno.test("lag and lead return the default outside the partition and null for a null there", () => {
  const rows = [1, 2, 3].map((ts) => ({ acct: "a", ts, amount: ts * 10 }));
  const op = byTs({ kind: "rows", lower: 0, upper: 0 }, [
    { fn: "lag", arg: amount, offset: 1, name: "prev" },
    { fn: "lag", arg: amount, offset: 2, default: -1, name: "prev2" },
    { fn: "lead", arg: amount, offset: 1, default: 0, name: "next" },
    { fn: "lag", arg: amount, offset: -1, name: "negative" },
  ]);
  const out = batchToRows(computeWindow(batchFromRows(EVENTS, rows), op));
  assert.deepEqual(out.map((r) => [r["prev"], r["prev2"], r["next"], r["negative"]]), [
    [null, -1, 20, 20],
    [10, -1, 30, 30],
    [20, 10, 0, null],
  ]);
});

Deno.test("stddev and variance are sample statistics, null below two values", () => {
  const rows = [2, 4, 4, 4, 5, 5, 7, 9].map((amount, i) => ({ acct: "a", ts: i, amount }));
  const frame: WindowFrame = { kind: "rows", lower: "unbounded", upper: 0 };
  const op = byTs(frame, [{ fn: "variance", arg: amount, frame, name: "v" }]);
  const v = run(rows, op, "v");
  assert.equal(v[0], null);
  assert.equal(v[1], 2);
  assert.ok(Math.abs((v[7] as number) - 32 / 7) < 1e-15);
});

Deno.test("windowOutputSchema types every function and rejects bad windows by name", () => {
  const fields = windowOutputSchema(SCHEMA, {
    partitionBy: ["k"],
    orderBy: [T_ASC],
    fns: [...POSITION_FNS, ...frameFns({ kind: "range", lower: -1, upper: 0 })],
  }).slice(SCHEMA.length);
  assert.deepEqual(fields.map((f) => `${f.name}:${f.type}:${f.nullable}`), [
    "rn:int:false",
    "rk:int:false",
    "drk:int:false",
    "prev:double:true",
    "prev2:double:true",
    "next:string:true",
    "next3:long:true",
    "n:long:false",
    "nx:long:false",
    "sx:double:true",
    "st:long:true",
    "mean:double:true",
    "lo:double:true",
    "hi:string:true",
    "sd:double:true",
    "var:double:true",
  ]);
  const bad: [Partial<WindowOperator>, RegExp][] = [
    [{ partitionBy: ["nope"] }, /Cannot resolve column "nope"/],
    [{ orderBy: [], fns: [{ fn: "rowNumber", name: "r" }] }, /row_number\(\) AS r .*needs an ordered window/],
    [
      { orderBy: [{ column: "tag", ascending: true, nullsFirst: true }] },
      /count\(1\) AS c .*"tag" is string/,
    ],
    [{ orderBy: [T_ASC, T_DESC] }, /exactly one order column, not 2/],
    [
      { fns: [{ fn: "sum", arg: tag, frame: FRAMES[0]!, name: "s" }] },
      /sum\(tag\) AS s .*needs a number, not string/,
    ],
    [{ fns: [{ fn: "lag", arg: x, default: "zero", name: "l" }] }, /default "zero" is not a double/],
    [{ fns: [{ fn: "rowNumber", name: "x" }] }, /"x" already exists/],
    [{ fns: [{ fn: "count", name: "c" }] }, /needs a frame/],
  ];
  for (const [change, message] of bad) {
    const op: WindowOperator = {
      partitionBy: ["k"],
      orderBy: [T_ASC],
      fns: [{ fn: "count", frame: { kind: "range", lower: -1, upper: 0 }, name: "c" }],
      ...change,
    };
    assert.throws(() => windowOutputSchema(SCHEMA, op), { name: "SchemaError", message }, String(message));
  }
});
