import assert from "node:assert/strict";
import {
  CLOSE,
  encodeClosePayload,
  encodeWsFrame,
  isValidCloseCode,
  OP,
  type WsEvent,
  WsFrameParser,
  type WsViolation,
} from "../../../../cluster/transport/ws/frame.ts";

const text = new TextEncoder();

function bytes(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed) & 0xff);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** One frame's wire bytes. */
function frame(opcode: number, payload: Uint8Array, options: { mask: boolean; fin?: boolean }): Uint8Array {
  return concat(encodeWsFrame(opcode, [payload], options));
}

/** Feeds `wire` to a parser in pieces of `step` bytes; returns the events and the violation, if any. */
function parse(
  wire: Uint8Array,
  options: { server?: boolean; maxMessageBytes?: number; step?: number } = {},
): { events: WsEvent[]; violation: WsViolation | undefined } {
  const parser = new WsFrameParser({
    expectMasked: options.server ?? true,
    maxMessageBytes: options.maxMessageBytes ?? 1 << 20,
  });
  const events: WsEvent[] = [];
  const step = options.step ?? wire.byteLength;
  for (let at = 0; at < wire.byteLength; at += step) {
    const violation = parser.push(wire.subarray(at, at + step), (e) => events.push(e));
    if (violation) return { events, violation };
  }
  return { events, violation: undefined };
}

function protocolError(reason: string): WsViolation {
  return { code: CLOSE.protocolError, reason };
}

Deno.test("encodeWsFrame uses 7-bit, 16-bit and 64-bit big-endian lengths at the RFC 6455 boundaries", () => {
  const cases: [number, number[]][] = [
    [0, [0x82, 0]],
    [125, [0x82, 125]],
    [126, [0x82, 126, 0, 126]],
    [65_535, [0x82, 126, 0xff, 0xff]],
    [65_536, [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
    [70_000, [0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]],
  ];
  for (const [n, header] of cases) {
    const payload = bytes(n);
    const parts = encodeWsFrame(OP.binary, [payload], { mask: false });
    assert.deepEqual([...parts[0]!], header, `${n} bytes`);
    if (n > 0) assert.equal(parts[1], payload, "an unmasked payload is sent as is, not copied");
    assert.equal(parts.length, n > 0 ? 2 : 1);
  }
  const [fragment] = encodeWsFrame(OP.text, [text.encode("hi")], { mask: false, fin: false });
  assert.equal(fragment![0], 0x01, "FIN clear");
});

Deno.test("encodeWsFrame masks client frames with a fresh key that unmasks to the payload", () => {
  const payload = concat([bytes(3), bytes(1000, 7)]);
  const keys = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const parts = encodeWsFrame(OP.binary, [payload.subarray(0, 3), payload.subarray(3)], { mask: true });
    assert.equal(parts.length, 1, "a masked frame is one buffer");
    const wire = parts[0]!;
    assert.deepEqual([wire[0], wire[1]], [0x82, 0x80 | 126]);
    assert.equal((wire[2]! << 8) | wire[3]!, 1003);
    const key = wire.subarray(4, 8);
    keys.add(key.join(","));
    const body = wire.subarray(8);
    assert.notDeepEqual(body, payload);
    assert.deepEqual(body.map((b, j) => b ^ key[j & 3]!), payload);
  }
  assert.equal(keys.size, 3);
});

Deno.test("WsFrameParser round-trips masked and unmasked frames of every length class, fed whole or a byte at a time", () => {
  for (const n of [0, 1, 5, 125, 126, 127, 65_535, 65_536, 70_001]) {
    const payload = bytes(n, n);
    for (const mask of [true, false]) {
      for (const step of n > 1000 ? [undefined, 4093] : [undefined, 1]) {
        const wire = frame(OP.binary, payload, { mask });
        const { events, violation } = parse(wire, { server: mask, ...(step ? { step } : {}) });
        assert.equal(violation, undefined);
        assert.deepEqual(
          events,
          [{ kind: "message", data: payload }],
          `${n} bytes, mask ${mask}, step ${step}`,
        );
      }
    }
  }
});

Deno.test("WsFrameParser decodes text as strings and fails invalid UTF-8 with 1007", () => {
  const hello = parse(frame(OP.text, text.encode("grüße ✓"), { mask: true }));
  assert.deepEqual(hello.events, [{ kind: "message", data: "grüße ✓" }]);
  const bad = parse(frame(OP.text, new Uint8Array([0x61, 0xc3]), { mask: true }));
  assert.deepEqual(bad, {
    events: [],
    violation: { code: CLOSE.invalidData, reason: "text message is not valid UTF-8" },
  });
});

Deno.test("WsFrameParser reassembles fragments and emits control frames sent between them", () => {
  const wire = concat([
    frame(OP.text, text.encode("frag"), { mask: true, fin: false }),
    frame(OP.continuation, text.encode("men"), { mask: true, fin: false }),
    frame(OP.ping, text.encode("are you there"), { mask: true }),
    frame(OP.continuation, new Uint8Array(0), { mask: true, fin: false }),
    frame(OP.continuation, text.encode("ted"), { mask: true }),
    frame(OP.binary, bytes(3), { mask: true, fin: false }),
    frame(OP.continuation, bytes(2, 9), { mask: true }),
  ]);
  for (const step of [undefined, 1, 7]) {
    const { events, violation } = parse(wire, step ? { step } : {});
    assert.equal(violation, undefined);
    assert.deepEqual(events, [
      { kind: "ping", data: text.encode("are you there") },
      { kind: "message", data: "fragmented" },
      { kind: "message", data: concat([bytes(3), bytes(2, 9)]) },
    ]);
  }
});

Deno.test("WsFrameParser reports pings, pongs and closes with their status and reason", () => {
  const wire = concat([
    frame(OP.ping, new Uint8Array(0), { mask: false }),
    frame(OP.pong, bytes(125), { mask: false }),
    frame(OP.close, encodeClosePayload(CLOSE.goingAway, "restarting"), { mask: false }),
    frame(OP.close, encodeClosePayload(undefined, "ignored"), { mask: false }),
  ]);
  const { events, violation } = parse(wire, { server: false });
  assert.equal(violation, undefined);
  assert.deepEqual(events, [
    { kind: "ping", data: new Uint8Array(0) },
    { kind: "pong", data: bytes(125) },
    { kind: "close", code: 1001, reason: "restarting" },
    { kind: "close", code: undefined, reason: "" },
  ]);
});

Deno.test("WsFrameParser fails malformed close frames: one byte, an unsendable code, a reason not UTF-8", () => {
  const close = (payload: Uint8Array) => parse(frame(OP.close, payload, { mask: true })).violation;
  assert.deepEqual(close(new Uint8Array([3])), protocolError("close frame of 1 byte"));
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
    assert.deepEqual(
      close(encodeClosePayload(code, "")),
      protocolError(`invalid close code ${code}`),
      `${code}`,
    );
  }
  const badReason = concat([encodeClosePayload(1000, ""), new Uint8Array([0xff])]);
  assert.deepEqual(close(badReason), { code: CLOSE.invalidData, reason: "close reason is not valid UTF-8" });
});

Deno.test("isValidCloseCode accepts the registered codes an endpoint may send and the 3000–4999 ranges", () => {
  const valid = [
    1000,
    1001,
    1002,
    1003,
    1007,
    1008,
    1009,
    1010,
    1011,
    1012,
    1013,
    1014,
    3000,
    3999,
    4000,
    4999,
  ];
  assert.deepEqual(valid.filter((c) => !isValidCloseCode(c)), []);
  const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65_535];
  assert.deepEqual(invalid.filter(isValidCloseCode), []);
});

Deno.test("WsFrameParser fails reserved bits, unknown opcodes and the wrong masking with 1002", () => {
  const withByte0 = (wire: Uint8Array, b0: number) => {
    const copy = wire.slice();
    copy[0] = b0;
    return copy;
  };
  const masked = frame(OP.binary, bytes(4), { mask: true });
  for (const rsv of [0x40, 0x20, 0x10]) {
    assert.deepEqual(
      parse(withByte0(masked, 0x82 | rsv)).violation,
      protocolError("reserved bits are set but no extension was negotiated"),
    );
  }
  for (const opcode of [0x3, 0x7, 0xb, 0xf]) {
    assert.deepEqual(
      parse(withByte0(masked, 0x80 | opcode)).violation,
      protocolError(`unknown opcode ${opcode}`),
    );
  }
  assert.deepEqual(
    parse(frame(OP.binary, bytes(4), { mask: false }), { server: true }).violation,
    protocolError("client frame is not masked"),
  );
  assert.deepEqual(
    parse(masked, { server: false }).violation,
    protocolError("server frame is masked"),
  );
});

Deno.test("WsFrameParser fails fragmented or oversized control frames and misplaced continuations with 1002", () => {
  const cases: [Uint8Array, string][] = [
    [frame(OP.ping, bytes(1), { mask: true, fin: false }), "control frame is fragmented"],
    [frame(OP.close, bytes(126), { mask: true }), "control frame payload exceeds 125 bytes"],
    [frame(OP.continuation, bytes(1), { mask: true }), "continuation frame outside a message"],
    [
      concat([
        frame(OP.binary, bytes(1), { mask: true, fin: false }),
        frame(OP.text, bytes(1), { mask: true }),
      ]),
      "new message inside a fragmented message",
    ],
  ];
  for (const [wire, reason] of cases) assert.deepEqual(parse(wire).violation, protocolError(reason), reason);
});

Deno.test("WsFrameParser refuses a message over maxMessageBytes from its header, before the payload arrives", () => {
  const header = frame(OP.binary, bytes(101), { mask: true }).subarray(0, 6);
  assert.deepEqual(parse(header, { maxMessageBytes: 100 }), {
    events: [],
    violation: { code: CLOSE.tooBig, reason: "message of at least 101 bytes exceeds the limit of 100" },
  });
  assert.equal(
    parse(frame(OP.binary, bytes(100), { mask: true }), { maxMessageBytes: 100 }).violation,
    undefined,
  );

  const fragments = concat([
    frame(OP.binary, bytes(60), { mask: true, fin: false }),
    frame(OP.ping, bytes(100), { mask: true }), // control frames do not count
    frame(OP.continuation, bytes(41), { mask: true }),
  ]);
  assert.deepEqual(parse(fragments, { maxMessageBytes: 100 }), {
    events: [{ kind: "ping", data: bytes(100) }],
    violation: { code: CLOSE.tooBig, reason: "message of at least 101 bytes exceeds the limit of 100" },
  });

  const huge = new Uint8Array([0x82, 0x80 | 127, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]); // 2^53 bytes
  assert.deepEqual(parse(huge).violation, { code: CLOSE.tooBig, reason: "frame length exceeds 2^53" });
});

Deno.test("WsFrameParser lets a reader fill a large payload directly and checks what it records", () => {
  const payload = bytes(200_000);
  const wire = frame(OP.binary, payload, { mask: true });
  const parser = new WsFrameParser({ expectMasked: true, maxMessageBytes: 1 << 20 });
  const events: WsEvent[] = [];
  const emit = (e: WsEvent) => events.push(e);
  assert.equal(parser.directTarget(), undefined, "no frame yet");
  assert.equal(parser.push(wire.subarray(0, 14 + 1000), emit), undefined);
  const target = parser.directTarget()!;
  assert.equal(target.byteLength, 199_000);
  target.set(wire.subarray(14 + 1000, 14 + 150_000));
  assert.equal(parser.filled(149_000, emit), undefined);
  assert.equal(parser.directTarget(), undefined, "under 64 KiB left: not worth a direct read");
  assert.throws(() => parser.filled(50_001, emit), RangeError);
  assert.equal(parser.push(wire.subarray(14 + 150_000), emit), undefined);
  assert.deepEqual(events, [{ kind: "message", data: payload }]);
});
