import assert from "node:assert/strict";
import {
  assignWindows,
  KeyedWindows,
  overlaps,
  session,
  sliding,
  type SlidingWindows,
  tumbling,
  type TumblingWindows,
  validateWindowSpec,
} from "../../streaming/mod.ts";
import { decodeTestRecord, STATS, windowsContaining } from "./disorder.ts";
import { windowContract } from "./window_contract.ts";

windowContract("tumbling", tumbling(10));
windowContract("sliding", sliding(12, 4));
windowContract("session", session(6));

Deno.test("assignWindows gives every grid window that contains the time, by brute force, negative times included", () => {
  const specs: (TumblingWindows | SlidingWindows)[] = [
    tumbling(10),
    tumbling(7, { offsetMs: 3 }),
    sliding(12, 4),
    sliding(10, 3),
    sliding(5, 5),
    sliding(9, 2, { offsetMs: -1 }),
  ];
  for (const spec of specs) {
    for (let t = -40; t <= 40; t++) {
      const windows = assignWindows(spec, t);
      assert.deepEqual(windows, windowsContaining(spec, t), `${JSON.stringify(spec)} at ${t}`);
      for (const w of windows) assert.ok(w.start <= t && t < w.end);
    }
  }
  assert.equal(assignWindows(sliding(12, 4), 5).length, 3);
  assert.equal(assignWindows(sliding(10, 3), 5).length, 3);
  assert.deepEqual(assignWindows(session(6), 17), [{ start: 17, end: 23 }]);
});

Deno.test("window specs refuse sizes that are not positive integers and slides longer than the window", () => {
  assert.throws(() => tumbling(0), RangeError);
  assert.throws(() => tumbling(1.5), RangeError);
  assert.throws(() => tumbling(10, { offsetMs: 0.5 }), RangeError);
  assert.throws(() => sliding(10, 11), /must not exceed sizeMs/);
  assert.throws(() => sliding(10, 0), RangeError);
  assert.throws(() => session(-1), RangeError);
  assert.throws(() => validateWindowSpec({ kind: "hopping" } as never), TypeError);
});

Deno.test("overlaps treats windows as half-open", () => {
  assert.equal(overlaps({ start: 0, end: 10 }, { start: 10, end: 20 }), false);
  assert.equal(overlaps({ start: 0, end: 10 }, { start: 9, end: 20 }), true);
  assert.equal(overlaps({ start: 5, end: 6 }, { start: 0, end: 10 }), true);
});

function sessions(gapMs: number) {
  return new KeyedWindows({
    window: session(gapMs),
    allowedLatenessMs: 100,
    decode: decodeTestRecord,
    aggregate: STATS,
  });
}

function event(id: string, time: number, amount = 1, key = "a") {
  return { type: "record" as const, partition: 0, payload: { id, key, time, amount } };
}

Deno.test("session: an out-of-order event that bridges two sessions merges them into one pane", () => {
  const w = sessions(10);
  w.push({ time: 0, value: event("1", 0, 1) });
  w.push({ time: 1, value: event("2", 15, 2) });
  assert.equal(w.openPanes, 2);
  w.push({ time: 2, value: event("3", 8, 4) });
  assert.equal(w.openPanes, 1);
  const out = w.push({ time: 3, value: { type: "end" } });
  assert.deepEqual(out, [{
    time: 3,
    value: {
      type: "pane",
      key: "a",
      window: { start: 0, end: 25 },
      result: { count: 3, sum: 7, min: 1, max: 4 },
      events: 3,
    },
  }]);
});

Deno.test("session: events exactly gap apart start separate sessions; closer ones extend the session", () => {
  const w = sessions(10);
  w.push({ time: 0, value: event("1", 0) });
  w.push({ time: 1, value: event("2", 10) });
  w.push({ time: 2, value: event("3", 19) });
  const panes = w.push({ time: 3, value: { type: "end" } }).map((o) =>
    o.value.type === "pane" ? [o.value.window, o.value.events] : []
  );
  assert.deepEqual(panes, [[{ start: 0, end: 10 }, 1], [{ start: 10, end: 29 }, 2]]);
});

Deno.test("session: keys never merge with each other", () => {
  const w = sessions(10);
  w.push({ time: 0, value: event("1", 0, 1, "a") });
  w.push({ time: 1, value: event("2", 5, 1, "b") });
  assert.equal(w.openPanes, 2);
  const keys = w.push({ time: 2, value: { type: "end" } }).map((o) =>
    o.value.type === "pane" ? o.value.key : ""
  );
  assert.deepEqual(keys, ["a", "b"]);
});

Deno.test("KeyedWindows refuses processing time that goes backwards and input after end", () => {
  const w = sessions(10);
  w.push({ time: 5, value: { type: "tick" } });
  assert.throws(
    () => w.push({ time: 4, value: { type: "tick" } }),
    /processing time went backwards: 4 after 5/,
  );
  assert.throws(() => w.push({ time: Number.NaN, value: { type: "tick" } }), RangeError);
  w.push({ time: 6, value: { type: "end" } });
  assert.throws(() => w.push({ time: 7, value: { type: "tick" } }), /after "end"/);
  assert.throws(
    () =>
      new KeyedWindows({
        window: tumbling(5),
        allowedLatenessMs: -1,
        decode: decodeTestRecord,
        aggregate: STATS,
      }),
    /allowedLatenessMs/,
  );
  assert.throws(
    () =>
      new KeyedWindows({
        window: tumbling(5),
        allowedLatenessMs: 0,
        graceMs: -1,
        decode: decodeTestRecord,
        aggregate: STATS,
      }),
    /graceMs/,
  );
});
