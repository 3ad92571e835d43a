import assert from "node:assert/strict";
import { Kafka } from "kafkajs";
import { freeBrokerPorts, kafkaSkipReason, startTestBroker } from "./kafka_broker.ts";
import { freshRun, noFaultOutputs, outputsOf, produce } from "./stream_run_fixture.ts";
import { committedTo, QUIET, waitForWorkers, WorkerProcess } from "./stream_worker_process.ts";

Deno.test({
  name: "Kafka stream runtime resumes after the broker restarts mid-stream: 0 lost, 0 duplicated",
  ignore: kafkaSkipReason !== undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "frontier-broker-restart-" });
    const ports = freeBrokerPorts();
    let broker = await startTestBroker({ dir, ports });
    const workers: WorkerProcess[] = [];
    try {
      const kafka = new Kafka({ clientId: "frontier-restart-it", brokers: broker.brokers, logLevel: QUIET });
      const admin = kafka.admin();
      await admin.connect();
      const run = await freshRun(admin, broker.bootstrap, "restart", 3000);
      await admin.disconnect();
      const half = Math.floor(Math.min(...run.ends) / 2);
      await produce(kafka, run.config.topic, run.logs, 0, half);
      const expected = noFaultOutputs(run.logs);
      workers.push(new WorkerProcess(run.config));
      await workers[0]!.waitFor(committedTo(run.ends.map(() => half)), "the first half committed");

      // The same broker process stops and a new one starts on its directory and ports.
      await broker.stop();
      await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: ports[0] }), "the broker is down");
      broker = await startTestBroker({ dir, ports });
      const restarted = kafka.admin();
      await restarted.connect();
      assert.ok(
        (await restarted.listTopics()).includes(run.config.topic),
        "the restarted broker kept its data",
      );
      await restarted.disconnect();
      await produce(kafka, run.config.topic, run.logs, half);

      // A member either rides out the outage (kafkajs reconnects) or stops on a failed commit;
      // like a supervisor, start another when it exits, until every partition is committed.
      const done = committedTo(run.ends);
      for (;;) {
        const earlier = workers.slice(0, -1).flatMap((w) => w.lines);
        const current = workers.at(-1)!;
        try {
          await waitForWorkers(
            [current],
            (l, all) => done(l, [...earlier, ...all]),
            "every partition committed",
          );
          break;
        } catch (e) {
          if (!current.exited) throw e;
          assert.ok(workers.length < 5, `the member keeps failing:\n${current.stderr}`);
          workers.push(new WorkerProcess(run.config));
        }
      }
      for (const w of workers) await w.stop();
      console.log(`members started: ${workers.length}`);
      const { committed, everything } = await outputsOf(kafka, run);
      assert.ok(everything.length > 0);
      assert.equal(committed.length, expected.length, "as many outputs as without the restart");
      assert.deepEqual(committed, expected, "0 lost, 0 duplicated, windows as without the restart");
    } finally {
      for (const w of workers) if (!w.exited) w.kill("SIGKILL"), await w.exit();
      await broker.stop().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
