import assert from "node:assert/strict";
import { col, count, Frontier, InvalidRowError } from "../../mod.ts";
import { BANK_FULL_OPTIONS } from "../../cluster/sources/bank/schemas.ts";
import { batchToRows, canonicalRows } from "../../cluster/columnar/batch_ops.ts";
import { readCsvBytes } from "../../cluster/io/csv/parse.ts";

const BANK = new URL("../../data/bank-full.csv.gz", import.meta.url);

/** bank-full with defects injected at known physical lines (1 = header). */
async function corruptedBank(dir: string): Promise<{ path: string; bad: Map<number, string> }> {
  const text = new TextDecoder().decode(await gunzipText());
  const lines = text.split("\n");
  const bad = new Map<number, string>();
  const set = (line: number, value: string, reason: string) => {
    lines[line - 1] = value;
    bad.set(line, reason);
  };
  set(11, lines[10]!.replace(/^\d+;/, "4x2;"), "unparsable_number");
  set(101, lines[100]!.split(";").slice(0, 10).join(";"), "wrong_field_count");
  set(1001, lines[1000]!.replace(/"(may|jun|jul)"/, '"mayo"'), "not_in_enum");
  set(2002, lines[2001]!.replace(/;"(\w+)";/, ';"$1;'), "broken_quoting");
  set(30_003, lines[30_002]! + ';"extra"', "wrong_field_count");
  const path = `${dir}/bank-corrupt.csv`;
  const enc = new TextEncoder();
  const parts = lines.map((l, i) =>
    i + 1 === 40_000
      ? new Uint8Array([...enc.encode(l.slice(0, 5)), 0xff, 0xfe, ...enc.encode(l.slice(5))])
      : enc.encode(l)
  );
  bad.set(40_000, "invalid_utf8");
  const total = parts.reduce((a, p) => a + p.length + 1, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
    out[at++] = 10;
  }
  await Deno.writeFile(path, out.subarray(0, total - 1));
  return { path, bad };
}

async function gunzipText(): Promise<Uint8Array> {
  const stream = (await Deno.open(BANK)).readable.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("read.bank reads bank-full in parallel byte ranges with exact counts and derived contact dates", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const dir = await Deno.makeTempDir();
  try {
    const bank = await fx.read.bank("full", { workDir: dir, partitions: 5 });
    assert.deepEqual(bank.summary.rows_read, 45_211);
    assert.equal(bank.summary.rows_valid, 45_211);
    assert.equal(bank.summary.rows_quarantined, 0);
    assert.equal(bank.summary.partitions, 5);
    const byY = await bank.data.groupBy("y").agg(count().alias("n")).sort("y").collect();
    assert.deepEqual(byY, [{ y: "no", n: 39_922 }, { y: "yes", n: 5_289 }]);
    const dates = await bank.data.agg({ fn: "min", arg: col("contact_date").expr, name: "first" }, {
      fn: "max",
      arg: col("contact_date").expr,
      name: "last",
    }).collect();
    assert.equal(
      new Date(dates[0]!["first"] as number * 86_400_000).toISOString().slice(0, 10),
      "2008-05-05",
    );
    assert.equal(new Date(dates[0]!["last"] as number * 86_400_000).toISOString().slice(0, 10), "2010-11-17");
    // the same dates for any partition count
    const one = await fx.read.bank("full", { workDir: dir, partitions: 1 });
    const h = (ds: typeof bank.data) =>
      ds.groupBy("contact_date").agg(count().alias("n")).sort("contact_date").collect();
    assert.deepEqual(await h(one.data), await h(bank.data));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("read.csv of a corrupted bank-full quarantines exactly the injected lines, for any partition count", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const dir = await Deno.makeTempDir();
  try {
    const { path, bad } = await corruptedBank(dir);
    let first: unknown;
    for (const partitions of [1, 3, 8]) {
      const r = await fx.read.csv(path, { ...BANK_FULL_OPTIONS, partitions, file: "bank-corrupt.csv" });
      assert.equal(r.summary.rows_read, 45_211, "every data line is read");
      assert.equal(r.summary.rows_quarantined, bad.size);
      assert.equal(r.summary.rows_valid + r.summary.rows_quarantined, r.summary.rows_read);
      const q = await r.quarantine.sort("line").collect();
      assert.deepEqual(
        q.map((x) => [x["line"], x["reason"]]),
        [...bad.entries()].sort((a, b) => a[0] - b[0]),
      );
      for (const x of q) assert.equal(x["file"], "bank-corrupt.csv");
      const rows = canonicalRows(await r.data.filter(col("age").gt(60)).collect());
      if (first === undefined) first = rows;
      else assert.deepEqual(rows, first, `partitions=${partitions}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("read.csv --strict fails on the first bad row naming file, line, column and expectation", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const dir = await Deno.makeTempDir();
  try {
    const { path } = await corruptedBank(dir);
    await assert.rejects(
      fx.read.csv(path, { ...BANK_FULL_OPTIONS, partitions: 1, strict: true, file: "bank-corrupt.csv" }),
      (e: unknown) =>
        e instanceof InvalidRowError &&
        e.message === 'bank-corrupt.csv line 11, column "age": expected int, got "4x2"',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("read.csv infers a schema for a generic file, reads gzip, and read.parquet/arrow read written files back", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const dir = await Deno.makeTempDir();
  try {
    const lines = ["id,amount,country,when"];
    for (let i = 0; i < 5_000; i++) {
      lines.push(
        `${i},${i % 7 === 0 ? "1e+05" : (i * 1.25).toFixed(2)},"P,T",2024-01-${
          String(1 + (i % 28)).padStart(2, "0")
        }`,
      );
    }
    await Deno.writeTextFile(`${dir}/t.csv`, lines.join("\n") + "\n");
    const r = await fx.read.csv(`${dir}/t.csv`, { partitions: 4 });
    assert.equal(r.summary.rows_valid, 5_000);
    assert.deepEqual(r.data.schema.map((f) => [f.name, f.type]), [["id", "int"], ["amount", "double"], [
      "country",
      "string",
    ], ["when", "date"]]);
    const gz = new Uint8Array(
      await new Response(
        ReadableStream.from([new TextEncoder().encode(lines.join("\n"))]).pipeThrough(
          new CompressionStream("gzip"),
        ),
      ).arrayBuffer(),
    );
    await Deno.writeFile(`${dir}/t.csv.gz`, gz);
    const rg = await fx.read.csv(`${dir}/t.csv.gz`);
    assert.equal(rg.summary.partitions, 1);
    assert.equal(rg.summary.rows_valid, 5_000);
    const ds = r.data.withColumn("big", col("amount").gt(1000));
    await ds.write.parquet(`${dir}/pq`);
    await ds.write.arrow(`${dir}/arrow`);
    const expected = canonicalRows(await ds.collect());
    assert.deepEqual(canonicalRows(await (await fx.read.parquet(`${dir}/pq`)).collect()), expected);
    assert.deepEqual(canonicalRows(await (await fx.read.arrow(`${dir}/arrow`)).collect()), expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("read.csv falls back to a scan when quoting keeps a record start out of reach, with the oracle's rows and lines", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const dir = await Deno.makeTempDir();
  try {
    // Every line `"a`: inside and outside a quote swap at each line, so no position is a record
    // start whatever came before; a few good lines are mixed in.
    const lines = ["a,b"];
    // (A good line is a record start for both readings: keep them far apart, 150 KB.)
    for (let i = 0; i < 120_000; i++) lines.push(i % 50_000 === 7 ? `${i},"ok"` : '"a');
    const text = lines.join("\n") + "\n";
    await Deno.writeTextFile(`${dir}/swap.csv`, text);
    const schema = {
      fields: [{ name: "a", type: "string" as const }, { name: "b", type: "string" as const }],
    };
    const oracle = readCsvBytes(new TextEncoder().encode(text), { schema, file: "swap.csv" });
    const r = await fx.read.csv(`${dir}/swap.csv`, { schema, partitions: 6, recordStartSearchBytes: 4096 });
    assert.equal(r.summary.scanned, true);
    assert.equal(r.summary.rows_read, oracle.rowsRead);
    assert.equal(r.summary.rows_quarantined, oracle.quarantine.length);
    assert.deepEqual(canonicalRows(await r.data.collect()), canonicalRows(batchToRows(oracle.batch)));
    const q = await r.quarantine.sort("line").collect();
    assert.deepEqual(
      q.map((x) => [x["line"], x["message"]]),
      oracle.quarantine.map((x) => [x.line, x.message]),
    );
    // An ordinary file reads in one pass.
    const plain = await fx.read.csv(`${dir}/swap.csv`, { schema, partitions: 1 });
    assert.equal(plain.summary.scanned, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
