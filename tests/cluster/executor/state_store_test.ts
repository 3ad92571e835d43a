import assert from "node:assert/strict";
import { StateStore } from "../../../cluster/executor/state_store.ts";

Deno.test("StateStore evicts the least recently used entries to stay within its budget", () => {
  const store = new StateStore({ budgetBytes: 100 });
  assert.ok(store.set("a", "A", 40));
  assert.ok(store.set("b", "B", 40));
  assert.equal(store.get("a"), "A", "reading a makes it the most recently used");
  assert.ok(store.set("c", "C", 40));
  assert.equal(store.get("b"), undefined, "b was the least recently used");
  assert.deepEqual([store.get("a"), store.get("c")], ["A", "C"]);
  assert.equal(store.bytes, 80);
  assert.equal(store.size, 2);
  assert.equal(store.evictions, 1);
});

Deno.test("StateStore replaces a key in place and refuses a value larger than the whole budget", () => {
  const store = new StateStore({ budgetBytes: 100 });
  store.set("a", 1, 30);
  store.set("a", 2, 60);
  assert.equal(store.get("a"), 2);
  assert.equal(store.bytes, 60);
  assert.equal(store.set("a", 3, 101), false);
  assert.equal(store.get("a"), undefined, "the old value is gone too");
  assert.equal(store.bytes, 0);
  assert.equal(store.evictions, 0, "a refused value evicts nothing");
  assert.throws(() => store.set("x", 1, -1), RangeError);
  assert.throws(() => store.set("x", 1, 1.5), RangeError);
  assert.throws(() => new StateStore({ budgetBytes: -5 }), RangeError);
});

Deno.test("StateStore deletes by key and by prefix, keeping the byte count exact", () => {
  const store = new StateStore();
  store.set("gbt/1/0", {}, 10);
  store.set("gbt/1/1", {}, 20);
  store.set("gbt/2/0", {}, 40);
  assert.equal(store.deletePrefix("gbt/1/"), 2);
  assert.equal(store.bytes, 40);
  assert.equal(store.delete("gbt/2/0"), true);
  assert.equal(store.delete("gbt/2/0"), false);
  assert.equal(store.bytes, 0);
  store.set("k", 1, 5);
  store.clear();
  assert.equal(store.size + store.bytes, 0);
});
