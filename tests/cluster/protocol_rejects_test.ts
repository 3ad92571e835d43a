import assert from "node:assert/strict";
import { MalformedMessageError } from "../../actors/errors.ts";
import { decodeDriverMessage, decodeExecutorMessage, decodeWelcome } from "../../cluster/protocol.ts";
import type { CsvRangeOptions } from "../../cluster/io/csv/range_options.ts";

const OPTIONS: CsvRangeOptions = {
  dialect: { separator: ";", quote: '"', header: true, maxQuotedNewlines: 4 },
  schema: { fields: [{ name: "age", type: "int", nullable: false }, { name: "job", type: "string" }] },
  file: "bank.csv",
  strict: false,
  gzip: false,
  fused: true,
  dataStart: 12,
  searchBytes: 1 << 20,
};
const SCHEMA = [{ name: "age", type: "int", nullable: false }, {
  name: "job",
  type: "string",
  nullable: true,
}];
const CSV_RANGE = {
  op: "csvRange",
  path: "/data/bank.csv",
  entry: { start: 12, end: 4096, state: 0, line: 2 },
  options: OPTIONS,
  schema: SCHEMA,
};
const LAUNCH = {
  v: 1,
  type: "task.launch",
  taskId: "t-1",
  jobId: 1,
  stageId: 2,
  partition: 0,
  attempt: 0,
  node: { op: "filter", input: CSV_RANGE, cond: { op: "col", name: "age" } },
  sink: {
    kind: "shuffle",
    outputId: 3,
    partitioner: {
      kind: "range",
      keys: [{ column: "age", ascending: true, nullsFirst: false }],
      n: 2,
      bounds: [{ age: 40 }],
    },
  },
};

/** A copy of LAUNCH with `value` at the dotted `path` (`undefined` removes the field). */
function withField(path: string, value: unknown): unknown {
  const copy = structuredClone(LAUNCH) as Record<string, unknown>;
  const keys = path.split(".");
  let o = copy;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[keys.at(-1)!];
  else o[keys.at(-1)!] = value;
  return copy;
}

function rejects(u: unknown, message: string): void {
  assert.throws(() => decodeDriverMessage(u), (e: unknown) => {
    assert.ok(e instanceof MalformedMessageError, `expected MalformedMessageError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("decodeDriverMessage returns a well-formed CSV range launch unchanged, typed", () => {
  const msg = decodeDriverMessage(JSON.parse(JSON.stringify(LAUNCH)));
  assert.deepEqual(msg, LAUNCH);
  assert.ok(msg.type === "task.launch" && msg.node.op === "filter" && msg.node.input.op === "csvRange");
  assert.equal(msg.node.input.entry.line, 2);
  assert.equal(msg.node.input.options.dialect.separator, ";");
});

Deno.test("task.launch rejects each malformed CSV range entry field by its path", () => {
  const at = "node.input.entry";
  const m = (field: string, problem: string) => `task.launch: "${at}${field}" ${problem}`;
  rejects(withField(`${at}.start`, -1), m(".start", "must be a non-negative integer"));
  rejects(withField(`${at}.start`, 1.5), m(".start", "must be a non-negative integer"));
  rejects(withField(`${at}.end`, "4096"), m(".end", "must be a non-negative integer"));
  rejects(withField(`${at}.end`, 11), m(".end", 'must not be before "start" (11 < 12)'));
  rejects(withField(`${at}.state`, undefined), m(".state", "must be a non-negative integer"));
  rejects(withField(`${at}.state`, 99), m(".state", "must be a state of the dialect's automaton (< 14)"));
  rejects(withField(`${at}.line`, 0), m(".line", "must be a line number (>= 1)"));
  rejects(withField(`${at}.junk`, 1), m("", 'has an unexpected field "junk"'));
  rejects(withField(at, [12, 4096]), m("", "must be an object, got an array"));
});

Deno.test("task.launch rejects each malformed CSV range option by its path", () => {
  const at = "node.input.options";
  const m = (field: string, problem: string) => `task.launch: "${at}${field}" ${problem}`;
  rejects(withField(`${at}.file`, 3), m(".file", "must be a string of at most 10000 characters"));
  rejects(withField(`${at}.strict`, "false"), m(".strict", "must be a boolean"));
  rejects(withField(`${at}.gzip`, undefined), m(".gzip", "must be a boolean"));
  rejects(withField(`${at}.fused`, 1), m(".fused", "must be a boolean"));
  rejects(withField(`${at}.dataStart`, -12), m(".dataStart", "must be a non-negative integer"));
  rejects(withField(`${at}.searchBytes`, 0), m(".searchBytes", "must be at least 1"));
  rejects(withField(`${at}.eval`, "x"), m("", 'has an unexpected field "eval"'));
  rejects(
    withField(`${at}.dialect.separator`, 59),
    m(".dialect.separator", "must be a string of at most 10000 characters"),
  );
  rejects(withField(`${at}.dialect.header`, "yes"), m(".dialect.header", "must be a boolean"));
  rejects(
    withField(`${at}.dialect.maxQuotedNewlines`, -1),
    m(".dialect.maxQuotedNewlines", "must be a non-negative integer"),
  );
  rejects(
    withField(`${at}.dialect.quote`, ";"),
    m(".dialect", "is not a usable dialect: Cannot use the same character as CSV separator and quote"),
  );
  rejects(withField(`${at}.schema`, undefined), m(".schema", "must be an object, got undefined"));
  assert.throws(
    () => decodeDriverMessage(withField(`${at}.schema.fields`, [{ name: "a", type: "int", format: "yyyy" }])),
    /task.launch: "node.input.options.schema" is not a valid CSV schema: fields.0: "format" needs type/,
  );
});

Deno.test("task.launch rejects malformed operator, sink and partitioner fields by their path", () => {
  rejects(withField("v", 2), 'task.launch: "v" must be 1, got 2');
  rejects(withField("attempt", -1), 'task.launch: "attempt" must be a non-negative integer');
  rejects(
    withField("node.input.path", undefined),
    'task.launch: "node.input.path" must be a string of at most 10000 characters',
  );
  rejects(
    withField("node.input.schema", [{ name: "a", type: "blob", nullable: true }]),
    'task.launch: "node.input.schema[0].type" must be one of 7 values: "double", "long", "int", "bool", "string", "timestamp", "date", got "blob"',
  );
  rejects(withField("node.input.op", "exec"), 'task.launch: "node.input.op" is not an operator: "exec"');
  rejects(
    withField("node", { op: "csvScan", path: "p", start: 0, end: 9, dialect: { separator: 1 } }),
    'task.launch: "node.dialect.separator" must be a string of at most 10000 characters',
  );
  rejects(
    withField("node", {
      op: "generate",
      module: "m",
      export: "e",
      args: { x: [1, Number.NaN] },
      partition: 0,
      numPartitions: 1,
      schema: SCHEMA,
    }),
    'task.launch: "node.args.x[1]" must hold finite numbers',
  );
  rejects(
    withField("sink.partitioner.bounds", [{ age: 40 }, { age: { $gt: 1 } }]),
    'task.launch: "sink.partitioner.bounds[1].age" must be a finite number, string, boolean or null, got an object',
  );
  rejects(
    withField("sink.partitioner.keys", [{ column: "age", ascending: "yes", nullsFirst: false }]),
    'task.launch: "sink.partitioner.keys[0].ascending" must be a boolean',
  );
  rejects(
    withField("sink.partitioner.kind", "random"),
    'task.launch: "sink.partitioner.kind" is not a partitioner: "random"',
  );
  rejects(
    withField("sink", { kind: "write", format: "exe", dir: "/tmp", file: "x" }),
    'task.launch: "sink.format" must be one of 3 values: "arrow", "parquet", "csv", got "exe"',
  );
});

Deno.test("zod-decoded messages name the field too, and keep an error's determinism and cause", () => {
  assert.throws(
    () =>
      decodeWelcome({
        v: 1,
        type: "executor.welcome",
        executorId: "e",
        epoch: 0,
        slots: 1,
        heartbeatMs: 100,
        allowedModules: [],
      }),
    /^MalformedMessageError: executor.welcome: "epoch" /,
  );
  const failed = {
    v: 1,
    type: "task.failed",
    taskId: "t-1",
    failure: {
      kind: "task",
      error: {
        name: "SchemaError",
        message: "m",
        data: {},
        deterministic: true,
        cause: { name: "E", message: "c", data: {} },
      },
    },
  };
  assert.deepEqual(decodeExecutorMessage(failed), failed);
  const bad = structuredClone(failed);
  (bad.failure.error.cause.data as Record<string, unknown>)["x"] = Infinity;
  assert.throws(
    () => decodeExecutorMessage(bad),
    /executor message: "failure.error" cause.data.x: must hold finite numbers/,
  );
});
