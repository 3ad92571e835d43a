import { col, Frontier } from "../../mod.ts";
import { assertSameRows, randomRows, SCHEMA, windowOracle } from "./kernels/window_oracle.ts";
import { CASES, oracleOp } from "./window_cases.ts";

Deno.test("window functions on executor processes equal the oracle", async () => {
  await using fx = await Frontier.start({ mode: "process", executors: 2, shufflePartitions: 3 });
  const rows = randomRows(5, 300);
  const ds = await fx.fromRows(rows, { schema: SCHEMA, partitions: 4 });
  for (const c of CASES) {
    const cols = c.columns(c.base).map(([name, column]) => column.alias(name));
    const out = await ds.select(...SCHEMA.map((f) => col(f.name)), ...cols).collect();
    assertSameRows(out, windowOracle(rows, oracleOp(c)), c.name);
  }
});
