import assert from "node:assert/strict";
import { PeerUnavailableError } from "../../../actors/errors.ts";
import { startWorkerPeer } from "../fixtures/worker_peer_proxy.ts";
import { bytes, transportContract } from "./transport_contract.ts";

transportContract("worker", (limits) => {
  const peer = startWorkerPeer(limits);
  return Promise.resolve({
    a: peer.a,
    b: peer.b,
    cleanup: async () => {
      await peer.b.close();
      await peer.cleanup();
    },
  });
});

Deno.test("worker: a sent payload buffer is transferred (detached), not cloned", async () => {
  const peer = startWorkerPeer({});
  try {
    const payload = bytes(1 << 20, 3);
    await peer.a.send({ header: "whole", payload });
    assert.equal(payload.buffer.byteLength, 0, "sender's buffer is detached after send");
    assert.deepEqual((await peer.b.receive())?.payload, bytes(1 << 20, 3));
  } finally {
    await peer.cleanup();
  }
});

Deno.test("worker: a view over a larger buffer is copied once and the original left intact", async () => {
  const peer = startWorkerPeer({});
  try {
    const backing = bytes(1000, 4);
    await peer.a.send({ header: "view", payload: backing.subarray(100, 300) });
    assert.equal(backing.buffer.byteLength, 1000, "the larger buffer is not detached");
    assert.deepEqual((await peer.b.receive())?.payload, bytes(1000, 4).subarray(100, 300));
  } finally {
    await peer.cleanup();
  }
});

Deno.test("worker: an uncaught error in the worker closes the connection and rejects pending sends", async () => {
  const peer = startWorkerPeer({ window: 1 });
  try {
    await peer.a.send({ header: "fills the window" });
    const blocked = peer.a.send({ header: "blocked" });
    peer.b.crash("boom in worker");
    await assert.rejects(blocked, PeerUnavailableError);
    assert.match(await peer.a.closed, /boom in worker/);
  } finally {
    await peer.cleanup();
  }
});

Deno.test("worker: terminate() closes the connection and settles pending operations", async () => {
  const peer = startWorkerPeer({});
  const receiving = peer.a.receive();
  await peer.a.terminate("shutting down");
  assert.equal(await receiving, undefined);
  assert.equal(await peer.a.closed, "shutting down");
  await assert.rejects(peer.a.send({ header: 1 }), PeerUnavailableError);
  await peer.cleanup();
});
