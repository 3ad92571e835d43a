/**
 * The WebSocket client against a scripted server on a raw TCP socket, whose frame reader and
 * writer below are written independently of `ws_frame.ts`.
 */
import assert from "node:assert/strict";
import { FakeClock } from "../../../../actors/clock.ts";
import { AbortedError, PeerUnavailableError } from "../../../../actors/errors.ts";
import { connectWebSocket } from "../../../../cluster/transport/ws/client.ts";
import { acceptFor } from "../../../../cluster/transport/ws/handshake.ts";
import type { WsCloseInfo, WsSocket } from "../../../../cluster/transport/ws/socket.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Reads exactly `n` bytes, or undefined at end of stream. */
async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array | undefined> {
  const out = new Uint8Array(n);
  for (let got = 0; got < n;) {
    const r = await conn.read(out.subarray(got));
    if (r === null) return undefined;
    got += r;
  }
  return out;
}

interface RawFrame {
  fin: boolean;
  opcode: number;
  maskKey: Uint8Array | undefined;
  payload: Uint8Array;
}

/** The server's end of one client connection, after a scripted handshake. */
class Peer {
  constructor(readonly conn: Deno.Conn, readonly request: string) {}

  /** Reads one frame from the client and unmasks it; undefined at end of stream. */
  async readFrame(): Promise<RawFrame | undefined> {
    const head = await readExactly(this.conn, 2);
    if (head === undefined) return undefined;
    let length = head[1]! & 0x7f;
    if (length === 126) length = new DataView((await readExactly(this.conn, 2))!.buffer).getUint16(0);
    else if (length === 127) {
      length = Number(new DataView((await readExactly(this.conn, 8))!.buffer).getBigUint64(0));
    }
    const maskKey = (head[1]! & 0x80) ? await readExactly(this.conn, 4) : undefined;
    const payload = length === 0 ? new Uint8Array(0) : (await readExactly(this.conn, length))!;
    if (maskKey) { for (let i = 0; i < payload.length; i++) payload[i]! ^= maskKey[i % 4]!; }
    return { fin: (head[0]! & 0x80) !== 0, opcode: head[0]! & 0x0f, maskKey, payload };
  }

  /** Writes one unmasked frame (or a masked one, to break the protocol). */
  async writeFrame(
    opcode: number,
    payload: Uint8Array,
    options: { fin?: boolean; mask?: boolean; rsv?: number } = {},
  ) {
    const fin = options.fin ?? true;
    const header: number[] = [(fin ? 0x80 : 0) | (options.rsv ?? 0) | opcode];
    const maskBit = options.mask ? 0x80 : 0;
    if (payload.length < 126) header.push(maskBit | payload.length);
    else if (payload.length < 65536) header.push(maskBit | 126, payload.length >> 8, payload.length & 0xff);
    else {
      header.push(maskBit | 127);
      const big = new Uint8Array(8);
      new DataView(big.buffer).setBigUint64(0, BigInt(payload.length));
      header.push(...big);
    }
    const body = payload.slice();
    if (options.mask) {
      const key = [1, 2, 3, 4];
      header.push(...key);
      for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
    }
    await this.conn.write(new Uint8Array([...header, ...body]));
  }

  /** Writes just a frame header announcing `length` bytes (no payload follows). */
  async writeHeaderOnly(opcode: number, length: number): Promise<void> {
    const big = new Uint8Array(8);
    new DataView(big.buffer).setBigUint64(0, BigInt(length));
    await this.conn.write(new Uint8Array([0x80 | opcode, 127, ...big]));
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** Reads a request head from `conn`. */
async function readRequest(conn: Deno.Conn): Promise<string> {
  let text = "";
  while (!text.endsWith("\r\n\r\n")) {
    const byte = await readExactly(conn, 1);
    if (byte === undefined) throw new Error("client went away during the handshake");
    text += String.fromCharCode(byte[0]!);
  }
  return text;
}

function headerOf(request: string, name: string): string | undefined {
  const line = request.split("\r\n").find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(line.indexOf(":") + 1).trim();
}

/** A raw TCP server answering each handshake with `answer(key)`; `peer()` yields the next connection. */
function scriptedServer(answer: (key: string, accept: string) => string = (_k, accept) => ok(accept)) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return {
    url: `ws://127.0.0.1:${listener.addr.port}/path?q=1`,
    async peer(): Promise<Peer> {
      const conn = await listener.accept();
      const request = await readRequest(conn);
      const key = headerOf(request, "sec-websocket-key") ?? "";
      await conn.write(enc.encode(answer(key, await acceptFor(key))));
      return new Peer(conn, request);
    },
    close: () => listener.close(),
  };
}

function ok(accept: string, extra = ""): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`;
}

/** Starts `socket`, collecting messages, and returns them with the close info. */
function collect(socket: WsSocket): { messages: (Uint8Array | string)[]; closed: Promise<WsCloseInfo> } {
  const messages: (Uint8Array | string)[] = [];
  const closed = Promise.withResolvers<WsCloseInfo>();
  socket.start({ message: (data) => messages.push(data), close: (info) => closed.resolve(info) });
  return { messages, closed: closed.promise };
}

async function opened(): Promise<
  { server: ReturnType<typeof scriptedServer>; socket: WsSocket; peer: Peer }
> {
  const server = scriptedServer();
  const [socket, peer] = await Promise.all([connectWebSocket(server.url), server.peer()]);
  return { server, socket, peer };
}

Deno.test("acceptFor computes the Sec-WebSocket-Accept of RFC 6455's example", async () => {
  assert.equal(await acceptFor("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

Deno.test("connectWebSocket sends an RFC 6455 upgrade request with a fresh 16-byte key", async () => {
  const { server, socket, peer } = await opened();
  const { closed } = collect(socket);
  const [line] = peer.request.split("\r\n");
  assert.equal(line, "GET /path?q=1 HTTP/1.1");
  assert.equal(headerOf(peer.request, "host"), server.url.slice(5, server.url.indexOf("/path")));
  assert.equal(headerOf(peer.request, "upgrade"), "websocket");
  assert.equal(headerOf(peer.request, "connection"), "Upgrade");
  assert.equal(headerOf(peer.request, "sec-websocket-version"), "13");
  assert.equal(atob(headerOf(peer.request, "sec-websocket-key")!).length, 16);
  peer.close();
  assert.equal((await closed).code, 1006, "a dropped connection without a close frame is abnormal");
  server.close();
});

for (
  const [what, answer, expected] of [
    ["a wrong Sec-WebSocket-Accept", () => ok("AAAAAAAAAAAAAAAAAAAAAAAAAAA="), /does not match/],
    ["a 503 refusal", () => "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", /answered 503/],
    [
      "an extension that was not offered",
      (_: string, a: string) => ok(a, "Sec-WebSocket-Extensions: x\r\n"),
      /extension/,
    ],
    [
      "a 101 without Upgrade: websocket",
      (_: string, a: string) => ok(a).replace("Upgrade: websocket\r\n", ""),
      /Upgrade/,
    ],
    ["garbage instead of HTTP", () => "SSH-2.0-OpenSSH\r\n\r\n", /malformed/],
  ] as const
) {
  Deno.test(`connectWebSocket refuses ${what} with PeerUnavailableError and closes the connection`, async () => {
    const server = scriptedServer(answer);
    const [dialing, peer] = [connectWebSocket(server.url), await server.peer()];
    await assert.rejects(dialing, (error: unknown) => {
      assert.ok(error instanceof PeerUnavailableError);
      assert.match(error.message, expected);
      return true;
    });
    assert.equal(await peer.readFrame(), undefined, "the client dropped the connection");
    peer.close();
    server.close();
  });
}

Deno.test("client frames are masked with a fresh key per frame and unmask to the message", async () => {
  const { server, socket, peer } = await opened();
  collect(socket);
  const big = new Uint8Array(70_000).map((_, i) => i * 7);
  socket.send(new Uint8Array([1, 2, 3]));
  socket.send([new Uint8Array([4]), new Uint8Array([5, 6])]);
  socket.send("héllo");
  socket.send(big);
  const frames = [
    await peer.readFrame(),
    await peer.readFrame(),
    await peer.readFrame(),
    await peer.readFrame(),
  ];
  assert.deepEqual(frames.map((f) => [f?.opcode, f?.fin, f?.maskKey?.length]), [
    [2, true, 4],
    [2, true, 4],
    [1, true, 4],
    [2, true, 4],
  ]);
  assert.deepEqual(frames[0]!.payload, new Uint8Array([1, 2, 3]));
  assert.deepEqual(frames[1]!.payload, new Uint8Array([4, 5, 6]));
  assert.equal(dec.decode(frames[2]!.payload), "héllo");
  assert.deepEqual(frames[3]!.payload, big);
  assert.equal(new Set(frames.map((f) => f!.maskKey!.join())).size, 4, "each frame has its own key");
  peer.close();
  await socket.closed;
  server.close();
});

Deno.test("fragmented messages are reassembled, and a ping between fragments gets a masked pong", async () => {
  const { server, socket, peer } = await opened();
  const { messages, closed } = collect(socket);
  await peer.writeFrame(0x1, enc.encode("frag"), { fin: false });
  await peer.writeFrame(0x9, enc.encode("are you there"));
  await peer.writeFrame(0x0, enc.encode("men"), { fin: false });
  await peer.writeFrame(0x0, enc.encode("ted ✓"));
  await peer.writeFrame(0x2, new Uint8Array([9]), { fin: false });
  await peer.writeFrame(0x0, new Uint8Array([8, 7]));
  const pong = await peer.readFrame();
  assert.equal(pong?.opcode, 0xa);
  assert.equal(pong?.maskKey?.length, 4);
  assert.equal(dec.decode(pong?.payload), "are you there");
  await peer.writeFrame(0x8, new Uint8Array([0x03, 0xe8])); // close 1000
  const echo = await peer.readFrame();
  assert.equal(echo?.opcode, 0x8);
  peer.close();
  assert.deepEqual(await closed, { code: 1000, reason: "", wasClean: true });
  assert.deepEqual(messages, ["fragmented ✓", new Uint8Array([9, 8, 7])]);
  server.close();
});

for (
  const [what, write, code] of [
    ["a masked server frame", (p: Peer) => p.writeFrame(0x2, new Uint8Array([1]), { mask: true }), 1002],
    ["reserved bits", (p: Peer) => p.writeFrame(0x2, new Uint8Array([1]), { rsv: 0x40 }), 1002],
    ["an unknown opcode", (p: Peer) => p.writeFrame(0x3, new Uint8Array([1])), 1002],
    ["a continuation outside a message", (p: Peer) => p.writeFrame(0x0, new Uint8Array([1])), 1002],
    ["a fragmented ping", (p: Peer) => p.writeFrame(0x9, new Uint8Array([1]), { fin: false }), 1002],
    ["invalid UTF-8 text", (p: Peer) => p.writeFrame(0x1, new Uint8Array([0xc3, 0x28])), 1007],
    ["a close frame with code 1005", (p: Peer) => p.writeFrame(0x8, new Uint8Array([0x03, 0xed])), 1002],
    [
      "a message over maxMessageBytes announced by its header",
      (p: Peer) => p.writeHeaderOnly(0x2, 2 ** 40),
      1009,
    ],
  ] as const
) {
  Deno.test(`${what} fails the connection with close code ${code}`, async () => {
    const { server, socket, peer } = await opened();
    const { messages, closed } = collect(socket);
    await write(peer);
    const close = await peer.readFrame();
    assert.equal(close?.opcode, 0x8);
    assert.equal((close!.payload[0]! << 8) | close!.payload[1]!, code);
    assert.equal(await peer.readFrame(), undefined, "the client drops the connection after failing it");
    const info = await closed;
    assert.equal(info.code, code);
    assert.equal(info.wasClean, false);
    assert.deepEqual(messages, []);
    peer.close();
    server.close();
  });
}

Deno.test("fragments adding up to more than maxMessageBytes fail with 1009 before the message is complete", async () => {
  const server = scriptedServer();
  const [socket, peer] = await Promise.all([
    connectWebSocket(server.url, { maxMessageBytes: 100 }),
    server.peer(),
  ]);
  const { messages, closed } = collect(socket);
  await peer.writeFrame(0x2, new Uint8Array(60), { fin: false });
  await peer.writeFrame(0x0, new Uint8Array(60), { fin: false });
  assert.equal((await closed).code, 1009);
  assert.deepEqual(messages, []);
  peer.close();
  server.close();
});

Deno.test("close(4001, reason) sends the code, and the socket closes cleanly once the server echoes and disconnects", async () => {
  const { server, socket, peer } = await opened();
  const { closed } = collect(socket);
  const closing = socket.close(4001, "done here");
  assert.equal(socket.state, "closing");
  assert.throws(() => socket.send(new Uint8Array([1])), /closing/);
  const frame = await peer.readFrame();
  assert.equal(frame?.opcode, 0x8);
  assert.equal((frame!.payload[0]! << 8) | frame!.payload[1]!, 4001);
  assert.equal(dec.decode(frame!.payload.subarray(2)), "done here");
  await peer.writeFrame(0x8, frame!.payload);
  peer.close();
  await closing;
  assert.deepEqual(await closed, { code: 4001, reason: "done here", wasClean: true });
  assert.equal(socket.state, "closed");
  await assert.rejects(socket.close(1001), RangeError, "1001 is not for applications to send");
  server.close();
});

Deno.test("a server close is echoed with its code; a server that never answers a close is dropped after closeTimeoutMs", async () => {
  const { server, socket, peer } = await opened();
  const { closed } = collect(socket);
  await peer.writeFrame(0x8, new Uint8Array([0x0f, 0xa2, ...enc.encode("bye")])); // 4002 "bye"
  const echo = await peer.readFrame();
  assert.equal((echo!.payload[0]! << 8) | echo!.payload[1]!, 4002);
  peer.close();
  assert.deepEqual(await closed, { code: 4002, reason: "bye", wasClean: true });

  const clock = new FakeClock();
  const [silent, silentPeer] = await Promise.all([
    connectWebSocket(server.url, { clock, closeTimeoutMs: 3000 }),
    server.peer(),
  ]);
  const silentClosed = collect(silent).closed;
  const closing = silent.close();
  assert.equal((await silentPeer.readFrame())?.opcode, 0x8);
  clock.advance(2999);
  assert.equal(silent.state, "closing");
  clock.advance(1);
  await closing;
  assert.deepEqual(await silentClosed, { code: 1006, reason: "close handshake timed out", wasClean: false });
  assert.equal(clock.pending, 0);
  silentPeer.close();
  server.close();
});

Deno.test("an aborted dial rejects with AbortedError and leaves no connection open", async () => {
  const server = scriptedServer(() => ""); // accepts TCP, never answers
  const controller = new AbortController();
  const dialing = connectWebSocket(server.url, { signal: controller.signal });
  const peer = await server.peer();
  controller.abort();
  await assert.rejects(dialing, AbortedError);
  assert.equal(await peer.readFrame(), undefined);
  peer.close();
  server.close();
  await assert.rejects(connectWebSocket("http://127.0.0.1:1/"), TypeError);
});

Deno.test("connectWebSocket talks to Deno.serve + Deno.upgradeWebSocket both ways and closes cleanly", async () => {
  const serverSide = Promise.withResolvers<WebSocket>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    serverSide.resolve(socket);
    return response;
  });
  try {
    const socket = await connectWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
    const { messages, closed } = collect(socket);
    const remote = await serverSide.promise;
    const echoed = new Promise<void>((resolve) => {
      remote.onmessage = (e) => {
        remote.send(e.data);
        if (typeof e.data === "string") resolve();
      };
    });
    const big = new Uint8Array(200_000).map((_, i) => i);
    socket.send(big);
    socket.send("text ✓");
    await echoed;
    await socket.close(4003, "over");
    assert.deepEqual(await closed, { code: 4003, reason: "over", wasClean: true });
    assert.deepEqual(messages, [big, "text ✓"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a message handler that throws fails the connection with 1011 and a reason cut to fit a close frame", async () => {
  const { server, socket, peer } = await opened();
  const closed = Promise.withResolvers<WsCloseInfo>();
  socket.start({
    message: () => {
      throw new Error("é".repeat(200));
    },
    close: (info) => closed.resolve(info),
  });
  await peer.writeFrame(0x2, new Uint8Array([1]));
  const close = await peer.readFrame();
  assert.equal(close?.opcode, 0x8);
  assert.equal((close!.payload[0]! << 8) | close!.payload[1]!, 1011);
  assert.ok(close!.payload.byteLength <= 125, `close payload of ${close!.payload.byteLength} bytes`);
  assert.match(dec.decode(close!.payload.subarray(2)), /^message handler failed: é+$/);
  assert.equal((await closed.promise).code, 1011);
  peer.close();
  server.close();
});
