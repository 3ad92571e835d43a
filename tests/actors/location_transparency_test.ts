import assert from "node:assert/strict";
import { ActorSystem } from "../../actors/system.ts";
import { RemoteNode } from "../../actors/remote.ts";
import type { ActorRef } from "../../actors/actor_ref.ts";
import { createMemoryPair } from "../../cluster/transport/memory.ts";
import { connectWorker } from "../../cluster/transport/worker.ts";
import { dialWebSocket, listenWebSocket } from "../../cluster/transport/websocket.ts";
import { counterBehavior, type CounterMsg, decodeCounterMsg } from "./fixtures/counter.ts";

/**
 * Ask timeouts bound a hung test, not latency: the first ask to a Worker includes loading its
 * module graph, which took over 5 s on a loaded 2-core machine.
 */
const ASK = { timeout: 60_000 };

/** The same assertions, whatever is behind the ref. */
async function exercise(ref: ActorRef<CounterMsg, unknown>) {
  ref.tell({ type: "add", n: 2 });
  await ref.send({ type: "add", n: 40 });
  assert.equal(await ref.ask({ type: "get" }, ASK), 42);
  const bytes = new Uint8Array(1 << 20).map((_, i) => i % 251);
  const reply = await ref.ask({ type: "echo", payload: bytes }, ASK) as {
    payload: Uint8Array;
  };
  assert.equal(reply.payload.length, 1 << 20);
  assert.equal(reply.payload[0], ((1 << 20) - 1) % 251);
}

Deno.test("ActorRef works the same for an actor in this isolate", async () => {
  await using system = new ActorSystem();
  await exercise(system.spawn(counterBehavior));
});

Deno.test("ActorRef works the same for an actor across an in-memory connection", async () => {
  await using system = new ActorSystem();
  const [a, b] = createMemoryPair();
  await using server = new RemoteNode({ connection: b });
  server.expose("counter", system.spawn(counterBehavior), { decode: decodeCounterMsg });
  await using client = new RemoteNode({ connection: a });
  await exercise(client.ref<CounterMsg>("counter"));
});

Deno.test("ActorRef works the same for an actor in a Web Worker", async () => {
  const worker = new Worker(new URL("./fixtures/counter_worker.ts", import.meta.url), { type: "module" });
  const conn = connectWorker(worker, { name: "counter" });
  try {
    await using client = new RemoteNode({ connection: conn });
    await exercise(client.ref<CounterMsg>("counter"));
  } finally {
    await conn.terminate();
  }
});

Deno.test("ActorRef works the same for an actor behind a WebSocket", async () => {
  await using system = new ActorSystem();
  await using listener = listenWebSocket({ port: 0 });
  const dialing = dialWebSocket(listener.address);
  const serverConn = (await listener.accept())!;
  await using server = new RemoteNode({ connection: serverConn });
  server.expose("counter", system.spawn(counterBehavior), { decode: decodeCounterMsg });
  await using client = new RemoteNode({ connection: await dialing });
  await exercise(client.ref<CounterMsg>("counter"));
});
