/**
 * The one contract every transport passes. Each `transport_*_test.ts` calls
 * {@linkcode transportContract} with a factory for a connected pair.
 *
 * Payloads are compared against freshly generated copies, because transports may transfer
 * (detach) the buffers they send.
 *
 * @module
 */

import assert from "node:assert/strict";
import { AbortedError, PeerUnavailableError } from "../../../actors/errors.ts";
import type { Connection, Frame, TransportLimits } from "../../../actors/connection.ts";

/** A connected pair plus whatever must be torn down afterwards. */
export interface TransportPair {
  a: Connection;
  b: Connection;
  cleanup(): Promise<void>;
}

/** Builds a connected pair whose endpoints use `limits`. */
export type MakePair = (limits: TransportLimits) => Promise<TransportPair>;

/** Deterministic bytes: the same `(length, seed)` always gives the same contents. */
export function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Settles to "pending" if `promise` has not settled by the time `probe` resolves. */
async function stateAfter(promise: Promise<unknown>, probe: Promise<unknown>): Promise<string> {
  let state = "pending";
  promise.then(() => state = "resolved", () => state = "rejected");
  await probe;
  return state;
}

/** One full round trip b → a, which lets any in-flight traffic (such as a wrongful credit grant) land. */
async function roundTrip(pair: TransportPair): Promise<void> {
  await pair.b.send({ header: { probe: true } });
  const probe = await pair.a.receive();
  assert.deepEqual(probe?.header, { probe: true });
}

function withPair(limits: TransportLimits, makePair: MakePair, body: (pair: TransportPair) => Promise<void>) {
  return async () => {
    const pair = await makePair(limits);
    try {
      await body(pair);
    } finally {
      await pair.cleanup();
    }
  };
}

/** Registers the contract tests for one transport. */
export function transportContract(name: string, makePair: MakePair): void {
  Deno.test(
    `${name}: frames arrive in order with headers and payload bytes intact, both ways`,
    withPair({ window: 8 }, makePair, async ({ a, b }) => {
      const headers = [
        { i: 0, text: "héllo ✓ 🚀" },
        { nested: { list: [1, 2.5, null, "x"] } },
        "plain",
        42,
        null,
      ];
      const count = 30;
      const sending = (async () => {
        for (let i = 0; i < count; i++) {
          const payload = i % 3 === 0 ? undefined : bytes(i * 37, i);
          await a.send({ header: { seq: i, h: headers[i % headers.length] }, payload });
        }
      })();
      for (let i = 0; i < count; i++) {
        const frame = await b.receive();
        assert.deepEqual(frame?.header, { seq: i, h: headers[i % headers.length] });
        if (i % 3 === 0) assert.equal(frame?.payload, undefined);
        else assert.deepEqual(frame?.payload, bytes(i * 37, i));
      }
      await sending;
      await b.send({ header: "back", payload: bytes(5, 9) });
      const back = await a.receive();
      assert.equal(back?.header, "back");
      assert.deepEqual(back?.payload, bytes(5, 9));
    }),
  );

  Deno.test(
    `${name}: a 4 MiB payload round-trips byte for byte`,
    withPair({}, makePair, async ({ a, b }) => {
      const size = 4 * 1024 * 1024 + 3;
      await a.send({ header: { big: true }, payload: bytes(size, 7) });
      const frame = await b.receive();
      assert.equal(frame?.payload?.byteLength, size);
      assert.deepEqual(frame?.payload, bytes(size, 7));
    }),
  );

  Deno.test(
    `${name}: an empty payload arrives as an empty Uint8Array and a missing one as undefined`,
    withPair({}, makePair, async ({ a, b }) => {
      await a.send({ header: 1, payload: new Uint8Array(0) });
      await a.send({ header: 2 });
      const empty = await b.receive();
      const none = await b.receive();
      assert.ok(empty?.payload instanceof Uint8Array);
      assert.equal(empty.payload.byteLength, 0);
      assert.equal(none?.header, 2);
      assert.equal(none.payload, undefined);
    }),
  );

  Deno.test(
    `${name}: send waits while the receiver holds the whole window, then resumes in order`,
    withPair({ window: 4 }, makePair, async (pair) => {
      const { a, b } = pair;
      for (let i = 0; i < 4; i++) await a.send({ header: i });
      const fifth = a.send({ header: 4 });
      const sixth = a.send({ header: 5 });
      assert.equal(await stateAfter(fifth, roundTrip(pair)), "pending");
      assert.equal(await stateAfter(sixth, roundTrip(pair)), "pending");
      const seen: unknown[] = [];
      for (let i = 0; i < 6; i++) seen.push((await b.receive())?.header);
      await Promise.all([fifth, sixth]);
      assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
      assert.equal(a.stats.framesSent, 6);
    }),
  );

  for (const closer of ["a", "b"] as const) {
    Deno.test(
      `${name}: closing ${closer} settles pending sends and receives on both ends`,
      withPair({ window: 2 }, makePair, async (pair) => {
        const { a, b } = pair;
        await a.send({ header: "one" });
        await a.send({ header: "two" });
        const blockedSend = a.send({ header: "three" });
        assert.equal(await stateAfter(blockedSend, roundTrip(pair)), "pending");
        const pendingReceive = a.receive();
        await pair[closer].close("test over");
        await assert.rejects(blockedSend, PeerUnavailableError);
        assert.equal(await pendingReceive, undefined);
        assert.equal(await pair[closer].closed, "test over");
        assert.equal(typeof await pair[closer === "a" ? "b" : "a"].closed, "string");
        // b still drains what it buffered before the close, then sees the end.
        assert.equal((await b.receive())?.header, "one");
        assert.equal((await b.receive())?.header, "two");
        assert.equal(await b.receive(), undefined);
        await assert.rejects(a.send({ header: "late" }), PeerUnavailableError);
        await assert.rejects(b.send({ header: "late" }), PeerUnavailableError);
        await a.close();
        await b.close();
      }),
    );
  }

  Deno.test(
    `${name}: a pending receive resolves undefined when the peer closes`,
    withPair({}, makePair, async ({ a, b }) => {
      const pending = b.receive();
      await a.close("bye");
      assert.equal(await pending, undefined);
      assert.equal(await b.closed, "bye");
    }),
  );

  Deno.test(
    `${name}: aborting a pending receive or send rejects it with AbortedError and the connection stays usable`,
    withPair({ window: 1 }, makePair, async (pair) => {
      const { a, b } = pair;
      const receiving = new AbortController();
      const receive = a.receive({ signal: receiving.signal });
      receiving.abort();
      await assert.rejects(receive, AbortedError);
      await assert.rejects(a.receive({ signal: AbortSignal.abort() }), AbortedError);

      await a.send({ header: "fills the window" });
      const sending = new AbortController();
      const send = a.send({ header: "aborted" }, { signal: sending.signal });
      assert.equal(await stateAfter(send, roundTrip(pair)), "pending");
      sending.abort();
      await assert.rejects(send, AbortedError);
      await assert.rejects(a.send({ header: "pre-aborted" }, { signal: AbortSignal.abort() }), AbortedError);

      assert.equal((await b.receive())?.header, "fills the window");
      await a.send({ header: "after" });
      assert.equal((await b.receive())?.header, "after");
      assert.equal(a.stats.framesSent, 2);
    }),
  );

  Deno.test(
    `${name}: stats count frames and header plus payload bytes in both directions`,
    withPair({}, makePair, async ({ a, b }) => {
      const frames: Frame[] = [
        { header: { i: 1 }, payload: bytes(10) },
        { header: { i: 2 }, payload: bytes(20) },
        { header: { i: 3, s: "é" } },
      ];
      const utf8 = (h: unknown) => new TextEncoder().encode(JSON.stringify(h)).byteLength;
      const expectedBytes = frames.reduce((n, f) => n + utf8(f.header) + (f.payload?.byteLength ?? 0), 0);
      for (const f of frames) await a.send(f);
      for (let i = 0; i < frames.length; i++) await b.receive();
      await b.send({ header: "ok" });
      await a.receive();
      assert.deepEqual({ ...a.stats }, {
        framesSent: 3,
        framesReceived: 1,
        bytesSent: expectedBytes,
        bytesReceived: 4,
        malformedFrames: 0,
      });
      assert.deepEqual({ ...b.stats }, {
        framesSent: 1,
        framesReceived: 3,
        bytesSent: 4,
        bytesReceived: expectedBytes,
        malformedFrames: 0,
      });
    }),
  );

  Deno.test(
    `${name}: frames over the size limits are refused with RangeError and nothing is sent`,
    withPair({ maxHeaderBytes: 64, maxPayloadBytes: 1024 }, makePair, async ({ a, b }) => {
      await assert.rejects(a.send({ header: "x".repeat(100) }), RangeError);
      await assert.rejects(a.send({ header: 1, payload: new Uint8Array(1025) }), RangeError);
      await assert.rejects(a.send({ header: undefined }), TypeError);
      assert.equal(a.stats.framesSent, 0);
      await a.send({ header: "fits", payload: new Uint8Array(1024) });
      const frame = await b.receive();
      assert.equal(frame?.header, "fits");
      assert.equal(frame?.payload?.byteLength, 1024);
    }),
  );
}
