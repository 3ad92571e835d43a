import assert from "node:assert/strict";
import { concatBytes } from "../../../cluster/util/bytes.ts";

Deno.test("concatBytes joins parts in order, with or without a given total", () => {
  const parts = [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3, 4, 5]).subarray(1)];
  assert.deepEqual(concatBytes(parts), new Uint8Array([1, 2, 4, 5]));
  assert.deepEqual(concatBytes(parts, 4), new Uint8Array([1, 2, 4, 5]));
  assert.deepEqual(concatBytes([]), new Uint8Array(0));
});

Deno.test("concatBytes returns a new array that does not alias its parts", () => {
  const a = new Uint8Array([7]);
  const out = concatBytes([a]);
  a[0] = 9;
  assert.equal(out[0], 7);
});
