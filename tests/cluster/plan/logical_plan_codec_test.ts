import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import type { Schema } from "../../../cluster/columnar/batch.ts";
import type { LogicalPlan } from "../../../cluster/plan/logical_plan.ts";
import { decodeAction, decodeLogicalPlan } from "../../../cluster/plan/logical_plan_codec.ts";
import type { CsvRangeOptions } from "../../../cluster/io/csv/range_options.ts";

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

/** Parse options of a CSV range (as the reader builds them). */
const CSV_OPTIONS: CsvRangeOptions = {
  dialect: { separator: ";" },
  schema: { fields: [{ name: "id", type: "long", nullable: false }, { name: "s", type: "string" }] },
  file: "bank.csv",
  strict: false,
  gzip: false,
  fused: true,
  dataStart: 10,
  searchBytes: 65_536,
};

/** The file-source operators. */
const FILE_OPS: LogicalPlan = {
  op: "union",
  inputs: [
    {
      op: "csvScan",
      path: "/data/bank.csv",
      ranges: [{ start: 0, end: 100 }, { start: 100, end: 250 }],
      dialect: { separator: ";" },
    },
    {
      op: "csv",
      path: "/data/bank.csv",
      entries: [{ start: 0, end: 100, state: 0, line: 2 }],
      options: CSV_OPTIONS,
      cacheId: 9,
      which: "quarantine",
      schema: SCHEMA,
      rows: 41,
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
    options: CSV_OPTIONS,
    cacheId: 1,
    which: "valid",
    schema: SCHEMA,
  };
  assert.deepEqual(decodeLogicalPlan(noRows), noRows);
});

Deno.test("decodeLogicalPlan rejects malformed CSV range entries and options by their path", () => {
  const csv = {
    op: "csv",
    path: "p",
    entries: [{ start: 0, end: 10, state: 0, line: 2 }],
    options: CSV_OPTIONS,
    cacheId: 1,
    which: "valid",
    schema: SCHEMA,
  };
  const entry = csv.entries[0]!;
  rejects(
    { ...csv, entries: [entry, { ...entry, start: -1 }] },
    /^logical plan: "entries\[1\]\.start" must be a non-negative integer$/,
  );
  rejects(
    { ...csv, entries: [{ ...entry, end: "10" }] },
    /"entries\[0\]\.end" must be a non-negative integer/,
  );
  rejects({ ...csv, entries: [{ ...entry, start: 20 }] }, /"entries\[0\]\.end" must not be before "start"/);
  rejects({ ...csv, entries: [{ ...entry, state: 1e6 }] }, /"entries\[0\]\.state" must be a state/);
  rejects({ ...csv, entries: [{ ...entry, line: 0 }] }, /"entries\[0\]\.line" must be a line number/);
  rejects({ ...csv, entries: [{ ...entry, extra: 1 }] }, /"entries\[0\]" has an unexpected field "extra"/);
  rejects({ ...csv, options: { ...CSV_OPTIONS, strict: "no" } }, /"options\.strict" must be a boolean/);
  rejects({ ...csv, options: { ...CSV_OPTIONS, file: 7 } }, /"options\.file" must be a string/);
  rejects(
    { ...csv, options: { ...CSV_OPTIONS, dataStart: -5 } },
    /"options\.dataStart" must be a non-negative/,
  );
  rejects(
    { ...csv, options: { ...CSV_OPTIONS, searchBytes: 0 } },
    /"options\.searchBytes" must be at least 1/,
  );
  rejects(
    { ...csv, options: { ...CSV_OPTIONS, dialect: { separator: ";;" } } },
    /"options\.dialect" is not a usable dialect/,
  );
  rejects(
    { ...csv, options: { ...CSV_OPTIONS, dialect: { maxQuotedNewlines: 1.5 } } },
    /"options\.dialect\.maxQuotedNewlines" must be a non-negative integer/,
  );
  rejects(
    { ...csv, options: { ...CSV_OPTIONS, schema: { fields: [{ name: "x", type: "blob" }] } } },
    /"options\.schema" is not a valid CSV schema: fields\.0\.type/,
  );
  const { gzip: _, ...noGzip } = CSV_OPTIONS;
  rejects({ ...csv, options: noGzip }, /"options\.gzip" must be a boolean/);
  rejects(
    { op: "csvScan", path: "p", ranges: [], dialect: { quote: 1 } },
    /"dialect\.quote" must be a string/,
  );
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
  rejects(
    { op: "limit", n: 1, input: { ...range, extra: 1 } },
    /^logical plan: "input" has an unexpected field/,
  );
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
  rejects({ op: "cache", cacheId: "x", input: range }, /"cacheId" must be a non-negative integer/);
});

Deno.test("decodeLogicalPlan rejects bad joins, schemas, expressions and sort keys", () => {
  const join = { op: "join", left: range, right: range, on: ["id"], how: "inner", strategy: "auto" };
  rejects({ ...join, how: "cross" }, /"how" must be one of 6 values: .*, got "cross"/);
  rejects({ ...join, strategy: "magic" }, /"strategy" must be one of 3 values/);
  rejects({ ...join, on: [""] }, /"on\[0\]" must be a string of 1 to/);
  rejects(
    { ...inline, schema: [{ name: "x", type: "bigint", nullable: true }] },
    /"schema\[0\]\.type" must be one of/,
  );
  rejects({ op: "filter", input: range, cond: { op: "js", code: "1" } }, /unknown op/);
  rejects({
    op: "sort",
    input: range,
    keys: [{ expr: { op: "col", name: "id" }, ascending: "yes", nullsFirst: true }],
  }, /booleans/);
  rejects({ op: "aggregate", input: range, keys: [], aggs: [{ fn: "median", name: "m" }] }, /aggregate/);
  rejects({ op: "union", inputs: [] }, /"inputs" must hold at least one input/);
  rejects({ op: "csvScan", path: "p", ranges: [{ start: 5, end: 1 }], dialect: null }, /before its start/);
  rejects({ op: "files", paths: ["a"], format: "exe", schema: SCHEMA }, /"format" must be/);
  rejects(
    { op: "files", paths: [7], format: "arrow", schema: SCHEMA },
    /"paths\[0\]" must be a string of 1 to/,
  );
  rejects(
    { op: "csv", path: "p", entries: [], options: CSV_OPTIONS, cacheId: 1, which: "all", schema: SCHEMA },
    /"which"/,
  );
});

Deno.test("decodeLogicalPlan enforces its depth, size and JSON-argument limits", () => {
  let deep: unknown = range;
  for (let i = 0; i < 70; i++) deep = { op: "limit", n: 1, input: deep };
  rejects(deep, /deeper than 64/);
  rejects(
    { op: "limit", n: 1, input: { op: "limit", n: 1, input: { ...range, step: 0 } } },
    /"input\.input\.step" must not be 0/,
  );
  assert.doesNotThrow(() => decodeLogicalPlan(deep, { maxDepth: 100 }));
  const wide = { op: "union", inputs: Array.from({ length: 200 }, () => range) };
  assert.throws(() => decodeLogicalPlan(wide, { maxNodes: 100 }), /more than 100 operators/);
  let args: unknown = 1;
  for (let i = 0; i < 40; i++) args = [args];
  rejects({ ...generate, args }, /"args(\[0\])+" nests deeper than 32/);
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

/** The per-partition operators and sample. */
const PARTITION_OPS: LogicalPlan = {
  op: "mapPartitions",
  module: "file:///ops.ts",
  export: "addDate",
  args: { name: "d", start: [2008, 5] },
  schema: SCHEMA,
  carry: { summarize: "summarize", chain: "chain" },
  input: {
    op: "sample",
    lower: 0.25,
    upper: 0.5,
    withReplacement: false,
    seed: -3,
    input: {
      op: "mapPartitions",
      module: "file:///ops.ts",
      export: "tag",
      args: null,
      schema: SCHEMA,
      input: { op: "sample", lower: 0, upper: 3, withReplacement: true, seed: 1, input: range },
    },
  },
};

Deno.test("decodeLogicalPlan returns mapPartitions and sample unchanged after a JSON round trip", () => {
  assert.deepEqual(decodeLogicalPlan(JSON.parse(JSON.stringify(PARTITION_OPS))), PARTITION_OPS);
});

Deno.test("decodeLogicalPlan rejects malformed mapPartitions and sample operators by name", () => {
  const map = { op: "mapPartitions", module: "m", export: "e", args: null, schema: SCHEMA, input: range };
  rejects({ ...map, module: 1 }, /"module" must be a string/);
  rejects({ ...map, export: undefined }, /"export" must be a string/);
  rejects({ ...map, code: "x => x" }, /unexpected field "code" in mapPartitions/);
  rejects({ ...map, carry: { summarize: "s" } }, /"carry\.chain" must be a string/);
  rejects(
    { ...map, carry: { summarize: "s", chain: "c", run: "r" } },
    /"carry" has an unexpected field "run"/,
  );
  rejects({ ...map, carry: "s" }, /"carry" must be an object/);
  rejects(
    { ...map, schema: [{ name: "x", type: "blob", nullable: false }] },
    /"schema\[0\]\.type" must be one of/,
  );
  let args: unknown = 1;
  for (let i = 0; i < 40; i++) args = { a: args };
  rejects({ ...map, args }, /"args\.a\.a.*" nests deeper than 32/);
  const sample = { op: "sample", input: range, lower: 0, upper: 0.5, withReplacement: false, seed: 1 };
  rejects({ ...sample, upper: 1.5 }, /bounds \[0, 1\.5\) that do not satisfy 0 <= lower <= upper <= 1/);
  rejects({ ...sample, lower: 0.6 }, /do not satisfy/);
  rejects({ ...sample, lower: 0.1, withReplacement: true }, /with replacement, so it needs lower 0/);
  rejects({ ...sample, withReplacement: "no" }, /"withReplacement" must be a boolean/);
  rejects({ ...sample, seed: 0.5 }, /"seed" must be a safe integer/);
  rejects({ ...sample, upper: "1" }, /"upper" must be a finite number/);
  rejects({ op: "monthRuns", input: range }, /unknown operator: "monthRuns"/);
});

Deno.test("decodeAction accepts an aggregate action and rejects malformed ones by name", () => {
  const action = { kind: "aggregate", module: "file:///m.ts", fold: "f", merge: "g", args: { k: [1] } };
  assert.deepEqual(decodeAction(JSON.parse(JSON.stringify(action))), action);
  assert.deepEqual(decodeAction({ ...action, args: undefined }), { ...action, args: null });
  assert.throws(() => decodeAction({ ...action, merge: "" }), /action: "merge" must be a string of 1 to/);
  assert.throws(() => decodeAction({ ...action, fold: 3 }), /action: "fold" must be a string/);
  assert.throws(() => decodeAction({ ...action, args: { f: () => 0 } }), /action: "args\.f" must be JSON/);
  assert.throws(() => decodeAction({ ...action, module: undefined }), MalformedMessageError);
});
