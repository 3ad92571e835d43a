import assert from "node:assert/strict";
import { OffsetCommitter } from "../../streaming/offset_committer.ts";

/** A commit function whose calls are recorded and resolved (or failed) by the test. */
function controlledSend() {
  const calls: { offsets: Map<number, number>; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const send = (offsets: ReadonlyMap<number, number>) => {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    calls.push({ offsets: new Map(offsets), resolve, reject });
    return promise;
  };
  return { calls, send };
}

/** Lets every queued microtask run. */
const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => Promise.resolve());

async function drain(): Promise<void> {
  for (let i = 0; i < 10; i++) await settle();
}

Deno.test("OffsetCommitter sends at once when idle, one commit in flight, the latest offset per partition", async () => {
  const { calls, send } = controlledSend();
  const errors: unknown[] = [];
  const c = new OffsetCommitter(send, { onError: (e) => errors.push(e) });
  c.offer(0, 10);
  assert.equal(calls.length, 1, "an idle committer sends the first offset at once");
  assert.deepEqual([...calls[0]!.offsets], [[0, 10]]);
  c.offer(0, 20);
  c.offer(1, 5);
  c.offer(0, 30);
  await drain();
  assert.equal(calls.length, 1, "nothing else is sent while a commit is in flight");
  assert.equal(c.pending, 2);
  calls[0]!.resolve();
  await drain();
  assert.equal(calls.length, 2);
  assert.deepEqual(
    [...calls[1]!.offsets].sort(),
    [[0, 30], [1, 5]],
    "one commit holds every partition's latest",
  );
  calls[1]!.resolve();
  await c.flush();
  assert.equal(c.pending, 0);
  assert.deepEqual(errors, []);
});

Deno.test("OffsetCommitter.flush waits for every offset offered before it, in order", async () => {
  const { calls, send } = controlledSend();
  const c = new OffsetCommitter(send, { onError: () => {} });
  c.offer(2, 1);
  c.offer(2, 2);
  let flushed = false;
  const flushing = c.flush().then(() => flushed = true);
  await drain();
  assert.equal(flushed, false);
  calls[0]!.resolve();
  await drain();
  assert.equal(flushed, false, "the offset offered during the first commit is not committed yet");
  assert.deepEqual([...calls[1]!.offsets], [[2, 2]]);
  calls[1]!.resolve();
  await flushing;
  assert.equal(flushed, true);
  await c.flush(); // nothing pending: resolves at once
});

Deno.test("OffsetCommitter reports a failed commit once, stops sending, and flush rejects with it", async () => {
  const { calls, send } = controlledSend();
  const errors: unknown[] = [];
  const c = new OffsetCommitter(send, { onError: (e) => errors.push(e) });
  c.offer(0, 1);
  c.offer(1, 1);
  const boom = new Error("coordinator gone");
  calls[0]!.reject(boom);
  await drain();
  assert.deepEqual(errors, [boom]);
  assert.equal(calls.length, 1, "the offsets pending at the failure are not sent");
  c.offer(0, 2);
  await drain();
  assert.equal(calls.length, 1, "nothing is sent after a failure");
  await assert.rejects(c.flush(), (e) => e === boom);
  assert.equal(errors.length, 1);
});

Deno.test("OffsetCommitter.forget drops a partition's offset not yet sent", async () => {
  const { calls, send } = controlledSend();
  const c = new OffsetCommitter(send, { onError: () => {} });
  c.offer(0, 1);
  c.offer(1, 7);
  c.offer(3, 9);
  c.forget(1);
  calls[0]!.resolve();
  await drain();
  assert.deepEqual([...calls[1]!.offsets], [[3, 9]]);
  calls[1]!.resolve();
  await c.flush();
});

Deno.test("OffsetCommitter refuses offsets that are not non-negative integers, naming the param", () => {
  const c = new OffsetCommitter(() => Promise.resolve(), { onError: () => {} });
  assert.throws(() => c.offer(-1, 0), (e) => e instanceof RangeError && /partition/.test(e.message));
  assert.throws(() => c.offer(0, 1.5), (e) => e instanceof RangeError && /nextOffset/.test(e.message));
});
