/**
 * The one contract every kind of window passes. `window_test.ts` calls {@linkcode windowContract}
 * for tumbling, sliding and session windows.
 *
 * Every test runs on virtual processing time (the `time` of each input) and asserts the
 * `[{ time, value }]` outputs, or compares them with the plain-TypeScript batch reference of
 * `disorder.ts` (and, for on-time data, with Frontier's batch `groupBy` on the window start).
 *
 * @module
 */
import assert from "node:assert/strict";
import { count, Frontier, max, min, sum } from "../../mod.ts";
import type { Row, Schema } from "../../mod.ts";
import {
  assignWindows,
  KeyedWindows,
  type KeyedWindowsOptions,
  lateByWindowAndKey,
  type StreamEvent,
  type Timed,
  type WindowCounts,
  type WindowOutput,
  type WindowSpec,
} from "../../streaming/mod.ts";
import {
  asInputs,
  batchPanes,
  classify,
  decodeTestRecord,
  type DisorderOptions,
  generateDisorder,
  payloadOf,
  STATS,
  type Stats,
} from "./disorder.ts";

type Output = Timed<WindowOutput<number, Stats>>;

function machine(
  spec: WindowSpec,
  options: Partial<KeyedWindowsOptions<number, Stats>> = {},
): KeyedWindows<number, Stats> {
  return new KeyedWindows({
    window: spec,
    allowedLatenessMs: 5,
    decode: decodeTestRecord,
    aggregate: STATS,
    ...options,
  });
}

let nextId = 0;
function record(key: string, time: number, amount = 1, partition = 0) {
  const event: StreamEvent<number> = { id: `r${nextId++}`, key, time, value: amount };
  return { type: "record" as const, partition, payload: payloadOf(event, 0), event };
}

function panesOf(outputs: readonly Output[], key?: string) {
  return outputs.flatMap((o) =>
    o.value.type === "pane" && (key === undefined || o.value.key === key)
      ? [{ time: o.time, ...o.value }]
      : []
  );
}

function assertBalanced(c: WindowCounts): void {
  assert.equal(c.consumed, c.aggregated + c.late + c.duplicates + c.quarantined, JSON.stringify(c));
}

/** The first window end of an event at `time` (the pane of it that fires first). */
function endsOf(spec: WindowSpec, time: number): number[] {
  return assignWindows(spec, time).map((w) => w.end).sort((a, b) => a - b);
}

/** Registers the contract tests for one kind of window. */
export function windowContract(name: string, spec: WindowSpec): void {
  for (const graceMs of [0, 3]) {
    Deno.test(`${name}: each pane fires exactly when the watermark reaches its end + grace (grace ${graceMs})`, () => {
      const L = 5;
      const w = machine(spec, { allowedLatenessMs: L, graceMs });
      let now = 0;
      const a = record("a", 100, 7);
      assert.deepEqual(w.push({ time: now++, value: a }), []);
      for (const end of endsOf(spec, 100)) {
        const almost = w.push({ time: now++, value: record("z", end + graceMs + L - 1) });
        assert.equal(w.watermark, end + graceMs - 1);
        assert.deepEqual(
          panesOf(almost, "a").filter((p) => p.window.end === end),
          [],
          `not before ${end + graceMs}`,
        );
        const at = now++;
        const fired = panesOf(w.push({ time: at, value: record("z", end + graceMs + L) }), "a");
        assert.equal(w.watermark, end + graceMs);
        const window = assignWindows(spec, 100).find((x) => x.end === end)!;
        assert.deepEqual(fired, [{
          time: at,
          type: "pane",
          key: "a",
          window,
          result: { count: 1, sum: 7, min: 7, max: 7 },
          events: 1,
        }]);
      }
      assertBalanced(w.counts);
    });
  }

  for (const graceMs of [0, 4]) {
    Deno.test(`${name}: an event exactly at the watermark − grace is aggregated, one ms before it is late (grace ${graceMs})`, () => {
      const w = machine(spec, { allowedLatenessMs: 5, graceMs });
      w.push({ time: 0, value: record("w", 1000) });
      assert.equal(w.watermark, 995);
      const boundary = 995 - graceMs;
      const onTime = w.push({ time: 1, value: record("a", boundary, 3) });
      assert.deepEqual(onTime, []);
      const behind = record("a", boundary - 1, 4);
      const late = w.push({ time: 2, value: behind });
      assert.deepEqual(late, [{
        time: 2,
        value: {
          type: "late",
          key: "a",
          windows: assignWindows(spec, boundary - 1),
          event: behind.event,
          watermark: 995,
        },
      }]);
      const flushed = w.push({ time: 3, value: { type: "end" } });
      const panes = panesOf(flushed, "a");
      assert.ok(panes.length > 0);
      for (const p of panes) {
        assert.deepEqual(p.result, { count: 1, sum: 3, min: 3, max: 3 }, "the late event is in no pane");
      }
      assert.deepEqual(
        lateByWindowAndKey(late),
        assignWindows(spec, boundary - 1).map((window) => ({ key: "a", window, late: 1 })),
      );
      assert.deepEqual(w.counts, { consumed: 3, aggregated: 2, late: 1, duplicates: 0, quarantined: 0 });
    });
  }

  Deno.test(`${name}: a copy of an accepted event is a duplicate while its id is remembered, late after the horizon`, () => {
    const w = machine(spec, { allowedLatenessMs: 5 });
    const original = record("a", 100, 9);
    w.push({ time: 0, value: original });
    const copy = { ...original, payload: payloadOf(original.event, 1) };
    assert.deepEqual(w.push({ time: 1, value: copy }), [{
      time: 1,
      value: { type: "duplicate", event: original.event },
    }]);
    assert.equal(w.rememberedIds, 1);
    w.push({ time: 2, value: record("z", 105) }); // watermark 100: the original is exactly on the horizon
    assert.equal(w.rememberedIds, 2);
    assert.equal(w.push({ time: 3, value: copy })[0]?.value.type, "duplicate");
    w.push({ time: 4, value: record("z", 106) }); // watermark 101: the original is forgotten, both z remembered
    assert.equal(w.rememberedIds, 2);
    assert.equal(w.push({ time: 5, value: copy })[0]?.value.type, "late");
    const panes = panesOf(w.push({ time: 6, value: { type: "end" } }), "a");
    for (const p of panes) assert.equal(p.result.count, 1);
    assert.deepEqual(w.counts, { consumed: 6, aggregated: 3, late: 1, duplicates: 2, quarantined: 0 });
  });

  Deno.test(`${name}: malformed records are quarantined with their reason and leave the watermark alone`, () => {
    const w = machine(spec, { allowedLatenessMs: 0 });
    w.push({ time: 0, value: record("a", 50) });
    const bad: [unknown, RegExp][] = [
      [new Uint8Array([0xc3, 0x28]), /not valid UTF-8/],
      ['{"id":"x","key":"a","time":', /not valid JSON/],
      [
        { id: "x", key: "a", time: "2024-02-30T10:00:00Z", amount: 1 },
        /field "time": .*not a valid date-time/,
      ],
      [{ id: "x", key: "a", time: 9e99, amount: 1 }, /field "time": .*not an integer number of ms/],
      [{ id: "x", time: 60, amount: 1 }, /field "key" \(key\) must be a string or a number, got undefined/],
      [{ id: "x", key: "a", amount: 1 }, /field "time" \(event time\) is missing/],
      [{ id: "x", key: "a", time: 60, amount: 1.5 }, /amount must be an integer of cents/],
      [null, /must be a JSON object, got null/],
    ];
    bad.forEach(([payload, reason], i) => {
      const out = w.push({ time: i + 1, value: { type: "record", partition: 0, payload } });
      assert.equal(out.length, 1);
      const q = out[0]!.value;
      assert.equal(q.type, "quarantined");
      if (q.type === "quarantined") {
        assert.match(q.reason, reason);
        assert.equal(q.payload, payload);
      }
      assert.equal(w.watermark, 50);
    });
    assert.deepEqual(w.counts, { consumed: 9, aggregated: 1, late: 0, duplicates: 0, quarantined: 8 });
  });

  Deno.test(`${name}: a silent partition holds panes back until its idle timeout, then releases them`, () => {
    const w = machine(spec, { allowedLatenessMs: 0, idleTimeoutMs: 1000, partitions: [0, 1] });
    const end = endsOf(spec, 100)[0]!;
    w.push({ time: 0, value: record("a", 100) });
    w.push({ time: 1, value: record("z", end) });
    assert.equal(w.watermark, -Infinity, "partition 1 has said nothing yet");
    assert.deepEqual(w.push({ time: 999, value: { type: "tick" } }), []);
    const released = w.push({ time: 1000, value: { type: "tick" } });
    assert.equal(w.watermark, end);
    assert.deepEqual(panesOf(released, "a").map((p) => [p.time, p.window.end]), [[1000, end]]);
    const back = record("b", end - 1, 1, 1);
    assert.equal(
      w.push({ time: 1001, value: back })[0]?.value.type,
      "late",
      "the returning partition is behind",
    );
    assert.equal(w.watermark, end, "and does not pull the watermark back");
    assertBalanced(w.counts);
  });

  Deno.test(`${name}: equals the batch reference over generated disorder, every record accounted for`, () => {
    let atBoundary = 0;
    let justLate = 0;
    const fates = { aggregated: 0, late: 0, duplicate: 0, quarantined: 0 };
    for (let seed = 1; seed <= 40; seed++) {
      const options: DisorderOptions = {
        seed,
        events: 300,
        partitions: 1 + (seed % 3),
        keys: 1 + (seed % 5),
        stepMs: 3,
        allowedLatenessMs: 8,
        outOfOrder: 0.3,
        boundary: 0.1,
        late: 0.08,
        duplicates: 0.1,
        duplicateMaxLag: 1 + (seed % 20),
        malformed: 0.05,
      };
      const graceMs = seed % 2 === 0 ? 0 : 2;
      const records = generateDisorder(options);
      const expected = classify(records, { partitions: options.partitions, allowedLatenessMs: 8, graceMs });
      const w = machine(spec, {
        allowedLatenessMs: 8,
        graceMs,
        partitions: [...Array(options.partitions).keys()],
      });
      const outputs: Output[] = [];
      asInputs(records).forEach((input, i) => {
        const out = w.push(input);
        outputs.push(...out);
        assert.equal(w.watermark, expected.watermarkAfter[i], `seed ${seed}: watermark after input ${i}`);
        assertBalanced(w.counts);
        if (i < records.length) {
          const fate = expected.fates[i]!;
          fates[fate]++;
          const side = out.filter((o) => o.value.type !== "pane").map((o) => o.value.type);
          assert.deepEqual(side, fate === "aggregated" ? [] : [fate], `seed ${seed}: record ${i}`);
          const event = records[i]!.event;
          if (fate === "late" && event && event.time === expected.watermarkBefore[i]! - graceMs - 1) {
            justLate++;
          }
        }
        for (const p of panesOf(out)) {
          assert.ok(p.window.end + graceMs <= expected.watermarkAfter[i]!, `seed ${seed}: fired early`);
          if (i > 0) {
            assert.ok(p.window.end + graceMs > expected.watermarkAfter[i - 1]!, `seed ${seed}: fired late`);
          }
        }
      });
      const panes = panesOf(outputs).map((p) => ({ key: p.key, window: p.window, stats: p.result }));
      assert.deepEqual(panes, batchPanes(spec, expected.accepted), `seed ${seed}: panes`);
      assert.equal(w.openPanes, 0);
      atBoundary += expected.atBoundary;
    }
    // The generator must have exercised every fate and both sides of the boundary.
    assert.ok(atBoundary > 0 && justLate > 0, `boundary cases: ${atBoundary} at, ${justLate} one ms behind`);
    for (const [fate, n] of Object.entries(fates)) assert.ok(n > 20, `${fate}: ${n}`);
  });

  Deno.test(`${name}: on-time data equals Frontier's batch groupBy on the window start`, async () => {
    const options: DisorderOptions = {
      seed: 7,
      events: 3000,
      partitions: 3,
      keys: 6,
      stepMs: 4,
      allowedLatenessMs: 20,
      outOfOrder: 0.4,
      boundary: 0,
      late: 0,
      duplicates: 0.05,
      duplicateMaxLag: 2,
      malformed: 0.02,
    };
    const records = generateDisorder(options);
    const expected = classify(records, { partitions: 3, allowedLatenessMs: 20, graceMs: 0 });
    assert.equal(expected.fates.filter((f) => f === "late").length, 0, "precondition: nothing is late");
    const w = machine(spec, { allowedLatenessMs: 20, partitions: [0, 1, 2] });
    const streamed = panesOf(asInputs(records).flatMap((input) => w.push(input)));
    assert.ok(w.counts.duplicates > 0 && w.counts.quarantined > 0);
    assert.equal(w.counts.aggregated, new Set(records.flatMap((r) => r.event ? [r.event.id] : [])).size);

    // Each accepted event once per window, its window start computed per kind (sessions by the batch
    // reference's sessionisation), then grouped by Frontier.
    const sessionStart = new Map<string, number>();
    if (spec.kind === "session") {
      for (const p of batchPanes(spec, expected.accepted)) {
        for (const e of expected.accepted) {
          if (e.key === p.key && e.time >= p.window.start && e.time < p.window.end) {
            sessionStart.set(e.id, p.window.start);
          }
        }
      }
    }
    const rows: Row[] = expected.accepted.flatMap((e) =>
      (spec.kind === "session" ? [sessionStart.get(e.id)!] : assignWindows(spec, e.time).map((x) => x.start))
        .map((start) => ({ key: e.key, start, amount: e.value }))
    );
    const schema: Schema = [
      { name: "key", type: "string", nullable: false },
      { name: "start", type: "long", nullable: false },
      { name: "amount", type: "long", nullable: false },
    ];
    await using fx = await Frontier.start({ executors: 1 });
    const grouped = await (await fx.fromRows(rows, { schema, partitions: 4 }))
      .groupBy("key", "start")
      .agg(
        count().alias("count"),
        sum("amount").alias("sum"),
        min("amount").alias("min"),
        max("amount").alias("max"),
      )
      .sort("key", "start")
      .collect();
    const fromStream = streamed
      .map((p) => ({ key: p.key, start: p.window.start, ...p.result }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.start - b.start));
    assert.equal(grouped.length, fromStream.length);
    assert.deepEqual(
      grouped.map((r) => ({ ...r, sum: Number(r["sum"]), start: Number(r["start"]) })),
      fromStream,
    );
  });
}
