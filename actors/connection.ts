/**
 * The transport contract. A {@linkcode Connection} carries {@linkcode Frame}s in order between two
 * endpoints, with credit-based flow control: `send` waits until the receiver has granted room,
 * so a slow consumer makes senders wait instead of memory growing without bound.
 *
 * Every implementation (memory, Worker, WebSocket) passes the one contract suite in
 * `tests/cluster/transport/transport_contract.ts`.
 *
 * @module
 */

/** One message: a small JSON header plus an optional binary payload (Arrow IPC bytes, usually). */
export interface Frame {
  /** JSON-compatible control data. Decoded by the receiver from `unknown`; never trusted. */
  header: unknown;
  /** Bulk data. Transferred (never cloned) where the transport allows it. */
  payload?: Uint8Array | undefined;
}

/** Options accepted by every wait on a connection. */
export interface WaitOptions {
  /** Gives up the wait with `AbortedError` when aborted. */
  signal?: AbortSignal | undefined;
}

/** Counters every connection keeps. */
export interface ConnectionStats {
  /** Frames handed to the transport. */
  framesSent: number;
  /** Frames delivered to `receive`. */
  framesReceived: number;
  /** Header and payload bytes sent. */
  bytesSent: number;
  /** Header and payload bytes received. */
  bytesReceived: number;
  /** Frames that failed to decode at the transport level (counted, then dropped). */
  malformedFrames: number;
}

/** An ordered, flow-controlled, bidirectional frame channel. */
export interface Connection extends AsyncDisposable {
  /** Human-readable address of the other end (e.g. `ws://127.0.0.1:4001`, `worker:e-1`, `memory:3`). */
  readonly remoteAddress: string;
  /**
   * Sends a frame. Resolves once the frame is handed to the transport; waits while the peer has
   * granted no credit. Rejects with `PeerUnavailableError` if the connection is or becomes closed,
   * with `AbortedError` on abort, with `RangeError` if the frame exceeds the size limits.
   */
  send(frame: Frame, options?: WaitOptions): Promise<void>;
  /** Next frame, or `undefined` once the connection has closed and the buffer is drained. */
  receive(options?: WaitOptions): Promise<Frame | undefined>;
  /** Closes both directions. Idempotent. Pending sends and receives settle. */
  close(reason?: string): Promise<void>;
  /** Resolves when the connection is closed, by either side or by failure, with the reason. */
  readonly closed: Promise<string>;
  /** Live counters of this connection. */
  readonly stats: ConnectionStats;
}

/** Accepts inbound connections. */
export interface Listener extends AsyncDisposable {
  /** Address peers dial (e.g. `ws://127.0.0.1:4001`). */
  readonly address: string;
  /** Next inbound connection, or `undefined` once closed. */
  accept(options?: WaitOptions): Promise<Connection | undefined>;
  /** Stops accepting: pending and later `accept`s resolve to `undefined`. Idempotent. */
  close(): Promise<void>;
}

/** Limits shared by all transports. */
export interface TransportLimits {
  /** Max bytes of a JSON header. @default {1 MiB} */
  maxHeaderBytes?: number;
  /** Max bytes of one frame's payload (after reassembly). @default {1 GiB} */
  maxPayloadBytes?: number;
  /** Frames the receiver buffers (the credit window). @default {64} */
  window?: number;
}

/** The limits a transport uses for any it is not given. */
export const DEFAULT_LIMITS: Required<TransportLimits> = {
  maxHeaderBytes: 1 << 20,
  maxPayloadBytes: 1 << 30,
  window: 64,
};
