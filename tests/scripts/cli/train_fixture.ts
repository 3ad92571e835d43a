/**
 * Inputs for the `frontier train` / `evaluate` / `predict` tests: a generated CSV of any shape (a
 * user's file, schema inferred) whose label depends on known columns, and a slice of
 * bank-additional with defects injected at known lines.
 *
 * @module
 */
import { gunzip } from "../../../cluster/io/csv/parse.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { type Defect, injectDefects } from "../../../scripts/eda/corrupt_csv.ts";

/** Generated CSV columns: `t` (0…n-1, the time), then these, then the label `bought` (yes/no). */
export const GENERATED_HEADER = "t,amount,channel,age,vip,balance,customer,bought";

/**
 * `n` rows: `bought` = "yes" with probability sigmoid(−1.5 + 1.2·z + channel effect), where
 * `amount = 100·exp(z)`; `age`, `vip` and `balance` have no effect; `balance` grows with `t`
 * (`10·t` plus up to 5: later rows are above any earlier one, out of the training range in an
 * out-of-time split); `customer` is a unique id (too many values to be a category); every 50th
 * amount is empty.
 */
export function generatedCsv(n: number, seed: number): { text: string; lines: string[] } {
  const r = new CounterRandom(seed, 3);
  const channels = ["web", "store", "phone", "app"], effect = [0.8, -0.6, 0, 0.3];
  const lines: string[] = [];
  for (let t = 0; t < n; t++) {
    r.at(t);
    const z = r.normal(0), c = Math.floor(r.float(2) * 4);
    const p = 1 / (1 + Math.exp(-(-1.5 + 1.2 * z + effect[c]!)));
    const amount = t % 50 === 7 ? "" : (Math.exp(z) * 100).toFixed(2);
    const age = 18 + Math.floor(r.float(3) * 60), vip = r.float(4) < 0.2;
    const bought = r.float(5) < p ? "yes" : "no";
    const balance = (10 * t + 5 * r.float(6)).toFixed(2);
    lines.push(`${t},${amount},${channels[c]},${age},${vip},${balance},c${t},${bought}`);
  }
  return { text: `${GENERATED_HEADER}\n${lines.join("\n")}\n`, lines };
}

/** The first `records` records of bank-additional-full with `defects` at known lines. */
export async function corruptedBankSlice(
  path: string,
  records: number,
  defects: readonly { line: number; defect: Defect }[],
): Promise<void> {
  const gz = await Deno.readFile(new URL("../../../data/bank-additional-full.csv.gz", import.meta.url));
  const text = new TextDecoder().decode(await gunzip(gz));
  const head = text.split("\n").slice(0, records + 1).join("\n") + "\n";
  await Deno.writeFile(path, injectDefects(head, defects));
}
