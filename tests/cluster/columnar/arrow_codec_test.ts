import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { SchemaError } from "../../../cluster/errors.ts";
import type { Batch, DataType, Row, Schema, Vec } from "../../../cluster/columnar/batch.ts";
import { batchFromRows, batchToRows, scalarAt } from "../../../cluster/columnar/batch_ops.ts";
import {
  arrowTableToBatches,
  batchToArrowTable,
  decodeBatches,
  encodeBatches,
  fromArrowSchema,
} from "../../../cluster/columnar/arrow_codec.ts";
import { rng } from "../test_rng.ts";

const ALL: Schema = [
  { name: "d", type: "double", nullable: true },
  { name: "l", type: "long", nullable: true },
  { name: "i", type: "int", nullable: true },
  { name: "b", type: "bool", nullable: true },
  { name: "s", type: "string", nullable: true },
  { name: "ts", type: "timestamp", nullable: true },
  { name: "dt", type: "date", nullable: true },
];

const ROWS: Row[] = [
  { d: 1.5, l: 2 ** 53, i: -7, b: true, s: "héllo", ts: Date.UTC(2024, 1, 29, 12), dt: 19782 },
  { d: null, l: null, i: null, b: null, s: null, ts: null, dt: null },
  { d: -0.25, l: -(2 ** 53), i: 2147483647, b: false, s: "", ts: -1, dt: -1 },
  { d: 1e300, l: -1, i: 0, b: true, s: "日本語 😀", ts: 0, dt: 0 },
];

function roundTrip(schema: Schema, batches: readonly Batch[]): { schema: Schema; batches: Batch[] } {
  return decodeBatches(encodeBatches(schema, batches));
}

function assertVecEqual(actual: Vec, expected: Vec, n: number, what: string): void {
  assert.equal(actual.type, expected.type, what);
  assert.equal(actual.values.length, n, what);
  for (let i = 0; i < n; i++) {
    const x = scalarAt(actual, i), y = scalarAt(expected, i);
    if (!Object.is(x, y)) assert.fail(`${what} row ${i}: ${x} !== ${y}`);
  }
}

Deno.test("every type round-trips through Arrow IPC with nulls", () => {
  const batch = batchFromRows(ALL, ROWS);
  const out = roundTrip(ALL, [batch]);
  assert.deepEqual(out.schema, ALL);
  assert.equal(out.batches.length, 1);
  assert.deepEqual(batchToRows(out.batches[0]!), ROWS);
  assert.deepEqual(out.batches[0]!.columns.map((c) => c.type), ALL.map((f) => f.type));
});

Deno.test("a stream of zero batches carries the schema", () => {
  const bytes = encodeBatches(ALL, []);
  const out = decodeBatches(bytes);
  assert.deepEqual(out.schema, ALL);
  assert.deepEqual(out.batches, []);
});

Deno.test("empty and multiple batches round-trip in order", () => {
  const batches = [
    batchFromRows(ALL, ROWS.slice(0, 2)),
    batchFromRows(ALL, []),
    batchFromRows(ALL, ROWS.slice(2)),
  ];
  const out = roundTrip(ALL, batches);
  assert.deepEqual(out.batches.map((b) => b.length), [2, 0, 2]);
  assert.deepEqual(out.batches.flatMap(batchToRows), ROWS);
});

Deno.test("encodeBatches rejects a batch whose schema differs", () => {
  const other: Schema = [{ name: "x", type: "int", nullable: false }];
  assert.throws(() => encodeBatches(ALL, [batchFromRows(other, [{ x: 1 }])]), SchemaError);
});

Deno.test("nullable is kept as declared and set when a batch holds nulls", () => {
  const s: Schema = [{ name: "a", type: "int", nullable: false }, { name: "b", type: "int", nullable: true }];
  assert.deepEqual(roundTrip(s, [batchFromRows(s, [{ a: 1, b: 2 }])]).schema, s);
  const lying: Batch = {
    schema: s,
    length: 1,
    columns: [{ type: "int", values: Int32Array.of(0), valid: Uint8Array.of(0) }, {
      type: "int",
      values: Int32Array.of(1),
    }],
  };
  const out = roundTrip(s, [lying]);
  assert.equal(out.schema[0]!.nullable, true);
  assert.equal(scalarAt(out.batches[0]!.columns[0]!, 0), null);
});

Deno.test("a 100k-row random batch is equal after a round trip", () => {
  const n = 100_000, r = rng(42);
  const words = ["PT", "ES", "FR", "Deutschland", "Ελλάδα", "日本", "United Kingdom of Great Britain"];
  const valid = () => Uint8Array.from({ length: n }, () => (r() < 0.1 ? 0 : 1));
  const columns: Vec[] = [
    { type: "double", values: Float64Array.from({ length: n }, () => (r() - 0.5) * 1e6), valid: valid() },
    {
      type: "long",
      values: Float64Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 53)),
      valid: valid(),
    },
    { type: "int", values: Int32Array.from({ length: n }, () => (r() * 2 ** 32) | 0) },
    { type: "bool", values: Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)), valid: valid() },
    {
      type: "string",
      values: Array.from(
        { length: n },
        (_, i) => (i % 3 === 0 ? `id-${i}` : words[Math.floor(r() * words.length)]!),
      ),
      valid: valid(),
    },
    {
      type: "timestamp",
      values: Float64Array.from({ length: n }, () => Math.floor(r() * 4e12)),
      valid: valid(),
    },
    { type: "date", values: Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 1e5)) },
  ];
  const batch: Batch = { schema: ALL, length: n, columns };
  const out = roundTrip(ALL, [batch]).batches[0]!;
  assert.equal(out.length, n);
  ALL.forEach((f, j) => assertVecEqual(out.columns[j]!, columns[j]!, n, f.name));
});

Deno.test("decoding views the IPC buffer for double, int and date columns (no copy)", () => {
  const s: Schema = [
    { name: "d", type: "double", nullable: false },
    { name: "i", type: "int", nullable: false },
    { name: "dt", type: "date", nullable: false },
  ];
  const bytes = encodeBatches(s, [batchFromRows(s, [{ d: 1, i: 2, dt: 3 }, { d: 4, i: 5, dt: 6 }])]);
  const out = decodeBatches(bytes).batches[0]!;
  for (const c of out.columns) {
    assert.strictEqual((c.values as Float64Array | Int32Array).buffer, bytes.buffer);
  }
});

Deno.test("unaligned input bytes are copied and decode", () => {
  const bytes = encodeBatches(ALL, [batchFromRows(ALL, ROWS)]);
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  assert.deepEqual(batchToRows(decodeBatches(shifted.subarray(3)).batches[0]!), ROWS);
});

Deno.test("non-ASCII strings and surrogate pairs split across rows round-trip like TextEncoder", () => {
  const s: Schema = [{ name: "s", type: "string", nullable: false }];
  const texts = ["héllo", "😀", "\uD83D", "\uDE00", "", "日本語", "a\uD800b"];
  const out = roundTrip(s, [batchFromRows(s, texts.map((t) => ({ s: t })))]).batches[0]!;
  const normalize = (t: string) => new TextDecoder().decode(new TextEncoder().encode(t));
  assert.deepEqual(out.columns[0]!.values, texts.map(normalize));
});

Deno.test("string columns of low and high cardinality round-trip through the decoder's interner", () => {
  const s: Schema = [{ name: "low", type: "string", nullable: false }, {
    name: "high",
    type: "string",
    nullable: false,
  }];
  const rows = Array.from(
    { length: 10_000 },
    (_, i) => ({ low: ["alpha", "beta", "gamma"][i % 3]!, high: `k${i}` }),
  );
  const out = roundTrip(s, [batchFromRows(s, rows)]).batches[0]!;
  assert.deepEqual(batchToRows(out), rows);
});

function int64Table(
  name: string,
  values: bigint[],
  type: arrow.Int64 | arrow.Uint64 = new arrow.Int64(),
): Uint8Array {
  const vector = arrow.vectorFromArray(values, type);
  return arrow.tableToIPC(new arrow.Table({ [name]: vector }), "stream");
}

Deno.test("int64 values beyond ±2^53 are rejected with SchemaError naming the column when read", () => {
  const ok = decodeBatches(int64Table("big", [2n ** 53n, -(2n ** 53n), -(2n ** 53n) + 1n, 0n, -1n]));
  assert.deepEqual(Array.from(ok.batches[0]!.columns[0]!.values as Float64Array), [
    2 ** 53,
    -(2 ** 53),
    -(2 ** 53) + 1,
    0,
    -1,
  ]);
  for (const bad of [2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 62n]) {
    // 64-bit columns convert on first read, so a task that never reads one pays nothing for it.
    const col = decodeBatches(int64Table("big", [1n, bad])).batches[0]!.columns[0]!;
    assert.throws(() => col.values, (e: unknown) => {
      assert.ok(e instanceof SchemaError);
      assert.match(e.message, /Column "big" row 1/);
      return true;
    });
  }
  assert.throws(
    () => decodeBatches(int64Table("u", [2n ** 60n], new arrow.Uint64())).batches[0]!.columns[0]!.values,
    SchemaError,
  );
});

Deno.test("Arrow tables built with apache-arrow's API convert to the closest types", () => {
  const ms = Date.UTC(2024, 0, 2, 3, 4, 5, 6);
  const table = new arrow.Table({
    i8: arrow.vectorFromArray([1, -2, null], new arrow.Int8()),
    i16: arrow.vectorFromArray([300, null, -300], new arrow.Int16()),
    u8: arrow.vectorFromArray([255, 0, 1], new arrow.Uint8()),
    u16: arrow.vectorFromArray([65535, 0, 1], new arrow.Uint16()),
    u32: arrow.vectorFromArray([4294967295, 0, null], new arrow.Uint32()),
    u64: arrow.vectorFromArray([2n ** 40n, 0n, 1n], new arrow.Uint64()),
    f32: arrow.vectorFromArray([0.5, null, -1.25], new arrow.Float32()),
    dict: arrow.vectorFromArray(["b", null, "b"], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int8())),
    large: arrow.vectorFromArray(["x", "yé", null], new arrow.LargeUtf8()),
    us: arrow.vectorFromArray([ms, null, -1], new arrow.TimestampMicrosecond()),
    sec: arrow.vectorFromArray([1000, 0, 2000], new arrow.TimestampSecond()),
    dms: arrow.vectorFromArray([86_400_000 * 3, 0, null], new arrow.DateMillisecond()),
    bool: arrow.vectorFromArray([true, false, null], new arrow.Bool()),
  });
  const expectedTypes: Record<string, DataType> = {
    i8: "int",
    i16: "int",
    u8: "int",
    u16: "int",
    u32: "long",
    u64: "long",
    f32: "double",
    dict: "string",
    large: "string",
    us: "timestamp",
    sec: "timestamp",
    dms: "date",
    bool: "bool",
  };
  const expectedRows: Row[] = [
    {
      i8: 1,
      i16: 300,
      u8: 255,
      u16: 65535,
      u32: 4294967295,
      u64: 2 ** 40,
      f32: 0.5,
      dict: "b",
      large: "x",
      us: ms,
      sec: 1000,
      dms: 3,
      bool: true,
    },
    {
      i8: -2,
      i16: null,
      u8: 0,
      u16: 0,
      u32: 0,
      u64: 0,
      f32: null,
      dict: null,
      large: "yé",
      us: null,
      sec: 0,
      dms: 0,
      bool: false,
    },
    {
      i8: null,
      i16: -300,
      u8: 1,
      u16: 1,
      u32: null,
      u64: 1,
      f32: -1.25,
      dict: "b",
      large: null,
      us: -1,
      sec: 2000,
      dms: null,
      bool: null,
    },
  ];
  const direct = arrowTableToBatches(table);
  const viaIpc = decodeBatches(arrow.tableToIPC(table, "stream")).batches;
  for (const batches of [direct, viaIpc]) {
    assert.equal(batches.length, 1);
    const b = batches[0]!;
    assert.deepEqual(Object.fromEntries(b.schema.map((f) => [f.name, f.type])), expectedTypes);
    const rows = batchToRows(b);
    assert.deepEqual(rows, expectedRows);
  }
  assert.deepEqual(fromArrowSchema(table.schema).map((f) => f.type), Object.values(expectedTypes));
});

Deno.test("sliced Arrow tables honour their offsets, including bit-packed bools and validity", () => {
  const n = 21;
  const table = new arrow.Table({
    b: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : i % 3 === 0)),
      new arrow.Bool(),
    ),
    x: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i)),
      new arrow.Int32(),
    ),
    s: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => `s${i}`), new arrow.Utf8()),
  });
  const sliced = table.slice(3, 17);
  const rows = arrowTableToBatches(sliced).flatMap(batchToRows);
  const expected = Array.from({ length: 14 }, (_, k) => {
    const i = k + 3;
    return { b: i % 4 === 0 ? null : i % 3 === 0, x: i % 5 === 0 ? null : i, s: `s${i}` };
  });
  assert.deepEqual(rows, expected);
});

Deno.test("unsupported Arrow types raise SchemaError naming the column and type", () => {
  const table = new arrow.Table({
    ok: arrow.vectorFromArray([1], new arrow.Int32()),
    blob: arrow.vectorFromArray([new Uint8Array([1, 2])], new arrow.Binary()),
  });
  assert.throws(() => arrowTableToBatches(table), (e: unknown) => {
    assert.ok(e instanceof SchemaError);
    assert.match(e.message, /Column "blob" has unsupported Arrow type Binary/);
    return true;
  });
  assert.throws(() => decodeBatches(arrow.tableToIPC(table, "stream")), SchemaError);
});

Deno.test("batchToArrowTable gives an Arrow table with the mapped types and values", () => {
  const table = batchToArrowTable(batchFromRows(ALL, ROWS));
  assert.equal(table.numRows, ROWS.length);
  assert.deepEqual(table.schema.fields.map((f) => String(f.type)), [
    "Float64",
    "Int64",
    "Int32",
    "Bool",
    "Utf8",
    "Timestamp<MILLISECOND, UTC>",
    "Date32<DAY>",
  ]);
  assert.equal(table.getChild("s")!.get(3), "日本語 😀");
  assert.equal(table.getChild("i")!.get(1), null);
  assert.equal(table.getChild("l")!.get(0), 2n ** 53n);
  assert.deepEqual(arrowTableToBatches(table).flatMap(batchToRows), ROWS);
});

Deno.test("encoding a long that is not an integer within ±2^53 names the column; null slots are ignored", () => {
  const s: Schema = [{ name: "n", type: "long", nullable: true }];
  const bad: Batch = { schema: s, length: 2, columns: [{ type: "long", values: Float64Array.of(1, NaN) }] };
  assert.throws(() => encodeBatches(s, [bad]), /Column "n" row 1 holds NaN/);
  const nulled: Batch = {
    schema: s,
    length: 2,
    columns: [{ type: "long", values: Float64Array.of(1, NaN), valid: Uint8Array.of(1, 0) }],
  };
  assert.deepEqual(batchToRows(roundTrip(s, [nulled]).batches[0]!), [{ n: 1 }, { n: null }]);
});
