/**
 * The in-memory transport: two connected {@linkcode Connection}s over a {@linkcode Link} that
 * hands messages across in a microtask.
 *
 * @module
 */

import type { Connection, TransportLimits } from "../../actors/connection.ts";
import { createLinkConnection, type Link, type LinkInbound } from "./link.ts";

/**
 * Two connected in-memory connections, for tests and in-process use. Delivery is asynchronous
 * (one microtask) and ordered. Payloads are handed over as-is (zero copy): the sender must not
 * modify a payload after sending it.
 *
 * @example
 * ```ts
 * import { createMemoryPair } from "./memory.ts";
 * const [a, b] = createMemoryPair({ window: 8 });
 * await a.send({ header: { type: "ping" } });
 * const frame = await b.receive();
 * console.assert((frame?.header as { type: string }).type === "ping");
 * await a.close();
 * ```
 */
export function createMemoryPair(limits: TransportLimits = {}): [Connection, Connection] {
  const id = crypto.randomUUID().slice(0, 8);
  const inbound: { a?: LinkInbound; b?: LinkInbound } = {};
  const link = (to: "a" | "b"): Link => ({
    post: (message) => queueMicrotask(() => inbound[to]!.deliver(message)),
    release: () => Promise.resolve(),
  });
  const a = createLinkConnection(link("b"), { remoteAddress: `memory:${id}/b`, limits });
  const b = createLinkConnection(link("a"), { remoteAddress: `memory:${id}/a`, limits });
  inbound.a = a.inbound;
  inbound.b = b.inbound;
  return [a.connection, b.connection];
}
