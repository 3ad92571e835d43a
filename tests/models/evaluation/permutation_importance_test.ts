import { isBuiltinPackageModule } from "../../../cluster/modules.ts";
import assert from "node:assert/strict";
import { Frontier } from "../../../cluster/frontier.ts";
import type { Row, Schema } from "../../../cluster/columnar/batch.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { LogisticRegression } from "../../../models/classification/logistic_regression/logistic_regression.ts";
import { LOGISTIC_MODULE } from "../../../models/classification/logistic_regression/partition_functions.ts";
import { EVALUATION_MODULE } from "../../../models/evaluation/dataset_evaluation.ts";
import { permutationImportance } from "../../../models/evaluation/permutation_importance.ts";
import { permutationKey, PERMUTE_MODULE, permuteColumn } from "../../../models/evaluation/permute_column.ts";

const SCHEMA: Schema = [
  { name: "id", type: "long", nullable: false },
  { name: "strong", type: "double", nullable: false },
  { name: "weak", type: "double", nullable: false },
  { name: "noise", type: "double", nullable: false },
  { name: "y", type: "int", nullable: false },
];
const FEATURES = ["strong", "weak", "noise"];

/** y depends strongly on `strong`, a little on `weak`, not at all on `noise`. */
function rows(n: number, seed: number): Row[] {
  const rng = new CounterRandom(seed, 3);
  return Array.from({ length: n }, (_, id) => {
    rng.at(id);
    const strong = rng.float(0) * 4 - 2, weak = rng.float(1) * 4 - 2, noise = rng.float(2) * 4 - 2;
    const p = 1 / (1 + Math.exp(-(2 * strong + 0.4 * weak)));
    return { id, strong, weak, noise, y: rng.float(3) < p ? 1 : 0 };
  });
}

async function byId(ds: Dataset): Promise<Row[]> {
  return (await ds.collect()).sort((a, b) => (a.id as number) - (b.id as number));
}

Deno.test("every module model jobs name is one the cluster allows without declaring it", () => {
  for (const m of [LOGISTIC_MODULE, EVALUATION_MODULE, PERMUTE_MODULE]) {
    assert.ok(isBuiltinPackageModule(m), m);
  }
});

Deno.test("permuteColumn shuffles one column across partitions, keeps the others, and ignores the layout", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const data = rows(400, 1);
  const three = await fx.fromRows(data, { schema: SCHEMA, partitions: 3 });
  const five = await fx.fromRows(data, { schema: SCHEMA, partitions: 5 });
  const key = permutationKey(42, "strong", 0);
  const a = await byId(permuteColumn(three, "strong", { key }));
  assert.deepEqual(permuteColumn(three, "strong", { key }).columns, three.columns);
  assert.deepEqual(await byId(permuteColumn(five, "strong", { key })), a, "same rows for 3 and 5 partitions");
  assert.deepEqual(a.map((r) => [r.id, r.weak, r.noise, r.y]), data.map((r) => [r.id, r.weak, r.noise, r.y]));
  const sorted = (xs: Row[]) => xs.map((r) => r.strong as number).sort((x, y) => x - y);
  assert.deepEqual(sorted(a), sorted(data), "the same values, moved");
  const moved = a.filter((r, i) => r.strong !== data[i]!.strong).length;
  assert.ok(moved > 390, `${moved} of 400 rows got another row's value`);
  // Rows of partition 0 receive values from every partition: the shuffle is global.
  const sources = new Set(a.slice(0, 80).map((r) => data.findIndex((d) => d.strong === r.strong) >> 7));
  assert.ok(sources.size >= 3, `partition 0 draws from ${sources.size} quarters of the data`);
  const other = await byId(permuteColumn(three, "strong", { key: permutationKey(43, "strong", 0) }));
  assert.notDeepEqual(other, a, "another seed, another permutation");
});

Deno.test("permutation importance ranks the columns by their effect, by name, the same for any partitioning", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const train = await fx.fromRows(rows(2000, 2), { schema: SCHEMA, partitions: 3 });
  const model = await new LogisticRegression().fit(train, { featureCols: FEATURES, labelCol: "y" });
  const testRows = rows(1000, 3);
  const options = { columns: FEATURES, labelCol: "y", seed: 7, repeats: 2 };
  const result = await permutationImportance(
    model,
    await fx.fromRows(testRows, { schema: SCHEMA, partitions: 2 }),
    options,
  );
  assert.deepEqual(result.columns.map((c) => c.column), ["strong", "weak", "noise"]);
  const [strong, weak, noise] = result.columns;
  assert.ok(result.baseline > 0.8, `baseline ROC-AUC ${result.baseline}`);
  assert.ok(strong!.importance > 0.2, `strong: ${strong!.importance}`);
  assert.ok(
    weak!.importance > 0.005 && weak!.importance < strong!.importance / 4,
    `weak: ${weak!.importance}`,
  );
  assert.ok(Math.abs(noise!.importance) < 0.005, `noise: ${noise!.importance}`);
  assert.equal(strong!.scores.length, 2);
  const again = await permutationImportance(
    model,
    await fx.fromRows(testRows, { schema: SCHEMA, partitions: 4 }),
    options,
  );
  assert.deepEqual(again, result, "2 and 4 partitions give the same figures");
  const logLoss = await permutationImportance(
    model,
    await fx.fromRows(testRows, { schema: SCHEMA, partitions: 2 }),
    { ...options, metric: "logLoss", repeats: 1 },
  );
  assert.equal(logLoss.columns[0]!.column, "strong");
  assert.ok(logLoss.columns[0]!.importance > 0.1, "log loss grows when the strong column is shuffled");
  await assert.rejects(permutationImportance(model, train, { ...options, columns: ["y"] }), /label column/);
});
