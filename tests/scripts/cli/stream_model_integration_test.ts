import assert from "node:assert/strict";
import { join } from "node:path";
import { col, Frontier } from "../../../mod.ts";
import { generateDemoKey } from "../../../cluster/sources/transactions/card_token.ts";
import { VELOCITY_FEATURES, withVelocityFeatures } from "../../../models/features/velocity.ts";
import { conformInput, loadTrained } from "../../../scripts/cli/training/model_store.ts";

const CLI = new URL("../../../scripts/cli/main.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const decoder = new TextDecoder();
const DAY = 86_400_000;

/** The generated transactions both sides read: the embedded source's log and the batch oracle's. */
const SEED = 23, ROWS = 6_000, FRAUD = 0.05, LATENESS = 30_000, OUT_OF_ORDER = 0.2;

async function frontier(args: string[]): Promise<Record<string, unknown>> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = decoder.decode(r.stdout), err = decoder.decode(r.stderr);
  assert.equal(r.code, 0, `frontier ${args.join(" ")}:\n${err}`);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

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
    const tx = (fx: Frontier) =>
      fx.transactions({
        rows: ROWS,
        seed: SEED,
        tokenKey: generateDemoKey({ seed: SEED }),
        partitions: 2,
        options: {
          durationMs: 2 * DAY,
          fraudRate: FRAUD,
          outOfOrderFraction: OUT_OF_ORDER,
          allowedLatenessMs: LATENESS,
          lateFraction: 0,
          duplicateFraction: 0,
          malformedFraction: 0,
        },
      });
    const columns = [
      "merchant_category",
      "amount",
      "channel",
      "country",
      ...VELOCITY_FEATURES.map((f) => f.name),
    ];
    {
      await using fx = await Frontier.start({ executors: 1 });
      await withVelocityFeatures(tx(fx))
        .select(...columns.map((c) => col(c)), col("is_fraud").cast("double").alias("fraud"))
        .write.parquet(join(dir, "train-data"));
    }
    const train = await frontier([
      "train",
      "--input",
      join(dir, "train-data"),
      "--label",
      "fraud",
      "--models",
      "lr",
      "--importance-repeats",
      "0",
      "--out",
      join(dir, "train"),
      "--executors",
      "1",
      "--json",
    ]);
    const modelDir = join(dir, "train", "models", "lr");
    assert.ok(Array.isArray(train["models"]));

    // 2. The stream: the same rows from the embedded source, scored online.
    const out = join(dir, "stream");
    const run = await frontier([
      "stream",
      "run",
      "--source",
      "embedded",
      "--rows",
      String(ROWS),
      "--seed",
      String(SEED),
      "--partitions",
      "3",
      "--span",
      "2d",
      "--fraud-rate",
      String(FRAUD),
      "--out-of-order",
      String(OUT_OF_ORDER),
      "--lateness",
      "30s",
      "--model",
      modelDir,
      "--emit-scores",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(run["consumed"], ROWS);
    assert.equal(run["aggregated"], ROWS, "no late, duplicate or malformed rows were generated");
    assert.equal(run["reconciled"], true);

    // 3. The batch oracle: the saved model's transform over the batch velocity features.
    const loaded = await loadTrained(modelDir);
    assert.equal((run["model"] as { threshold: number }).threshold, loaded.threshold);
    const batch = new Map<string, number>();
    {
      await using fx = await Frontier.start({ executors: 1 });
      const data = conformInput(withVelocityFeatures(tx(fx)), loaded.pipeline);
      const scored = loaded.trained.score(data, loaded.pipeline, loaded.threshold);
      for (const r of await scored.select("transaction_id", "probability").collect()) {
        batch.set(r["transaction_id"] as string, r["probability"] as number);
      }
    }
    assert.equal(batch.size, ROWS);

    const streamed = await outputs(out, "alerts");
    const scores = new Map<string, number>(), alerts = new Map<string, number>();
    for (const o of streamed) {
      const id = (o["row"] as Record<string, unknown>)["transaction_id"] as string;
      if (o["type"] === "score") scores.set(id, o["probability"] as number);
      else if (o["type"] === "alert") {
        alerts.set(id, o["probability"] as number);
        const top = o["top"] as { feature: string }[];
        assert.ok(top.length > 0 && top.length <= 5, "an alert names its top contributing features");
      } else assert.fail(`unexpected output ${JSON.stringify(o)}`);
    }
    // An account's last events wait for its next one (the watermark must pass them); the rest are scored.
    assert.ok(scores.size > 0.95 * ROWS, `${scores.size} of ${ROWS} scored`);
    for (const [id, p] of scores) {
      assert.ok(Math.abs(p - batch.get(id)!) <= 1e-12, `${id}: stream ${p}, batch ${batch.get(id)}`);
    }
    const want = [...scores.keys()].filter((id) => batch.get(id)! >= loaded.threshold).sort();
    assert.deepEqual([...alerts.keys()].sort(), want);
    assert.ok(want.length > 0, "some events are alerts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
