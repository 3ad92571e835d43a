import assert from "node:assert/strict";
import { parseEventTime, recordDecoder } from "../../streaming/mod.ts";

Deno.test("parseEventTime reads integer ms and zoned ISO-8601 date-times", () => {
  const ok = (raw: unknown) => {
    const r = parseEventTime(raw);
    assert.ok(r.ok, `${JSON.stringify(raw)}: ${r.ok ? "" : r.reason}`);
    return r.value;
  };
  assert.equal(ok(0), 0);
  assert.equal(ok(-5), -5);
  assert.equal(ok(1_704_067_200_000), Date.UTC(2024, 0, 1));
  assert.equal(ok("2024-01-01T00:00:00Z"), Date.UTC(2024, 0, 1));
  assert.equal(ok("2024-01-01 00:00Z"), Date.UTC(2024, 0, 1));
  assert.equal(ok("2024-01-01T02:30:00+02:30"), Date.UTC(2024, 0, 1));
  assert.equal(ok("2023-12-31T23:00:00-01:00"), Date.UTC(2024, 0, 1));
  assert.equal(ok("2024-01-01T00:00:00.123456789Z"), Date.UTC(2024, 0, 1) + 123);
  assert.equal(ok("2024-01-01T00:00:00.5Z"), Date.UTC(2024, 0, 1) + 500);
  assert.equal(ok("2024-02-29T12:00:00Z"), Date.UTC(2024, 1, 29, 12));
});

Deno.test("parseEventTime refuses impossible dates instead of rolling them over, and says why", () => {
  const reason = (raw: unknown) => {
    const r = parseEventTime(raw);
    assert.equal(r.ok, false, JSON.stringify(raw));
    return r.ok ? "" : r.reason;
  };
  for (
    const bad of [
      "2024-02-30T10:00:00Z",
      "2023-02-29T10:00:00Z",
      "2024-02-30T25:61:00Z",
      "2024-13-01T00:00:00Z",
      "2024-01-01T24:00:00Z",
    ]
  ) {
    assert.match(reason(bad), /not a valid date-time/, bad);
  }
  for (
    const bad of [
      "not-a-date",
      "",
      "31/12/2024 10:00",
      "0000-00-00",
      "2024-01-01T10:00:00",
      "17000000000000000000",
    ]
  ) {
    assert.match(reason(bad), /not an ISO-8601 date-time with a zone/, bad);
  }
  assert.match(reason(1.5), /not an integer number of ms/);
  assert.match(reason(Number.NaN), /not an integer number of ms/);
  assert.match(reason(9e15), /within Date's range/);
  assert.match(reason(null), /must be a number or a string, got null/);
  assert.match(reason(true), /got boolean/);
});

const decode = recordDecoder({
  idField: "tx",
  keyField: "account",
  timeField: "at",
  value: (r) =>
    typeof r["amount"] === "number" ? { ok: true, value: r["amount"] } : { ok: false, reason: "no amount" },
});

Deno.test("recordDecoder reads the same event from an object, JSON text and UTF-8 bytes", () => {
  const record = { tx: "t-1", account: "acc-é", at: "2024-01-01T00:00:00Z", amount: 12.5 };
  const expected = { ok: true, value: { id: "t-1", key: "acc-é", time: Date.UTC(2024, 0, 1), value: 12.5 } };
  assert.deepEqual(decode(record), expected);
  assert.deepEqual(decode(JSON.stringify(record)), expected);
  assert.deepEqual(decode(new TextEncoder().encode(JSON.stringify(record))), expected);
  assert.deepEqual(decode({ tx: 42, account: 7, at: 5, amount: 1 }), {
    ok: true,
    value: { id: "42", key: "7", time: 5, value: 1 },
  });
});

Deno.test("recordDecoder names the field and the problem of every malformed record", () => {
  const cases: [unknown, RegExp][] = [
    [new Uint8Array([0x80]), /not valid UTF-8/],
    ["{", /not valid JSON/],
    ["[1]", /must be a JSON object, got an array/],
    [42, /must be a JSON object, got number/],
    [
      { account: "a", at: 1, amount: 1 },
      /field "tx" \(id\) must be a non-empty string or an integer, got undefined/,
    ],
    [{ tx: "", account: "a", at: 1, amount: 1 }, /field "tx" \(id\)/],
    [{ tx: 1.5, account: "a", at: 1, amount: 1 }, /field "tx" \(id\)/],
    [
      { tx: "t", account: null, at: 1, amount: 1 },
      /field "account" \(key\) must be a string or a number, got null/,
    ],
    [{ tx: "t", account: "a", amount: 1 }, /field "at" \(event time\) is missing/],
    [
      { tx: "t", account: "a", at: "yesterday", amount: 1 },
      /field "at": event time "yesterday" is not an ISO-8601/,
    ],
    [{ tx: "t", account: "a", at: 1 }, /^no amount$/],
  ];
  for (const [payload, reason] of cases) {
    const r = decode(payload);
    assert.equal(r.ok, false, JSON.stringify(payload));
    if (!r.ok) assert.match(r.reason, reason);
  }
});
