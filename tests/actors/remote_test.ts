import assert from "node:assert/strict";
import { FakeClock, flushMicrotasks } from "../../actors/clock.ts";
import {
  MailboxFullError,
  MalformedMessageError,
  PeerUnavailableError,
  TimeoutError,
} from "../../actors/errors.ts";
import { SchemaError } from "../../cluster/errors.ts";
import { RemoteNode } from "../../actors/remote.ts";
import { ActorSystem, type Behavior } from "../../actors/system.ts";
import { createMemoryPair } from "../../cluster/transport/memory.ts";
import type { Frame } from "../../actors/connection.ts";

type StoreMsg =
  | { type: "put"; key: string; payload: Uint8Array }
  | { type: "get"; key: string }
  | { type: "fail"; kind: "schema" | "type" };

function decodeStoreMsg(u: unknown): StoreMsg {
  const m = u as Record<string, unknown>;
  if (typeof u !== "object" || u === null || typeof m.type !== "string") {
    throw new MalformedMessageError("store message must be an object with a type");
  }
  if (m.type === "put" && typeof m.key === "string" && m.payload instanceof Uint8Array) {
    return { type: "put", key: m.key, payload: m.payload };
  }
  if (m.type === "get" && typeof m.key === "string") return { type: "get", key: m.key };
  if (m.type === "fail" && (m.kind === "schema" || m.kind === "type")) return { type: "fail", kind: m.kind };
  throw new MalformedMessageError(`unknown store message ${JSON.stringify(m.type)}`);
}

const store: Behavior<StoreMsg, Map<string, Uint8Array>, { key: string; payload: Uint8Array } | undefined> = {
  init: () => new Map(),
  receive: (map, msg, ctx) => {
    switch (msg.type) {
      case "put":
        return new Map(map).set(msg.key, msg.payload);
      case "get": {
        const payload = map.get(msg.key);
        ctx.reply(payload && { key: msg.key, payload });
        return map;
      }
      case "fail":
        if (msg.kind === "schema") throw new SchemaError("column x is missing", { data: { column: "x" } });
        throw new TypeError("not a store");
    }
  },
};

/** A server node exposing `store` on one end of a memory pair; the other end is returned raw. */
function serve(clock: FakeClock, system: ActorSystem) {
  const [a, b] = createMemoryPair();
  const server = new RemoteNode({ connection: a, clock });
  server.expose("store", system.spawn(store, { name: "store", supervision: { minBackoffMs: 0 } }), {
    decode: decodeStoreMsg,
  });
  return { server, peer: b };
}

async function nextHeader(peer: { receive(): Promise<Frame | undefined> }): Promise<Record<string, unknown>> {
  const frame = await peer.receive();
  assert.ok(frame, "expected a frame");
  return frame.header as Record<string, unknown>;
}

Deno.test("RemoteNode: tell and ask round-trip to an exposed actor, with payload bytes restored", async () => {
  const clock = new FakeClock();
  await using system = new ActorSystem({ clock });
  const { server, peer } = serve(clock, system);
  await using _server = server;
  await using client = new RemoteNode({ connection: peer, clock });
  const remote = client.ref<StoreMsg>("store");
  remote.tell({ type: "put", key: "k", payload: new Uint8Array([1, 2, 3]) });
  await remote.send({ type: "put", key: "j", payload: new Uint8Array([9]) });
  assert.deepEqual(await remote.ask({ type: "get", key: "k" }), {
    key: "k",
    payload: new Uint8Array([1, 2, 3]),
  });
  assert.deepEqual(await remote.ask({ type: "get", key: "j" }), { key: "j", payload: new Uint8Array([9]) });
  assert.equal(await remote.ask({ type: "get", key: "missing" }), undefined);
  assert.equal(client.pendingAsks, 0);
  assert.equal(clock.pending, 0);
});

Deno.test("RemoteNode moves a top-level payload to the frame payload, outside the JSON header", async () => {
  const [a, b] = createMemoryPair();
  await using client = new RemoteNode({ connection: b, clock: new FakeClock() });
  client.ref<{ type: string; payload: Uint8Array }>("x").tell({
    type: "put",
    payload: new Uint8Array([7, 8]),
  });
  const frame = await a.receive();
  assert.deepEqual(frame?.header, { v: 1, type: "actor.tell", to: "x", body: { type: "put" }, bytes: true });
  assert.deepEqual(frame?.payload, new Uint8Array([7, 8]));
  await a.close();
});

Deno.test("RemoteNode answers malformed input with a typed error reply and counts it, without crashing", async () => {
  const clock = new FakeClock();
  await using system = new ActorSystem({ clock });
  const { server, peer } = serve(clock, system);
  await using _server = server;
  await peer.send({ header: { v: 1, type: "actor.ask", id: 7, to: "store", body: { type: "nope" } } });
  const badBody = await nextHeader(peer);
  assert.equal(badBody.id, 7);
  assert.equal(badBody.ok, false);
  assert.equal((badBody.error as { name: string }).name, "MalformedMessageError");

  await peer.send({ header: { v: 1, type: "actor.ask", id: "eight", to: "store", body: {} } });
  await peer.send({ header: "not an object" });
  await peer.send({ header: { v: 2, type: "actor.tell", to: "store", body: {} } });
  await peer.send({ header: { v: 1, type: "actor.tell", to: "store", body: { type: "put", key: 1 } } });
  await peer.send({ header: { v: 1, type: "actor.ask", id: 9, to: "nobody", body: {} } });
  const unknownActor = await nextHeader(peer); // the malformed frames got no reply: this is the next one
  assert.equal(unknownActor.id, 9);
  assert.equal((unknownActor.error as { name: string }).name, "PeerUnavailableError");
  assert.equal(server.stats.malformed, 5);

  await peer.send({
    header: { v: 1, type: "actor.ask", id: 10, to: "store", body: { type: "get", key: "k" } },
  });
  const stillServing = await nextHeader(peer);
  assert.deepEqual(stillServing, { v: 1, type: "actor.reply", id: 10, ok: true });
  await peer.close();
});

Deno.test("RemoteNode: a handler's error comes back as the same named class", async () => {
  const clock = new FakeClock();
  await using system = new ActorSystem({ clock });
  const { server, peer } = serve(clock, system);
  await using _server = server;
  await using client = new RemoteNode({ connection: peer, clock });
  const remote = client.ref<StoreMsg>("store");
  await assert.rejects(
    remote.ask({ type: "fail", kind: "schema" }),
    (e) => e instanceof SchemaError && e.message === "column x is missing" && e.data.column === "x",
  );
  await assert.rejects(remote.ask({ type: "fail", kind: "type" }), (e) => e instanceof TypeError);
});

Deno.test("RemoteNode: connection close rejects pending asks with PeerUnavailableError", async () => {
  const [a, b] = createMemoryPair();
  await using client = new RemoteNode({ connection: b, clock: new FakeClock() });
  const remote = client.ref<string>("silent");
  const pending = [remote.ask("one"), remote.ask("two")];
  await nextHeader(a);
  assert.equal(client.pendingAsks, 2);
  await a.close();
  for (const ask of pending) await assert.rejects(ask, PeerUnavailableError);
  assert.equal(client.pendingAsks, 0);
  assert.throws(() => remote.tell("late"), PeerUnavailableError);
  await assert.rejects(remote.ask("late"), PeerUnavailableError);
});

Deno.test("RemoteNode.close rejects its own pending asks with PeerUnavailableError", async () => {
  const [a, b] = createMemoryPair();
  const client = new RemoteNode({ connection: b, clock: new FakeClock() });
  const ask = client.ref<string>("silent").ask("hello");
  await client.close();
  await assert.rejects(ask, PeerUnavailableError);
  assert.equal(await a.receive(), undefined);
});

Deno.test("RemoteNode: an ask times out with TimeoutError on the injected clock; the late reply is ignored", async () => {
  const clock = new FakeClock();
  const [a, b] = createMemoryPair();
  await using client = new RemoteNode({ connection: b, clock });
  const ask = client.ref<string>("slow").ask("hi", { timeout: 100 });
  const header = await nextHeader(a);
  assert.deepEqual(header, { v: 1, type: "actor.ask", id: 1, to: "slow", body: "hi", timeoutMs: 100 });
  await clock.tick(100);
  await assert.rejects(ask, TimeoutError);
  await a.send({ header: { v: 1, type: "actor.reply", id: 1, ok: true, value: "too late" } });
  await flushMicrotasks(50);
  assert.equal(client.pendingAsks, 0);
  assert.equal(client.stats.malformed, 0);
  assert.equal(clock.pending, 0);
  await a.close();
});

Deno.test("RemoteNode bounds pending asks: past maxPendingAsks an ask rejects with MailboxFullError", async () => {
  const [a, b] = createMemoryPair();
  await using client = new RemoteNode({ connection: b, clock: new FakeClock() }, { maxPendingAsks: 2 });
  const remote = client.ref<string>("silent");
  const pending = [remote.ask("1"), remote.ask("2")];
  await assert.rejects(remote.ask("3"), MailboxFullError);
  await a.close();
  for (const ask of pending) await assert.rejects(ask, PeerUnavailableError);
});

Deno.test("RemoteNode: decodeReply rejects a reply that does not decode", async () => {
  const [a, b] = createMemoryPair();
  await using client = new RemoteNode({ connection: b, clock: new FakeClock() });
  const remote = client.ref<string, number>("n", {
    decodeReply: (u) => {
      if (typeof u !== "number") throw new MalformedMessageError("reply must be a number");
      return u;
    },
  });
  const ask = remote.ask("x");
  const { id } = await nextHeader(a);
  await a.send({ header: { v: 1, type: "actor.reply", id, ok: true, value: "not a number" } });
  await assert.rejects(ask, MalformedMessageError);
  assert.equal(client.stats.malformed, 1);
  await a.close();
});

Deno.test("RemoteNode counts tells it cannot deliver as dropped", async () => {
  const clock = new FakeClock();
  await using system = new ActorSystem({ clock });
  const { server, peer } = serve(clock, system);
  await using _server = server;
  await peer.send({ header: { v: 1, type: "actor.tell", to: "nobody", body: {} } });
  await peer.send({ header: { v: 1, type: "actor.tell", to: "store", body: { type: "get", key: "k" } } });
  await flushMicrotasks(50);
  assert.equal(server.stats.dropped, 1);
  assert.equal(server.stats.malformed, 0);
  await peer.close();
});
