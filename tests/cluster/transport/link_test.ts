import assert from "node:assert/strict";
import { flushMicrotasks } from "../../../actors/clock.ts";
import { createLinkConnection, resolveLimits, utf8Length } from "../../../cluster/transport/link.ts";
import { createMemoryPair } from "../../../cluster/transport/memory.ts";
import type { LinkMessage } from "../../../cluster/transport/frame_codec.ts";

Deno.test("link: credit is granted up front and re-granted only in quarter-window batches, never surfaced", async () => {
  const posted: LinkMessage[] = [];
  const { connection, inbound } = createLinkConnection(
    { post: (m) => void posted.push(m), release: () => Promise.resolve() },
    { remoteAddress: "test", limits: { window: 8 } },
  );
  assert.deepEqual(posted, [{ kind: "credit", n: 8 }]);
  for (let i = 0; i < 8; i++) inbound.deliver({ kind: "frame", header: String(i), payload: undefined });
  assert.equal((await connection.receive())?.header, 0);
  assert.equal(posted.length, 1);
  assert.equal((await connection.receive())?.header, 1);
  assert.deepEqual(posted, [{ kind: "credit", n: 8 }, { kind: "credit", n: 2 }]);
  for (let i = 2; i < 7; i++) await connection.receive();
  assert.equal(posted.length, 4, "two more batches of 2 after frames 3 and 5");
  assert.equal((await connection.receive())?.header, 7);
  assert.equal(posted.length, 5, "the fourth batch after frame 7");
  inbound.deliver({ kind: "frame", header: "8", payload: undefined });
  assert.equal((await connection.receive())?.header, 8);
  assert.equal(posted.length, 5, "catching up alone grants nothing below the batch size");
  inbound.deliver({ kind: "frame", header: "9", payload: undefined });
  assert.equal((await connection.receive())?.header, 9);
  assert.deepEqual(posted.at(-1), { kind: "credit", n: 2 });
  assert.ok(!posted.some((m) => m.kind === "frame"), "credit never surfaces as a frame");
  await connection.close();
  assert.deepEqual(posted.at(-1), { kind: "close", reason: "closed" });
});

Deno.test("link: whatever the window and however the receiver lags, a blocked sender always has a frame waiting to be received", async () => {
  // Drives a sender and a receiver over a hand-cranked link and checks, at every step, the
  // invariant behind deadlock freedom: a sender with no credit implies receivable frames.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const window of [1, 2, 3, 4, 5, 8, 13, 64]) {
    const toReceiver: LinkMessage[] = [];
    const toSender: LinkMessage[] = [];
    const rx = createLinkConnection(
      { post: (m) => void toSender.push(m), release: () => Promise.resolve() },
      { remoteAddress: "rx", limits: { window } },
    );
    const tx = createLinkConnection(
      { post: (m) => void toReceiver.push(m), release: () => Promise.resolve() },
      { remoteAddress: "tx", limits: { window } },
    );
    const total = window * 20;
    let sent = 0;
    let received = 0;
    let pending: Promise<void> | undefined;
    while (received < total) {
      for (const m of toSender.splice(0)) tx.inbound.deliver(m);
      for (const m of toReceiver.splice(0)) rx.inbound.deliver(m);
      await flushMicrotasks();
      if (pending === undefined && sent < total) {
        let done = false;
        pending = tx.connection.send({ header: sent++ }).then(() => void (done = true));
        await flushMicrotasks();
        if (done) pending = undefined;
      } else if (pending !== undefined) {
        let done = false;
        void pending.then(() => done = true);
        await flushMicrotasks();
        if (done) pending = undefined;
      }
      const blocked = pending !== undefined && toReceiver.length === 0 && toSender.length === 0;
      if (blocked || random() < 0.4) {
        // A receive that gives up unless a frame is already buffered.
        const giveUp = new AbortController();
        const receiving = rx.connection.receive({ signal: giveUp.signal });
        await flushMicrotasks();
        giveUp.abort();
        const frame = await receiving.catch(() => undefined);
        if (blocked) assert.ok(frame, `window ${window}: sender blocked with nothing to receive`);
        if (frame) assert.equal(frame.header, received++);
      }
    }
    await tx.connection.close();
    await rx.connection.close();
  }
});

Deno.test("link: a peer that sends beyond its credit is disconnected as a protocol violation", async () => {
  const { connection, inbound } = createLinkConnection(
    { post: () => {}, release: () => Promise.resolve() },
    { remoteAddress: "rogue", limits: { window: 1 } },
  );
  inbound.deliver({ kind: "frame", header: "1", payload: undefined });
  inbound.deliver({ kind: "frame", header: "2", payload: undefined });
  assert.match(await connection.closed, /without credit/);
  assert.equal((await connection.receive())?.header, 1);
  assert.equal(await connection.receive(), undefined);
  assert.equal(connection.stats.malformedFrames, 1);
});

Deno.test("link: an undecodable header is counted as malformed, dropped, and its credit re-granted", async () => {
  const posted: LinkMessage[] = [];
  const { connection, inbound } = createLinkConnection(
    { post: (m) => void posted.push(m), release: () => Promise.resolve() },
    { remoteAddress: "peer", limits: { window: 1 } },
  );
  inbound.deliver({ kind: "frame", header: "{not json", payload: undefined });
  assert.equal(connection.stats.malformedFrames, 1);
  assert.deepEqual(posted, [{ kind: "credit", n: 1 }, { kind: "credit", n: 1 }]);
  inbound.deliver({ kind: "frame", header: '"fine"', payload: undefined });
  assert.equal((await connection.receive())?.header, "fine");
  await connection.close();
});

Deno.test("link: limits are validated once with RangeError", () => {
  assert.throws(() => resolveLimits({ window: 0 }), RangeError);
  assert.throws(() => createMemoryPair({ maxHeaderBytes: 1.5 }), RangeError);
  assert.equal(resolveLimits({}).window, 64);
});

Deno.test("utf8Length matches TextEncoder on mixed text", () => {
  for (const s of ["", "abc", "é", "€", "🚀", "a\ud800b", "x🚀é€\udc00"]) {
    assert.equal(utf8Length(s), new TextEncoder().encode(s).byteLength, JSON.stringify(s));
  }
});
