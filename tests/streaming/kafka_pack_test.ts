import assert from "node:assert/strict";
import { isPacked, PackedRecordError, packOutputs, unpackOutputs } from "../../streaming/kafka_pack.ts";

Deno.test("packOutputs round-trips every output in order, each record within the size limit", () => {
  const values: unknown[] = [];
  for (let i = 0; i < 3000; i++) {
    values.push({ i, text: i % 7 === 0 ? 'line\nbreak é "quoted"' : "x".repeat(i % 50), n: null });
  }
  const outputs = values.map((v, i) => ({ key: `k${i % 13}`, json: JSON.stringify(v) }));
  const records = packOutputs(outputs, 2, 8192);
  assert.ok(records.length > 1, `3,000 outputs need several 8 KiB records, got ${records.length}`);
  const back = records.flatMap((r) => {
    assert.equal(r.partition, 2);
    assert.ok(r.value !== null && isPacked(r.value));
    const lines = r.value.split("\n");
    assert.ok(r.value.length - lines[0]!.length - 1 <= 8192, `a record of ${r.value.length} code units`);
    assert.equal(JSON.parse(lines[0]!).count, lines.length - 1, "the header names the count");
    const unpacked = unpackOutputs(r.value);
    assert.equal(r.key, unpacked[0]!.key, "a record's key is its first output's");
    return unpacked;
  });
  assert.deepEqual(back, values.map((value, i) => ({ key: `k${i % 13}`, value })));
  assert.deepEqual(packOutputs([], 0, 1024), []);
});

Deno.test("unpackOutputs names what is wrong with a malformed record; packOutputs checks its limit", () => {
  assert.throws(() => unpackOutputs("nope"), PackedRecordError);
  assert.throws(() => unpackOutputs('{"frontier":"other","count":0}'), /must name/);
  assert.throws(
    () => unpackOutputs('{"frontier":"packed-outputs/1","count":2}\n{"key":"a","value":1}'),
    /count 2, 1 lines/,
  );
  assert.throws(() => unpackOutputs('{"frontier":"packed-outputs/1","count":1}\n{"value":1}'), /line 1/);
  assert.equal(isPacked('{"window":1}'), false);
  assert.throws(() => packOutputs([], 0, 10), /maxBytes must be an integer >= 1024, got 10/);
});
