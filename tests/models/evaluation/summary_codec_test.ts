import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../actors/errors.ts";
import {
  decodeSummary,
  emptySummary,
  encodeSummary,
  type ScoreSummary,
  summarizeScores,
} from "../../../models/evaluation/mod.ts";
import { asInput, randomRows } from "./oracle.ts";

const unweighted = randomRows({ n: 400, seed: 41, grid: 100 });
const weighted = randomRows({ n: 400, seed: 42, grid: 100, weights: "decimal" });

Deno.test("encodeSummary round-trips every mode in the documented number of bytes", () => {
  const cases: [string, ScoreSummary, (d: number) => number][] = [
    ["exact", summarizeScores(asInput(unweighted)), (d) => 64 + 24 * d],
    ["exact weighted", summarizeScores(asInput(weighted)), (d) => 64 + 40 * d],
    ["binned", summarizeScores(asInput(unweighted), { bins: 30 }), (d) => 1152 + 40 * d],
    ["binned weighted", summarizeScores(asInput(weighted), { bins: 30, eps: 1e-9 }), (d) => 1152 + 56 * d],
    ["empty", emptySummary(), () => 64],
  ];
  for (const [name, summary, size] of cases) {
    const bytes = encodeSummary(summary);
    assert.equal(bytes.byteLength, size(summary.keys.length), name);
    assert.deepEqual(decodeSummary(bytes), summary, name);
    // A view at an odd offset inside a larger buffer decodes the same.
    const shifted = new Uint8Array(bytes.byteLength + 3);
    shifted.set(bytes, 3);
    assert.deepEqual(decodeSummary(shifted.subarray(3)), summary, `${name} at offset 3`);
  }
});

/** The bytes of a small exact summary with one byte range overwritten. */
function tampered(at: number, patch: (view: DataView) => void, summary = summarizeScores(asInput(weighted))) {
  const bytes = encodeSummary(summary);
  patch(new DataView(bytes.buffer, at));
  return bytes;
}

Deno.test("decodeSummary rejects malformed bytes with a MalformedMessageError that says why", () => {
  const d = summarizeScores(asInput(weighted)).keys.length;
  const keys = 64, posHi = 64 + 8 * d;
  const bad: [string, unknown, RegExp][] = [
    ["not bytes", [1, 2, 3], /expected a Uint8Array/],
    ["short", new Uint8Array(10), /shorter than the header/],
    ["magic", tampered(0, (v) => v.setUint8(0, 0)), /bad magic/],
    ["version", tampered(4, (v) => v.setUint8(0, 2)), /unsupported version 2 \(this build reads 1\)/],
    ["flags", tampered(6, (v) => v.setUint8(0, 4)), /bad mode or flags/],
    ["truncated", encodeSummary(summarizeScores(asInput(weighted))).subarray(0, 200), /do not hold/],
    ["eps", tampered(16, (v) => v.setFloat64(0, 0.7, true)), /"eps" must be in/],
    ["unsorted keys", tampered(keys, (v) => v.setFloat64(0, 0.99, true)), /keys not strictly ascending/],
    ["negative weight", tampered(posHi, (v) => v.setFloat64(0, -1, true)), /bad weights/],
    ["range", tampered(32, (v) => v.setFloat64(0, -1, true)), /score range does not match the keys/],
    ["rows", tampered(24, (v) => v.setFloat64(0, 1.5, true)), /rows for/],
  ];
  const binned = summarizeScores(asInput(weighted), { bins: 30 });
  const bd = binned.keys.length;
  bad.push(
    [
      "bin out of range",
      tampered(1152, (v) => v.setFloat64(8 * (bd - 1), 30, true), binned),
      /bin 30 out of range/,
    ],
    [
      "exact-sum state",
      tampered(64, (v) => v.setFloat64(0, 0.5, true), binned),
      /bad log-loss or Brier totals/,
    ],
  );
  for (const [name, input, message] of bad) {
    assert.throws(() => decodeSummary(input), (e: unknown) => {
      assert.ok(e instanceof MalformedMessageError, name);
      assert.match(e.message, message, name);
      return true;
    });
  }
});
