import assert from "node:assert/strict";
import {
  at,
  bool,
  failZod,
  field,
  int,
  json,
  list,
  nat,
  num,
  obj,
  oneOf,
  only,
  optional,
  str,
  strs,
  where,
  wireErrorValue,
} from "../../actors/decode.ts";
import { MalformedMessageError } from "../../actors/errors.ts";

/** Asserts `f` throws a MalformedMessageError with exactly `message`. */
function rejects(f: () => unknown, message: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof MalformedMessageError, `expected MalformedMessageError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

const msg = where("task.launch");

Deno.test("field readers return well-typed values unchanged", () => {
  const o = obj({ s: "a", n: 1.5, i: -3, k: 7, b: false, e: "csv", l: ["x", "y"], j: { a: [1, null] } }, msg);
  assert.equal(str(o, "s"), "a");
  assert.equal(num(o, "n"), 1.5);
  assert.equal(int(o, "i"), -3);
  assert.equal(nat(o, "k"), 7);
  assert.equal(bool(o, "b"), false);
  assert.equal(oneOf(o, "e", ["csv", "arrow"]), "csv");
  assert.deepEqual(strs(o, "l"), ["x", "y"]);
  assert.deepEqual(json(o, "j"), { a: [1, null] });
  assert.equal(optional(o, "missing", nat), undefined);
  assert.equal(optional(o, "k", nat), 7);
});

Deno.test("each reader names the message and the full path of the bad value", () => {
  const o = obj({
    node: { entry: { start: -1 } },
    csv: { ranges: [{ start: 0 }, { start: 0 }, { start: 2.5 }] },
  }, msg);
  const entry = field(field(o, "node"), "entry");
  rejects(() => nat(entry, "start"), 'task.launch: "node.entry.start" must be a non-negative integer');
  rejects(
    () => list(field(o, "csv"), "ranges", (u, w) => nat(obj(u, w), "start")),
    'task.launch: "csv.ranges[2].start" must be a non-negative integer',
  );
  rejects(() => obj(7, msg), "task.launch: must be an object, got 7");
  rejects(() => field(o, "sink"), 'task.launch: "sink" must be an object, got undefined');
});

Deno.test("each reader rejects the wrong type by name", () => {
  const o = obj({
    s: 1,
    n: Infinity,
    i: 1.5,
    k: -1,
    b: "yes",
    e: "exe",
    l: ["x", 2],
    a: "no",
    big: "x".repeat(11),
  }, msg);
  rejects(() => str(o, "s"), 'task.launch: "s" must be a string of at most 10000 characters');
  rejects(() => str(o, "big", { max: 10 }), 'task.launch: "big" must be a string of at most 10 characters');
  rejects(
    () => str(o, "big", { min: 1, max: 10 }),
    'task.launch: "big" must be a string of 1 to 10 characters',
  );
  rejects(() => num(o, "n"), 'task.launch: "n" must be a finite number');
  rejects(() => int(o, "i"), 'task.launch: "i" must be a safe integer');
  rejects(() => nat(o, "k"), 'task.launch: "k" must be a non-negative integer');
  rejects(() => bool(o, "b"), 'task.launch: "b" must be a boolean');
  rejects(
    () => oneOf(o, "e", ["csv", "arrow"]),
    'task.launch: "e" must be one of 2 values: "csv", "arrow", got "exe"',
  );
  rejects(() => strs(o, "l"), 'task.launch: "l[1]" must be a string of at most 10000 characters');
  rejects(() => list(o, "a", () => 0), 'task.launch: "a" must be an array, got "no"');
  rejects(
    () => list(obj({ a: [1, 2, 3] }, msg), "a", () => 0, 2),
    'task.launch: "a" must have at most 2 items, has 3',
  );
  rejects(() => only(o, ["s"]), 'task.launch: has an unexpected field "n"');
});

Deno.test("json rejects non-JSON values and nesting past its limit, naming where", () => {
  const o = obj({ j: { a: [1, NaN] }, deep: [[[[1]]]], f: { g: () => 1 } }, msg);
  rejects(() => json(o, "j"), 'task.launch: "j.a[1]" must hold finite numbers');
  rejects(() => json(o, "deep", 2), 'task.launch: "deep[0][0][0]" nests deeper than 2');
  rejects(() => json(o, "f"), 'task.launch: "f.g" must be JSON, got function');
});

Deno.test("the rejection carries message, path and problem as data", () => {
  try {
    nat(obj({ x: "1" }, at(msg, "node")), "x");
    assert.fail("nat accepted a string");
  } catch (e) {
    assert.ok(e instanceof MalformedMessageError);
    assert.deepEqual(e.data, {
      message: "task.launch",
      path: "node.x",
      problem: "must be a non-negative integer",
    });
  }
});

Deno.test("failZod names the first issue's path and lists every issue", () => {
  const e = failZod("client request", {
    issues: [{ path: ["partitionRows", 3], message: "Too small" }, { path: [], message: "Bad" }],
  });
  assert.equal(e.message, 'client request: "partitionRows[3]" Too small');
  assert.deepEqual(e.data["issues"], ["partitionRows[3]: Too small", "(root): Bad"]);
});

Deno.test("wireErrorValue decodes a wire error with its cause chain and rejects malformed ones by path", () => {
  const wire = {
    name: "SchemaError",
    message: "bad",
    data: { column: "x" },
    deterministic: true,
    cause: { name: "TypeError", message: "inner", data: {} },
  };
  assert.deepEqual(wireErrorValue(wire, where("reply")), wire);
  rejects(
    () => wireErrorValue({ ...wire, data: { x: NaN } }, at(where("reply"), "error")),
    'reply: "error.data.x" must hold finite numbers',
  );
  rejects(
    () => wireErrorValue({ ...wire, deterministic: "yes" }, where("reply")),
    'reply: "deterministic" must be a boolean',
  );
  rejects(
    () => wireErrorValue({ ...wire, cause: { name: 1, message: "", data: {} } }, where("reply")),
    'reply: "cause.name" must be a string of at most 200 characters',
  );
  let deep: Record<string, unknown> = { name: "E", message: "", data: {} };
  for (let i = 0; i < 10; i++) deep = { name: "E", message: "", data: {}, cause: deep };
  assert.throws(() => wireErrorValue(deep, where("reply")), /nests deeper than 8/);
});
