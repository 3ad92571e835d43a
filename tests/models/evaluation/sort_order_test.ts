import assert from "node:assert/strict";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { sortOrder } from "../../../models/evaluation/sort_order.ts";

Deno.test("sortOrder orders doubles of every sign and magnitude like the numbers", () => {
  const rng = new CounterRandom(5, 2);
  const values = Float64Array.from({ length: 20_000 }, (_, i) => {
    rng.at(i);
    const sign = rng.float(0) < 0.5 ? -1 : 1;
    return sign * rng.float(1) * 2 ** (Math.floor(rng.float(2) * 2100) - 1074);
  });
  values.set([0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 1, -1], 0);
  const order = sortOrder(values);
  const sorted = values.slice().sort();
  assert.deepEqual(Float64Array.from(order, (i) => values[i]!), sorted);
  assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: values.length }, (_, i) => i));
});

Deno.test("sortOrder is stable: ties keep row order", () => {
  const values = Float64Array.of(0.5, 0.1, 0.5, 0.1, 0.5, 0.3);
  assert.deepEqual([...sortOrder(values)], [1, 3, 5, 0, 2, 4]);
  assert.deepEqual([...sortOrder(new Float64Array(0))], []);
});
