import assert from "node:assert/strict";
import { chainCarries, mergeInOrder } from "../../../cluster/driver/partition_values.ts";
import type { PartitionValue } from "../../../cluster/util/partition_value.ts";

/** A merge that records its calls: the result shows the tree and the order. */
const show = (a: PartitionValue, b: PartitionValue) => `(${String(a)}+${String(b)})`;

Deno.test("mergeInOrder merges pairwise in partition order, the same tree for a given count", async () => {
  const values = (n: number) => Array.from({ length: n }, (_, p) => `v${p}`);
  assert.equal(await mergeInOrder(values(1), show, { args: null, what: "m" }), "v0");
  assert.equal(await mergeInOrder(values(4), show, { args: null, what: "m" }), "((v0+v1)+(v2+v3))");
  assert.equal(await mergeInOrder(values(5), show, { args: null, what: "m" }), "(((v0+v1)+(v2+v3))+v4)");
  const calls: unknown[] = [];
  await mergeInOrder(values(3), (a, b, ctx) => {
    calls.push(ctx.args);
    return show(a, b);
  }, { args: { k: 1 }, what: "m" });
  assert.deepEqual(calls, [{ k: 1 }, { k: 1 }]);
  await assert.rejects(mergeInOrder([], show, { args: null, what: "m" }), RangeError);
  await assert.rejects(
    mergeInOrder(["a", "b"], () => undefined as unknown as PartitionValue, { args: null, what: "mod#merge" }),
    /mod#merge must be JSON, found undefined/,
  );
});

Deno.test("chainCarries wants one JSON carry per partition", async () => {
  const prefix = (s: readonly PartitionValue[]) => s.map((_, i) => i);
  assert.deepEqual(await chainCarries(["a", "b", "c"], prefix, { args: null, what: "c" }), [0, 1, 2]);
  await assert.rejects(
    chainCarries(["a", "b"], () => [0], { args: null, what: "mod#chain" }),
    /one carry per partition \(2\), got 1/,
  );
  await assert.rejects(
    chainCarries(["a"], () => "x" as unknown as [], { args: null, what: "mod#chain" }),
    /got string/,
  );
  await assert.rejects(
    chainCarries(["a"], () => [new Date(0) as unknown as null], { args: null, what: "mod#chain" }),
    /the carry of partition 0 must be JSON, found Date/,
  );
});
