import assert from "node:assert/strict";
import { MinHeap } from "../../streaming/min_heap.ts";
import { IdHorizon } from "../../streaming/mod.ts";
import { rng } from "../cluster/test_rng.ts";

Deno.test("MinHeap pops in sorted order under interleaved pushes and pops", () => {
  const random = rng(11);
  const heap = new MinHeap<number>((a, b) => a < b);
  const model: number[] = [];
  for (let i = 0; i < 2000; i++) {
    if (random() < 0.6 || model.length === 0) {
      const x = Math.floor(random() * 100);
      heap.push(x);
      model.push(x);
    } else {
      model.sort((a, b) => a - b);
      assert.equal(heap.peek(), model[0]);
      assert.equal(heap.pop(), model.shift());
    }
    assert.equal(heap.size, model.length);
  }
  model.sort((a, b) => a - b);
  const rest: number[] = [];
  while (heap.size > 0) rest.push(heap.pop()!);
  assert.deepEqual(rest, model);
  assert.equal(heap.pop(), undefined);
});

Deno.test("IdHorizon forgets ids strictly before the horizon and keeps a re-remembered id", () => {
  const ids = new IdHorizon();
  ids.remember("a", 10);
  ids.remember("b", 20);
  ids.remember("c", 20);
  ids.forgetBefore(20);
  assert.deepEqual([ids.has("a"), ids.has("b"), ids.has("c"), ids.size], [false, true, true, 2]);
  ids.remember("b", 30); // the same id accepted again later (it had been forgotten elsewhere)
  ids.forgetBefore(21);
  assert.deepEqual([ids.has("b"), ids.has("c"), ids.size], [true, false, 1]);
  ids.forgetBefore(31);
  assert.equal(ids.size, 0);
});
