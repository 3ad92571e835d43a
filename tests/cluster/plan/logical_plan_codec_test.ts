import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import type { Schema } from "../../../cluster/columnar/batch.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import { decodeAction, decodeLogicalPlan } from "../../../cluster/plan/logical_plan_codec.ts";

const SCHEMA: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "s", type: "string", nullable: true },
];

const range: LogicalPlan = { op: "range", start: 0, end: 1000, step: 1, partitions: 4 };
const inline: LogicalPlan = { op: "inline", dataId: "data-1", schema: SCHEMA, partitions: 2, rows: 10 };
const generate: LogicalPlan = {
  op: "generate",
  module: "file:///gen.ts",
  export: "rows",
  args: { n: 5, tags: ["a", null, true], nested: { x: 1.5 } },
  partitions: 3,
  schema: SCHEMA,
};
const k = { op: "bin", fn: "%", left: { op: "col", name: "id" }, right: { op: "lit", value: 7 } } as const;

/** A plan using every operator. */
const EVERY_OP: LogicalPlan = {
  op: "limit",
  n: 50,
  input: {
    op: "sort",
    keys: [{ expr: { op: "col", name: "k" }, ascending: false, nullsFirst: true }],
    input: {
      op: "aggregate",
      keys: [{ op: "col", name: "k" }],
      aggs: [{ fn: "count", name: "n" }, { fn: "sum", arg: { op: "col", name: "id" }, name: "total" }, {
        fn: "approxQuantile",
        arg: { op: "col", name: "id" },
        name: "p50",
        q: 0.5,
        relativeError: 0.01,
      }],
      input: {
        op: "join",
        on: ["id"],
        how: "left",
        strategy: "broadcast",
        left: {
          op: "cache",
          cacheId: 123456,
          input: {
            op: "filter",
            cond: { op: "bin", fn: ">", left: { op: "col", name: "id" }, right: { op: "lit", value: 3 } },
            input: {
              op: "project",
              exprs: [{ op: "col", name: "id" }, { op: "alias", name: "k", arg: k }],
              input: range,
            },
          },
        },
        right: {
          op: "union",
          inputs: [
            { op: "repartition", n: 8, keys: ["id"], input: inline },
            { op: "coalesce", n: 1, input: generate },
          ],
        },
      },
    },
  },
};

Deno.test("decodeLogicalPlan returns a plan using every operator unchanged after a JSON round trip", () => {
  const decoded = decodeLogicalPlan(JSON.parse(JSON.stringify(EVERY_OP)));
  assert.deepEqual(decoded, EVERY_OP);
});

/** The file-source operators. */
const FILE_OPS: LogicalPlan = {
  op: "union",
  inputs: [
    {
      op: "csvScan",
      path: "/data/bank.csv",
      ranges: [{ start: 0, end: 100 }, { start: 100, end: 250 }],
      dialect: { delimiter: ";" },
    },
    {
      op: "contactDate",
      cursors: [{ year: 2008, month: 5 }],
      input: {
        op: "monthRuns",
        input: {
          op: "csv",
          path: "/data/bank.csv",
          entries: [{ start: 0, end: 100 }],
          options: { header: true },
          cacheId: 9,
          which: "quarantine",
          schema: SCHEMA,
          rows: 41,
        },
      },
    },
    { op: "files", paths: ["/data/a.parquet", "/data/b.parquet"], format: "parquet", schema: SCHEMA },
  ],
};

Deno.test("decodeLogicalPlan returns the file-source operators unchanged after a JSON round trip", () => {
  assert.deepEqual(decodeLogicalPlan(JSON.parse(JSON.stringify(FILE_OPS))), FILE_OPS);
  const noRows = {
    op: "csv",
    path: "p",
    entries: [],
    options: null,
    cacheId: 1,
    which: "valid",
    schema: SCHEMA,
  };
  assert.deepEqual(decodeLogicalPlan(noRows), noRows);
});

function rejects(u: unknown, pattern: RegExp): void {
  assert.throws(() => decodeLogicalPlan(u), (e: unknown) => {
    assert.ok(e instanceof MalformedMessageError, `expected MalformedMessageError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("decodeLogicalPlan rejects unknown operators, extra fields and non-objects", () => {
  rejects({ op: "eval", code: "Deno.exit()" }, /unknown operator/);
  rejects({ ...range, extra: 1 }, /unexpected field "extra" in range/);
  rejects(null, /must be an object/);
  rejects([range], /must be an object/);
  rejects("range", /must be an object/);
});

Deno.test("decodeLogicalPlan rejects bad numbers: zero step, unsafe integers, out-of-range partitions", () => {
  rejects({ ...range, step: 0 }, /"step" must not be 0/);
  rejects({ ...range, end: 2 ** 60 }, /"end" must be a safe integer/);
  rejects({ ...range, start: 1.5 }, /"start" must be a safe integer/);
  rejects({ ...range, partitions: 0 }, /"partitions" must be between 1 and 100000/);
  rejects({ ...range, partitions: 1e9 }, /"partitions" must be between/);
  rejects({ op: "limit", n: -1, input: range }, /"n" must be a non-negative integer/);
  rejects({ op: "cache", cacheId: "x", input: range }, /"cacheId" must be a safe integer/);
});

Deno.test("decodeLogicalPlan rejects bad joins, schemas, expressions and sort keys", () => {
  const join = { op: "join", left: range, right: range, on: ["id"], how: "inner", strategy: "auto" };
  rejects({ ...join, how: "cross" }, /unknown join type "cross"/);
  rejects({ ...join, strategy: "magic" }, /unknown join strategy/);
  rejects({ ...join, on: [""] }, /column names must be non-empty strings/);
  rejects({ ...inline, schema: [{ name: "x", type: "bigint", nullable: true }] }, /unknown type/);
  rejects({ op: "filter", input: range, cond: { op: "js", code: "1" } }, /unknown op/);
  rejects({
    op: "sort",
    input: range,
    keys: [{ expr: { op: "col", name: "id" }, ascending: "yes", nullsFirst: true }],
  }, /booleans/);
  rejects({ op: "aggregate", input: range, keys: [], aggs: [{ fn: "median", name: "m" }] }, /aggregate/);
  rejects({ op: "union", inputs: [] }, /at least one input/);
  rejects({ op: "csvScan", path: "p", ranges: [{ start: 5, end: 1 }], dialect: null }, /before its start/);
  rejects({ op: "files", paths: ["a"], format: "exe", schema: SCHEMA }, /"format" must be/);
  rejects(
    { op: "files", paths: [7], format: "arrow", schema: SCHEMA },
    /file paths must be non-empty strings/,
  );
  rejects(
    { op: "csv", path: "p", entries: [], options: null, cacheId: 1, which: "all", schema: SCHEMA },
    /"which"/,
  );
});

Deno.test("decodeLogicalPlan enforces its depth, size and JSON-argument limits", () => {
  let deep: unknown = range;
  for (let i = 0; i < 70; i++) deep = { op: "limit", n: 1, input: deep };
  rejects(deep, /deeper than 64/);
  assert.doesNotThrow(() => decodeLogicalPlan(deep, { maxDepth: 100 }));
  const wide = { op: "union", inputs: Array.from({ length: 200 }, () => range) };
  assert.throws(() => decodeLogicalPlan(wide, { maxNodes: 100 }), /more than 100 operators/);
  let args: unknown = 1;
  for (let i = 0; i < 40; i++) args = [args];
  rejects({ ...generate, args }, /nest deeper than 32/);
  assert.throws(() => decodeLogicalPlan(range, { maxDepth: 0 }), RangeError);
});

Deno.test("decodeAction accepts collect, count and write, and rejects anything else", () => {
  assert.deepEqual(decodeAction({ kind: "collect" }), { kind: "collect" });
  assert.deepEqual(decodeAction({ kind: "count", junk: 1 }), { kind: "count" });
  assert.deepEqual(decodeAction({ kind: "write", format: "csv", dir: "/tmp/out" }), {
    kind: "write",
    format: "csv",
    dir: "/tmp/out",
  });
  assert.throws(() => decodeAction({ kind: "write", format: "exe", dir: "/tmp" }), MalformedMessageError);
  assert.throws(() => decodeAction({ kind: "write", format: "csv", dir: "" }), MalformedMessageError);
  assert.throws(() => decodeAction({ kind: "delete" }), MalformedMessageError);
  assert.throws(() => decodeAction(undefined), MalformedMessageError);
});
