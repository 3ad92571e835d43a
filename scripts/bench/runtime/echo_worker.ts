/**
 * Benchmark fixture: a Web Worker exposing an echo actor (`"echo"`, replies with the message it got)
 * through a {@linkcode RemoteNode}, for the ask round-trip benchmark of `runtime_micro.ts`.
 *
 * The worker's `name` says which transport it serves on (no other message is exchanged, so nothing
 * foreign travels on the worker channel):
 * - `"echo:worker"`: the worker connection to its parent (`connectParent`);
 * - `"echo:ws:<url>"`: a WebSocket it dials at `<url>` (the parent listens on 127.0.0.1).
 *
 * It stops its actors and closes itself once the connection closes. Importing it elsewhere (for the
 * constants) starts nothing.
 *
 * @module
 */

import { systemClock } from "../../../actors/clock.ts";
import { RemoteNode } from "../../../actors/remote.ts";
import { ActorSystem } from "../../../actors/system.ts";
import type { Connection } from "../../../actors/connection.ts";
import { connectParent } from "../../../cluster/transport/worker.ts";
import { dialWebSocket } from "../../../cluster/transport/websocket.ts";

/** Name of the exposed echo actor. */
export const ECHO_ACTOR = "echo";
/** Worker name prefix for the WebSocket variant. */
export const ECHO_WS_PREFIX = "echo:ws:";
/** Worker name of the worker-transport variant. */
export const ECHO_WORKER_NAME = "echo:worker";

async function serve(connection: Connection): Promise<void> {
  const system = new ActorSystem({ clock: systemClock });
  const echo = system.spawn<unknown, undefined, unknown>({
    init: () => undefined,
    receive: (state, msg, ctx) => {
      ctx.reply(msg);
      return state;
    },
  }, { name: ECHO_ACTOR });
  const node = new RemoteNode({ connection, clock: systemClock });
  node.expose(ECHO_ACTOR, echo, { decode: (input) => input });
  await connection.closed;
  await node.close();
  await system[Symbol.asyncDispose]();
}

async function main(): Promise<void> {
  const name = self.name;
  if (name === ECHO_WORKER_NAME) {
    await serve(connectParent());
  } else if (name.startsWith(ECHO_WS_PREFIX)) {
    await serve(await dialWebSocket(name.slice(ECHO_WS_PREFIX.length)));
  } else {
    throw new TypeError(
      `Cannot start the echo worker "${name}": expected "${ECHO_WORKER_NAME}" or "${ECHO_WS_PREFIX}<url>"`,
    );
  }
  self.close();
}

if (import.meta.main) await main();
