import assert from "node:assert/strict";
import { type Admin, Kafka } from "kafkajs";
import { kafkaSkipReason, startTestBroker } from "./kafka_broker.ts";
import { freshRun, noFaultOutputs, outputsOf, produce } from "./stream_run_fixture.ts";
import { committedTo, QUIET, waitForWorkers, WorkerProcess } from "./stream_worker_process.ts";

Deno.test({
  name:
    "Kafka stream runtime commits exactly once across kill -9, a fenced zombie and a rebalance; at-least-once loses nothing",
  ignore: kafkaSkipReason !== undefined,
  fn: async (t) => {
    await using broker = await startTestBroker();
    const kafka = new Kafka({ clientId: "frontier-eos-it", brokers: broker.brokers, logLevel: QUIET });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await t.step(
        "kill -9 inside open transactions 3 times: 0 lost, 0 duplicated, windows as without faults",
        () => killThrice(kafka, admin, broker.bootstrap, { name: "kill", packOutputs: false }),
      );

      await t.step(
        "the same with packed outputs: 0 lost, 0 duplicated, aborted packed copies invisible",
        () => killThrice(kafka, admin, broker.bootstrap, { name: "kill-packed", packOutputs: true }),
      );

      await t.step(
        "a zombie stopped inside a transaction past its session timeout is fenced: 0 duplicates",
        async () => {
          const run = await freshRun(admin, broker.bootstrap, "zombie", 2000);
          await produce(kafka, run.config.topic, run.logs);
          const expected = noFaultOutputs(run.logs);
          const zombie = new WorkerProcess({ ...run.config, holdAfterCommits: 2 });
          try {
            await zombie.waitFor((l) => l.startsWith("open "), "the zombie holding a transaction open");
            zombie.kill("SIGSTOP");
            const successor = new WorkerProcess(run.config);
            await successor.waitFor(
              committedTo(run.ends),
              "the successor committing every partition to its end",
            );
            zombie.kill("SIGCONT");
            await zombie.send("go");
            const fatal = await zombie.waitFor((l) => l.startsWith("fatal "), "the zombie failing to commit");
            // Refused by the transaction coordinator: usually "old epoch"; when the successor's last
            // commit is still completing, first "another concurrent operation" — either way, no commit.
            assert.match(fatal, /epoch|fenc|concurrent operation/i);
            assert.equal((await zombie.exit()).code, 3);
            const stopped = await successor.stop();
            assert.equal(
              stopped.code,
              0,
              `the successor failed:\n${successor.stderr}\n${successor.lines.slice(-20).join("\n")}`,
            );
          } finally {
            zombie.kill("SIGCONT");
            zombie.kill("SIGKILL");
            await zombie.exit();
          }
          const { committed } = await outputsOf(kafka, run);
          assert.deepEqual(committed, expected);
        },
      );

      await t.step(
        "a member joining mid-stream takes partitions with their state restored from the changelog",
        async () => {
          const run = await freshRun(admin, broker.bootstrap, "rebalance", 3000);
          const half = Math.floor(Math.min(...run.ends) / 2);
          await produce(kafka, run.config.topic, run.logs, 0, half);
          const expected = noFaultOutputs(run.logs);
          const first = new WorkerProcess(run.config);
          const second = (async () => {
            await first.waitFor(
              committedTo(run.ends.map(() => half)),
              "the first member finishing the first half",
            );
            return new WorkerProcess(run.config);
          })();
          const joined = await second;
          await joined.waitFor((l) => l.startsWith("assigned "), "the second member getting partitions");
          await produce(kafka, run.config.topic, run.logs, half);
          await waitForWorkers(
            [first, joined],
            committedTo(run.ends),
            "both members committing every partition to its end",
          );
          assert.equal((await joined.stop()).code, 0);
          assert.equal((await first.stop()).code, 0);
          const moved = joined.lines.filter((l) => /^assigned \d+ [1-9]\d* [1-9]\d*$/.test(l));
          assert.ok(
            moved.length > 0,
            `a moved partition resumed from restored state:\n${joined.lines.join("\n")}`,
          );
          const { committed } = await outputsOf(kafka, run);
          assert.deepEqual(committed, expected);
        },
      );

      await t.step("at-least-once (the documented option) across kill -9 loses nothing", async () => {
        const run = await freshRun(admin, broker.bootstrap, "alo", 2000);
        await produce(kafka, run.config.topic, run.logs);
        const expected = noFaultOutputs(run.logs);
        const config = { ...run.config, guarantee: "at-least-once" as const };
        const killed = new WorkerProcess({ ...config, holdAfterCommits: 2 });
        await killed.waitFor((l) => l.startsWith("open "), "a batch sent but its offsets not committed");
        killed.kill("SIGKILL");
        await killed.exit();
        const last = new WorkerProcess(config);
        await last.waitFor(committedTo(run.ends), "the last worker committing every partition to its end");
        assert.equal((await last.stop()).code, 0);
        const { committed } = await outputsOf(kafka, run);
        assert.deepEqual([...new Set(committed)].sort(), expected, "every output, none lost");
        assert.ok(committed.length >= expected.length);
      });
    } finally {
      await admin.disconnect();
    }
  },
});

/** Kills a worker inside an open transaction 3 times, then checks 0 lost and 0 duplicated. */
async function killThrice(
  kafka: Kafka,
  admin: Admin,
  bootstrap: string,
  options: { readonly name: string; readonly packOutputs: boolean },
): Promise<void> {
  const fresh = await freshRun(admin, bootstrap, options.name, 4000);
  const run = { ...fresh, config: { ...fresh.config, packOutputs: options.packOutputs } };
  await produce(kafka, run.config.topic, run.logs);
  const expected = noFaultOutputs(run.logs);
  for (let kill = 0; kill < 3; kill++) {
    const worker = new WorkerProcess({ ...run.config, holdAfterCommits: 2 });
    await worker.waitFor((l) => l.startsWith("open "), `kill ${kill}: a transaction held open`);
    worker.kill("SIGKILL");
    assert.equal((await worker.exit()).signal, "SIGKILL");
  }
  const last = new WorkerProcess(run.config);
  await last.waitFor(committedTo(run.ends), "the last worker committing every partition to its end");
  assert.equal((await last.stop()).code, 0);
  assert.ok(
    last.lines.some((l) => /^assigned \d+ [1-9]\d* [1-9]\d*$/.test(l)),
    `the last worker restored state:\n${last.lines.filter((l) => l.startsWith("assigned")).join("\n")}`,
  );
  const { committed, committedRecords, everything } = await outputsOf(kafka, run);
  if (options.packOutputs) {
    assert.ok(
      committedRecords * 5 < committed.length,
      `${committed.length} outputs in ${committedRecords} records`,
    );
  } else assert.equal(committedRecords, committed.length);
  assert.ok(expected.length > 300, `${expected.length} outputs expected`);
  assert.ok(
    expected.filter((l) => l.startsWith("running_totals|")).length > 50,
    "the operator's outputs count too",
  );
  assert.equal(committed.length, expected.length, "0 lost and 0 duplicated");
  assert.deepEqual(committed, expected);
  const written = everything.filter((r) => !r.topic.endsWith(".changelog")).length;
  assert.ok(
    written > expected.length,
    `read_uncommitted shows aborted copies: ${written} > ${expected.length}`,
  );
}
