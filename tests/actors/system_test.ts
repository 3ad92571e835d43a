import assert from "node:assert/strict";
import { FakeClock, flushMicrotasks } from "../../actors/clock.ts";
import { AbortedError, MailboxFullError, StoppedError, TimeoutError } from "../../actors/errors.ts";
import { ActorSystem, type Behavior } from "../../actors/system.ts";

type CounterMsg = { type: "inc" } | { type: "get" } | { type: "fail" } | { type: "silent" };

const counter: Behavior<CounterMsg, number, number> = {
  init: () => 0,
  receive: (n, msg, ctx) => {
    switch (msg.type) {
      case "inc":
        return n + 1;
      case "get":
        ctx.reply(n);
        return n;
      case "fail":
        throw new RangeError("bad counter message");
      case "silent":
        return n;
    }
  },
};

/** Handles each message by waiting until `open()` is called, or failing when the actor stops. */
function gate(): { behavior: Behavior<string, undefined, string>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => open = resolve);
  return {
    open,
    behavior: {
      init: () => undefined,
      receive: async (_, msg, ctx) => {
        await new Promise<void>((resolve, reject) => {
          opened.then(resolve);
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
        });
        ctx.reply(msg);
        return undefined;
      },
    },
  };
}

Deno.test("ActorSystem: tell changes state and ask answers with ctx.reply", async () => {
  await using system = new ActorSystem({ clock: new FakeClock() });
  const ref = system.spawn(counter, { name: "counter" });
  ref.tell({ type: "inc" });
  await ref.send({ type: "inc" });
  assert.equal(await ref.ask({ type: "get" }), 2);
  assert.equal(system.lookup("counter"), ref);
  assert.equal(system.lookup("nobody"), undefined);
});

Deno.test("ActorSystem: ask rejects with TimeoutError after its timeout and clears its timer", async () => {
  const clock = new FakeClock();
  await using system = new ActorSystem({ clock });
  const { behavior, open } = gate();
  const ref = system.spawn(behavior);
  const asked = ref.ask("late", { timeout: 50 });
  await clock.tick(49);
  let settled = false;
  asked.catch(() => {}).finally(() => settled = true);
  await flushMicrotasks();
  assert.equal(settled, false);
  await clock.tick(1);
  await assert.rejects(asked, TimeoutError);
  assert.equal(clock.pending, 0);
  open();
});

Deno.test("ActorSystem: ask rejects with AbortedError when its signal aborts", async () => {
  const clock = new FakeClock();
  await using system = new ActorSystem({ clock });
  const { behavior, open } = gate();
  const ref = system.spawn(behavior);
  const ctl = new AbortController();
  const asked = ref.ask("x", { signal: ctl.signal });
  ctl.abort();
  await assert.rejects(asked, AbortedError);
  await assert.rejects(ref.ask("y", { signal: AbortSignal.abort() }), AbortedError);
  assert.equal(clock.pending, 0);
  open();
});

Deno.test("ActorSystem: asks queued behind a busy actor reject with StoppedError as soon as it is stopped", async () => {
  await using system = new ActorSystem({ clock: new FakeClock() });
  let open!: () => void;
  const opened = new Promise<void>((resolve) => open = resolve);
  const ref = system.spawn<string, undefined, string>({
    init: () => undefined,
    receive: async (_, msg, ctx) => {
      await opened; // ignores ctx.signal: stopping waits for this handler
      ctx.reply(msg);
      return undefined;
    },
  }, { name: "busy" });
  const first = ref.ask("first");
  await flushMicrotasks();
  const queued = ref.ask("queued");
  const stopping = system.stopActor("busy");
  await assert.rejects(queued, StoppedError);
  open();
  assert.equal(await first, "first"); // the message being handled completes
  await stopping;
  await assert.rejects(ref.ask("after"), StoppedError);
  assert.throws(() => ref.tell("after"), StoppedError);
  assert.equal(system.lookup("busy"), undefined);
});

Deno.test("ActorSystem: ask rejects with the handler's error and the actor restarts", async () => {
  await using system = new ActorSystem({ clock: new FakeClock() });
  const ref = system.spawn(counter, { supervision: { minBackoffMs: 0 } });
  ref.tell({ type: "inc" });
  await assert.rejects(
    ref.ask({ type: "fail" }),
    (e) => e instanceof RangeError && e.message === "bad counter message",
  );
  assert.equal(await ref.ask({ type: "get" }), 0); // state re-initialised
});

Deno.test("ActorSystem: an ask handled without ctx.reply rejects with TypeError", async () => {
  await using system = new ActorSystem({ clock: new FakeClock() });
  const ref = system.spawn(counter);
  await assert.rejects(ref.ask({ type: "silent" }), TypeError);
});

Deno.test("ActorSystem: tell on a full mailbox throws MailboxFullError; send and ask wait for room", async () => {
  const clock = new FakeClock();
  await using system = new ActorSystem({ clock });
  const { behavior, open } = gate();
  const ref = system.spawn(behavior, { mailbox: { capacity: 1 } });
  ref.tell("handling");
  await flushMicrotasks();
  ref.tell("queued");
  assert.throws(() => ref.tell("overflow"), MailboxFullError);
  let sent = false;
  const sending = ref.send("waits").then(() => sent = true);
  const timedOut = ref.ask("never enqueued", { timeout: 10 });
  await clock.tick(10);
  await assert.rejects(timedOut, TimeoutError);
  assert.equal(sent, false);
  open();
  await sending;
  assert.equal(sent, true);
  assert.equal(await ref.ask("last"), "last");
});

Deno.test("ActorSystem: spawn rejects taken names and names with a slash", async () => {
  await using system = new ActorSystem({ clock: new FakeClock() });
  system.spawn(counter, { name: "a" });
  assert.throws(() => system.spawn(counter, { name: "a" }), TypeError);
  assert.throws(() => system.spawn(counter, { name: "a/b" }), TypeError);
  assert.throws(() => system.spawn(counter, { supervision: { jitter: 2 } }), RangeError);
});

Deno.test("ActorSystem.stop stops children before parents, settles every ask and leaves no timers", async () => {
  const clock = new FakeClock();
  const log: string[] = [];
  const signals: AbortSignal[] = [];
  const leaf = (name: string): Behavior<string, undefined> => ({
    init: (ctx) => void signals.push(ctx.signal),
    receive: () => {
      throw new Error("always fails");
    },
    stop: () => void log.push(`stop ${name}`),
  });
  const parent: Behavior<string, undefined> = {
    init: (ctx) => {
      ctx.spawn(leaf("c1"), { name: "c1" });
      ctx.spawn(leaf("c2"), { name: "c2", supervision: { minBackoffMs: 1000 } });
      return undefined;
    },
    receive: () => undefined,
    stop: () => void log.push("stop p"),
  };
  const system = new ActorSystem({ clock });
  system.spawn(parent, { name: "p" });
  const { behavior } = gate();
  const stuck = system.spawn(behavior, { name: "stuck" });
  const handledAsk = stuck.ask("being handled", { timeout: 60_000 });
  const queuedAsk = stuck.ask("queued", { timeout: 60_000 });
  await flushMicrotasks();
  system.lookup<string>("p/c2")!.tell("fail"); // c2 restarts: its stop hook runs, then a 1000 ms backoff
  await flushMicrotasks();
  assert.equal(system.size, 4);
  assert.equal(clock.pending, 3); // two ask timeouts and c2's backoff
  assert.deepEqual(log, ["stop c2"]);

  await system.stop();
  await assert.rejects(queuedAsk, StoppedError);
  await assert.rejects(handledAsk, StoppedError); // the handler saw ctx.signal abort
  assert.equal(clock.pending, 0);
  assert.equal(system.size, 0);
  assert.deepEqual(log, ["stop c2", "stop c1", "stop p"]); // c2 was in backoff, without state
  assert.ok(signals.every((s) => s.aborted));
  assert.throws(() => system.spawn(counter), StoppedError);
});
