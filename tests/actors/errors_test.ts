import assert from "node:assert/strict";
import {
  AbortedError,
  errorFromWire,
  errorToWire,
  EscalationError,
  FrontierError,
  MailboxFullError,
  MalformedMessageError,
  MAX_CAUSE_DEPTH,
  PeerUnavailableError,
  registerErrors,
  StoppedError,
  TimeoutError,
  type WireError,
} from "../../actors/errors.ts";

/** Serializes through JSON, as every transport does. */
function overTheWire(e: unknown): Error {
  return errorFromWire(JSON.parse(JSON.stringify(errorToWire(e))) as WireError);
}

const ACTOR_ERRORS = [
  MailboxFullError,
  PeerUnavailableError,
  MalformedMessageError,
  TimeoutError,
  AbortedError,
  StoppedError,
  EscalationError,
];

Deno.test("every actor error crosses the wire as the same class with its data and cause", () => {
  for (const Ctor of ACTOR_ERRORS) {
    const cause = new TimeoutError("inner", { data: { ms: 5 } });
    const back = overTheWire(new Ctor("outer", { data: { who: "a", n: [1, null] }, cause }));
    assert.ok(back instanceof Ctor, `${Ctor.name} came back as ${back.constructor.name}`);
    assert.equal(back.name, Ctor.name);
    assert.equal(back.message, "outer");
    assert.deepEqual(back.data, { who: "a", n: [1, null] });
    assert.ok(back.cause instanceof TimeoutError);
    assert.deepEqual([back.cause.message, back.cause.data], ["inner", { ms: 5 }]);
  }
});

Deno.test("deterministic is a class property that travels: MalformedMessageError is, the others are not", () => {
  assert.deepEqual(
    ACTOR_ERRORS.filter((C) => new C("x").deterministic).map((C) => C.name),
    ["MalformedMessageError"],
  );
  assert.equal(errorToWire(new MalformedMessageError("x")).deterministic, true);
  assert.equal(errorToWire(new TimeoutError("x")).deterministic, undefined);
  assert.equal((overTheWire(new MalformedMessageError("x")) as FrontierError).deterministic, true);
  // An instance may override its class, and the override travels too.
  const once = new TimeoutError("x", { deterministic: true });
  assert.equal((overTheWire(once) as FrontierError).deterministic, true);
});

Deno.test("a class registered by another layer is rebuilt as itself, with its determinism", () => {
  class QuotaExceededError extends FrontierError {
    static override readonly deterministic = true;
    override name = "QuotaExceededError";
  }
  const before = overTheWire(new QuotaExceededError("over"));
  assert.ok(!(before instanceof QuotaExceededError) && before.name === "QuotaExceededError");
  registerErrors(QuotaExceededError);
  registerErrors(QuotaExceededError); // again: a no-op
  const back = overTheWire(new QuotaExceededError("over", { data: { limit: 3 } }));
  assert.ok(back instanceof QuotaExceededError);
  assert.equal(back.deterministic, true);
  assert.deepEqual(back.data, { limit: 3 });
  class Impostor extends FrontierError {
    override name = "QuotaExceededError";
  }
  assert.throws(() => registerErrors(Impostor), TypeError);
});

Deno.test("built-in errors come back as built-ins with their cause; unknown names keep their name", () => {
  const back = overTheWire(new RangeError("out", { cause: new TypeError("why") }));
  assert.ok(back instanceof RangeError);
  assert.ok(back.cause instanceof TypeError && back.cause.message === "why");
  const odd = errorFromWire({ name: "toString", message: "m", data: {} });
  assert.equal(odd.name, "toString");
  assert.equal(odd.constructor, Error);
  assert.deepEqual(errorToWire("plain"), { name: "Error", message: "plain", data: {} });
});

Deno.test("a cause chain longer than MAX_CAUSE_DEPTH is cut, not sent whole", () => {
  let e: Error = new TimeoutError("0");
  for (let i = 1; i <= 20; i++) e = new StoppedError(String(i), { cause: e });
  let wire: WireError | undefined = errorToWire(e);
  let depth = 0;
  while (wire.cause !== undefined) {
    wire = wire.cause;
    depth++;
  }
  assert.equal(depth, MAX_CAUSE_DEPTH);
});
