import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { runPacedProducer, writeTransactionLines } from "../../../../scripts/bench/stream/paced_producer.ts";
import { readToEnd } from "../../../../scripts/bench/stream/topics.ts";
import { generateDemoKey } from "../../../../cluster/sources/transactions/card_token.ts";
import { TransactionGenerator } from "../../../../cluster/sources/transactions/generator.ts";
import { transactionRecords } from "../../../../streaming/transactions.ts";
import { kafkaSkipReason, startTestBroker } from "../../../streaming/kafka_broker.ts";

Deno.test({
  name: "the paced Java producer sends the generated transactions, each once, in order per key",
  ignore: kafkaSkipReason !== undefined,
  fn: async () => {
    await using broker = await startTestBroker();
    const kafka = new Kafka({ clientId: "paced-test", brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const topic = `paced-${crypto.randomUUID().slice(0, 8)}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 3 }, { topic: `${topic}-short`, numPartitions: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const file = await Deno.makeTempFile({ suffix: ".lines" });
    try {
      await writeTransactionLines(file, { rows: 3000, seed: 11 });
      // The file holds 3000 rows; the run sends the first 2500 of them.
      const run = await runPacedProducer(broker.bootstrap, {
        topic,
        file,
        rows: 2500,
        rate: 5000,
        warmupRows: 10,
      });
      assert.equal(run.rows, 2500);
      assert.ok(run.producerCpuMicrosPerEvent > 0);
      await assert.rejects(
        runPacedProducer(broker.bootstrap, {
          topic: `${topic}-short`,
          file,
          rows: 3001,
          rate: 100_000,
          warmupRows: 0,
        }),
        /holds 3000 lines, fewer than --rows 3001/,
      );
      const got = (await readToEnd(kafka, [topic], { partitions: 3, readUncommitted: false }))
        .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
      // The independent expectation: the generator's records, straight from the library.
      const generator = new TransactionGenerator({
        seed: 11,
        totalRows: 3000,
        tokenKey: generateDemoKey({ seed: 11 }),
      });
      const expected = transactionRecords(generator.generate({ start: 0, end: 3000 }), 11)
        .map((r) => ({ key: r.key, value: new TextDecoder().decode(r.value) }));
      const sent = expected.slice(0, 2500);
      assert.equal(got.length, 2500, "each record once");
      const key = (r: { key: string; value: string }) => `${r.key}\t${r.value}`;
      assert.deepEqual(got.map(key).sort(), sent.map(key).sort(), "exactly the first 2500 generated records");
      // Per key, they come in generation order (a key's records share a partition).
      const byKey = new Map<string, string[]>();
      for (const r of got) byKey.set(r.key, [...byKey.get(r.key) ?? [], r.value]);
      for (const [k, values] of byKey) {
        assert.deepEqual(values, sent.filter((s) => s.key === k).map((s) => s.value), `order of ${k}`);
      }
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test("writeTransactionLines refuses a row count below 1", async () => {
  await assert.rejects(
    writeTransactionLines("/nonexistent/x", { rows: 0, seed: 1 }),
    /rows must be an integer >= 1/,
  );
});
