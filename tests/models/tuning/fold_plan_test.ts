import assert from "node:assert/strict";
import { Frontier } from "../../../cluster/frontier.ts";
import { makeFolds } from "../../../models/tuning/fold_plan.ts";
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
