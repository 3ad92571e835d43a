import assert from "node:assert/strict";
import { join } from "node:path";
import { systemClock } from "../../../actors/clock.ts";
import { main } from "../../../scripts/cli/main.ts";
import type { CliIo } from "../../../scripts/cli/common.ts";
import { parseDuration, parseKafkaAddress, parseWindow } from "../../../scripts/cli/stream_args.ts";

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

async function linesOf(dir: string, stream: string): Promise<number> {
  let n = 0;
  try {
    for await (const f of Deno.readDir(join(dir, stream))) {
      n += (await Deno.readTextFile(join(dir, stream, f.name))).split("\n").filter((l) => l !== "").length;
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return n;
}

const EMBEDDED = [
  "stream",
  "run",
  "--source",
  "embedded",
  "--rows",
  "6000",
  "--partitions",
  "3",
  "--window",
  "sliding:5m/1m",
  "--lateness",
  "30s",
  "--out-of-order",
  "0.2",
  "--late",
  "0.02",
  "--duplicates",
  "0.03",
  "--malformed",
  "0.02",
  "--json",
];

Deno.test("frontier stream run --source embedded reconciles every record with the files it writes, and resumes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await run([...EMBEDDED, "--out", dir]);
    assert.equal(first.code, 0, first.err);
    const s = JSON.parse(first.out);
    assert.equal(s.consumed, 6000);
    assert.equal(s.consumed, s.aggregated + s.late + s.duplicates + s.quarantined);
    assert.ok(s.late > 0 && s.duplicates > 0 && s.quarantined > 0, first.out);
    assert.deepEqual(s.window, { kind: "sliding", sizeMs: 300_000, slideMs: 60_000 });
    assert.ok(
      s.batches >= 12 && s.batches <= 15,
      `6000 records in batches of 500 over 3 partitions: ${s.batches}`,
    );
    assert.ok(s.batchMs.p99 >= s.batchMs.p50 && s.batchMs.p50 > 0, JSON.stringify(s.batchMs));
    assert.ok(s.openPanes > 0 && s.rememberedIds > 0, "the last windows stay open when the input ends");
    assert.equal(await linesOf(dir, "late"), s.late);
    assert.equal(await linesOf(dir, "dead_letter"), s.quarantined);
    assert.equal(await linesOf(dir, "windows"), s.outputs - s.late - s.quarantined);

    const again = await run([...EMBEDDED, "--out", dir]);
    assert.equal(again.code, 0, again.err);
    assert.equal(JSON.parse(again.out).consumed, 0, "a finished run resumes at its end");
    assert.equal(await linesOf(dir, "windows"), s.outputs - s.late - s.quarantined);

    const other = await run([...EMBEDDED.filter((a) => a !== "--json"), "--seed", "8", "--out", dir]);
    assert.equal(other.code, 2);
    assert.match(other.err, /holds a run with other settings/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("frontier stream names what is wrong with a bad command line", async () => {
  const cases: [string[], RegExp][] = [
    [["stream", "run", "--source", "embedded", "--out", "x", "--window", "hopping:1m"], /--window must be/],
    [
      ["stream", "run", "--source", "embedded", "--out", "x", "--lateness", "30"],
      /--lateness must be a duration/,
    ],
    [["stream", "run", "--source", "kafka://nohost/t", "--out", "kafka://a:1/p"], /--source must look like/],
    [["stream", "run", "--source", "embedded", "--out", "kafka://a:1/p"], /writes to a directory/],
    [["stream", "run", "--source", "kafka://a:1/t", "--out", "dir"], /--out kafka:\/\//],
    [["stream", "run", "--source", "embedded", "--out", "x", "--key", "card"], /--key: key must be one of/],
    [["stream", "run", "--source", "embedded", "--out", "x", "--guarantee", "maybe"], /--guarantee must be/],
    [["stream", "produce", "--topic", "kafka://a:1/t"], /--rows is required/],
    [
      ["stream", "produce", "--rows", "5", "--topic", "kafka://a:1/t", "--late", "2"],
      /--late must be a number in \[0, 1\]/,
    ],
    [["stream", "jump"], /produce, run or status/],
    [["stream", "run", "--source", "embedded", "--out", "x", "--threshold", "0.5"], /need --model DIR/],
    [["stream", "run", "--source", "embedded", "--out", "x", "--serve", "http"], /--serve must be a port/],
    [["stream", "status"], /status needs --out DIR/],
    [["stream", "status", "--out", "/nonexistent-frontier-dir"], /no metrics at/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, message);
  }
});

Deno.test("stream flags parse durations, windows and kafka:// addresses", () => {
  assert.equal(parseDuration("1.5s", "--x"), 1500);
  assert.equal(parseDuration("2h", "--x"), 7_200_000);
  assert.deepEqual(parseWindow("tumbling:1m"), { kind: "tumbling", sizeMs: 60_000 });
  assert.deepEqual(parseWindow("session:30s"), { kind: "session", gapMs: 30_000 });
  assert.throws(() => parseWindow("sliding:1m/5m"), /longer than its size/);
  assert.deepEqual(parseKafkaAddress("kafka://127.0.0.1:9092/tx.in", "--source"), {
    bootstrap: "127.0.0.1:9092",
    name: "tx.in",
  });
});
