/**
 * Generated transactions as per-partition record logs, for the runtime's tests: rows of the
 * cluster's transaction generator with its disorder knobs on, written as JSON records and
 * partitioned by account like a keyed Kafka producer would.
 *
 * @module
 */
import { generateDemoKey } from "../../cluster/sources/transactions/card_token.ts";
import { TransactionGenerator } from "../../cluster/sources/transactions/generator.ts";
import { transactionRecords } from "../../streaming/transactions.ts";
import { partitionOfKey } from "../../streaming/embedded_source.ts";

/** Disorder as the issue asks for: out-of-order, late beyond 30 s, duplicates, malformed. */
export function generatedLogs(options: { rows: number; partitions: number; seed?: number }): Uint8Array[][] {
  const seed = options.seed ?? 7;
  const gen = new TransactionGenerator({
    seed,
    totalRows: options.rows,
    tokenKey: generateDemoKey({ seed }),
    durationMs: options.rows * 1000,
    accounts: 40,
    outOfOrderFraction: 0.2,
    outOfOrderMeanDelayMs: 5_000,
    lateFraction: 0.02,
    allowedLatenessMs: 30_000,
    duplicateFraction: 0.03,
    malformedFraction: 0.02,
  });
  const logs: Uint8Array[][] = Array.from({ length: options.partitions }, () => []);
  for (const r of transactionRecords(gen.generate({ start: 0, end: options.rows }), seed)) {
    logs[partitionOfKey(r.key, options.partitions)]!.push(r.value);
  }
  return logs;
}
