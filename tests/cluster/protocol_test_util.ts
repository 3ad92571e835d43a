/**
 * Shared by the protocol tests: a trip through JSON, and the assertion that a decoder rejects a
 * value with a MalformedMessageError naming what is wrong.
 *
 * @module
 */
import assert from "node:assert/strict";

/** What the message looks like after a trip through JSON, as on a byte transport. */
export function wire(u: unknown): unknown {
  return JSON.parse(JSON.stringify(u));
}

/** Asserts `fn` throws MalformedMessageError whose message names `what`. */
export function assertMalformed(fn: () => unknown, what: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, "MalformedMessageError");
    assert.match(e.message, what);
    return true;
  });
}
