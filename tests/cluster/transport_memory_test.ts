import assert from "node:assert/strict";
import { flushMicrotasks } from "../../actors/clock.ts";
import {
  createLinkConnection,
  createMemoryPair,
  resolveLimits,
  utf8Length,
} from "../../cluster/transport_memory.ts";
import type { LinkMessage } from "../../cluster/frame_codec.ts";
import { transportContract } from "./transport_contract.ts";

transportContract("memory", (limits) => {
  const [a, b] = createMemoryPair(limits);
  return Promise.resolve({
    a,
    b,
    cleanup: async () => {
      await a.close();
      await b.close();
    },
  });
});

Deno.test("memory: a sender with no credit stays pending across many microtask turns", async () => {
  const [a, b] = createMemoryPair({ window: 2 });
  await a.send({ header: 0 });
  await a.send({ header: 1 });
  let sent = false;
  const third = a.send({ header: 2 }).then(() => sent = true);
  await flushMicrotasks(200);
  assert.equal(sent, false);
  assert.equal((await b.receive())?.header, 0);
  await third;
  assert.equal(sent, true);
  await a.close();
});

Deno.test("memory: credit is granted up front, re-granted in quarter-window batches or on catching up, never surfaced", async () => {
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
  inbound.deliver({ kind: "frame", header: "8", payload: undefined });
  assert.equal((await connection.receive())?.header, 8);
  assert.deepEqual(
    posted.at(-1),
    { kind: "credit", n: 1 },
    "catching up grants at once, below the batch size",
  );
  await connection.close();
  assert.deepEqual(posted.at(-1), { kind: "close", reason: "closed" });
});

Deno.test("memory: a peer that sends beyond its credit is disconnected as a protocol violation", async () => {
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

Deno.test("memory: an undecodable header is counted as malformed, dropped, and its credit re-granted", async () => {
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

Deno.test("memory: limits are validated once with RangeError", () => {
  assert.throws(() => resolveLimits({ window: 0 }), RangeError);
  assert.throws(() => createMemoryPair({ maxHeaderBytes: 1.5 }), RangeError);
  assert.equal(resolveLimits({}).window, 64);
});

Deno.test("utf8Length matches TextEncoder on mixed text", () => {
  for (const s of ["", "abc", "é", "€", "🚀", "a\ud800b", "x🚀é€\udc00"]) {
    assert.equal(utf8Length(s), new TextEncoder().encode(s).byteLength, JSON.stringify(s));
  }
});
