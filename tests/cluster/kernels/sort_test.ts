import assert from "node:assert/strict";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import {
  batchFromRows,
  batchToRows,
  compareScalars,
  concatBatches,
} from "../../../cluster/columnar/batch_ops.ts";
import { mergeSorted, sortBatch, type SortColumn, topK } from "../../../cluster/kernels/sort.ts";
import { rng } from "../test_rng.ts";

const SCHEMA: Schema = [
  { name: "a", type: "double", nullable: true },
  { name: "b", type: "string", nullable: true },
  { name: "id", type: "int", nullable: false },
];

function randomRows(random: () => number, n: number): Row[] {
  const specials = [NaN, -0, 0, Infinity, -Infinity, null];
  return Array.from({ length: n }, (_, id) => ({
    a: random() < 0.15 ? specials[Math.floor(random() * specials.length)]! : Math.floor(random() * 5) - 2,
    b: random() < 0.1 ? null : ["x", "y", "X", "é"][Math.floor(random() * 4)]!,
    id,
  }));
}

/** -1 for -0, else 0: compareScalars treats -0 and 0 alike; the sort order puts -0 first. */
function signOfZero(x: unknown): number {
  return Object.is(x, -0) ? -1 : 0;
}

/** A reference sort: compareScalars per key with direction and null placement, ties by input order. */
function referenceSort(rows: readonly Row[], keys: readonly SortColumn[]): Row[] {
  return rows.map((r, i) => [r, i] as const).sort(([x, i], [y, j]) => {
    for (const k of keys) {
      const p = x[k.column] ?? null, q = y[k.column] ?? null;
      if (p === null || q === null) {
        if (p === q) continue;
        return (p === null) === k.nullsFirst ? -1 : 1;
      }
      const c = compareScalars(p, q) || signOfZero(p) - signOfZero(q);
      if (c !== 0) return k.ascending ? c : -c;
    }
    return i - j;
  }).map(([r]) => r);
}

const KEY_SETS: SortColumn[][] = [
  [{ column: "a", ascending: true, nullsFirst: true }],
  [{ column: "a", ascending: false, nullsFirst: true }],
  [{ column: "a", ascending: true, nullsFirst: false }],
  [{ column: "b", ascending: false, nullsFirst: false }, { column: "a", ascending: true, nullsFirst: false }],
];

function sameRows(actual: Row[], expected: Row[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((r, i) => {
    assert.equal(r["id"], expected[i]!["id"], `row ${i}`);
  });
}

Deno.test("sortBatch is stable and matches the compareScalars total order with null placement", () => {
  const rows = randomRows(rng(1), 300);
  const batch = batchFromRows(SCHEMA, rows);
  for (const keys of KEY_SETS) sameRows(batchToRows(sortBatch(batch, keys)), referenceSort(rows, keys));
});

Deno.test("NaN sorts after every number, -0 before 0, and descending reverses values but not null placement", () => {
  const rows = [{ a: NaN, id: 0 }, { a: 0, id: 1 }, { a: null, id: 2 }, { a: -0, id: 3 }, {
    a: Infinity,
    id: 4,
  }];
  const batch = batchFromRows(SCHEMA, rows.map((r) => ({ ...r, b: "" })));
  const asc = batchToRows(sortBatch(batch, [{ column: "a", ascending: true, nullsFirst: false }]));
  assert.deepEqual(asc.map((r) => r["id"]), [3, 1, 4, 0, 2]);
  const desc = batchToRows(sortBatch(batch, [{ column: "a", ascending: false, nullsFirst: false }]));
  assert.deepEqual(desc.map((r) => r["id"]), [0, 4, 1, 3, 2]);
});

Deno.test("equal keys keep their input order", () => {
  const rows = Array.from({ length: 50 }, (_, id) => ({ a: id % 3, b: "", id }));
  const out = batchToRows(
    sortBatch(batchFromRows(SCHEMA, rows), [{ column: "a", ascending: false, nullsFirst: true }]),
  );
  assert.deepEqual(out.map((r) => r["id"]), [
    ...rows.filter((r) => r.a === 2).map((r) => r.id),
    ...rows.filter((r) => r.a === 1).map((r) => r.id),
    ...rows.filter((r) => r.a === 0).map((r) => r.id),
  ]);
});

Deno.test("mergeSorted of sorted batches equals sorting their concatenation", () => {
  const random = rng(2);
  for (const keys of KEY_SETS) {
    const batches = [0, 1, 2, 3].map(() =>
      sortBatch(batchFromRows(SCHEMA, randomRows(random, Math.floor(random() * 60))), keys)
    );
    const all = concatBatches(SCHEMA, batches);
    sameRows(batchToRows(mergeSorted(batches, keys)), batchToRows(sortBatch(all, keys)));
  }
  assert.throws(() => mergeSorted([], KEY_SETS[0]!), TypeError);
});

Deno.test("topK equals sort then limit, ties included", () => {
  const batch = batchFromRows(SCHEMA, randomRows(rng(3), 200));
  for (const keys of KEY_SETS) {
    const sorted = batchToRows(sortBatch(batch, keys));
    for (const k of [0, 1, 7, 199, 200, 500]) sameRows(batchToRows(topK(batch, keys, k)), sorted.slice(0, k));
  }
  assert.throws(() => topK(batch, KEY_SETS[0]!, -1), RangeError);
});

Deno.test("large single-key numeric sorts (radix path) match the reference order, ties stable", () => {
  const random = rng(4);
  const rows = randomRows(random, 6000).map((r) => ({
    ...r,
    a: r.a === null ? null : (r.a as number) * 1.5,
  }));
  const batch = batchFromRows(SCHEMA, rows);
  for (const ascending of [true, false]) {
    for (const nullsFirst of [true, false]) {
      const keys: SortColumn[] = [{ column: "a", ascending, nullsFirst }];
      sameRows(batchToRows(sortBatch(batch, keys)), referenceSort(rows, keys));
    }
  }
  const byId: SortColumn[] = [{ column: "id", ascending: false, nullsFirst: false }];
  sameRows(batchToRows(sortBatch(batch, byId)), referenceSort(rows, byId));
});
