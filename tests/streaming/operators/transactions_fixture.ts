/**
 * Generated transactions as rows, in the process (no cluster): the operators' tests read these.
 *
 * @module
 */
import type { Row } from "../../../cluster/columnar/batch.ts";
import { batchToRows } from "../../../cluster/columnar/batch_ops.ts";
import { TransactionGenerator } from "../../../cluster/sources/transactions/generator.ts";

/** `rows` generated transactions (arrival order) over `days` days with few accounts. */
export function generatedTransactions(
  rows: number,
  options: {
    seed: number;
    accounts?: number;
    days?: number;
    fraudRate?: number;
    outOfOrderFraction?: number;
    allowedLatenessMs?: number;
  },
): Row[] {
  const gen = new TransactionGenerator({
    seed: options.seed,
    totalRows: rows,
    tokenKey: new Uint8Array(32).fill(1),
    accounts: options.accounts ?? 50,
    durationMs: (options.days ?? 3) * 86_400_000,
    fraudRate: options.fraudRate ?? 0.05,
    outOfOrderFraction: options.outOfOrderFraction ?? 0,
    allowedLatenessMs: options.allowedLatenessMs ?? 60_000,
  });
  const out: Row[] = [];
  for (const batch of gen.chunks({ start: 0, end: rows })) out.push(...batchToRows(batch));
  return out;
}

/** Rows sorted by event time, then transaction id. */
export function byEventTime(rows: readonly Row[]): Row[] {
  return [...rows].sort((p, q) =>
    (p["event_time"] as number) - (q["event_time"] as number) ||
    ((p["transaction_id"] as string) < (q["transaction_id"] as string) ? -1 : 1)
  );
}
