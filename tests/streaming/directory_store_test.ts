import assert from "node:assert/strict";
import { join } from "node:path";
import { FakeClock } from "../../actors/clock.ts";
import { DirectoryCheckpointStore } from "../../streaming/directory_store.ts";
import { EmbeddedSource, GeneratedLog, type GeneratedLogOptions } from "../../streaming/embedded_source.ts";
import { runStream } from "../../streaming/source.ts";
import { WORKER_WINDOWS } from "./fixtures/worker_windows.ts";

const LOG: GeneratedLogOptions = {
  seed: 5,
  totalRows: 3000,
  partitions: 2,
  durationMs: 3_000_000,
  accounts: 25,
  outOfOrderFraction: 0.2,
  lateFraction: 0.02,
  allowedLatenessMs: 30_000,
  duplicateFraction: 0.03,
  malformedFraction: 0.02,
};

/** Every output line under `dir`, as `stream|partition|line`, sorted. */
async function outputLines(dir: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const stream of Deno.readDir(dir)) {
    if (stream.name.startsWith("_")) continue;
    for await (const file of Deno.readDir(join(dir, stream.name))) {
      const partition = /^p(\d+)-/.exec(file.name)![1];
      const text = await Deno.readTextFile(join(dir, stream.name, file.name));
      for (const line of text.split("\n").filter((l) => l !== "")) {
        lines.push(`${stream.name}|${partition}|${line}`);
      }
    }
  }
  return lines.sort();
}

async function runOnce(dir: string, stopAfterCommits?: number): Promise<boolean> {
  const clock = new FakeClock(0);
  const stop = new AbortController();
  let commits = 0;
  await runStream({
    source: new EmbeddedSource({
      log: new GeneratedLog(LOG),
      store: new DirectoryCheckpointStore(dir),
      clock,
    }, {
      batchSize: 113,
    }),
    clock,
  }, {
    ...WORKER_WINDOWS,
    signal: stop.signal,
    onCommit: () => {
      if (++commits === stopAfterCommits) stop.abort();
    },
  });
  return stop.signal.aborted;
}

Deno.test("DirectoryCheckpointStore: runs stopped and resumed, with a batch torn before its checkpoint, write each output once", async () => {
  const reference = await Deno.makeTempDir();
  const resumed = await Deno.makeTempDir();
  try {
    assert.equal(await runOnce(reference), false);
    const expected = await outputLines(reference);
    assert.ok(expected.length > 500, `${expected.length} outputs`);

    let runs = 0;
    while (await runOnce(resumed, 5)) {
      runs++;
      // A crash after a batch's output files were written but before its checkpoint was renamed.
      const checkpoint = JSON.parse(await Deno.readTextFile(join(resumed, "_checkpoint", "p0.json")));
      await Deno.writeTextFile(
        join(resumed, "windows", `p0-${checkpoint.nextOffset}-${checkpoint.nextOffset + 50}.jsonl`),
        '{"key":"torn","value":{}}\n',
      );
    }
    assert.ok(runs >= 3, `${runs} interrupted runs`);
    assert.deepEqual(await outputLines(resumed), expected);
  } finally {
    await Deno.remove(reference, { recursive: true });
    await Deno.remove(resumed, { recursive: true });
  }
});
