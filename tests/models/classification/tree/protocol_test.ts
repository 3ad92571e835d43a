import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../../actors/errors.ts";
import { decodeGbtRequest } from "../../../../models/classification/gbt/gbt_protocol.ts";
import { decodeForestRequest } from "../../../../models/classification/random_forest/forest_protocol.ts";
import {
  allocateHistogramsReply,
  decodeOwnedReply,
  decodeReply,
  encodeReply,
  mergeEncodedReplies,
  mergeReplies,
  type ShardReply,
} from "../../../../models/classification/tree/protocol.ts";

Deno.test("shard replies round-trip through bytes", () => {
  const replies: ShardReply[] = [
    { type: "describe", rows: 12, maxWeight: 2.5, badLabels: 1 },
    { type: "sums", values: Float64Array.of(3, -(2 ** 52), 0.5) },
    { type: "sums", values: new Float64Array(0) },
    {
      type: "histograms",
      sums: Float64Array.of(1, 2, 3, 4, 5, 6),
      counts: Int32Array.of(7, -8, 9),
      extra: Float64Array.of(10),
    },
  ];
  for (const r of replies) assert.deepEqual(decodeReply(encodeReply(r)), r);
  assert.throws(() => decodeReply(new Uint8Array(7)), MalformedMessageError);
  assert.throws(() => decodeReply(encodeReply(replies[3]!).slice(0, 40)), MalformedMessageError);
});

Deno.test("a histograms reply allocated encoded encodes to the bytes encodeReply writes", () => {
  const extra = Float64Array.of(-3, 2 ** 52);
  const reply = allocateHistogramsReply(3, 5, extra);
  assert.equal(reply.sums.length, 30);
  assert.equal(reply.counts.length, 15);
  assert.deepEqual(reply.extra, extra);
  reply.sums.forEach((_, i) => reply.sums[i] = i % 2 === 0 ? i * 3 : -i);
  reply.counts.forEach((_, i) => reply.counts[i] = 7 - i);
  const plain: ShardReply = {
    type: "histograms",
    sums: reply.sums.slice(),
    counts: reply.counts.slice(),
    extra: reply.extra.slice(),
  };
  const bytes = encodeReply(reply);
  assert.deepEqual(bytes, encodeReply(plain));
  assert.equal(encodeReply(reply), bytes, "no copy: the reply's own buffer");
  // merged in place (as a local group does), the bytes follow
  mergeReplies(reply, plain);
  assert.deepEqual(
    decodeReply(encodeReply(reply)),
    mergeReplies(plain, { ...plain, sums: plain.sums.slice() }),
  );
  // an odd number of counts pads the last word
  assert.deepEqual(decodeReply(encodeReply(allocateHistogramsReply(1, 3, new Float64Array(0)))), {
    type: "histograms",
    sums: new Float64Array(6),
    counts: new Int32Array(3),
    extra: new Float64Array(0),
  });
});

Deno.test("decodeOwnedReply reads what decodeReply reads, viewing aligned bytes and copying others", () => {
  const r: ShardReply = {
    type: "histograms",
    sums: Float64Array.of(1, 2, 3, 4, 5, 6),
    counts: Int32Array.of(7, -8, 9),
    extra: Float64Array.of(10),
  };
  const bytes = encodeReply(r);
  const owned = decodeOwnedReply(bytes);
  assert.deepEqual(owned, decodeReply(bytes));
  assert.ok(owned.type === "histograms" && owned.sums.buffer === bytes.buffer, "a view, no copy");
  const shifted = new Uint8Array(bytes.byteLength + 4).subarray(4);
  shifted.set(bytes);
  const copied = decodeOwnedReply(shifted);
  assert.deepEqual(copied, r);
  assert.ok(copied.type === "histograms" && copied.sums.buffer !== shifted.buffer);
  assert.deepEqual(decodeOwnedReply(encodeReply({ type: "sums", values: Float64Array.of(4, 5) })), {
    type: "sums",
    values: Float64Array.of(4, 5),
  });
  assert.throws(() => decodeOwnedReply(bytes.slice(0, 40)), MalformedMessageError);
});

Deno.test("mergeReplies adds sums, takes the largest weight and refuses mismatched replies", () => {
  const a: ShardReply = { type: "describe", rows: 3, maxWeight: 1, badLabels: 0 };
  const b: ShardReply = { type: "describe", rows: 4, maxWeight: 2, badLabels: 1 };
  assert.deepEqual(mergeReplies(a, b), { type: "describe", rows: 7, maxWeight: 2, badLabels: 1 });
  const h = (x: number): ShardReply => ({
    type: "histograms",
    sums: Float64Array.of(x, x),
    counts: Int32Array.of(x),
    extra: new Float64Array(0),
  });
  assert.deepEqual(mergeReplies(h(1), h(2)), h(3));
  assert.throws(() => mergeReplies(h(1), a), /Cannot merge a "histograms" reply with a "describe" reply/);
  assert.throws(
    () =>
      mergeReplies({ type: "sums", values: Float64Array.of(1) }, {
        type: "sums",
        values: new Float64Array(2),
      }),
    MalformedMessageError,
  );
});

Deno.test("requests decode from JSON and malformed ones are refused with MalformedMessageError", () => {
  const grow = {
    type: "rf.grow",
    orders: [{
      tree: 1,
      node: 0,
      left: 1,
      right: 2,
      rule: { kind: "categorical", feature: 2, leftBins: [1, 3], defaultLeft: true },
    }],
    build: [{ tree: 1, node: 2 }],
  };
  assert.deepEqual(decodeForestRequest(JSON.parse(JSON.stringify(grow))), grow);
  const round = { type: "gbt.round", round: 2, scale: 1024, lossScale: 16, baggingFraction: 0.5, seed: 1 };
  assert.deepEqual(decodeGbtRequest(round), { ...round, tree: undefined });
  const bad: unknown[] = [
    null,
    { type: "rf.nope" },
    { ...grow, build: [{ tree: -1, node: 0 }] },
    {
      ...grow,
      orders: [{
        ...grow.orders[0],
        rule: { kind: "numeric", feature: 0, thresholdBin: 0, defaultLeft: false },
      }],
    },
    {
      ...grow,
      orders: [{
        ...grow.orders[0],
        rule: { kind: "categorical", feature: 0, leftBins: [256], defaultLeft: false },
      }],
    },
    { type: "rf.start", trees: [0], seed: 1, bootstrap: "yes", scale: 1 },
  ];
  for (const b of bad) assert.throws(() => decodeForestRequest(b), MalformedMessageError, JSON.stringify(b));
  assert.throws(() => decodeGbtRequest({ ...round, baggingFraction: 2 }), MalformedMessageError);
  assert.throws(() => decodeGbtRequest({ ...round, noLoss: false }), /noLoss: must be true or absent/);
  assert.deepEqual(decodeGbtRequest({ ...round, noLoss: true }), { ...round, tree: undefined, noLoss: true });
  assert.throws(() => decodeGbtRequest({ ...round, scale: 0 }), MalformedMessageError);
  assert.throws(
    () => decodeGbtRequest({ type: "gbt.apply", trees: [[]], applied: 1, lossScale: 1 }),
    MalformedMessageError,
  );
});

Deno.test("mergeEncodedReplies merges replies as bytes, in place, as mergeReplies does", () => {
  const a = encodeReply({ type: "sums", values: Float64Array.of(1, 2) });
  const b = encodeReply({ type: "sums", values: Float64Array.of(3, 4) });
  assert.deepEqual(decodeReply(mergeEncodedReplies(a, b)), { type: "sums", values: Float64Array.of(4, 6) });
  const hist = (k: number): ShardReply => ({
    type: "histograms",
    sums: Float64Array.from({ length: 6 }, (_, i) => k * i - 2),
    counts: Int32Array.from({ length: 3 }, (_, i) => k + i),
    extra: Float64Array.of(k, -k),
  });
  const describe = (k: number): ShardReply => ({
    type: "describe",
    rows: k,
    maxWeight: 10 - k,
    badLabels: k % 2,
  });
  for (const make of [hist, describe]) {
    const expected = encodeReply(mergeReplies(make(3), make(5)));
    // the second operand at an odd byte offset, as a payload inside a larger frame may be
    const shifted = new Uint8Array(expected.length + 1).subarray(1);
    shifted.set(encodeReply(make(5)));
    assert.deepEqual(mergeEncodedReplies(encodeReply(make(3)), shifted), expected);
  }
  assert.throws(
    () => mergeEncodedReplies(encodeReply(hist(1)), encodeReply(describe(1))),
    MalformedMessageError,
  );
  assert.throws(() => mergeEncodedReplies(a, new Uint8Array(12)), MalformedMessageError);
});
