import assert from "node:assert/strict";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import {
  decodeFeatureSpec,
  encodeFeatureSpec,
  Pipeline,
  PipelineModel,
  VectorAssembler,
} from "../../../models/features/mod.ts";
import { FOLD_COLUMN, TargetEncoder, withFolds } from "../../../models/features/target_encoder.ts";

const SCHEMA: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "job", type: "string", nullable: true },
  { name: "age", type: "double", nullable: false },
  { name: "y", type: "string", nullable: false },
];

function rows(n: number, first = 0, jobs = ["a", "b", "c", "d"]): Row[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + first;
    const job = i % 17 === 0 ? null : jobs[(i * 7) % jobs.length]!;
    const rate = job === "a" ? 0.6 : job === "b" ? 0.2 : 0.05;
    return { id: i, job, age: 20 + (i % 50), y: ((i * 2654435761) % 1000) / 1000 < rate ? "yes" : "no" };
  });
}

/** The smoothed rate of `job` among `rows`, written independently. */
function encode(rows: Row[], job: string | null, m: number): number {
  const prior = rows.filter((r) => r.y === "yes").length / rows.length;
  if (job === null) return prior;
  const mine = rows.filter((r) => r.job === job);
  if (mine.length === 0) return prior;
  return (mine.filter((r) => r.y === "yes").length + m * prior) / (mine.length + m);
}

Deno.test("TargetEncoder in a Pipeline: out of fold on the training split, whole-split table elsewhere", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const trainRows = rows(1200);
  const testRows = rows(300, 5000, ["a", "b", "c", "zz"]);
  const train = withFolds(await fx.fromRows(trainRows, { schema: SCHEMA, partitions: 3 }), {
    folds: 4,
    seed: 3,
  });
  const test = await fx.fromRows(testRows, { schema: SCHEMA, partitions: 2 });
  const m = 10;
  const pipeline = new Pipeline([
    new TargetEncoder({
      inputCols: ["job"],
      label: { column: "y", positive: "yes" },
      smoothing: m,
      foldCol: FOLD_COLUMN,
    }),
    new VectorAssembler({ inputCols: ["age", "job_te"], outputCol: "features" }),
  ]);
  const model = await pipeline.fit(train);
  const folded = await train.select("id", FOLD_COLUMN).collect();
  const foldOf = new Map(folded.map((r) => [r.id as number, r[FOLD_COLUMN] as number]));
  assert.deepEqual(new Set(foldOf.values()), new Set([0, 1, 2, 3]));
  // Training rows: each encoded from the other folds only.
  for (const via of ["partitions", "expressions"] as const) {
    const out = await model.transform(train, { via }).collect();
    for (const r of out) {
      const f = foldOf.get(r.id as number)!;
      const others = trainRows.filter((t) => foldOf.get(t.id as number) !== f);
      const want = encode(others, r.job as string | null, m);
      assert.ok(Math.abs((r["features[job_te]"] as number) - want) < 1e-12, `${via} train row ${r.id}`);
    }
    // Test rows (no fold column): the whole training split's table; "zz" is unseen → prior.
    const scored = await model.transform(test, { via }).collect();
    for (const r of scored) {
      const want = encode(trainRows, r.job === "zz" ? null : r.job as string | null, m);
      assert.ok(Math.abs((r["features[job_te]"] as number) - want) < 1e-12, `${via} test row ${r.id}`);
    }
  }
  // The spec travels as JSON and still encodes out of fold.
  const back = PipelineModel.fromSpec(
    decodeFeatureSpec(JSON.parse(JSON.stringify(encodeFeatureSpec(model.spec)))),
  );
  assert.deepEqual(
    await back.transform(train).sort("id").collect(),
    await model.transform(train).sort("id").collect(),
  );
  // Without a fold column the encoder fits the whole split only.
  const plain = await new TargetEncoder({
    inputCol: "job",
    label: { column: "y", positive: "yes" },
    smoothing: m,
  })
    .fit(await fx.fromRows(trainRows, { schema: SCHEMA, partitions: 1 }));
  const s = plain.state;
  assert.ok(s.kind === "target_encoder" && s.folds === undefined);
  assert.deepEqual(s.categories[0], ["a", "b", "c", "d"]);
  s.categories[0]!.forEach((c, i) =>
    assert.ok(Math.abs(s.full.values[0]![i]! - encode(trainRows, c, m)) < 1e-12)
  );
  assert.throws(() => new TargetEncoder({ inputCol: "job", label: "y", smoothing: -1 }), /smoothing must be/);
  await assert.rejects(
    () => new TargetEncoder({ inputCol: "job", label: "y", foldCol: "nope" }).fit(test),
    /foldCol "nope" is not in the dataset/,
  );
});
