/**
 * Web Worker entry of an embedded executor: connects to the parent (the driver's isolate), reads
 * its welcome, then serves tasks until told to stop.
 *
 * @module
 */
import { systemClock } from "../../actors/clock.ts";
import { connectParent } from "../transport/worker.ts";
import { decodeWelcome } from "../protocol.ts";
import { Executor } from "../executor/executor.ts";

const conn = connectParent();
const first = await conn.receive();
if (first) {
  const welcome = decodeWelcome(first.header);
  const executor = new Executor({ connection: conn, clock: systemClock }, {
    executorId: welcome.executorId,
    slots: welcome.slots,
    heartbeatMs: welcome.heartbeatMs,
    allowedModules: welcome.allowedModules,
    ...(welcome.stateBudgetBytes === undefined ? {} : { stateBudgetBytes: welcome.stateBudgetBytes }),
  });
  await executor.run();
}
self.close();
