import assert from "node:assert/strict";
import { parquetMetadata } from "hyparquet";
import { DEFECTS } from "../../../scripts/eda/corrupt_csv.ts";
import { loadTrained } from "../../../scripts/cli/training/model_store.ts";
import { corruptedBankSlice, GENERATED_HEADER, generatedCsv } from "./train_fixture.ts";

import { type Ran, runFrontier as frontier } from "./cli_process.ts";

/** The one JSON object a `--json` run printed. */
function summaryOf(r: Ran): Record<string, unknown> & { [k: string]: never } {
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split("\n");
  assert.equal(lines.length, 1, "stdout is one JSON line");
  return JSON.parse(lines[0]!);
}

async function parquetRows(dir: string): Promise<number> {
  let rows = 0;
  for (const e of Deno.readDirSync(dir)) {
    if (!e.name.endsWith(".parquet")) continue;
    rows += Number(parquetMetadata((await Deno.readFile(`${dir}/${e.name}`)).buffer).num_rows);
  }
  return rows;
}

Deno.test("train → evaluate → predict on a generated CSV: counts reconcile, evaluate reproduces the test metrics exactly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-train-" });
  try {
    const n = 3000;
    const { text, lines } = generatedCsv(n, 11);
    const input = `${dir}/purchases.csv`;
    await Deno.writeTextFile(input, text);
    const out = `${dir}/train`;
    const train = summaryOf(
      await frontier([
        "train",
        "--input",
        input,
        "--label",
        "bought",
        "--time-col",
        "t",
        "--split",
        "time",
        "--models",
        "lr,rf,gbt",
        "--importance-repeats",
        "1",
        "--seed",
        "5",
        "--out",
        out,
        "--json",
      ]),
    );
    const s = train as unknown as {
      rows_read: number;
      rows_valid: number;
      rows_quarantined: number;
      rows_unlabeled: number;
      rows_untimed: number;
      rows_train: number;
      rows_fit: number;
      rows_validation: number;
      rows_test: number;
      reconciled: boolean;
      source: string;
      features: string[];
      dropped: { column: string }[];
      label: { positive: string };
      split: { cut: number };
      out_of_range: { column: string; above: number }[];
      report_path: string;
      models: {
        name: string;
        path: string;
        threshold: number;
        metrics: Record<string, number | string>;
        intervals: Record<string, [number, number]>;
        importance: { permutation: { feature: string; importance: number }[] };
      }[];
    };
    assert.equal(s.source, "generic");
    assert.equal(s.rows_read, n);
    assert.equal(s.rows_quarantined, 0);
    assert.equal(s.rows_unlabeled + s.rows_untimed, 0);
    assert.equal(
      s.rows_read,
      s.rows_train + s.rows_test + s.rows_quarantined,
      "rows read = train + test + quarantined",
    );
    assert.equal(s.rows_train, s.rows_fit + s.rows_validation);
    assert.equal(s.reconciled, true);
    assert.equal(s.split.cut, 0.8 * n, "out-of-time: the test rows are the last 20 %");
    assert.equal(s.rows_test, 0.2 * n);
    assert.equal(s.label.positive, "yes", "the yes/no label is read as yes = 1");
    assert.deepEqual(
      s.features,
      ["amount", "channel", "age", "vip", "balance"],
      "t is the time, customer an id",
    );
    assert.deepEqual(s.dropped.map((d) => d.column), ["customer"]);
    const balance = s.out_of_range.find((r) => r.column === "balance");
    assert.equal(balance?.above, s.rows_test, "every test balance is above the training range");

    assert.deepEqual(s.models.map((m) => m.name), ["lr", "rf", "gbt"]);
    assert.ok((await Deno.stat(s.report_path)).size > 10_000, "report.html written");
    // The test rows on their own, written by hand: each model scores them to the same metrics.
    const testPath = `${dir}/test.csv`;
    await Deno.writeTextFile(testPath, `${GENERATED_HEADER}\n${lines.slice(s.split.cut).join("\n")}\n`);
    const kinds = { lr: "logistic_regression", rf: "random_forest", gbt: "gbt" } as const;
    for (const m of s.models) {
      assert.ok(Number(m.metrics["rocAuc"]) > 0.7, `${m.name} ROC-AUC ${m.metrics["rocAuc"]}`);
      assert.equal(m.metrics["rows"], s.rows_test);
      assert.equal(m.metrics["threshold"], m.threshold);
      for (const name of ["rocAuc", "averagePrecision", "logLoss", "f1"]) {
        const [lo, hi] = m.intervals[name]!, value = Number(m.metrics[name]);
        assert.ok(lo < value && value < hi, `${m.name} ${name} ${value} inside its interval [${lo}, ${hi}]`);
      }
      const top = m.importance.permutation[0]!;
      assert.equal(top.feature, "amount", `${m.name}: the column the label depends on most ranks first`);

      const loaded = await loadTrained(m.path);
      assert.equal(loaded.envelope.kind, kinds[m.name as keyof typeof kinds]);
      assert.equal(loaded.threshold, m.threshold);
      assert.deepEqual(loaded.pipeline.spec.inputColumns.map((f) => f.name).sort(), [...s.features].sort());
      assert.equal(loaded.envelope.seed, 5);
      assert.match(loaded.envelope.training.dataHash, /^frontier-content:[0-9a-f]+-[0-9a-f]+$/);

      const evaluated = summaryOf(
        await frontier(["evaluate", "--model", m.path, "--input", testPath, "--json"]),
      );
      assert.equal(evaluated["rows_evaluated"], s.rows_test);
      assert.deepEqual(
        evaluated["metrics"],
        m.metrics,
        `evaluate reproduces the ${m.name} metrics train printed`,
      );
      assert.ok(Array.isArray((evaluated["intervals"] as unknown as Record<string, unknown>)["rocAuc"]));
    }
    const lr = s.models[0]!;

    const predicted = summaryOf(
      await frontier(["predict", "--model", lr.path, "--input", input, "--out", `${dir}/scored`, "--json"]),
    );
    assert.equal(predicted["rows_written"], n);
    assert.equal(predicted["reconciled"], true);
    assert.equal(await parquetRows(String(predicted["output_path"])), n, "one row per valid input row");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train quarantines the malformed rows of a bank slice with their reasons and still reconciles", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-train-bad-" });
  try {
    const input = `${dir}/bank-slice.csv`;
    const defects = DEFECTS.map((defect, i) => ({ line: 20 + 300 * i, defect }));
    await corruptedBankSlice(input, 2500, defects);
    const r = await frontier([
      "train",
      "--input",
      input,
      "--importance-repeats",
      "0",
      "--out",
      `${dir}/out`,
      "--json",
    ]);
    const s = summaryOf(r) as unknown as {
      source: string;
      excluded: string[];
      time_col: string;
      rows_read: number;
      rows_quarantined: number;
      rows_train: number;
      rows_test: number;
      reconciled: boolean;
      reasons: Record<string, number>;
      quarantine_path: string;
    };
    assert.equal(s.source, "bank", "the bank header selects the bank defaults");
    assert.deepEqual(s.excluded, ["duration"]);
    assert.equal(s.time_col, "contact_date", "derived for a bank slice too");
    assert.equal(s.rows_read, 2500);
    assert.equal(s.rows_quarantined, DEFECTS.length);
    assert.equal(s.rows_read, s.rows_train + s.rows_test + s.rows_quarantined);
    assert.equal(s.reconciled, true);
    assert.deepEqual(s.reasons, Object.fromEntries([...DEFECTS].sort().map((d) => [d, 1])));
    const q = await Deno.readTextFile(`${s.quarantine_path}/part-00000.csv`);
    const qlines = q.trim().split("\n").slice(1).map((l) => Number(l.split(",")[1])).sort((a, b) => a - b);
    assert.deepEqual(qlines, defects.map((d) => d.line), "exactly the corrupted lines");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evaluate refuses a tampered model directory with ModelIntegrityError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-tamper-" });
  try {
    const input = `${dir}/purchases.csv`;
    await Deno.writeTextFile(input, generatedCsv(800, 3).text);
    const train = summaryOf(
      await frontier([
        "train",
        "--input",
        input,
        "--label",
        "bought",
        "--importance-repeats",
        "0",
        "--out",
        `${dir}/out`,
        "--json",
      ]),
    ) as unknown as { models: { path: string }[] };
    const model = train.models[0]!.path;
    const ok = await frontier(["evaluate", "--model", model, "--input", input, "--json"]);
    assert.equal(ok.code, 0, ok.err);
    const body = await Deno.readFile(`${model}/body.bin`);
    body[0] = body[0]! ^ 1;
    await Deno.writeFile(`${model}/body.bin`, body);
    const bad = await frontier(["evaluate", "--model", model, "--input", input, "--json"]);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, "", "no summary");
    assert.match(bad.err, /frontier evaluate: ModelIntegrityError: .*body\.bin/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train --class-weight weighs the positives in every model and records it in model.json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frontier-cli-train-cw-" });
  try {
    const { text } = generatedCsv(2000, 17);
    const input = `${dir}/purchases.csv`;
    await Deno.writeTextFile(input, text);
    const common = ["--label", "bought", "--models", "lr,gbt", "--importance-repeats", "0", "--seed", "3"];
    type Summary = {
      models: { name: string; path: string; threshold: number; params: Record<string, unknown> }[];
    };
    const plain = summaryOf(
      await frontier(["train", "--input", input, ...common, "--out", `${dir}/plain`, "--json"]),
    ) as unknown as Summary;
    const weighted = summaryOf(
      await frontier([
        "train",
        "--input",
        input,
        ...common,
        "--class-weight",
        "1,4",
        "--out",
        `${dir}/weighted`,
        "--json",
      ]),
    ) as unknown as Summary;
    for (const [i, m] of weighted.models.entries()) {
      assert.deepEqual(m.params["classWeight"], [1, 4], `${m.name} params`);
      const model = JSON.parse(await Deno.readTextFile(`${m.path}/model.json`));
      assert.deepEqual(model.params.classWeight, [1, 4], `${m.name} model.json`);
      assert.equal(plain.models[i]!.params["classWeight"] ?? null, null);
      // Weighting the positives 4× inflates the probabilities: the max-F1 threshold moves up.
      const [t0, t1] = [plain.models[i]!.threshold, m.threshold];
      assert.ok(t1 > t0 + 0.05, `${m.name}: max-F1 threshold ${t0} → ${t1} with positives weighted 4×`);
      const evaluated = summaryOf(
        await frontier(["evaluate", "--model", m.path, "--input", input, "--json"]),
      );
      assert.equal(evaluated["threshold"], m.threshold, `${m.name} loads with its weights recorded`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
