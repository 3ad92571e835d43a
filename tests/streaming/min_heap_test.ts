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

Deno.test("IdHorizon forgets exactly the ids a plain scan would, under random times and horizons", () => {
  const random = rng(23);
  const ids = new IdHorizon();
  const model = new Map<string, { time: number; key: string }>();
  let horizon = 0;
  for (let step = 0; step < 5000; step++) {
    if (random() < 0.8) {
      const id = `t${Math.floor(random() * 3000)}`;
      const time = horizon + Math.floor(random() * 200);
      const key = `k${Math.floor(random() * 20)}`;
      ids.remember(id, time, key);
      model.set(id, { time, key });
    } else {
      horizon += Math.floor(random() * 40);
      const forgotten: string[] = [];
      ids.forgetBefore(horizon, (key) => forgotten.push(key));
      const expected: string[] = [];
      for (const [id, e] of model) {
        if (e.time < horizon) {
          model.delete(id);
          expected.push(e.key);
        }
      }
      assert.deepEqual(forgotten.sort(), expected.sort());
    }
    assert.equal(ids.size, model.size);
  }
  for (let k = 0; k < 20; k++) {
    const want = [...model].filter(([, e]) => e.key === `k${k}`).map(([id, e]) => [id, e.time]);
    assert.deepEqual(ids.idsOf(`k${k}`).sort(), want.sort());
  }
});
