import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import {
  checkJson,
  checkPartitionValue,
  decodePartitionValue,
  encodePartitionValue,
} from "../../../cluster/util/partition_value.ts";
import { MAX_JSON_DEPTH } from "../../../actors/decode.ts";

Deno.test("partition values round-trip as JSON text, raw bytes and little-endian float64s", () => {
  const json = { n: 3, xs: [1.5, null, "a"], ok: true };
  const j = encodePartitionValue(json);
  assert.equal(j.encoding, "json");
  assert.deepEqual(decodePartitionValue("json", j.bytes), json);

  const bytes = Uint8Array.of(1, 2, 3);
  const b = encodePartitionValue(bytes);
  assert.equal(b.encoding, "bytes");
  assert.notEqual(b.bytes.buffer, bytes.buffer, "a copy: the transport may transfer it");
  assert.deepEqual(decodePartitionValue("bytes", b.bytes), bytes);

  const f64 = new Float64Array([0.1, -0, Number.MAX_VALUE, 5e-324]);
  const f = encodePartitionValue(f64.subarray(1));
  assert.equal(f.encoding, "f64");
  assert.equal(f.bytes.byteLength, 24, "8 bytes per double, no JSON");
  assert.deepEqual(decodePartitionValue("f64", f.bytes), f64.subarray(1));
  // A payload at an odd offset inside a frame still decodes.
  const framed = new Uint8Array(f.bytes.byteLength + 3);
  framed.set(f.bytes, 3);
  assert.deepEqual(decodePartitionValue("f64", framed.subarray(3)), f64.subarray(1));
  assert.deepEqual(decodePartitionValue("bytes", undefined), new Uint8Array(0));
});

Deno.test("decodePartitionValue rejects payloads that do not match their encoding", () => {
  assert.throws(() => decodePartitionValue("f64", new Uint8Array(12)), MalformedMessageError);
  assert.throws(() => decodePartitionValue("json", new TextEncoder().encode("{nope")), MalformedMessageError);
  assert.throws(() => decodePartitionValue("json", Uint8Array.of(0xff, 0xfe)), MalformedMessageError);
});

Deno.test("checkJson names the first place that is not plain JSON", () => {
  assert.deepEqual(checkJson({ a: [1, { b: "x" }] }, "args"), { a: [1, { b: "x" }] });
  const bare = Object.assign(Object.create(null), { a: 1 });
  assert.equal(checkJson(bare, "args"), bare, "a null-prototype object is plain data too");
  assert.throws(
    () => checkJson({ a: [1, Infinity] }, "args"),
    /args holds a non-finite number at \$\.a\[1\]/,
  );
  assert.throws(() => checkJson({ m: new Map() }, "args"), /args must be JSON, found Map at \$\.m/);
  assert.throws(() => checkJson(1n, "args"), /found bigint at \$/);
  assert.throws(() => checkJson({ u: undefined }, "args"), /found undefined at \$\.u/);
  let deep: unknown = 1;
  for (let i = 0; i <= MAX_JSON_DEPTH; i++) deep = [deep];
  assert.throws(() => checkJson(deep, "args"), /nests deeper than 32/);
  assert.throws(() => checkPartitionValue(new Int32Array(2), "value"), /found Int32Array/);
  assert.ok(checkPartitionValue(new Float64Array(2), "value") instanceof Float64Array);
});
