import assert from "node:assert/strict";
import { errorFromWire, errorToWire, FrontierError, TimeoutError } from "../../actors/errors.ts";
import {
  AuthenticationError,
  FetchFailedError,
  InvalidRowError,
  JobFailedError,
  NotAllowedError,
  SchemaError,
  StateMissingError,
  TaskFailedError,
} from "../../cluster/errors.ts";
import { decodeExecutorMessage } from "../../cluster/protocol.ts";
import { decodeClientReply } from "../../cluster/deploy/client_protocol.ts";

const CLUSTER_ERRORS = [
  TaskFailedError,
  FetchFailedError,
  JobFailedError,
  SchemaError,
  InvalidRowError,
  NotAllowedError,
  StateMissingError,
  AuthenticationError,
];

/** Sends `e` as an executor's task failure, through JSON and the driver's decoder. */
function asTaskFailure(e: unknown): Error {
  const header = JSON.parse(JSON.stringify({
    v: 1,
    type: "task.failed",
    taskId: "t-1",
    failure: { kind: "task", error: errorToWire(e) },
  }));
  const msg = decodeExecutorMessage(header);
  assert.ok(msg.type === "task.failed");
  return errorFromWire(msg.failure.error);
}

Deno.test("every cluster error crosses the executor protocol as the same class with its data and cause", () => {
  for (const Ctor of CLUSTER_ERRORS) {
    const cause = new TimeoutError("no answer in 50 ms", { data: { ms: 50 } });
    const back = asTaskFailure(new Ctor("outer", { data: { file: "a.csv", line: 11 }, cause }));
    assert.ok(back instanceof Ctor, `${Ctor.name} came back as ${back.constructor.name}`);
    assert.equal(back.message, "outer");
    assert.deepEqual(back.data, { file: "a.csv", line: 11 });
    assert.ok(back.cause instanceof TimeoutError, `${Ctor.name} lost its cause`);
    assert.deepEqual(back.cause.data, { ms: 50 });
  }
});

Deno.test("a cluster error reaches a remote client as the same class", () => {
  const error = errorToWire(
    new InvalidRowError("bad row", { data: { line: 3 }, cause: new SchemaError("s") }),
  );
  const reply = decodeClientReply(JSON.parse(JSON.stringify({ v: 1, type: "error", reqId: 1, error })));
  assert.ok(reply.type === "error");
  const back = errorFromWire(reply.error);
  assert.ok(back instanceof InvalidRowError && back.cause instanceof SchemaError);
  assert.equal(back.deterministic, true);
});

Deno.test("data errors are deterministic, runtime errors are not, and the property travels", () => {
  const deterministic = CLUSTER_ERRORS.filter((C) => C.deterministic).map((C) => C.name);
  assert.deepEqual(deterministic, ["SchemaError", "InvalidRowError", "NotAllowedError", "StateMissingError"]);
  for (const Ctor of CLUSTER_ERRORS) {
    const back = asTaskFailure(new Ctor("x"));
    assert.ok(back instanceof FrontierError);
    assert.equal(back.deterministic, Ctor.deterministic, Ctor.name);
  }
});

Deno.test("FetchFailedError keeps the lost block's place across the wire", () => {
  const e = FetchFailedError.of("gone", {
    outputId: 4,
    mapPartition: 2,
    executorId: "e-3",
    cause: new Error("x"),
  });
  assert.ok(e instanceof TaskFailedError);
  const back = asTaskFailure(e);
  assert.ok(back instanceof FetchFailedError);
  assert.deepEqual(back.block, { outputId: 4, mapPartition: 2, executorId: "e-3" });
  assert.equal(back.cause instanceof Error && back.cause.message, "x");
  // A peer that left the place out gives a block that matches no output rather than a crash.
  assert.deepEqual(new FetchFailedError("?").block, { outputId: -1, mapPartition: -1, executorId: "" });
});
