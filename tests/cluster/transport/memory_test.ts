import assert from "node:assert/strict";
import { flushMicrotasks } from "../../../actors/clock.ts";
import { createMemoryPair } from "../../../cluster/transport/memory.ts";
import { transportContract } from "./transport_contract.ts";

transportContract("memory", (limits) => {
  const [a, b] = createMemoryPair(limits);
  return Promise.resolve({
    a,
    b,
    cleanup: async () => {
      await a.close();
      await b.close();
    },
  });
});

Deno.test("memory: a sender with no credit stays pending across many microtask turns", async () => {
  const [a, b] = createMemoryPair({ window: 2 });
  await a.send({ header: 0 });
  await a.send({ header: 1 });
  let sent = false;
  const third = a.send({ header: 2 }).then(() => sent = true);
  await flushMicrotasks(200);
  assert.equal(sent, false);
  assert.equal((await b.receive())?.header, 0);
  await third;
  assert.equal(sent, true);
  await a.close();
});
