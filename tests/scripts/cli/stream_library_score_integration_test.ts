import assert from "node:assert/strict";
import { Frontier } from "../../../mod.ts";
import { MemoryCheckpointStore, readStream } from "../../../streaming/mod.ts";
import { conformInput, loadTrained } from "../../../scripts/cli/training/model_store.ts";
import { generatedDataset, type GeneratedRows, trainFraudModel } from "./stream_fixture.ts";

const ROWS: GeneratedRows = {
  rows: 4_000,
  seed: 29,
  fraudRate: 0.05,
  outOfOrder: 0.2,
  latenessMs: 30_000,
  days: 1,
};

Deno.test("readStream…score(dir) with a model of raw columns scores every event at once, as the batch transform does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-stream-score-" });
  try {
    const modelDir = await trainFraudModel(dir, ROWS, { velocity: false });
    const store = new MemoryCheckpointStore();
    const query = await readStream.embedded({
      seed: ROWS.seed,
      totalRows: ROWS.rows,
      partitions: 2,
      durationMs: ROWS.days * 86_400_000,
      fraudRate: ROWS.fraudRate,
      outOfOrderFraction: ROWS.outOfOrder,
      allowedLatenessMs: ROWS.latenessMs,
    })
      .withWatermark(ROWS.latenessMs)
      .score(modelDir, { emitScores: true, topK: 3 })
      .writeTo(store)
      .start();
    const metrics = await query.done;
    const loaded = await loadTrained(modelDir);
    assert.equal(query.model?.threshold, loaded.threshold);
    assert.equal(query.model?.kind, loaded.envelope.kind);

    const batch = new Map<string, number>();
    {
      await using fx = await Frontier.start({ executors: 1 });
      const data = conformInput(generatedDataset(fx, ROWS), loaded.pipeline);
      for (const r of await loaded.trained.score(data, loaded.pipeline, loaded.threshold).collect()) {
        batch.set(r["transaction_id"] as string, r["probability"] as number);
      }
    }
    const scores = new Map<string, number>(), alerts: string[] = [];
    for (const o of store.outputs.filter((x) => x.stream === "alerts")) {
      const v = o.value as {
        type: string;
        row: { transaction_id: string };
        probability: number;
        top: unknown[];
      };
      if (v.type === "score") scores.set(v.row.transaction_id, v.probability);
      else if (v.type === "alert") {
        alerts.push(v.row.transaction_id);
        assert.ok(v.top.length > 0 && v.top.length <= 3);
      } else assert.fail(JSON.stringify(v));
    }
    // No velocity features to wait for: every event is scored when it is accepted.
    assert.equal(scores.size, ROWS.rows);
    for (const [id, p] of scores) {
      assert.ok(Math.abs(p - batch.get(id)!) <= 1e-12, `${id}: ${p} vs ${batch.get(id)}`);
    }
    const want = [...batch].filter(([, p]) => p >= loaded.threshold).map(([id]) => id).sort();
    assert.deepEqual(alerts.sort(), want);
    assert.ok(want.length > 0);
    assert.equal(metrics.outputs["alerts"], ROWS.rows + want.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
