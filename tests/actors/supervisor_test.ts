import assert from "node:assert/strict";
import { FakeClock, flushMicrotasks } from "../../actors/clock.ts";
import { EscalationError, StoppedError } from "../../actors/errors.ts";
import { backoffDelay, resolveSupervision, RestartPolicy, seededRandom } from "../../actors/supervisor.ts";
import { ActorSystem, type Behavior } from "../../actors/system.ts";

const fast = { minBackoffMs: 0 };

function failing(log: string[], name: string): Behavior<string, undefined> {
  return {
    init: () => void log.push(`${name} init`),
    receive: () => {
      throw new Error(`${name} broke`);
    },
    stop: () => void log.push(`${name} stop`),
  };
}

Deno.test("Supervision restarts a child up to maxRestarts, then stops it and restarts the parent", async () => {
  const log: string[] = [];
  await using system = new ActorSystem({ clock: new FakeClock() });
  const parent: Behavior<string, undefined> = {
    init: (ctx) => {
      log.push("parent init");
      ctx.spawn(failing(log, "child"), {
        name: "c",
        supervision: { ...fast, maxRestarts: 2, withinMs: 1000 },
      });
      return undefined;
    },
    receive: () => undefined,
  };
  system.spawn(parent, { name: "p", supervision: fast });
  await flushMicrotasks();
  const child = system.lookup<string>("p/c")!;
  await assert.rejects(child.ask("1"), /child broke/);
  await assert.rejects(child.ask("2"), /child broke/);
  await flushMicrotasks();
  assert.deepEqual(log, [
    "parent init",
    "child init",
    "child stop",
    "child init",
    "child stop",
    "child init",
  ]);
  log.length = 0;

  await assert.rejects(child.ask("3"), /child broke/); // third failure in the window: escalate
  await flushMicrotasks();
  assert.deepEqual(log, ["child stop", "parent init", "child init"]);
  assert.throws(() => child.tell("old ref"), StoppedError);
  const respawned = system.lookup<string>("p/c");
  assert.ok(respawned && respawned !== child);
  assert.equal(system.failures.length, 0); // the parent handled it by restarting
});

Deno.test("Supervision at the root records the escalation and stops the actor", async () => {
  const log: string[] = [];
  const seen: string[] = [];
  await using system = new ActorSystem({ clock: new FakeClock(5000), onFailure: (f) => seen.push(f.actor) });
  const parent: Behavior<string, undefined> = {
    init: (ctx) => {
      ctx.spawn(failing(log, "child"), { name: "c", supervision: { ...fast, maxRestarts: 0 } });
      return undefined;
    },
    receive: () => undefined,
  };
  system.spawn(parent, { name: "p", supervision: { ...fast, maxRestarts: 0 } });
  await flushMicrotasks();
  await assert.rejects(system.lookup<string>("p/c")!.ask("x"), /child broke/);
  await flushMicrotasks();
  assert.equal(system.size, 0);
  assert.deepEqual(seen, ["p"]);
  const [failure] = system.failures;
  assert.equal(failure?.actor, "p");
  assert.equal(failure?.time, 5000);
  assert.ok(failure?.error instanceof EscalationError);
  const fromChild = failure.error.cause;
  assert.ok(fromChild instanceof EscalationError && fromChild.data.actor === "p/c");
  assert.equal((fromChild.cause as Error).message, "child broke");
});

Deno.test("Supervision does not count restarts that left the window", async () => {
  const clock = new FakeClock();
  const log: string[] = [];
  await using system = new ActorSystem({ clock });
  const ref = system.spawn(failing(log, "a"), { supervision: { ...fast, maxRestarts: 1, withinMs: 1000 } });
  await assert.rejects(ref.ask("fail at 0"));
  await clock.tick(1000);
  await assert.rejects(ref.ask("fail at 1000")); // the restart at 0 is outside (1000 - 0 >= 1000)
  await flushMicrotasks();
  assert.equal(system.size, 1);
  assert.equal(system.failures.length, 0);
  await assert.rejects(ref.ask("fail again at 1000"));
  await flushMicrotasks();
  assert.equal(system.size, 0);
  assert.ok(system.failures[0]?.error instanceof EscalationError);
  assert.equal(log.filter((l) => l === "a init").length, 3);
});

Deno.test("Supervision backoff doubles per restart up to maxBackoffMs, on the injected clock", async () => {
  const clock = new FakeClock();
  const initTimes: number[] = [];
  let failuresLeft = 4;
  await using system = new ActorSystem({ clock });
  system.spawn<string, undefined>({
    init: (ctx) => {
      initTimes.push(ctx.clock.monotonic());
      if (failuresLeft-- > 0) throw new Error("not ready");
      return undefined;
    },
    receive: () => undefined,
  }, { supervision: { maxRestarts: 10, minBackoffMs: 100, maxBackoffMs: 500, jitter: 0 } });
  await clock.tick(2000, 200);
  assert.deepEqual(initTimes, [0, 100, 300, 700, 1200]); // waits of 100, 200, 400, 500
  assert.equal(clock.pending, 0);
});

Deno.test("Supervision jitter comes from the injected random source", async () => {
  const clock = new FakeClock();
  const initTimes: number[] = [];
  let failuresLeft = 2;
  await using system = new ActorSystem({ clock, random: () => 0.5 });
  system.spawn<string, undefined>({
    init: () => {
      initTimes.push(clock.monotonic());
      if (failuresLeft-- > 0) throw new Error("not ready");
      return undefined;
    },
    receive: () => undefined,
  }, { supervision: { minBackoffMs: 100, jitter: 0.5 } });
  await clock.tick(500, 100);
  assert.deepEqual(initTimes, [0, 75, 225]); // 100 * (1 - 0.25), then 200 * (1 - 0.25)
});

Deno.test("Supervision drops the failing message, re-initialises state and keeps the mailbox", async () => {
  const clock = new FakeClock();
  await using system = new ActorSystem({ clock });
  const ref = system.spawn<string, string[], string[]>({
    init: () => [],
    receive: (seen, msg, ctx) => {
      if (msg === "fail") throw new Error("boom");
      if (msg === "get") ctx.reply(seen);
      return msg === "get" ? seen : [...seen, msg];
    },
  }, { supervision: { minBackoffMs: 100, jitter: 0 } });
  ref.tell("a");
  ref.tell("fail");
  ref.tell("b"); // queued during the backoff
  const got = ref.ask("get");
  await clock.tick(100);
  assert.deepEqual(await got, ["b"]);
});

Deno.test("Supervision: restarting a parent stops its children before the parent's stop hook", async () => {
  const log: string[] = [];
  await using system = new ActorSystem({ clock: new FakeClock() });
  const parent: Behavior<string, undefined> = {
    init: (ctx) => {
      log.push("parent init");
      ctx.spawn(failing(log, "child"), { name: "c" });
      return undefined;
    },
    receive: () => {
      throw new Error("parent broke");
    },
    stop: () => void log.push("parent stop"),
  };
  const ref = system.spawn(parent, { name: "p", supervision: fast });
  await flushMicrotasks();
  const child = system.lookup<string>("p/c")!;
  await assert.rejects(ref.ask("fail"), /parent broke/);
  await flushMicrotasks();
  assert.deepEqual(log, [
    "parent init",
    "child init",
    "child stop",
    "parent stop",
    "parent init",
    "child init",
  ]);
  assert.throws(() => child.tell("x"), StoppedError);
});

Deno.test("RestartPolicy counts restarts in a sliding window and draws jitter from its seed", () => {
  const options = { maxRestarts: 2, withinMs: 100, minBackoffMs: 10, maxBackoffMs: 1000, jitter: 0.5 };
  const policy = new RestartPolicy(options, seededRandom(7));
  const draws = seededRandom(7);
  const first = policy.decide(0);
  const second = policy.decide(50);
  assert.deepEqual(first, {
    action: "restart",
    restarts: 1,
    delayMs: backoffDelay(0, policy.options, draws()),
  });
  assert.deepEqual(second, {
    action: "restart",
    restarts: 2,
    delayMs: backoffDelay(1, policy.options, draws()),
  });
  assert.ok(first.action === "restart" && first.delayMs >= 5 && first.delayMs <= 10);
  assert.ok(second.action === "restart" && second.delayMs >= 10 && second.delayMs <= 20);
  assert.deepEqual(policy.decide(99), { action: "escalate", restarts: 2 });
  assert.equal(policy.decide(100).action, "restart"); // the restart at 0 left the window
});

Deno.test("resolveSupervision rejects out-of-range settings with RangeError", () => {
  assert.throws(() => resolveSupervision({ maxRestarts: -1 }), RangeError);
  assert.throws(() => resolveSupervision({ withinMs: 0 }), RangeError);
  assert.throws(() => resolveSupervision({ minBackoffMs: 100, maxBackoffMs: 10 }), RangeError);
  assert.throws(() => resolveSupervision({ jitter: 1.5 }), RangeError);
  assert.equal(resolveSupervision({ maxRestarts: undefined }).maxRestarts, 3);
});
