import assert from "node:assert/strict";
import { FakeClock } from "../../../actors/clock.ts";
import { errorToWire, FrontierError, TimeoutError } from "../../../actors/errors.ts";
import { InvalidRowError, JobFailedError, SchemaError } from "../../../cluster/errors.ts";
import { Scheduler, type StageDef, type TaskAttempt } from "../../../cluster/driver/scheduler.ts";

const err = { name: "Error", message: "boom", data: {} };

function setup(options: ConstructorParameters<typeof Scheduler>[1] = {}) {
  const clock = new FakeClock(1_000);
  const launched: TaskAttempt[] = [];
  const killed: TaskAttempt[] = [];
  const s = new Scheduler({ clock, launch: (t) => launched.push(t), kill: (t) => killed.push(t) }, options);
  return { clock, s, launched, killed };
}

const map: StageDef = { id: 1, numPartitions: 2, parents: [], outputId: 10 };
const reduce: StageDef = { id: 2, numPartitions: 2, parents: [map] };

function finishMap(s: Scheduler, t: TaskAttempt) {
  s.taskSucceeded(t.taskId, { kind: "map", rows: [1, 1], bytes: [8, 8] });
}

Deno.test("Scheduler runs map stages before the result stage and resolves results in partition order", async () => {
  const { s, launched } = setup();
  s.addExecutor("a", 1, 1);
  s.addExecutor("b", 2, 1);
  const job = s.submitJob(1, reduce);
  assert.deepEqual(launched.map((t) => [t.stage.id, t.partition]), [[1, 0], [1, 1]]);
  assert.deepEqual(new Set(launched.map((t) => t.executorId)), new Set(["a", "b"]));
  for (const t of launched.splice(0)) finishMap(s, t);
  assert.deepEqual(launched.map((t) => [t.stage.id, t.partition]), [[2, 0], [2, 1]]);
  s.taskSucceeded(launched[1]!.taskId, { kind: "result", value: "p1" });
  s.taskSucceeded(launched[0]!.taskId, { kind: "result", value: "p0" });
  assert.deepEqual(await job, ["p0", "p1"]);
});

Deno.test("Scheduler retries a failing task up to maxTaskAttempts, then fails the job with a JobFailedError", async () => {
  const { s, launched } = setup({ maxTaskAttempts: 4, excludeAfterFailures: 100 });
  s.addExecutor("a", 1, 1);
  const job = s.submitJob(1, { id: 5, numPartitions: 1, parents: [] });
  for (let i = 0; i < 3; i++) {
    const t = launched.pop()!;
    assert.equal(t.attempt, i);
    s.taskFailed(t.taskId, { kind: "task", error: err });
  }
  s.taskFailed(launched.pop()!.taskId, { kind: "task", error: err });
  await assert.rejects(job, (e: unknown) => e instanceof JobFailedError && /failed 4 times/.test(e.message));
});

Deno.test("Scheduler fails the job at once, with the task's own error, when the error class is deterministic", async () => {
  const { s, launched, killed } = setup({ maxTaskAttempts: 4 });
  s.addExecutor("a", 1, 2);
  const job = s.submitJob(1, { id: 5, numPartitions: 2, parents: [] });
  const [t0, t1] = launched.splice(0);
  const error = errorToWire(
    new InvalidRowError("a.csv line 3: bad", { data: { line: 3 }, cause: new SchemaError("s") }),
  );
  s.taskFailed(t0!.taskId, { kind: "task", error });
  await assert.rejects(
    job,
    (e: unknown) => e instanceof InvalidRowError && e.data.line === 3 && e.cause instanceof SchemaError,
  );
  assert.equal(launched.length, 0, "a deterministic failure is not retried");
  assert.deepEqual(killed.map((t) => t.taskId), [t1!.taskId], "the job's other task is killed");
  s.taskFailed(t1!.taskId, { kind: "task", error: err }); // a late report of the failed job is ignored
  assert.equal(launched.length, 0);
});

Deno.test("Scheduler decides retries by the error's determinism, not its name", async () => {
  // A class no list in the scheduler knows, deterministic by its own declaration.
  class QuotaExceededError extends FrontierError {
    static override readonly deterministic = true;
    override name = "QuotaExceededError";
  }
  const once = setup({ maxTaskAttempts: 4 });
  once.s.addExecutor("a", 1, 1);
  const failed = once.s.submitJob(1, { id: 5, numPartitions: 1, parents: [] });
  once.s.taskFailed(once.launched.pop()!.taskId, {
    kind: "task",
    error: errorToWire(new QuotaExceededError("over")),
  });
  await assert.rejects(failed, (e: unknown) => e instanceof Error && e.name === "QuotaExceededError");
  assert.equal(once.launched.length, 0);

  // A SchemaError sent without the flag (an instance that overrides its class) is retried up to the cap.
  const retried = setup({ maxTaskAttempts: 3, excludeAfterFailures: 100 });
  retried.s.addExecutor("a", 1, 1);
  const job = retried.s.submitJob(1, { id: 5, numPartitions: 1, parents: [] });
  const transient = errorToWire(new SchemaError("schema registry unreachable", { deterministic: false }));
  for (let attempt = 0; attempt < 3; attempt++) {
    const t = retried.launched.pop()!;
    assert.equal(t.attempt, attempt);
    retried.s.taskFailed(t.taskId, {
      kind: "task",
      error: attempt === 1 ? errorToWire(new TimeoutError("t")) : transient,
    });
  }
  await assert.rejects(job, (e: unknown) => e instanceof JobFailedError && /failed 3 times/.test(e.message));
  assert.equal(retried.launched.length, 0);
});

Deno.test("Scheduler does not count executor loss against a task and re-queues it elsewhere", async () => {
  const { s, launched } = setup({ maxTaskAttempts: 1 });
  s.addExecutor("a", 1, 1);
  const job = s.submitJob(1, { id: 5, numPartitions: 1, parents: [] });
  const t = launched.pop()!;
  assert.equal(t.executorId, "a");
  s.executorLost("a");
  assert.equal(launched.length, 0);
  s.addExecutor("b", 2, 1);
  const t2 = launched.pop()!;
  assert.equal(t2.executorId, "b");
  s.taskSucceeded(t.taskId, { kind: "result", value: "stale" }); // from the dead epoch: ignored
  s.taskSucceeded(t2.taskId, { kind: "result", value: "ok" });
  assert.deepEqual(await job, ["ok"]);
});

Deno.test("Scheduler recomputes lost map outputs from lineage after an executor dies mid-reduce", async () => {
  const { s, launched } = setup();
  s.addExecutor("a", 1, 2);
  s.addExecutor("b", 2, 2);
  const job = s.submitJob(1, reduce);
  const maps = launched.splice(0);
  for (const t of maps) finishMap(s, t);
  const onB = maps.find((t) => t.executorId === "b")!;
  assert.equal(launched.length, 2);
  s.executorLost("b");
  // the map output on b is gone: its map task reruns on a; reduce tasks that were on b re-queue
  const rerun = launched.filter((t) => t.stage.id === 1);
  assert.deepEqual(rerun.map((t) => t.partition), [onB.partition]);
  assert.equal(rerun[0]!.executorId, "a");
  finishMap(s, rerun[0]!);
  const reduces = [...s.runningTasks()].filter((t) => t.stage.id === 2);
  for (const t of reduces) s.taskSucceeded(t.taskId, { kind: "result", value: t.partition });
  for (const t of s.runningTasks()) s.taskSucceeded(t.taskId, { kind: "result", value: t.partition });
  assert.deepEqual(await job, [0, 1]);
});

Deno.test("Scheduler resubmits the parent stage on a fetch failure and caps consecutive attempts", async () => {
  const { s, launched } = setup({ maxStageAttempts: 3 });
  s.addExecutor("a", 1, 4);
  const job = s.submitJob(1, reduce);
  for (const t of launched.splice(0)) finishMap(s, t);
  for (let round = 0; round < 3; round++) {
    const reduces = launched.splice(0).filter((t) => t.stage.id === 2);
    assert.ok(reduces.length >= 1, `round ${round}: a reduce task runs`);
    // every running reduce task of this attempt hits the same lost output: counted once
    for (const r of reduces) {
      s.taskFailed(r.taskId, { kind: "fetch", error: err, outputId: 10, mapPartition: 0, executorId: "a" });
    }
    if (round < 2) {
      const rerun = launched.splice(0).filter((t) => t.stage.id === 1);
      assert.deepEqual(rerun.map((t) => t.partition), [0], `round ${round}: only map partition 0 reruns`);
      finishMap(s, rerun[0]!);
    }
  }
  await assert.rejects(
    job,
    (e: unknown) => e instanceof JobFailedError && /3 consecutive attempts/.test(e.message),
  );
});

Deno.test("Scheduler commits the first successful attempt and drops later duplicates", async () => {
  const { s, launched, killed } = setup();
  s.addExecutor("a", 1, 1);
  const job = s.submitJob(1, { id: 3, numPartitions: 1, parents: [] });
  const t = launched.pop()!;
  s.taskSucceeded(t.taskId, { kind: "result", value: "first" });
  s.taskSucceeded(t.taskId, { kind: "result", value: "second" });
  assert.deepEqual(await job, ["first"]);
  assert.equal(killed.length, 0);
});

Deno.test("Scheduler excludes an executor that keeps failing, for a bounded time, never the last one", async () => {
  const { s, launched, clock } = setup({
    excludeAfterFailures: 2,
    excludeForMs: 30_000,
    maxTaskAttempts: 10,
  });
  s.addExecutor("bad", 1, 1);
  s.addExecutor("good", 2, 1);
  const job = s.submitJob(1, { id: 4, numPartitions: 1, parents: [] });
  let t = launched.pop()!;
  // make sure the failing attempts land on "bad"
  while (t.executorId !== "bad") {
    s.taskFailed(t.taskId, { kind: "task", error: err });
    t = launched.pop()!;
  }
  s.taskFailed(t.taskId, { kind: "task", error: err });
  const t2 = launched.pop()!;
  if (t2.executorId === "bad") s.taskFailed(t2.taskId, { kind: "task", error: err });
  const status = s.status();
  const bad = status.executors.find((e) => e.id === "bad")!;
  assert.ok(bad.excludedUntil !== undefined, "bad is excluded");
  assert.equal(bad.excludedUntil, clock.now() + 30_000);
  const next = launched.pop() ?? t2;
  assert.equal(next.executorId, "good");
  s.taskSucceeded(next.taskId, { kind: "result", value: 1 });
  await job;
  clock.advance(30_001);
  assert.equal(s.status().executors.find((e) => e.id === "bad")!.excludedUntil, undefined);
});

Deno.test("Scheduler never excludes its last executor", async () => {
  const { s, launched } = setup({ excludeAfterFailures: 1, maxTaskAttempts: 3 });
  s.addExecutor("only", 1, 1);
  const job = s.submitJob(1, { id: 4, numPartitions: 1, parents: [] });
  s.taskFailed(launched.pop()!.taskId, { kind: "task", error: err });
  assert.equal(s.status().executors[0]!.excludedUntil, undefined);
  const t = launched.pop()!;
  assert.equal(t.executorId, "only");
  s.taskSucceeded(t.taskId, { kind: "result", value: 1 });
  await job;
});

Deno.test("Scheduler skips stages whose outputs already exist (cached) and reuses them across jobs", async () => {
  const { s, launched } = setup();
  s.addExecutor("a", 1, 4);
  const cache: StageDef = { id: 20, numPartitions: 2, parents: [], outputId: 99 };
  const j1 = s.submitJob(1, { id: 21, numPartitions: 2, parents: [cache] });
  for (const t of launched.splice(0)) finishMap(s, t);
  for (const t of launched.splice(0)) s.taskSucceeded(t.taskId, { kind: "result", value: 0 });
  await j1;
  const j2 = s.submitJob(2, { id: 22, numPartitions: 2, parents: [cache] });
  assert.deepEqual(launched.map((t) => t.stage.id), [22, 22], "only the new result stage runs");
  for (const t of launched.splice(0)) s.taskSucceeded(t.taskId, { kind: "result", value: 1 });
  assert.deepEqual(await j2, [1, 1]);
});

Deno.test("Scheduler cancelJob rejects the job and kills its running tasks", async () => {
  const { s, launched, killed } = setup();
  s.addExecutor("a", 1, 2);
  const job = s.submitJob(7, { id: 8, numPartitions: 2, parents: [] });
  assert.equal(launched.length, 2);
  s.cancelJob(7, new Error("user abort"));
  await assert.rejects(job, /user abort/);
  assert.equal(killed.length, 2);
  assert.equal(s.runningTasks().length, 0);
});

Deno.test("Scheduler keeps a task on the executor holding its input for localityWaitMs, then runs it elsewhere", async () => {
  const { s, launched, clock } = setup({ localityWaitMs: 3_000 });
  s.addExecutor("a", 1, 1);
  s.addExecutor("b", 2, 1);
  const cached: StageDef = { id: 7, numPartitions: 4, parents: [], preferredExecutor: () => "a" };
  const job = s.submitJob(1, cached);
  // b is free, but every partition's input is on a: only a runs, one at a time.
  assert.deepEqual(launched.map((t) => [t.partition, t.executorId]), [[0, "a"]]);
  clock.advance(2_999);
  s.schedule();
  assert.equal(launched.length, 1);
  s.taskSucceeded(launched[0]!.taskId, { kind: "result", value: 0 });
  assert.deepEqual(launched.map((t) => [t.partition, t.executorId]), [[0, "a"], [1, "a"]]);
  // The wait runs out for the partitions queued at the start: b takes the oldest.
  clock.advance(1);
  s.schedule();
  assert.deepEqual(launched.slice(2).map((t) => [t.partition, t.executorId]), [[2, "b"]]);
  // An executor that is gone is no reason to wait.
  s.executorLost("a");
  s.taskSucceeded(launched[2]!.taskId, { kind: "result", value: 2 });
  const rest = launched.slice(3);
  assert.deepEqual(rest.map((t) => t.executorId), ["b"]);
  for (const t of s.runningTasks()) s.taskSucceeded(t.taskId, { kind: "result", value: t.partition });
  for (const t of s.runningTasks()) s.taskSucceeded(t.taskId, { kind: "result", value: t.partition });
  assert.deepEqual(await job, [0, 1, 2, 3]);
});
