/**
 * Logistic regression on the cluster at the speed anchor's shape: `--rows` rows × `--features`
 * numeric features (1M × 20 by default), generated on the executors from a seed, cached, then
 * fitted by `LogisticRegression.fit` (one `aggregatePartitions` job per pass, the optimizer on the
 * driver) with each solver. Prints wall time, CPU time of the whole process (driver and embedded
 * executors: the figure that stays meaningful on a shared, oversubscribed machine), passes,
 * iterations and convergence per solver, the load average, and a JSON summary.
 *
 * Usage: `deno run -A scripts/bench/lr_cluster_fit.ts [--rows 1000000] [--features 20]
 * [--executors 2] [--partitions 4] [--solvers auto,lbfgs]`.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { systemClock } from "../../actors/clock.ts";
import type { Batch, Schema } from "../../cluster/columnar/batch.ts";
import { Frontier } from "../../cluster/frontier.ts";
import type { PartitionContext } from "../../cluster/partition_fns.ts";
import { CounterRandom } from "../../cluster/util/seeded_random.ts";
import { LogisticRegression } from "../../models/classification/logistic_regression/logistic_regression.ts";
import type { Solver } from "../../models/classification/logistic_regression/params.ts";
import { machineInfo, positiveFlag, readLoadAvg } from "./harness.ts";

const SEED = 20250601;

function schemaOf(features: number): Schema {
  return [
    ...Array.from(
      { length: features },
      (_, j) => ({ name: `x${j}`, type: "double" as const, nullable: false }),
    ),
    { name: "y", type: "int", nullable: false },
  ];
}

/**
 * A generator export (run on the executors): partition `p` of `rows` rows, row `i` a pure
 * function of (seed, i): features uniform in [-1, 1), `P(y = 1) = σ(-1 + Σ_j β_j x_j)` with
 * `β_j = (j mod 5 - 2) / 2`.
 */
export function* lrRows(ctx: PartitionContext): Generator<Batch> {
  const { rows, features } = ctx.args as { rows: number; features: number };
  const start = Math.floor((rows * ctx.partition) / ctx.numPartitions);
  const end = Math.floor((rows * (ctx.partition + 1)) / ctx.numPartitions);
  const rng = new CounterRandom(SEED, 1), schema = schemaOf(features);
  for (let from = start; from < end; from += 65_536) {
    const n = Math.min(65_536, end - from);
    const xs = Array.from({ length: features }, () => new Float64Array(n)), y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      rng.at(from + i);
      let m = -1;
      for (let j = 0; j < features; j++) {
        const x = 2 * rng.float(j) - 1;
        xs[j]![i] = x;
        m += (((j % 5) - 2) / 2) * x;
      }
      y[i] = rng.float(features) < 1 / (1 + Math.exp(-m)) ? 1 : 0;
    }
    yield {
      schema,
      length: n,
      columns: [...xs.map((values) => ({ type: "double" as const, values })), { type: "int", values: y }],
    };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string" },
      features: { type: "string" },
      executors: { type: "string" },
      partitions: { type: "string" },
      solvers: { type: "string" },
    },
  });
  const rows = positiveFlag(values.rows, "rows", 1_000_000);
  const features = positiveFlag(values.features, "features", 20);
  const executors = positiveFlag(values.executors, "executors", 2);
  const partitions = positiveFlag(values.partitions, "partitions", 2 * executors);
  const solvers = (values.solvers ?? "auto,lbfgs").split(",") as Solver[];
  const clock = systemClock;
  await using fx = await Frontier.start({ executors, modules: [import.meta.url] });
  const schema = schemaOf(features);
  const ds = fx.generate({
    module: import.meta.url,
    export: "lrRows",
    schema,
    partitions,
    args: { rows, features },
  })
    .cache();
  let t = clock.now();
  const count = await ds.count();
  const generateMs = clock.now() - t;
  console.log(
    `generated and cached ${count} rows × ${features} features in ${(generateMs / 1000).toFixed(2)} s`,
  );
  const featureCols = schema.slice(0, features).map((f) => f.name);
  const results = [];
  for (const solver of solvers) {
    const passTimes: number[] = [];
    let last = clock.now();
    t = last;
    const cpu0 = process.cpuUsage();
    const model = await new LogisticRegression({ solver }).fit(ds, {
      featureCols,
      labelCol: "y",
      cache: false,
      onPass: () => {
        const now = clock.now();
        passTimes.push(now - last);
        last = now;
      },
    });
    const seconds = (clock.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0), cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const c = model.convergence;
    const perPass = passTimes.reduce((a, b) => a + b, 0) / passTimes.length / 1000;
    console.log(
      `${solver} → ${c.solver}: ${seconds.toFixed(2)} s wall, ${
        cpuSeconds.toFixed(2)
      } s CPU, ${c.passes} passes (${
        perPass.toFixed(3)
      } s each), ${c.iterations} iterations, converged ${c.converged} (|g| ${
        c.gradientNorm.toExponential(2)
      })`,
    );
    results.push({
      solver,
      ran: c.solver,
      seconds,
      cpuSeconds,
      passes: c.passes,
      iterations: c.iterations,
      converged: c.converged,
      gradientNorm: c.gradientNorm,
      secondsPerPass: perPass,
    });
  }
  await ds.unpersist();
  const summary = {
    rows,
    features,
    executors,
    partitions,
    generateSeconds: generateMs / 1000,
    results,
    loadAvg: (await readLoadAvg()) ?? null,
    machine: await machineInfo(),
  };
  console.log(JSON.stringify(summary));
}

if (import.meta.main) await main();
