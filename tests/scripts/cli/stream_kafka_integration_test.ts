import assert from "node:assert/strict";
import { Kafka } from "kafkajs";
import { systemClock } from "../../../actors/clock.ts";
import { main } from "../../../scripts/cli/main.ts";
import type { CliIo } from "../../../scripts/cli/common.ts";
import { kafkaSkipReason, startTestBroker } from "../../streaming/kafka_broker.ts";
import { markEnds, QUIET, readToEnds } from "../../streaming/stream_worker_process.ts";
import { isPacked, unpackOutputs } from "../../../streaming/kafka_pack.ts";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    errIsTerminal: false,
    clock: systemClock,
  };
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test({
  name:
    "frontier stream produce then stream run on a real broker: every record reconciled, both guarantees agree",
  ignore: kafkaSkipReason !== undefined,
  fn: async () => {
    await using broker = await startTestBroker();
    const id = crypto.randomUUID().slice(0, 8);
    const topic = `cli-in-${id}`;
    const produced = await run([
      "stream",
      "produce",
      "--rows",
      "3000",
      "--rate",
      "20000",
      "--topic",
      `kafka://${broker.bootstrap}/${topic}`,
      "--partitions",
      "3",
      "--out-of-order",
      "0.2",
      "--late",
      "0.02",
      "--duplicates",
      "0.03",
      "--malformed",
      "0.02",
      "--json",
    ]);
    assert.equal(produced.code, 0, produced.err);
    const p = JSON.parse(produced.out);
    assert.equal(p.rows, 3000);
    assert.equal(p.partitions, 3);
    assert.ok(p.seconds >= 0.14, `3000 rows at 20000/s take at least 0.15 s, took ${p.seconds}`);

    const missing = await run([
      "stream",
      "run",
      "--source",
      `kafka://${broker.bootstrap}/missing-${id}`,
      "--out",
      `kafka://${broker.bootstrap}/missing-out-${id}`,
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, new RegExp(`input topic "missing-${id}" does not exist`));

    const kafka = new Kafka({ clientId: "cli-it", brokers: broker.brokers, logLevel: QUIET });
    const summaries: Record<
      string,
      { consumed: number; late: number; quarantined: number; outputs: number }
    > = {};
    const windows: Record<string, string[]> = {};
    // "packed": exactly-once with --pack-outputs; its records are unpacked before they are counted.
    for (const variant of ["exactly-once", "at-least-once", "packed"]) {
      const guarantee = variant === "packed" ? "exactly-once" : variant;
      const prefix = `cli-out-${variant}-${id}`;
      const r = await run([
        "stream",
        "run",
        "--source",
        `kafka://${broker.bootstrap}/${topic}`,
        "--out",
        `kafka://${broker.bootstrap}/${prefix}`,
        "--guarantee",
        guarantee,
        "--until-caught-up",
        "--anomalies",
        "--json",
        ...(variant === "packed" ? ["--pack-outputs"] : []),
      ]);
      assert.equal(r.code, 0, r.err);
      const s = JSON.parse(r.out);
      summaries[variant] = s;
      assert.equal(s.consumed, 3000);
      assert.equal(s.consumed, s.aggregated + s.late + s.duplicates + s.quarantined);
      assert.ok(s.late > 0 && s.quarantined > 0, r.out);
      const topics = ["windows", "late", "dead_letter", "account_anomalies", "segment_anomalies"]
        .map((x) => `${prefix}.${x}`);
      await markEnds(kafka, topics, 3);
      const read = await readToEnds(kafka, topics, { partitions: 3, readUncommitted: false });
      assert.equal(read.some((x) => isPacked(x.value)), variant === "packed");
      const records = variant !== "packed"
        ? read
        : read.flatMap((x) =>
          unpackOutputs(x.value).map((o) => ({ ...x, key: o.key, value: JSON.stringify(o.value) }))
        );
      if (variant === "packed") assert.ok(read.length < records.length / 10, `${read.length} packed records`);
      const count = (t: string) => records.filter((x) => x.topic === `${prefix}.${t}`).length;
      assert.equal(count("late"), s.late);
      assert.equal(count("dead_letter"), s.quarantined);
      assert.equal(records.length, s.outputs);
      for (const [stream, n] of Object.entries(s.outputsByStream)) assert.equal(count(stream), n, stream);
      assert.ok(s.outputsByStream.account_anomalies > 0, r.out);
      assert.equal(s.latencyMs.samples, 3000, "every record's latency is measured");
      windows[variant] = records.filter((x) => x.topic.endsWith(".windows")).map((x) => x.value).sort();
    }
    assert.deepEqual(summaries["at-least-once"], {
      ...summaries["exactly-once"],
      ...pick(summaries["at-least-once"]!),
    });
    assert.deepEqual(windows["at-least-once"], windows["exactly-once"]);
    assert.deepEqual(summaries["packed"], { ...summaries["exactly-once"], ...pick(summaries["packed"]!) });
    assert.deepEqual(windows["packed"], windows["exactly-once"]);
  },
});

/** The fields of a summary that legitimately differ between the two runs. */
function pick(s: object): object {
  const r = s as Record<string, unknown>;
  return {
    out: r["out"],
    guarantee: r["guarantee"],
    seconds: r["seconds"],
    eventsPerSecond: r["eventsPerSecond"],
    batchMs: r["batchMs"],
    batches: r["batches"],
    pid: r["pid"],
    startedAt: r["startedAt"],
    updatedAt: r["updatedAt"],
    inputRate: r["inputRate"],
    processingRate: r["processingRate"],
    latencyMs: r["latencyMs"],
  };
}
