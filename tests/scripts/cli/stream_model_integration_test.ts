import assert from "node:assert/strict";
import { join } from "node:path";
import { Frontier } from "../../../mod.ts";
import { withVelocityFeatures } from "../../../models/features/velocity.ts";
import { conformInput, loadTrained } from "../../../scripts/cli/training/model_store.ts";
import {
  embeddedFlags,
  frontierJson,
  generatedDataset,
  type GeneratedRows,
  trainFraudModel,
} from "./stream_fixture.ts";

/** The generated transactions both sides read: the embedded source's log and the batch oracle's. */
const ROWS: GeneratedRows = {
  rows: 6_000,
  seed: 23,
  fraudRate: 0.05,
  outOfOrder: 0.2,
  latenessMs: 30_000,
  days: 2,
};

/** Every `{ key, value }` line of a stream's files in an output directory. */
async function outputs(dir: string, stream: string): Promise<Record<string, unknown>[]> {
  const values: Record<string, unknown>[] = [];
  for await (const f of Deno.readDir(join(dir, stream))) {
    for (const line of (await Deno.readTextFile(join(dir, stream, f.name))).split("\n")) {
      if (line !== "") values.push(JSON.parse(line).value);
    }
  }
  return values;
}

Deno.test("stream run --model: the alerts are the batch scores at or above the threshold of the same events", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-stream-model-" });
  try {
    // 1. A model trained by `frontier train` on the batch features of the same generated rows.
    const modelDir = await trainFraudModel(dir, ROWS);

    // 2. The stream: the same rows from the embedded source, scored online.
    const out = join(dir, "stream");
    const run = await frontierJson([
      "stream",
      "run",
      ...embeddedFlags(ROWS),
      "--partitions",
      "3",
      "--model",
      modelDir,
      "--emit-scores",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(run["consumed"], ROWS.rows);
    assert.equal(run["aggregated"], ROWS.rows, "no late, duplicate or malformed rows were generated");
    assert.equal(run["reconciled"], true);

    // 3. The batch oracle: the saved model's transform over the batch velocity features.
    const loaded = await loadTrained(modelDir);
    assert.equal((run["model"] as { threshold: number }).threshold, loaded.threshold);
    const batch = new Map<string, number>();
    {
      await using fx = await Frontier.start({ executors: 1 });
      const data = conformInput(withVelocityFeatures(generatedDataset(fx, ROWS)), loaded.pipeline);
      const scored = loaded.trained.score(data, loaded.pipeline, loaded.threshold);
      for (const r of await scored.select("transaction_id", "probability").collect()) {
        batch.set(r["transaction_id"] as string, r["probability"] as number);
      }
    }
    assert.equal(batch.size, ROWS.rows);

    const scores = new Map<string, number>(), alerts = new Map<string, number>();
    for (const o of await outputs(out, "alerts")) {
      const id = (o["row"] as Record<string, unknown>)["transaction_id"] as string;
      if (o["type"] === "score") scores.set(id, o["probability"] as number);
      else if (o["type"] === "alert") {
        alerts.set(id, o["probability"] as number);
        const top = o["top"] as { feature: string }[];
        assert.ok(top.length > 0 && top.length <= 5, "an alert names its top contributing features");
      } else assert.fail(`unexpected output ${JSON.stringify(o)}`);
    }
    // An account's last events wait for its next one (the watermark must pass them); the rest are scored.
    assert.ok(scores.size > 0.95 * ROWS.rows, `${scores.size} of ${ROWS.rows} scored`);
    for (const [id, p] of scores) {
      assert.ok(Math.abs(p - batch.get(id)!) <= 1e-12, `${id}: stream ${p}, batch ${batch.get(id)}`);
    }
    const want = [...scores.keys()].filter((id) => batch.get(id)! >= loaded.threshold).sort();
    assert.deepEqual([...alerts.keys()].sort(), want);
    assert.ok(want.length > 0, "some events are alerts");
    for (const [id, p] of alerts) assert.equal(p, scores.get(id));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
