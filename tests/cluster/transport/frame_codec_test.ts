import assert from "node:assert/strict";
import {
  CHUNK_BYTES,
  type Decoded,
  encodeClose,
  encodeCredit,
  encodeFrame,
  encodeFrameParts,
  FrameDecoder,
} from "../../../cluster/transport/frame_codec.ts";

const text = new TextEncoder();
const LIMITS = { maxHeaderBytes: 1024, maxPayloadBytes: 1 << 20 };
const FRAME_PREFIX = 16;
const CHUNK_PREFIX = 4;

function bytes(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

/** Feeds every message; returns what each one decoded to. */
function decodeAll(decoder: FrameDecoder, messages: readonly Uint8Array[]): Decoded[] {
  return messages.map((m) => decoder.decode(m));
}

/** A FRAME prefix with the given fields, followed by `rest`. */
function framePrefix(
  fields: { flags?: number; headerLength: number; payloadLo: number; payloadHi?: number },
  rest: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const m = new Uint8Array(FRAME_PREFIX + rest.byteLength);
  const view = new DataView(m.buffer);
  m.set([0xf5, 1, fields.flags ?? 1, 0]);
  view.setUint32(4, fields.headerLength, true);
  view.setUint32(8, fields.payloadLo, true);
  view.setUint32(12, fields.payloadHi ?? 0, true);
  m.set(rest, FRAME_PREFIX);
  return m;
}

Deno.test("frame codec round-trips frames without, with empty and with payloads, credits and closes", () => {
  const decoder = new FrameDecoder(LIMITS);
  const header = text.encode('{"type":"task.launch","n":1}');
  const cases = [undefined, new Uint8Array(0), bytes(1000)];
  for (const payload of cases) {
    const messages = encodeFrame(header, payload);
    assert.equal(messages.length, 1);
    assert.deepEqual(decodeAll(decoder, messages), [{
      kind: "frame",
      header: '{"type":"task.launch","n":1}',
      payload,
    }]);
  }
  assert.deepEqual(decoder.decode(encodeCredit(1)), { kind: "credit", n: 1 });
  assert.deepEqual(decoder.decode(encodeCredit(2 ** 32 - 1)), { kind: "credit", n: 2 ** 32 - 1 });
  assert.deepEqual(decoder.decode(encodeClose("shutting down: dünn ✓")), {
    kind: "close",
    reason: "shutting down: dünn ✓",
  });
  assert.deepEqual(decoder.decode(encodeClose("")), { kind: "close", reason: "" });
  assert.equal(decoder.assembling, false);
});

Deno.test("frame codec parts are views of the header and payload, and a one-message payload decodes as a view", () => {
  const header = text.encode('"h"');
  const payload = bytes(100);
  const [parts, ...more] = encodeFrameParts(header, payload);
  assert.equal(more.length, 0);
  assert.equal(parts!.length, 3);
  assert.equal(parts![1]!.buffer, header.buffer);
  assert.equal(parts![2]!.buffer, payload.buffer);
  const message = encodeFrame(header, payload)[0]!;
  const decoded = new FrameDecoder(LIMITS).decode(message);
  assert.ok(decoded.kind === "frame" && decoded.payload !== undefined);
  assert.equal(decoded.payload.buffer, message.buffer);
});

Deno.test("frame codec chunks a payload at every boundary below chunkBytes and reassembles it exactly", () => {
  const chunkBytes = 64;
  const header = text.encode('"abc"'); // 5 bytes
  const firstRoom = chunkBytes - FRAME_PREFIX - header.byteLength; // 43
  const chunkRoom = chunkBytes - CHUNK_PREFIX; // 60
  for (
    const n of [
      0,
      1,
      firstRoom - 1,
      firstRoom,
      firstRoom + 1,
      firstRoom + chunkRoom,
      firstRoom + chunkRoom + 1,
      1000,
    ]
  ) {
    const payload = bytes(n, n);
    const messages = encodeFrame(header, payload, { chunkBytes });
    const expected = 1 + Math.ceil(Math.max(0, n - firstRoom) / chunkRoom);
    assert.equal(messages.length, expected, `${n} bytes`);
    assert.ok(messages.every((m) => m.byteLength <= chunkBytes), `${n} bytes: a message over chunkBytes`);
    assert.ok(
      messages.slice(1).every((m) => m[0] === 0xf5 && m[1] === 2),
      `${n} bytes: CHUNK messages follow`,
    );
    const decoder = new FrameDecoder(LIMITS);
    const decoded = decodeAll(decoder, messages);
    assert.deepEqual(decoded.slice(0, -1), Array(expected - 1).fill({ kind: "partial" }), `${n} bytes`);
    assert.deepEqual(decoded.at(-1), { kind: "frame", header: '"abc"', payload }, `${n} bytes`);
    assert.equal(decoder.assembling, false);
  }
});

Deno.test("frame codec sends a header larger than chunkBytes alone and the whole payload in chunks", () => {
  const header = text.encode(JSON.stringify("h".repeat(100)));
  const payload = bytes(130);
  const messages = encodeFrame(header, payload, { chunkBytes: 64 });
  assert.deepEqual(messages.map((m) => m.byteLength), [FRAME_PREFIX + header.byteLength, 64, 64, 14]);
  const decoder = new FrameDecoder(LIMITS);
  const decoded = decodeAll(decoder, messages);
  assert.equal(decoder.assembling, false);
  assert.deepEqual(decoded.at(-1), { kind: "frame", header: JSON.stringify("h".repeat(100)), payload });
  assert.ok(
    encodeFrame(header, bytes(10)).length === 1,
    `the default chunk of ${CHUNK_BYTES} bytes holds it`,
  );
});

Deno.test("frame codec rejects bad chunk sizes and credits with RangeError", () => {
  for (const chunkBytes of [0, 16, 16.5, -1, Number.NaN]) {
    assert.throws(
      () => encodeFrame(text.encode("1"), undefined, { chunkBytes }),
      RangeError,
      String(chunkBytes),
    );
  }
  for (const n of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
    assert.throws(() => encodeCredit(n), { name: "RangeError", message: /Credit must be a positive u32/ });
  }
});

Deno.test("frame decoder drops a frame whose header or payload is over its limit, naming sizes and limit", () => {
  const decoder = new FrameDecoder({ maxHeaderBytes: 8, maxPayloadBytes: 50 });
  assert.deepEqual(decoder.decode(encodeFrame(text.encode('"123456789"'), undefined)[0]!), {
    kind: "malformed",
    reason: "header of 11 bytes exceeds the limit of 8",
    droppedFrame: true,
  });
  assert.deepEqual(decoder.decode(encodeFrame(text.encode("1"), bytes(51))[0]!), {
    kind: "malformed",
    reason: "payload of 51 bytes exceeds the limit of 50",
    droppedFrame: true,
  });
  assert.deepEqual(decoder.decode(encodeFrame(new Uint8Array([0x22, 0xff, 0x22]), undefined)[0]!), {
    kind: "malformed",
    reason: "header is not valid UTF-8",
    droppedFrame: true,
  });
  // Still in sync: the next frame decodes.
  assert.deepEqual(decoder.decode(encodeFrame(text.encode("2"), bytes(50))[0]!), {
    kind: "frame",
    header: "2",
    payload: bytes(50),
  });
});

Deno.test("frame decoder skips the chunks of a dropped chunked frame, then decodes the next frame", () => {
  const decoder = new FrameDecoder({ maxHeaderBytes: 100, maxPayloadBytes: 100 });
  const oversized = encodeFrame(text.encode("1"), bytes(250), { chunkBytes: 64 });
  const decoded = decodeAll(decoder, oversized);
  assert.deepEqual(decoded[0], {
    kind: "malformed",
    reason: "payload of 250 bytes exceeds the limit of 100",
    droppedFrame: true,
  });
  assert.deepEqual(decoded.slice(1), Array(oversized.length - 1).fill({ kind: "partial" }));
  assert.equal(decoder.assembling, false);
  assert.deepEqual(decoder.decode(encodeFrame(text.encode("3"), undefined)[0]!), {
    kind: "frame",
    header: "3",
    payload: undefined,
  });
});

Deno.test("frame decoder reads the high word of a payload length (a 2^32-byte frame is over any limit)", () => {
  const decoder = new FrameDecoder(LIMITS);
  const head = framePrefix({ headerLength: 1, payloadLo: 0, payloadHi: 1 }, text.encode("1"));
  assert.deepEqual(decoder.decode(head), {
    kind: "malformed",
    reason: "payload of 4294967296 bytes exceeds the limit of 1048576",
    droppedFrame: true,
  });
  assert.equal(decoder.assembling, true, "its chunks are still to be skipped");
  assert.deepEqual(decoder.decode(encodeFrame(text.encode("1"), undefined)[0]!), {
    kind: "fatal",
    reason: "frame started inside a chunked frame",
  });
});

Deno.test("frame decoder reports garbage between frames as malformed without dropping credit", () => {
  const garbage: [string, Uint8Array][] = [
    ["bad message prefix", new Uint8Array([0xf5, 1])],
    ["bad message prefix", new Uint8Array([0x00, 1, 0, 0, 0, 0])],
    ["bad message prefix", new Uint8Array([0xf5, 1, 2, 0])],
    ["bad message prefix", new Uint8Array([0xf5, 1, 0, 1])],
    ["unknown message kind 9", new Uint8Array([0xf5, 9, 0, 0])],
    ["truncated frame prefix", new Uint8Array([0xf5, 1, 0, 0, 1, 0, 0, 0])],
    ["truncated frame header", framePrefix({ headerLength: 10, payloadLo: 0 }, text.encode("12345"))],
    ["payload length mismatch", framePrefix({ flags: 0, headerLength: 1, payloadLo: 3 }, text.encode("1"))],
    ["payload length mismatch", framePrefix({ headerLength: 1, payloadLo: 1 }, text.encode("1xyz"))],
    ["bad credit message", new Uint8Array([0xf5, 3, 0, 0, 1, 0])],
    ["bad credit message", new Uint8Array([0xf5, 3, 1, 0, 1, 0, 0, 0])],
    ["zero credit", new Uint8Array([0xf5, 3, 0, 0, 0, 0, 0, 0])],
    ["bad close message", new Uint8Array([0xf5, 4, 1, 0])],
    ["bad chunk message", new Uint8Array([0xf5, 2, 1, 0, 7])],
    ["chunk outside a frame", new Uint8Array([0xf5, 2, 0, 0, 7])],
  ];
  const decoder = new FrameDecoder(LIMITS);
  for (const [reason, message] of garbage) {
    assert.deepEqual(decoder.decode(message), { kind: "malformed", reason, droppedFrame: false }, reason);
  }
  assert.equal(decoder.assembling, false);
});

Deno.test("frame decoder fails the stream on garbage, a new frame or an overrun inside a chunked frame", () => {
  const start = () => {
    const decoder = new FrameDecoder(LIMITS);
    const messages = encodeFrame(text.encode("1"), bytes(100), { chunkBytes: 64 });
    assert.deepEqual(decoder.decode(messages[0]!), { kind: "partial" });
    return decoder;
  };
  assert.deepEqual(start().decode(new Uint8Array([0xf5, 9, 0, 0])), {
    kind: "fatal",
    reason: "unknown message kind 9 inside a chunked frame",
  });
  assert.deepEqual(start().decode(encodeCredit(1).subarray(0, 6)), {
    kind: "fatal",
    reason: "bad credit message inside a chunked frame",
  });
  assert.deepEqual(start().decode(encodeFrame(text.encode("2"), undefined)[0]!), {
    kind: "fatal",
    reason: "frame started inside a chunked frame",
  });
  const overrun = new Uint8Array(CHUNK_PREFIX + 100);
  overrun.set([0xf5, 2, 0, 0]);
  assert.deepEqual(start().decode(overrun), { kind: "fatal", reason: "chunk overruns the frame" });
  const skipping = new FrameDecoder({ maxHeaderBytes: 100, maxPayloadBytes: 10 });
  skipping.decode(encodeFrame(text.encode("1"), bytes(100), { chunkBytes: 64 })[0]!);
  assert.deepEqual(skipping.decode(overrun), { kind: "fatal", reason: "chunk overruns the frame" });
});

Deno.test("frame decoder accepts credits and closes between the chunks of a frame", () => {
  const decoder = new FrameDecoder(LIMITS);
  const payload = bytes(200);
  const [first, ...rest] = encodeFrame(text.encode("1"), payload, { chunkBytes: 64 });
  assert.deepEqual(decoder.decode(first!), { kind: "partial" });
  assert.deepEqual(decoder.decode(encodeCredit(5)), { kind: "credit", n: 5 });
  assert.deepEqual(decoder.decode(encodeClose("bye")), { kind: "close", reason: "bye" });
  assert.deepEqual(decodeAll(decoder, rest).at(-1), { kind: "frame", header: "1", payload });
});
