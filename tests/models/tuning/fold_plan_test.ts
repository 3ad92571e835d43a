import assert from "node:assert/strict";
import { Frontier } from "../../../cluster/frontier.ts";
import { describePlan, makeFolds } from "../../../models/tuning/fold_plan.ts";
import { CrossValidator } from "../../../models/tuning/validators.ts";
import { LABEL, tuningData, tuningRows } from "./tuning_fixture.ts";

const ts = (rows: Record<string, unknown>[]) => rows.map((r) => Number(r["t"]));

Deno.test("k folds partition the rows, each class split evenly, the same for any partitioning", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const n = 301;
  const positives = tuningRows(n, 1).filter((r) => r[LABEL] === 1).length;
  const folds = await makeFolds(await tuningData(fx, n, 1, 3), { kind: "kfold", folds: 3 }, {
    seed: 9,
    stratifyBy: LABEL,
  });
  const again = await makeFolds(await tuningData(fx, n, 1, 5), { kind: "kfold", folds: 3 }, {
    seed: 9,
    stratifyBy: LABEL,
  });
  const seen = new Set<number>();
  for (const [i, f] of folds.entries()) {
    const v = await f.validation.collect(), tr = await f.train.collect();
    assert.equal(v.length, f.validationRows);
    assert.equal(tr.length, f.trainRows);
    assert.equal(v.length + tr.length, n);
    const vt = new Set(ts(v));
    assert.ok(ts(tr).every((t) => !vt.has(t)), "train and validation are disjoint");
    for (const t of vt) seen.add(t);
    const pos = v.filter((r) => r[LABEL] === 1).length;
    assert.ok(Math.abs(pos - positives / 3) <= 1, `fold ${i}: ${pos} positives of ${positives}`);
    assert.deepEqual(
      ts(await again[i]!.validation.collect()).sort((a, b) => a - b),
      [...vt].sort((a, b) => a - b),
    );
  }
  assert.equal(seen.size, n, "every row validates exactly once");
});

Deno.test("expanding-window folds never train on the future, and validation windows tile the later rows", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const n = 400;
  const data = await tuningData(fx, n, 2, 4);
  const folds = await makeFolds(data, { kind: "time-series", time: "t", folds: 3 }, { seed: 1 });
  assert.equal(folds.length, 3);
  let prevEnd = -Infinity;
  for (const f of folds) {
    const tr = ts(await f.train.collect()), v = ts(await f.validation.collect());
    assert.equal(tr.length, f.trainRows);
    assert.equal(v.length, f.validationRows);
    assert.ok(v.length > 0 && tr.length > 0);
    assert.ok(Math.max(...tr) < Math.min(...v), `fold ${f.index} trains before it validates`);
    assert.ok(Math.min(...v) >= f.validationFrom! && Math.max(...v) < f.validationTo!);
    assert.equal(Math.min(...v), Math.max(prevEnd + 1, Math.min(...v)));
    if (prevEnd > -Infinity) assert.equal(Math.min(...v), prevEnd + 1, "windows are contiguous");
    prevEnd = Math.max(...v);
    // expanding: everything before the window trains
    assert.equal(tr.length, Math.min(...v));
  }
  assert.equal(prevEnd, n - 1);
  assert.deepEqual(folds.map((f) => f.trainRows), [100, 200, 300]);
  const [holdout] = await makeFolds(data, { kind: "time-holdout", time: "t", trainRatio: 0.75 }, { seed: 1 });
  assert.deepEqual([holdout!.trainRows, holdout!.validationRows, holdout!.validationFrom], [300, 100, 300]);
  await assert.rejects(
    () => makeFolds(data, { kind: "kfold", folds: 1 }, { seed: 1 }),
    /folds must be an integer in \[2, 50\]/,
  );
});

Deno.test("a fold column gives the folds: fold i validates on value i, negative and null rows in none", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const n = 200;
  // Independent of the plan: row t's fold, -1 for every 7th row, null for every 11th.
  const foldOf = (t: number) => (t % 11 === 0 ? null : t % 7 === 0 ? -1 : (t * 5) % 3);
  const rows = tuningRows(n, 3).map((r) => ({
    t: Number(r["t"]),
    y01: Number(r[LABEL]),
    fold: foldOf(Number(r["t"])),
  }));
  const schema = [
    { name: "t", type: "double" as const, nullable: false },
    { name: "y01", type: "double" as const, nullable: false },
    { name: "fold", type: "int" as const, nullable: true },
  ];
  const data = await fx.fromRows(rows, {
    schema,
    partitions: 3,
  });
  const folds = await makeFolds(data, { kind: "fold-column", column: "fold", folds: 3 }, { seed: 1 });
  assert.equal(folds.length, 3);
  const inSearch = rows.map((r) => r.t).filter((t) => (foldOf(t) ?? -1) >= 0);
  for (const f of folds) {
    const v = ts(await f.validation.collect()).sort((a, b) => a - b);
    const tr = ts(await f.train.collect()).sort((a, b) => a - b);
    assert.deepEqual(v, inSearch.filter((t) => foldOf(t) === f.index));
    assert.deepEqual(tr, inSearch.filter((t) => foldOf(t) !== f.index));
    assert.equal(f.validationRows, v.length);
    assert.equal(f.trainRows, tr.length);
  }
  assert.equal(describePlan({ kind: "fold-column", column: "fold", folds: 3 }, true).includes("fold"), true);
  // values at or above `folds`, and empty folds, are named errors
  await assert.rejects(
    () => makeFolds(data, { kind: "fold-column", column: "fold", folds: 2 }, { seed: 1 }),
    /Fold column "fold" holds 2: values must be integers in \[0, 2\)/,
  );
  await assert.rejects(
    () => makeFolds(data, { kind: "fold-column", column: "fold", folds: 4 }, { seed: 1 }),
    /fold 3 has no rows/,
  );
  await assert.rejects(
    () => makeFolds(data, { kind: "fold-column", column: "nope", folds: 3 }, { seed: 1 }),
    /Fold column "nope" is not in the data/,
  );
  assert.deepEqual(
    new CrossValidator({ estimator: {} as never, candidates: [{}], foldCol: "fold", numFolds: 3 }).plan(),
    { kind: "fold-column", column: "fold", folds: 3 },
  );
});
