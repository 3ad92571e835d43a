import assert from "node:assert/strict";
import {
  advance,
  assignPartitions,
  candidateWatermark,
  endOfInput,
  initialWatermarks,
  isIdle,
  observeRecord,
  validateWatermarkOptions,
  type WatermarkOptions,
  type WatermarkState,
} from "../../streaming/mod.ts";

const L10: WatermarkOptions = { allowedLatenessMs: 10 };

/** Applies `[partition, eventTime | undefined, now]` records in order, returning the watermark after each. */
function run(
  state: WatermarkState,
  records: [number, number | undefined, number][],
  options: WatermarkOptions,
) {
  const marks: number[] = [];
  for (const [partition, eventTime, now] of records) {
    state = observeRecord(state, { partition, eventTime, now }, options);
    marks.push(state.watermark);
  }
  return { state, marks };
}

Deno.test("the operator watermark is the minimum over partitions of max event time − allowed lateness", () => {
  const { marks } = run(initialWatermarks([0, 1], 0), [
    [0, 100, 1],
    [1, 80, 2],
    [1, 95, 3],
    [0, 130, 4],
    [1, 140, 5],
  ], L10);
  assert.deepEqual(marks, [-Infinity, 70, 85, 85, 120]);
});

Deno.test("the watermark never decreases, whatever arrives", () => {
  const { state, marks } = run(initialWatermarks([0], 0), [
    [0, 100, 1],
    [0, 50, 2],
    [0, undefined, 3],
    [0, 101, 4],
  ], L10);
  assert.deepEqual(marks, [90, 90, 90, 91]);
  assert.equal(state.partitions.get(0)?.maxEventTime, 101);
});

Deno.test("a silent partition holds the watermark at −∞ until the idle timeout since its assignment, not a ms sooner", () => {
  const options = { allowedLatenessMs: 0, idleTimeoutMs: 1000 };
  let s = initialWatermarks([0, 1], 500);
  s = observeRecord(s, { partition: 0, eventTime: 200, now: 600 }, options);
  assert.equal(s.watermark, -Infinity);
  assert.equal(advance(s, 1499, options).watermark, -Infinity);
  assert.equal(isIdle(s.partitions.get(1)!, 1499, options), false);
  assert.equal(isIdle(s.partitions.get(1)!, 1500, options), true);
  assert.equal(advance(s, 1500, options).watermark, 200);
});

Deno.test("an idle partition rejoins with its next record without pulling the watermark back", () => {
  const options = { allowedLatenessMs: 0, idleTimeoutMs: 100 };
  let s = initialWatermarks([0, 1], 0);
  s = observeRecord(s, { partition: 1, eventTime: 50, now: 0 }, options);
  s = observeRecord(s, { partition: 0, eventTime: 300, now: 150 }, options);
  assert.equal(s.watermark, 300, "partition 1 idle since 0");
  s = observeRecord(s, { partition: 1, eventTime: 60, now: 160 }, options);
  assert.equal(s.watermark, 300, "never decreases");
  s = observeRecord(s, { partition: 0, eventTime: 400, now: 170 }, options);
  assert.equal(s.watermark, 300, "partition 1 (at 60) holds it again");
  s = observeRecord(s, { partition: 1, eventTime: 350, now: 180 }, options);
  assert.equal(s.watermark, 350);
});

Deno.test("a malformed record (no event time) still counts as activity", () => {
  const options = { allowedLatenessMs: 0, idleTimeoutMs: 100 };
  let s = initialWatermarks([0, 1], 0);
  s = observeRecord(s, { partition: 0, eventTime: 500, now: 0 }, options);
  s = observeRecord(s, { partition: 1, eventTime: 10, now: 0 }, options);
  s = observeRecord(s, { partition: 1, eventTime: undefined, now: 90 }, options);
  assert.equal(advance(s, 150, options).watermark, 10, "partition 1 was active at 90");
  assert.equal(advance(s, 190, options).watermark, 500);
});

Deno.test("when every partition is idle the watermark moves to the greatest partition watermark", () => {
  const options = { allowedLatenessMs: 5, idleTimeoutMs: 100 };
  let s = initialWatermarks([0, 1, 2], 0);
  s = observeRecord(s, { partition: 0, eventTime: 40, now: 10 }, options);
  s = observeRecord(s, { partition: 1, eventTime: 70, now: 0 }, options);
  assert.equal(candidateWatermark(s, 99, options), -Infinity, "silent partition 2 holds it until 100");
  assert.equal(candidateWatermark(s, 100, options), 35, "1 and 2 idle: only 0 is active");
  assert.equal(candidateWatermark(s, 109, options), 35);
  assert.equal(candidateWatermark(s, 110, options), 65, "all idle: the greatest");
  assert.equal(candidateWatermark(initialWatermarks([], 0), 0, options), -Infinity);
});

Deno.test("assignPartitions drops revoked partitions, keeps the progress of kept ones, starts new ones silent", () => {
  const options = { allowedLatenessMs: 0 };
  let s = initialWatermarks([0, 1], 0);
  s = observeRecord(s, { partition: 0, eventTime: 100, now: 1 }, options);
  s = observeRecord(s, { partition: 1, eventTime: 20, now: 2 }, options);
  assert.equal(s.watermark, 20);
  s = advance(assignPartitions(s, [0, 2], 3), 3, options);
  assert.deepEqual([...s.partitions.keys()], [0, 2]);
  assert.equal(s.partitions.get(0)?.maxEventTime, 100);
  assert.deepEqual(s.partitions.get(2), { maxEventTime: -Infinity, lastActivity: 3 });
  assert.equal(s.watermark, 20, "partition 2 has no events: the watermark waits, and keeps its value");
  s = observeRecord(s, { partition: 2, eventTime: 90, now: 4 }, options);
  assert.equal(s.watermark, 90);
  assert.throws(() => assignPartitions(s, [-1], 5), RangeError);
});

Deno.test("records from an unknown partition assign it; the end of input makes the watermark +∞", () => {
  let s = initialWatermarks([], 0);
  s = observeRecord(s, { partition: 3, eventTime: 7, now: 1 }, L10);
  assert.deepEqual([...s.partitions.keys()], [3]);
  assert.equal(s.watermark, -3);
  assert.equal(endOfInput(s).watermark, Infinity);
});

Deno.test("watermark options are checked once", () => {
  assert.throws(() => validateWatermarkOptions({ allowedLatenessMs: -1 }), RangeError);
  assert.throws(() => validateWatermarkOptions({ allowedLatenessMs: Infinity }), RangeError);
  assert.throws(() => validateWatermarkOptions({ allowedLatenessMs: 0, idleTimeoutMs: 0 }), RangeError);
  validateWatermarkOptions({ allowedLatenessMs: 0, idleTimeoutMs: Infinity });
});
