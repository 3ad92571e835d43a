import assert from "node:assert/strict";
import { flushMicrotasks } from "../../actors/clock.ts";
import { AbortedError, MailboxFullError, StoppedError } from "../../actors/errors.ts";
import { Mailbox } from "../../actors/mailbox.ts";

Deno.test("Mailbox.trySend throws MailboxFullError at capacity and keeps what it holds", () => {
  const box = new Mailbox<number>({ capacity: 2, name: "m" });
  box.trySend(1);
  box.trySend(2);
  assert.throws(
    () => box.trySend(3),
    (e) => e instanceof MailboxFullError && /"m" is full \(capacity 2\)/.test(e.message),
  );
  assert.equal(box.size, 2);
});

Deno.test("Mailbox.send waits while full and resolves, in order, as receives free room", async () => {
  const box = new Mailbox<number>({ capacity: 1 });
  box.trySend(1);
  let sent = false;
  const waiting = box.send(2).then(() => sent = true);
  await flushMicrotasks();
  assert.equal(sent, false);
  assert.throws(() => box.trySend(3), MailboxFullError); // waiting senders keep their turn
  assert.equal(await box.receive(), 1);
  await waiting;
  assert.equal(sent, true);
  assert.equal(box.size, 1);
  assert.equal(await box.receive(), 2);
});

Deno.test("Mailbox.send aborted while waiting rejects with AbortedError and enqueues nothing", async () => {
  const box = new Mailbox<string>({ capacity: 1 });
  box.trySend("a");
  const ctl = new AbortController();
  const waiting = box.send("b", { signal: ctl.signal });
  ctl.abort();
  await assert.rejects(waiting, AbortedError);
  assert.equal(await box.receive(), "a");
  assert.equal(box.size, 0);
  box.trySend("c");
  assert.equal(await box.receive(), "c");
  await assert.rejects(box.send("d", { signal: AbortSignal.abort() }), AbortedError);
  assert.equal(box.size, 0);
});

Deno.test("Mailbox.receive waits for a message and an aborted receive loses none", async () => {
  const box = new Mailbox<string>({ capacity: 4 });
  const ctl = new AbortController();
  const aborted = box.receive({ signal: ctl.signal });
  ctl.abort();
  await assert.rejects(aborted, AbortedError);
  const next = box.receive();
  box.trySend("x");
  assert.equal(await next, "x");
  box.trySend("y");
  assert.equal(box.size, 1);
  assert.equal(await box.receive(), "y");
});

Deno.test("Mailbox.close rejects waiting senders, wakes receivers and still drains queued messages", async () => {
  const full = new Mailbox<number>({ capacity: 1 });
  full.trySend(1);
  const blocked = full.send(2);
  full.close();
  await assert.rejects(blocked, StoppedError);
  assert.throws(() => full.trySend(3), StoppedError);
  assert.equal(await full.receive(), 1);
  assert.equal(await full.receive(), undefined);

  const empty = new Mailbox<number>();
  const receiving = empty.receive();
  const reason = new StoppedError("gone");
  empty.close(reason);
  assert.equal(await receiving, undefined);
  await assert.rejects(empty.send(1), (e) => e === reason);
});

Deno.test("Mailbox async iteration yields every message until closed", async () => {
  const box = new Mailbox<number>({ capacity: 3 });
  box.trySend(1);
  box.trySend(2);
  box.trySend(3);
  box.close();
  const seen: number[] = [];
  for await (const n of box) seen.push(n);
  assert.deepEqual(seen, [1, 2, 3]);
});

Deno.test("Mailbox.drain takes queued and waiting messages", async () => {
  const box = new Mailbox<number>({ capacity: 1 });
  box.trySend(1);
  const waiting = box.send(2);
  assert.deepEqual(box.drain(), [1, 2]);
  await waiting;
  assert.equal(box.size, 0);
});

Deno.test("Mailbox capacity must be a positive integer unless unbounded by name", () => {
  assert.throws(() => new Mailbox({ capacity: 0 }), RangeError);
  assert.throws(() => new Mailbox({ capacity: 1.5 }), RangeError);
  assert.equal(new Mailbox().capacity, 1024);
  const box = new Mailbox<number>({ capacity: "unbounded" });
  for (let i = 0; i < 5000; i++) box.trySend(i);
  assert.equal(box.size, 5000);
});
