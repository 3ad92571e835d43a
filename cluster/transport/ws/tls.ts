/**
 * Server-side TLS over a TCP connection that has `TCP_NODELAY` set.
 *
 * `Deno.listenTls` hands out `Deno.TlsConn`s, which (in Deno 2.9.6) have no `setNoDelay`, and
 * `Deno.serve` with a certificate leaves Nagle's algorithm on too: a server's small message
 * written right after another then waits for the client's delayed ACK (≈ 40 ms). So a `wss://`
 * listener accepts plain TCP with `Deno.listen`, sets `TCP_NODELAY`, and terminates TLS with
 * `node:tls` over that connection ({@linkcode acceptTls}).
 *
 * @module
 */

import { Duplex } from "node:stream";
import tls from "node:tls";
import type { ByteStream } from "./socket.ts";

/** Decrypted bytes buffered before the TLS socket is paused. */
const HIGH_WATER_BYTES = 1024 * 1024;
const TCP_READ_BYTES = 64 * 1024;

/** A server certificate and key, parsed once. Throws on malformed PEM. */
export type TlsServerContext = tls.SecureContext;

/** Parses a PEM certificate chain and private key for {@linkcode acceptTls}. */
export function createTlsServerContext(cert: string, key: string): TlsServerContext {
  return tls.createSecureContext({ cert, key });
}

/** Runs the server side of TLS over `conn`; the handshake completes as the client sends. */
export function acceptTls(conn: Deno.Conn, context: TlsServerContext): ByteStream {
  return new TlsServerStream(conn, context);
}

/** The raw TCP connection as the Duplex `node:tls` encrypts onto. */
function tcpDuplex(conn: Deno.Conn): Duplex {
  return new Duplex({
    read() {
      const buffer = new Uint8Array(TCP_READ_BYTES);
      conn.read(buffer).then(
        (n) => this.push(n === null ? null : buffer.subarray(0, n)),
        (error) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
    write(chunk: Uint8Array, _encoding, callback) {
      (async () => {
        for (let at = 0; at < chunk.byteLength;) at += await conn.write(chunk.subarray(at));
      })().then(
        () => callback(),
        (error) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
      callback(error);
    },
  });
}

class TlsServerStream implements ByteStream {
  #raw: Duplex;
  #socket: tls.TLSSocket;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #wake: (() => void) | undefined;
  /** Rejecters of writes not yet flushed; settled when the stream ends. */
  #writes = new Set<(error: Error) => void>();

  constructor(conn: Deno.Conn, context: TlsServerContext) {
    this.#raw = tcpDuplex(conn);
    this.#socket = new tls.TLSSocket(this.#raw, { isServer: true, secureContext: context });
    this.#socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.byteLength;
      if (this.#buffered >= HIGH_WATER_BYTES) this.#socket.pause();
      this.#notify();
    });
    const end = () => this.#end();
    this.#socket.on("end", end);
    this.#socket.on("close", end);
    this.#socket.on("error", end); // a failed handshake or a reset: reads see the end
    this.#raw.on("error", end);
  }

  async read(into: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    let n = 0;
    while (n < into.byteLength && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const take = Math.min(chunk.byteLength, into.byteLength - n);
      into.set(chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.byteLength) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#buffered -= n;
    if (this.#buffered < HIGH_WATER_BYTES && this.#socket.isPaused()) this.#socket.resume();
    return n;
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.#ended) return Promise.reject(new Error("TLS stream is closed"));
    return new Promise((resolve, reject) => {
      this.#writes.add(reject);
      this.#socket.write(bytes, (error) => {
        this.#writes.delete(reject);
        if (error) reject(error);
        else resolve(bytes.byteLength);
      });
    });
  }

  close(): void {
    this.#end();
    this.#socket.destroy();
    this.#raw.destroy();
  }

  #end(): void {
    this.#ended = true;
    for (const reject of this.#writes) reject(new Error("TLS stream is closed"));
    this.#writes.clear();
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
