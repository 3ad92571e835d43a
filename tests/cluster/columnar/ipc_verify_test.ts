import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import { SchemaError } from "../../../cluster/errors.ts";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import { batchFromRows } from "../../../cluster/columnar/batch_ops.ts";
import { decodeBatches, encodeBatches } from "../../../cluster/columnar/arrow_codec.ts";
import { verifyStream } from "../../../cluster/columnar/ipc_verify.ts";
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

Deno.test("garbage and truncated input raise MalformedMessageError", () => {
  const r = rng(7);
  const garbage = Uint8Array.from({ length: 1000 }, () => Math.floor(r() * 256));
  assert.throws(() => decodeBatches(garbage), MalformedMessageError);
  assert.throws(() => decodeBatches(new Uint8Array(0)), MalformedMessageError);
  const good = encodeBatches(ALL, [batchFromRows(ALL, ROWS)]);
  for (const cut of [4, 12, 100, good.length - 40]) {
    assert.throws(() => decodeBatches(good.slice(0, cut)), MalformedMessageError, `cut at ${cut}`);
  }
});

Deno.test("randomly corrupted streams decode or fail with a Frontier error, never crash", () => {
  const good = encodeBatches(ALL, [batchFromRows(ALL, ROWS), batchFromRows(ALL, ROWS.slice(1))]);
  const r = rng(1);
  let failures = 0;
  for (let k = 0; k < 2000; k++) {
    const bytes = good.slice();
    for (let f = 0; f < 1 + Math.floor(r() * 4); f++) {
      bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
    }
    try {
      decodeBatches(bytes);
    } catch (e) {
      if (!(e instanceof MalformedMessageError || e instanceof SchemaError)) {
        assert.fail(`iteration ${k}: ${e}`);
      }
      failures++;
    }
  }
  assert.ok(failures > 500, `only ${failures} of 2000 corruptions were detected`);
});

Deno.test("verifyStream accepts an encoded stream and rejects its truncations before Arrow reads them", () => {
  const good = encodeBatches(ALL, [batchFromRows(ALL, ROWS)]);
  verifyStream(good);
  for (const cut of [0, 4, 12, 100]) {
    assert.throws(() => verifyStream(good.slice(0, cut)), MalformedMessageError, `cut at ${cut}`);
  }
});
