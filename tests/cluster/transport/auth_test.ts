import assert from "node:assert/strict";
import { FakeClock } from "../../../actors/clock.ts";
import { PeerUnavailableError, TimeoutError } from "../../../actors/errors.ts";
import { AuthenticationError } from "../../../cluster/errors.ts";
import {
  authenticateClient,
  authenticateServer,
  decodeAuthMessage,
  MIN_SECRET_BYTES,
} from "../../../cluster/transport/auth.ts";
import type { Connection, Frame } from "../../../actors/connection.ts";
import { createMemoryPair } from "../../../cluster/transport/memory.ts";

const secret = new TextEncoder().encode("correct horse battery staple!");
const hello = { host: "node-b", pid: 4242, listen: "ws://127.0.0.1:4001" };

Deno.test("auth: client and server sharing the secret authenticate and exchange hello and welcome", async () => {
  const [client, server] = createMemoryPair();
  const [admitted, welcomed] = await Promise.all([
    authenticateServer(server, { secret, nodeId: "driver-1", timeoutMs: 5000, welcome: { epoch: 3 } }),
    authenticateClient(client, { secret, hello, timeoutMs: 5000 }),
  ]);
  assert.deepEqual(admitted, { hello });
  assert.deepEqual(welcomed, { nodeId: "driver-1", welcome: { epoch: 3 } });
  // The connection is still open and usable after the handshake.
  await client.send({ header: "app traffic" });
  assert.equal((await server.receive())?.header, "app traffic");
  await client.close();
});

Deno.test("auth: a wrong secret fails with AuthenticationError on both ends and the client hears why", async () => {
  const [client, server] = createMemoryPair();
  const wrong = new TextEncoder().encode("not the right secret at all");
  const [serverResult, clientResult] = await Promise.allSettled([
    authenticateServer(server, { secret, nodeId: "driver-1", timeoutMs: 5000 }),
    authenticateClient(client, { secret: wrong, hello, timeoutMs: 5000 }),
  ]);
  assert.equal(serverResult.status, "rejected");
  assert.ok(serverResult.reason instanceof AuthenticationError);
  assert.equal(clientResult.status, "rejected");
  assert.ok(clientResult.reason instanceof AuthenticationError);
  assert.match(clientResult.reason.message, /rejected by .*shared secret not proved/);
  assert.match(await server.closed, /authentication failed/);
  assert.match(await client.closed, /authentication failed|shared secret/);
});

/** Relays frames between two pairs and records every header it sees. */
function tap(): { client: Connection; server: Connection; seen: Frame[]; done: Promise<void> } {
  const [client, left] = createMemoryPair();
  const [right, server] = createMemoryPair();
  const seen: Frame[] = [];
  const pump = async (from: Connection, to: Connection) => {
    for (let f = await from.receive(); f !== undefined; f = await from.receive()) {
      seen.push(f);
      await to.send(f).catch(() => {});
    }
    await to.close();
  };
  return { client, server, seen, done: Promise.all([pump(left, right), pump(right, left)]).then(() => {}) };
}

Deno.test("auth: the secret never crosses the wire, only nonces and proofs", async () => {
  const wire = tap();
  await Promise.all([
    authenticateServer(wire.server, { secret, nodeId: "driver-1", timeoutMs: 5000 }),
    authenticateClient(wire.client, { secret, hello, timeoutMs: 5000 }),
  ]);
  await wire.client.close();
  await wire.done;
  const types = wire.seen.map((f) => decodeAuthMessage(f.header).type);
  assert.deepEqual(types, ["auth.challenge", "auth.challenge", "auth.response", "auth.ok"]);
  const everything = JSON.stringify(wire.seen.map((f) => f.header));
  const secretText = new TextDecoder().decode(secret);
  assert.ok(!everything.includes(secretText));
  assert.ok(!everything.includes(btoa(secretText)));
  assert.ok(wire.seen.every((f) => f.payload === undefined));
});

Deno.test("auth: a proof replayed into a new session is rejected", async () => {
  const wire = tap();
  await Promise.all([
    authenticateServer(wire.server, { secret, nodeId: "driver-1", timeoutMs: 5000 }),
    authenticateClient(wire.client, { secret, hello, timeoutMs: 5000 }),
  ]);
  await wire.client.close();
  await wire.done;
  const [attacker, server] = createMemoryPair();
  const admitting = authenticateServer(server, { secret, nodeId: "driver-1", timeoutMs: 5000 });
  await attacker.send(wire.seen[0]!); // the recorded client challenge
  await attacker.receive(); // a fresh server challenge with a new nonce
  await attacker.send(wire.seen[2]!); // the recorded proof
  await assert.rejects(admitting, AuthenticationError);
  assert.equal(decodeAuthMessage((await attacker.receive())?.header).type, "auth.reject");
});

Deno.test("auth: a server that cannot prove the secret is not trusted by the client", async () => {
  const [client, fake] = createMemoryPair();
  const joining = authenticateClient(client, { secret, hello, timeoutMs: 5000 });
  await fake.receive();
  await fake.send({
    header: { v: 1, type: "auth.challenge", nonce: btoa("n".repeat(32)), identity: "evil" },
  });
  await fake.receive();
  await fake.send({ header: { v: 1, type: "auth.ok", proof: btoa("p".repeat(32)), welcome: "null" } });
  await assert.rejects(joining, /server did not prove the shared secret/);
  assert.equal(decodeAuthMessage((await fake.receive())?.header).type, "auth.reject");
  assert.match(await client.closed, /authentication failed/);
});

Deno.test("auth: a malformed message makes the server reject with AuthenticationError", async () => {
  const [client, server] = createMemoryPair();
  const admitting = authenticateServer(server, { secret, nodeId: "driver-1", timeoutMs: 5000 });
  await client.send({ header: { v: 2, type: "auth.challenge" } });
  await assert.rejects(admitting, AuthenticationError);
  const reply = decodeAuthMessage((await client.receive())?.header);
  assert.equal(reply.type, "auth.reject");
  assert.equal(await client.receive(), undefined);
});

Deno.test("auth: a silent server makes the client fail with TimeoutError (fake clock)", async () => {
  const clock = new FakeClock();
  const [client, server] = createMemoryPair();
  const joining = authenticateClient(client, { secret, hello, timeoutMs: 2000, clock });
  await server.receive(); // the challenge arrived; the server never answers
  let settled = false;
  joining.then(() => settled = true, () => settled = true);
  await clock.tick(1999);
  assert.equal(settled, false, "still waiting 1 ms before the deadline");
  clock.advance(1);
  await assert.rejects(joining, TimeoutError);
  assert.match(await server.closed, /did not finish within 2000 ms/);
  assert.equal(clock.pending, 0);
});

Deno.test("auth: a client that stops after the challenge makes the server fail with TimeoutError", async () => {
  const clock = new FakeClock();
  const [client, server] = createMemoryPair();
  const admitting = authenticateServer(server, { secret, nodeId: "driver-1", timeoutMs: 1000, clock });
  await client.send({
    header: { v: 1, type: "auth.challenge", nonce: btoa("c".repeat(32)), identity: "{}" },
  });
  await client.receive();
  clock.advance(1000);
  await assert.rejects(admitting, TimeoutError);
  assert.equal(await client.receive(), undefined);
});

Deno.test("auth: a peer that hangs up mid-handshake fails with PeerUnavailableError", async () => {
  const [client, server] = createMemoryPair();
  const admitting = authenticateServer(server, { secret, nodeId: "driver-1", timeoutMs: 5000 });
  await client.close("gone");
  await assert.rejects(admitting, PeerUnavailableError);
});

Deno.test("auth: secrets shorter than 16 bytes are rejected with RangeError", async () => {
  const [client, server] = createMemoryPair();
  const short = new Uint8Array(MIN_SECRET_BYTES - 1);
  await assert.rejects(authenticateClient(client, { secret: short, hello, timeoutMs: 10 }), RangeError);
  await assert.rejects(authenticateServer(server, { secret: short, nodeId: "n", timeoutMs: 10 }), RangeError);
  await client.close();
});

Deno.test("auth: decodeAuthMessage accepts the four tagged types and rejects anything else", () => {
  assert.deepEqual(decodeAuthMessage({ v: 1, type: "auth.reject", reason: "no" }), {
    v: 1,
    type: "auth.reject",
    reason: "no",
  });
  for (
    const bad of [null, [], "x", { v: 1 }, { v: 1, type: "auth.ok", proof: 3, welcome: "" }, {
      type: "auth.reject",
    }]
  ) {
    assert.throws(() => decodeAuthMessage(bad), { name: "MalformedMessageError" });
  }
  assert.throws(() => decodeAuthMessage({ v: 1, type: "auth.ok", proof: 3, welcome: "" }), {
    message: 'authentication message: "proof" must be a string of at most 64 characters',
  });
  assert.throws(() => decodeAuthMessage({ v: 1, type: "auth.response", proof: "p".repeat(65) }), {
    message: 'authentication message: "proof" must be a string of at most 64 characters',
  });
});
