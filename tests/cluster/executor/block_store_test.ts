import assert from "node:assert/strict";
import { blockKey, BlockStore } from "../../../cluster/executor/block_store.ts";

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
}

async function spillFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/** Runs `fn` with a fresh spill directory, removed afterwards. */
async function withSpillDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "block_store_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("blockKey names a block by output, map and reduce partition", () => {
  assert.equal(blockKey(12, 3, 0), "12/3/0");
});

Deno.test("BlockStore keeps blocks in memory up to its budget, then spills them to files it reads back identical", async () => {
  await withSpillDir(async (dir) => {
    const store = new BlockStore({ memoryBudgetBytes: 1000, spillDir: dir });
    const a = bytes(600, 1), b = bytes(400, 2), c = bytes(300, 3), d = bytes(5000, 4);
    store.put("1/0/0", a);
    store.put("1/1/0", b);
    assert.deepEqual(
      [store.memoryBytes, store.spilledBytes],
      [1000, 0],
      "exactly at the budget stays in memory",
    );
    assert.deepEqual(await spillFiles(dir), []);
    store.put("1/2/0", c);
    store.put("2/0/0", d);
    assert.deepEqual([store.memoryBytes, store.spilledBytes], [1000, 5300]);
    const files = await spillFiles(dir);
    assert.equal(files.length, 2);
    const sizes = await Promise.all(files.map(async (f) => (await Deno.stat(`${dir}/${f}`)).size));
    assert.deepEqual(sizes.sort((x, y) => x - y), [300, 5000]);
    assert.equal(store.get("1/0/0"), a, "memory blocks are returned as stored");
    assert.deepEqual(store.get("1/2/0"), c);
    assert.deepEqual(store.get("2/0/0"), d);
    assert.ok(store.has("2/0/0") && store.has("1/1/0"));
    assert.equal(store.get("9/9/9"), undefined);
    assert.equal(store.has("9/9/9"), false);
  });
});

Deno.test("BlockStore delete frees memory and removes the spill file; freed memory takes new blocks again", async () => {
  await withSpillDir(async (dir) => {
    const store = new BlockStore({ memoryBudgetBytes: 100, spillDir: dir });
    store.put("1/0/0", bytes(100, 1));
    store.put("1/1/0", bytes(50, 2));
    assert.deepEqual([store.memoryBytes, store.spilledBytes, (await spillFiles(dir)).length], [100, 50, 1]);
    store.delete("1/1/0");
    assert.deepEqual([store.spilledBytes, (await spillFiles(dir)).length], [0, 0]);
    store.delete("1/0/0");
    assert.equal(store.memoryBytes, 0);
    assert.equal(store.has("1/0/0"), false);
    store.put("1/2/0", bytes(80, 3));
    assert.deepEqual([store.memoryBytes, store.spilledBytes], [80, 0]);
    store.delete("never/was/there");
    assert.deepEqual([store.memoryBytes, store.spilledBytes], [80, 0]);
  });
});

Deno.test("BlockStore put replaces a block: the old bytes and the old spill file are released", async () => {
  await withSpillDir(async (dir) => {
    const store = new BlockStore({ memoryBudgetBytes: 100, spillDir: dir });
    store.put("1/0/0", bytes(60, 1));
    store.put("1/0/0", bytes(90, 2));
    assert.deepEqual([store.memoryBytes, store.spilledBytes], [90, 0], "not 150: the first copy is gone");
    store.put("1/0/0", bytes(200, 3));
    assert.deepEqual([store.memoryBytes, store.spilledBytes], [0, 200]);
    store.put("1/0/0", bytes(10, 4));
    assert.deepEqual([store.memoryBytes, store.spilledBytes], [10, 0]);
    assert.deepEqual(await spillFiles(dir), []);
    assert.deepEqual(store.get("1/0/0"), bytes(10, 4));
  });
});

Deno.test("BlockStore deletePrefix removes exactly one output's blocks, in memory and spilled", async () => {
  await withSpillDir(async (dir) => {
    const store = new BlockStore({ memoryBudgetBytes: 100, spillDir: dir });
    store.put(blockKey(1, 0, 0), bytes(60, 1));
    store.put(blockKey(1, 1, 0), bytes(70, 2)); // spills
    store.put(blockKey(10, 0, 0), bytes(30, 3));
    store.put(blockKey(11, 0, 0), bytes(40, 4)); // spills
    store.deletePrefix("1");
    assert.deepEqual(
      [blockKey(1, 0, 0), blockKey(1, 1, 0), blockKey(10, 0, 0), blockKey(11, 0, 0)].map((k) => store.has(k)),
      [false, false, true, true],
      "output 1, not outputs 10 and 11",
    );
    assert.deepEqual([store.memoryBytes, store.spilledBytes, (await spillFiles(dir)).length], [30, 40, 1]);
    store.clear();
    assert.deepEqual([store.memoryBytes, store.spilledBytes, (await spillFiles(dir)).length], [0, 0, 0]);
  });
});

Deno.test("BlockStore without a spill directory refuses a block over its budget with RangeError", () => {
  const store = new BlockStore({ memoryBudgetBytes: 100 });
  store.put("1/0/0", bytes(100, 1));
  assert.throws(() => store.put("1/1/0", bytes(1, 2)), {
    name: "RangeError",
    message: "Block store is full: 100 of 100 bytes used and no spill directory is configured",
  });
  assert.equal(store.has("1/1/0"), false);
  assert.equal(store.memoryBytes, 100);
});

Deno.test("BlockStores sharing a spill directory keep their own files", async () => {
  await withSpillDir(async (dir) => {
    const one = new BlockStore({ memoryBudgetBytes: 0, spillDir: dir });
    const two = new BlockStore({ memoryBudgetBytes: 0, spillDir: dir });
    one.put("1/0/0", bytes(10, 1));
    two.put("1/0/0", bytes(20, 2));
    assert.equal((await spillFiles(dir)).length, 2);
    assert.deepEqual(one.get("1/0/0"), bytes(10, 1));
    one.clear();
    assert.deepEqual(two.get("1/0/0"), bytes(20, 2));
  });
});

Deno.test("BlockStore forgets the bytes of a spill file that vanished under it", async () => {
  await withSpillDir(async (dir) => {
    const store = new BlockStore({ memoryBudgetBytes: 0, spillDir: dir });
    store.put("1/0/0", bytes(10, 1));
    for (const f of await spillFiles(dir)) await Deno.remove(`${dir}/${f}`);
    store.delete("1/0/0");
    assert.deepEqual([store.has("1/0/0"), store.spilledBytes], [false, 0]);
  });
});
