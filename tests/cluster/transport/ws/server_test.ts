/** The WebSocket server against raw TCP clients, and the built-in WebSocket client for interop. */
import assert from "node:assert/strict";
import { FakeClock } from "../../../../actors/clock.ts";
import { acceptFor } from "../../../../cluster/transport/ws/handshake.ts";
import {
  WsServer,
  type WsServer as WsServerType,
  type WsServerHandlers,
} from "../../../../cluster/transport/ws/server.ts";
import type { WsCloseInfo, WsSocket } from "../../../../cluster/transport/ws/socket.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

async function readAll(conn: Deno.Conn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  return dec.decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array | undefined> {
  const out = new Uint8Array(n);
  for (let got = 0; got < n;) {
    const r = await conn.read(out.subarray(got));
    if (r === null) return undefined;
    got += r;
  }
  return out;
}

/** Sends `request` on a fresh TCP connection and returns everything the server answers. */
async function exchange(server: WsServerType, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await conn.write(enc.encode(request));
  const answer = await readAll(conn);
  conn.close();
  return answer;
}

function upgrade(headers: Record<string, string> = {}, method = "GET"): string {
  const all: Record<string, string> = {
    Host: "x",
    Upgrade: "websocket",
    Connection: "keep-alive, Upgrade",
    "Sec-WebSocket-Key": KEY,
    "Sec-WebSocket-Version": "13",
    ...headers,
  };
  const lines = Object.entries(all).filter(([, v]) => v !== "").map(([k, v]) => `${k}: ${v}`);
  return `${method} /ws HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** A server whose accepted sockets are collected. */
function serve(
  handlers: Partial<WsServerHandlers> = {},
  options: ConstructorParameters<typeof WsServer>[1] = {},
) {
  const sockets: { socket: WsSocket; messages: (Uint8Array | string)[]; closed: Promise<WsCloseInfo> }[] = [];
  const arrived = Promise.withResolvers<void>();
  const server = new WsServer({
    ...handlers,
    accepted(socket) {
      const messages: (Uint8Array | string)[] = [];
      const closed = Promise.withResolvers<WsCloseInfo>();
      socket.start({ message: (m) => messages.push(m), close: (info) => closed.resolve(info) });
      sockets.push({ socket, messages, closed: closed.promise });
      arrived.resolve();
    },
  }, options);
  return { server, sockets, arrived: arrived.promise };
}

/** A raw client that completed the handshake; returns the response head and the connection. */
async function rawUpgrade(server: WsServerType): Promise<{ conn: Deno.TcpConn; head: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await conn.write(enc.encode(upgrade()));
  let head = "";
  while (!head.endsWith("\r\n\r\n")) head += String.fromCharCode((await readExactly(conn, 1))![0]!);
  return { conn, head };
}

function maskedFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const key = [0x37, 0xfa, 0x21, 0x3d];
  return new Uint8Array([
    0x80 | opcode,
    0x80 | payload.length,
    ...key,
    ...payload.map((b, i) => b ^ key[i % 4]!),
  ]);
}

Deno.test("WsServer answers anything but a valid upgrade with a plain-text status and closes", async () => {
  const { server, sockets } = serve();
  try {
    const plain = await exchange(server, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(plain, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
    assert.match(plain, /\r\nConnection: close\r\n/);
    assert.match(plain, /\r\n\r\nexpected a WebSocket upgrade$/);
    assert.match(
      await exchange(server, upgrade({}, "POST")),
      /^HTTP\/1\.1 400 .*\r\n\r\na WebSocket upgrade must be a GET$/s,
    );
    assert.match(await exchange(server, upgrade({ Connection: "keep-alive" })), /^HTTP\/1\.1 400 /);
    assert.match(await exchange(server, upgrade({ "Sec-WebSocket-Key": "c2hvcnQ=" })), /^HTTP\/1\.1 400 /);
    const version = await exchange(server, upgrade({ "Sec-WebSocket-Version": "8" }));
    assert.match(version, /^HTTP\/1\.1 426 /);
    assert.match(version, /\r\nSec-WebSocket-Version: 13\r\n/);
    assert.match(await exchange(server, "\x16\x03\x01 not http at all\r\n\r\n"), /^HTTP\/1\.1 400 /);
    assert.match(
      await exchange(server, `GET / HTTP/1.1\r\nX: ${"y".repeat(20_000)}\r\n\r\n`),
      /^HTTP\/1\.1 431 /,
    );
    assert.equal(sockets.length, 0);
  } finally {
    await server.close();
  }
});

Deno.test("WsServer answers a valid upgrade with the RFC accept digest, unmasks client frames and sends unmasked ones", async () => {
  const { server, sockets, arrived } = serve({
    admit: (request) => request.path === "/ws" ? undefined : { status: 503, message: "no" },
  });
  try {
    const { conn, head } = await rawUpgrade(server);
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(
      head,
      new RegExp(`\r\nSec-WebSocket-Accept: ${(await acceptFor(KEY)).replace(/[+/]/g, "\\$&")}\r\n`),
    );
    await arrived;
    const [{ socket, messages }] = sockets as [typeof sockets[0]];
    await conn.write(maskedFrame(0x2, new Uint8Array([10, 20, 30, 40, 50])));
    socket.send(new Uint8Array([7, 8]));
    assert.deepEqual(await readExactly(conn, 4), new Uint8Array([0x82, 2, 7, 8]), "unmasked binary frame");
    await conn.write(maskedFrame(0x8, new Uint8Array([0x03, 0xe8])));
    assert.deepEqual(await readExactly(conn, 4), new Uint8Array([0x88, 2, 0x03, 0xe8]), "close echoed");
    assert.equal(await readExactly(conn, 1), undefined, "the server closes the TCP connection first");
    assert.deepEqual(await sockets[0]!.closed, { code: 1000, reason: "", wasClean: true });
    assert.deepEqual(messages, [new Uint8Array([10, 20, 30, 40, 50])]);
    conn.close();
    const refused = await exchange(server, upgrade().replace("/ws", "/other"));
    assert.match(refused, /^HTTP\/1\.1 503 Service Unavailable\r\n.*\r\n\r\nno$/s);
  } finally {
    await server.close();
  }
});

Deno.test("WsServer fails a connection that sends an unmasked frame with close code 1002", async () => {
  const { server, sockets, arrived } = serve();
  try {
    const { conn } = await rawUpgrade(server);
    await arrived;
    await conn.write(new Uint8Array([0x82, 1, 9]));
    const [opcode, length] = (await readExactly(conn, 2))!;
    assert.equal(opcode, 0x88, "a final close frame");
    const payload = (await readExactly(conn, length!))!;
    assert.equal((payload[0]! << 8) | payload[1]!, 1002);
    assert.equal(dec.decode(payload.subarray(2)), "client frame is not masked");
    assert.equal(await readExactly(conn, 1), undefined, "then the connection is dropped");
    const info = await sockets[0]!.closed;
    assert.equal(info.code, 1002);
    assert.deepEqual(sockets[0]!.messages, []);
    conn.close();
  } finally {
    await server.close();
  }
});

Deno.test("WsServer drops connections that stall in the handshake, or exceed maxHandshakes, and close() ends pending ones", async () => {
  const clock = new FakeClock();
  const { server } = serve({}, { clock, handshakeTimeoutMs: 1000, maxHandshakes: 2 });
  const slow = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  await slow.write(enc.encode("GET / HTTP/1.1\r\n")); // never finishes its head
  const second = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const third = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  assert.equal(await readAll(third), "", "beyond maxHandshakes the connection is dropped at once");
  clock.advance(999);
  const slowEnd = readAll(slow);
  clock.advance(1);
  assert.equal(await slowEnd, "", "dropped after handshakeTimeoutMs without an answer");
  await server.close();
  assert.equal(await readAll(second), "", "close() drops handshakes in progress");
  assert.equal(clock.pending, 0);
  for (const c of [slow, second, third]) c.close();
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: server.addr.port }));
});

Deno.test("the built-in WebSocket client talks to WsServer", async () => {
  const { server, sockets, arrived } = serve();
  try {
    const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
    client.binaryType = "arraybuffer";
    const got = new Promise<unknown>((resolve) => client.onmessage = (e) => resolve(e.data));
    await new Promise((resolve) => client.onopen = resolve);
    await arrived;
    client.send(new Uint8Array([1, 2, 3]));
    sockets[0]!.socket.send("from server");
    assert.equal(await got, "from server");
    const closed = new Promise<CloseEvent>((resolve) => client.onclose = resolve);
    client.close(4000, "bye");
    const event = await closed;
    assert.equal(event.code, 4000);
    assert.deepEqual(await sockets[0]!.closed, { code: 4000, reason: "bye", wasClean: true });
    assert.deepEqual(sockets[0]!.messages, [new Uint8Array([1, 2, 3])]);
  } finally {
    await server.close();
  }
});
