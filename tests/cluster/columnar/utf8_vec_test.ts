import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { decodePartitions } from "../../../cluster/deploy/client_protocol.ts";
import { MalformedMessageError } from "../../../actors/errors.ts";
import type { Batch, Schema, Vec } from "../../../cluster/columnar/batch.ts";
import {
  batchToRows,
  concatBatches,
  concatVecs,
  sliceBatch,
  takeVec,
} from "../../../cluster/columnar/batch_ops.ts";
import { decodeBatches, encodeBatches } from "../../../cluster/columnar/arrow_codec.ts";
import { encodeStrings, utf8Vec, vecLength } from "../../../cluster/columnar/utf8_vec.ts";
import { readCsvBytes } from "../../../cluster/io/csv/parse.ts";
import { hashString, hashUtf8 } from "../../../cluster/util/hash.ts";
import { KeyIndex } from "../../../cluster/kernels/key_index.ts";
import { hashColumns } from "../../../cluster/columnar/row_hash.ts";
import { rng } from "../test_rng.ts";

const ALPHABET = ["a", "b", "z", "é", "日", "😀", ",", '"', " ", ""];

function randomStrings(seed: number, n: number): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    let s = "";
    const len = Math.floor(r() * 6);
    for (let k = 0; k < len; k++) s += ALPHABET[Math.floor(r() * ALPHABET.length)]!;
    return s;
  });
}

function stringVec(values: string[], valid?: Uint8Array): Vec {
  return utf8Vec(encodeStrings(values, values.length), valid);
}

Deno.test("a Utf8 vector decodes to the strings it was made from, including non-ASCII and empty ones", () => {
  const values = randomStrings(1, 500);
  const v = stringVec(values);
  assert.equal(vecLength(v), 500);
  assert.deepEqual([...v.values], values);
});

Deno.test("a Utf8 vector checks offsets when made and the text only when read", () => {
  const data = new Uint8Array([0x61, 0xff, 0x62]); // "a", invalid byte, "b"
  const v = utf8Vec({ offsets: Int32Array.from([0, 1, 3]), data }, undefined, "name");
  assert.equal(vecLength(v), 2); // made without decoding
  assert.throws(
    () => v.values,
    (e: unknown) => e instanceof MalformedMessageError && /"name"/.test(e.message),
  );
  assert.throws(
    () => utf8Vec({ offsets: Int32Array.from([0, 2, 1]), data }, undefined),
    (e: unknown) => e instanceof MalformedMessageError && /decreasing/.test(e.message),
  );
  assert.throws(
    () => utf8Vec({ offsets: Int32Array.from([0, 4]), data }, undefined),
    (e: unknown) => e instanceof MalformedMessageError && /beyond/.test(e.message),
  );
  const split = new TextEncoder().encode("é"); // two bytes: an offset between them splits it
  const bad = utf8Vec({ offsets: Int32Array.from([0, 1, 2]), data: split }, undefined);
  assert.throws(() => bad.values, MalformedMessageError);
});

Deno.test("take, concat and slice of Utf8 vectors move bytes and equal the same operations on strings", () => {
  for (const seed of [2, 3, 4]) {
    const r = rng(seed);
    const a = randomStrings(seed, 300), b = randomStrings(seed + 100, 200);
    const validA = Uint8Array.from(a, () => (r() < 0.1 ? 0 : 1));
    const indices = Array.from({ length: 400 }, () => Math.floor(r() * 300));
    const plainA: Vec = { type: "string", values: a, valid: validA };
    const rawA = stringVec(a, validA);
    const taken = takeVec(rawA, indices);
    assert.ok(taken.type === "string" && taken.utf8 !== undefined);
    assert.deepEqual([...taken.values], [...takeVec(plainA, indices).values]);
    assert.deepEqual(taken.valid, takeVec(plainA, indices).valid);

    const joined = concatVecs("string", [rawA, stringVec(b)]);
    assert.ok(joined.type === "string" && joined.utf8 !== undefined);
    assert.deepEqual([...joined.values], [...a, ...b]);
    assert.deepEqual(joined.valid, Uint8Array.from([...validA, ...b.map(() => 1)]));
    // Mixed inputs fall back to strings and still agree.
    assert.deepEqual([...concatVecs("string", [plainA, stringVec(b)]).values], [...a, ...b]);

    const schema: Schema = [{ name: "s", type: "string", nullable: true }];
    const batch: Batch = { schema, length: 300, columns: [rawA] };
    const part = sliceBatch(batch, 50, 120).columns[0]!;
    assert.deepEqual([...part.values], a.slice(50, 120));
    assert.equal(vecLength(concatBatches(schema, [batch, batch]).columns[0]!), 600);
  }
});

Deno.test("Arrow IPC round trip keeps strings as bytes: decoded vectors carry Utf8 and re-encode equal", () => {
  const values = randomStrings(9, 1000);
  const schema: Schema = [{ name: "s", type: "string", nullable: false }];
  const plain = encodeBatches(schema, [{ schema, length: 1000, columns: [{ type: "string", values }] }]);
  const decoded = decodeBatches(plain).batches[0]!;
  const col = decoded.columns[0]!;
  assert.ok(col.type === "string" && col.utf8 !== undefined);
  // Re-encoding a decoded (never read) column gives the same bytes as encoding the strings.
  assert.deepEqual(encodeBatches(schema, [decoded]), plain);
  assert.deepEqual(
    [...decodeBatches(encodeBatches(schema, [decoded])).batches[0]!.columns[0]!.values],
    values,
  );
});

Deno.test("CSV string columns are parsed to Utf8 bytes: doubled quotes unescaped, enums checked, nulls kept", () => {
  const csv = new TextEncoder().encode(
    'name,kind\n"say ""hi""",a\n"日本, 😀",b\n,a\n"",b\n"x",c\nplain,"a"\n',
  );
  const r = readCsvBytes(csv, {
    schema: {
      fields: [{ name: "name", type: "string" }, { name: "kind", type: "string", enum: ["a", "b"] }],
    },
  });
  assert.equal(r.rowsRead, 6);
  assert.equal(r.quarantine.length, 1);
  assert.equal(r.quarantine[0]!.line, 6);
  assert.equal(r.quarantine[0]!.reason, "not_in_enum");
  const [name, kind] = r.batch.columns;
  assert.ok(name!.type === "string" && name!.utf8 !== undefined);
  assert.deepEqual([...name!.values], ['say "hi"', "日本, 😀", "", "", "plain"]);
  assert.deepEqual(name!.valid, Uint8Array.from([1, 1, 0, 1, 1]));
  assert.deepEqual([...kind!.values], ["a", "b", "a", "b", "a"]);
});

Deno.test("Utf8 keys hash, group and partition exactly like the same strings", () => {
  const values = randomStrings(21, 2000);
  const valid = Uint8Array.from(values, (_, i) => (i % 17 === 0 ? 0 : 1));
  const plain: Vec = { type: "string", values, valid };
  const raw = stringVec(values, valid);
  for (const s of values.slice(0, 200)) {
    const b = new TextEncoder().encode(`x${s}y`);
    assert.equal(hashUtf8(b, 1, b.length - 1), hashString(s));
  }
  assert.deepEqual(hashColumns([raw], 2000), hashColumns([plain], 2000));
  const a = new KeyIndex([raw], 2000), p = new KeyIndex([plain], 2000);
  assert.deepEqual(a.groupOf, p.groupOf);
  assert.equal(a.groupCount, p.groupCount);
  const probe = a.prober([plain]);
  const hashes = hashColumns([plain], 2000);
  // Mixed representations still find each other (through the strings).
  for (let i = 0; i < 2000; i += 37) assert.equal(probe(hashes[i]!, i), valid[i] ? a.groupOf[i] : -1);
});

Deno.test("a dictionary column expands by reference: 40,000 rows of one 64 KiB entry decode, not 2.6 GB of copies", () => {
  const rows = 40_000;
  const dictType = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  const dictionary = arrow.vectorFromArray(["x".repeat(64 * 1024)], new arrow.Utf8());
  const data = arrow.makeData({
    type: dictType,
    length: rows,
    nullCount: 0,
    data: new Int32Array(rows),
    dictionary,
  });
  const ipc = arrow.tableToIPC(new arrow.Table({ s: arrow.makeVector(data) }), "stream");
  const col = decodeBatches(ipc).batches[0]!.columns[0]!;
  assert.equal(vecLength(col), rows);
  assert.ok(col.type === "string" && col.utf8 === undefined, "strings, not per-row bytes");
  assert.equal(col.values[rows - 1]!.length, 64 * 1024);
});

Deno.test("an all-null dictionary string column (empty dictionary) decodes to nulls and splits into partitions", () => {
  const dict = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  const ipc = arrow.tableToIPC(
    new arrow.Table({
      s: arrow.vectorFromArray([null, null, null], dict),
      x: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
    }),
    "stream",
  );
  const schema: Schema = [{ name: "s", type: "string", nullable: true }, {
    name: "x",
    type: "int",
    nullable: true,
  }];
  assert.deepEqual(decodePartitions(schema, [1, 2], ipc).map(batchToRows), [
    [{ s: null, x: 1 }],
    [{ s: null, x: 2 }, { s: null, x: 3 }],
  ]);
});

Deno.test("data.put from a client rejects invalid UTF-8 at once, though tasks decode strings lazily", () => {
  const data = arrow.makeData({
    type: new arrow.Utf8(),
    length: 3,
    nullCount: 0,
    valueOffsets: Int32Array.of(0, 1, 3, 4),
    data: Uint8Array.of(0xff, 0xc0, 0xaf, 0x61), // 0xff, and an overlong "/"
  });
  const ipc = arrow.tableToIPC(new arrow.Table({ s: arrow.makeVector(data) }), "stream");
  assert.throws(
    () => decodePartitions([{ name: "s", type: "string", nullable: true }], [1, 2], ipc),
    (e: unknown) => e instanceof MalformedMessageError && /invalid UTF-8/.test(e.message),
  );
});
