import assert from "node:assert/strict";
import { FakeClock } from "../../../actors/clock.ts";
import { PhiAccrualDetector, phiOf } from "../../../cluster/driver/failure_detector.ts";

/** Sends heartbeats for `id` at the given intervals (the first beat at the current time). */
function beat(clock: FakeClock, detector: PhiAccrualDetector, id: string, intervals: number[]): void {
  detector.heartbeat(id);
  for (const ms of intervals) {
    clock.advance(ms);
    detector.heartbeat(id);
  }
}

/** Advances in 10 ms steps until `id` becomes unavailable; returns the silence at that point. */
function silenceUntilUnavailable(clock: FakeClock, detector: PhiAccrualDetector, id: string): number {
  for (let silence = 0; silence <= 60_000; silence += 10) {
    if (!detector.isAvailable(id)) return silence;
    clock.advance(10);
  }
  throw new Error("never became unavailable");
}

Deno.test("phi accrual: steady 1 s heartbeats keep phi low and the id available", () => {
  const clock = new FakeClock();
  const detector = new PhiAccrualDetector({ clock, hardTimeoutMs: 10_000 });
  beat(clock, detector, "e-1", Array(30).fill(1000));
  assert.equal(detector.phi("e-1"), 0);
  clock.advance(1000);
  assert.ok(detector.phi("e-1") < 1, `phi at the usual interval is ${detector.phi("e-1")}`);
  assert.ok(detector.isAvailable("e-1"));
});

Deno.test("phi accrual: silence after steady heartbeats crosses threshold 8 about 5σ past the mean", () => {
  const clock = new FakeClock();
  const detector = new PhiAccrualDetector({ clock, hardTimeoutMs: 10_000, minStdDevMs: 50 });
  beat(clock, detector, "e-1", Array(30).fill(1000));
  const silence = silenceUntilUnavailable(clock, detector, "e-1");
  // mean 1000 ms, σ floored at 50 ms: phi = 8 near y ≈ 5.2, i.e. ~1260 ms.
  assert.ok(silence >= 1200 && silence <= 1350, `became unavailable after ${silence} ms`);
  assert.ok(detector.phi("e-1") >= 8);
});

Deno.test("phi accrual: the hard timeout trips even when high variance keeps phi low", () => {
  const clock = new FakeClock();
  const detector = new PhiAccrualDetector({ clock, hardTimeoutMs: 4000 });
  beat(clock, detector, "flaky", Array.from({ length: 40 }, (_, i) => i % 2 === 0 ? 200 : 6000));
  clock.advance(3990);
  assert.ok(detector.isAvailable("flaky"));
  clock.advance(10);
  assert.ok(detector.phi("flaky") < 2, `phi is only ${detector.phi("flaky")}`);
  assert.equal(detector.isAvailable("flaky"), false);
});

Deno.test("phi accrual: an acceptable heartbeat pause delays suspicion by that much", () => {
  const clock = new FakeClock();
  const strict = new PhiAccrualDetector({ clock, hardTimeoutMs: 60_000 });
  const lenient = new PhiAccrualDetector({ clock, hardTimeoutMs: 60_000, acceptableHeartbeatPauseMs: 3000 });
  for (const d of [strict, lenient]) d.heartbeat("e");
  for (let i = 0; i < 20; i++) {
    clock.advance(1000);
    for (const d of [strict, lenient]) d.heartbeat("e");
  }
  clock.advance(2000);
  assert.equal(strict.isAvailable("e"), false);
  assert.equal(lenient.isAvailable("e"), true);
  clock.advance(1900);
  assert.equal(lenient.isAvailable("e"), true, "3.9 s of silence is within mean + pause");
  clock.advance(700);
  assert.equal(lenient.isAvailable("e"), false, "4.6 s is well past mean + pause");
});

Deno.test("phi accrual: before a second heartbeat the first-heartbeat estimate is the expected interval", () => {
  const clock = new FakeClock();
  const slow = new PhiAccrualDetector({ clock, hardTimeoutMs: 60_000, firstHeartbeatEstimateMs: 1000 });
  const fast = new PhiAccrualDetector({ clock, hardTimeoutMs: 60_000, firstHeartbeatEstimateMs: 100 });
  slow.heartbeat("e");
  fast.heartbeat("e");
  clock.advance(900);
  assert.equal(slow.isAvailable("e"), true);
  assert.equal(fast.isAvailable("e"), false);
  clock.advance(2100);
  assert.equal(slow.isAvailable("e"), false);
});

Deno.test("phi accrual: the sample window is bounded by maxSamples, so the model follows a new rhythm", () => {
  const clock = new FakeClock();
  const windowed = new PhiAccrualDetector({ clock, hardTimeoutMs: 60_000, maxSamples: 50 });
  const unbounded = new PhiAccrualDetector({ clock, hardTimeoutMs: 60_000, maxSamples: 10_000 });
  const intervals = [...Array(100).fill(1000), ...Array(100).fill(200)];
  for (const d of [windowed, unbounded]) d.heartbeat("e");
  for (const ms of intervals) {
    clock.advance(ms);
    for (const d of [windowed, unbounded]) d.heartbeat("e");
  }
  clock.advance(500);
  assert.equal(windowed.isAvailable("e"), false, "only the recent 200 ms rhythm is remembered");
  assert.equal(unbounded.isAvailable("e"), true, "the old 1 s intervals still widen the model");
});

Deno.test("phi accrual: unknown and removed ids are unavailable with infinite phi", () => {
  const clock = new FakeClock();
  const detector = new PhiAccrualDetector({ clock, hardTimeoutMs: 1000 });
  assert.equal(detector.phi("ghost"), Infinity);
  assert.equal(detector.isAvailable("ghost"), false);
  detector.heartbeat("e-1");
  assert.deepEqual(detector.ids(), ["e-1"]);
  assert.equal(detector.silenceMs("e-1"), 0);
  detector.remove("e-1");
  assert.equal(detector.isAvailable("e-1"), false);
  assert.equal(detector.silenceMs("e-1"), undefined);
});

Deno.test("phi accrual: phiOf is monotone in elapsed time and about 0.3 at the mean", () => {
  assert.ok(Math.abs(phiOf(1000, 1000, 100) - Math.log10(2)) < 1e-9);
  let previous = -1;
  for (let t = 0; t <= 3000; t += 50) {
    const phi = phiOf(t, 1000, 100);
    assert.ok(phi >= previous, `phi decreased at ${t}`);
    previous = phi;
  }
  assert.equal(phiOf(1e9, 1000, 100), Infinity);
});

Deno.test("phi accrual: invalid options are rejected with RangeError", () => {
  const clock = new FakeClock();
  assert.throws(() => new PhiAccrualDetector({ clock, hardTimeoutMs: 0 }), RangeError);
  assert.throws(() => new PhiAccrualDetector({ clock, hardTimeoutMs: 1, threshold: -1 }), RangeError);
  assert.throws(() => new PhiAccrualDetector({ clock, hardTimeoutMs: 1, maxSamples: 0.5 }), RangeError);
  assert.throws(
    () => new PhiAccrualDetector({ clock, hardTimeoutMs: 1, acceptableHeartbeatPauseMs: -5 }),
    RangeError,
  );
});
