import { Frontier } from "../../../../cluster/frontier.ts";
import { LogisticRegression } from "../../../../models/classification/logistic_regression/logistic_regression.ts";
import { LOGISTIC_MODULE } from "../../../../models/classification/logistic_regression/partition_functions.ts";
import { assertSameFit, datasetOf, FEATURES } from "./lr_cluster_data.ts";
import { partitioned, syntheticRows } from "./lr_test_data.ts";

Deno.test("a fit on least-privilege executor processes equals the local fit bit for bit", async () => {
  const rows = syntheticRows({ rows: 2000, seed: 75, weighted: true });
  const local = await new LogisticRegression({ featureNames: FEATURES }).fitBlocks(partitioned(rows, 1), 5);
  await using fx = await Frontier.start({ mode: "process", executors: 2, modules: [LOGISTIC_MODULE] });
  const model = await new LogisticRegression().fit(await datasetOf(fx, rows, 3), {
    featureCols: FEATURES,
    labelCol: "y",
    weightCol: "w",
  });
  assertSameFit(model, local, "process mode");
});
