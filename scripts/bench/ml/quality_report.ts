/**
 * The quality part's report: every engine's test scores on every dataset and split turned into
 * ROC-AUC and PR-AUC with bootstrap intervals (paired across engines, see `bootstrap.ts`), random
 * splits averaged over their seeds, a randomized model (a forest) averaged over its model seeds on
 * the same split, a table per dataset and split kind, and the targets:
 *
 * - GBT: Frontier ≥ LightGBM − 0.005 ROC-AUC;
 * - RF: Frontier ≥ the better of scikit-learn's and Spark's forest − 0.005;
 * - LR: Frontier within 0.002 of scikit-learn at the same L2;
 * - best: Frontier's best model ≥ the best peer model − 0.005,
 *
 * each on every dataset and split kind, with the paired difference's interval in the detail.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { TargetCheck } from "../harness.ts";
import {
  averageFigures,
  bootstrapEngines,
  type BootstrapFigures,
  type Interval,
  pairedDifference,
  percentileInterval,
} from "./bootstrap.ts";

/** One engine's test scores and fit time on one test set. */
export interface ScoredFit {
  engine: string;
  /** The model seed of a randomized engine's fit (one of several on the split). */
  modelSeed?: number;
  fitSeconds: number;
  scores: ArrayLike<number>;
  extra?: Record<string, Json>;
}

/** One test set: a dataset's split (a column of the prepared file) and what every engine scored. */
export interface TestSet {
  dataset: string;
  /** The split column, e.g. `split_random_42`. */
  split: string;
  /**
   * The model seed of the randomized engines' fits in this set. A split fitted with several model
   * seeds is one test set per seed, each with the other engines' single fit; such sets share their
   * bootstrap replicates (the same rows), so the mean over seeds is paired too.
   */
  modelSeed?: number;
  kind: "random" | "oot";
  labels: ArrayLike<number>;
  fits: ScoredFit[];
}

/** One engine's figures on a dataset and split kind (random: the mean over seeds). */
export interface QualityFigure {
  dataset: string;
  kind: "random" | "oot";
  engine: string;
  rocAuc: Interval;
  prAuc: Interval;
  /** Mean training time over the fits. */
  fitSeconds: number;
  /** The splits averaged. */
  splits: string[];
  /** Fits per split: a randomized engine's model seeds, else 1. */
  fitsPerSplit: number;
  perSplit: {
    split: string;
    modelSeed?: number;
    rocAuc: number;
    prAuc: number;
    fitSeconds: number;
    extra: Record<string, Json>;
  }[];
}

/** The quality figures of one group (dataset, kind) with each engine's replicates for pairing. */
interface Group {
  dataset: string;
  kind: "random" | "oot";
  figures: Map<string, { boot: BootstrapFigures; figure: QualityFigure }>;
}

/** Options of {@linkcode qualityReport}. */
export interface QualityReportOptions {
  /** Bootstrap replicates per test set. @default {1000} */
  resamples?: number;
  /**
   * Base seed of the resampling; the i-th distinct (dataset, split) uses `seed + i`, for each of
   * its model seeds. @default {20250}
   */
  seed?: number;
  /** Interval level. @default {0.95} */
  level?: number;
}

/** Everything the quality part reports. */
export interface QualityReport {
  figures: QualityFigure[];
  targets: TargetCheck[];
  /** Console lines: one table per dataset and split kind. */
  lines: string[];
}

/**
 * Scores every test set, averages random splits per dataset, and checks the targets. An engine
 * is averaged only when it scored every random split of the dataset (else it is left out of that
 * group and the targets that need it say "not measured").
 */
export function qualityReport(sets: readonly TestSet[], options: QualityReportOptions = {}): QualityReport {
  const resamples = options.resamples ?? 1000, level = options.level ?? 0.95, seed = options.seed ?? 20250;
  const testSets = [...new Set(sets.map((s) => `${s.dataset}\u0000${s.split}`))];
  const perSet = sets.map((set) => ({
    set,
    boot: bootstrapEngines(set.labels, new Map(set.fits.map((f) => [f.engine, f.scores])), {
      resamples,
      seed: seed + testSets.indexOf(`${set.dataset}\u0000${set.split}`),
    }),
  }));
  const groups: Group[] = [];
  const keys = [...new Set(sets.map((s) => `${s.dataset}\u0000${s.kind}`))];
  for (const key of keys) {
    const [dataset, kind] = key.split("\u0000") as [string, "random" | "oot"];
    const members = perSet.filter((p) => p.set.dataset === dataset && p.set.kind === kind);
    const engines = [...new Set(members.flatMap((m) => m.set.fits.map((f) => f.engine)))]
      .filter((e) => members.every((m) => m.boot.has(e)));
    const figures = new Map<string, { boot: BootstrapFigures; figure: QualityFigure }>();
    for (const engine of engines) {
      const boot = averageFigures(members.map((m) => m.boot.get(engine)!));
      const fits = members.map((m) => m.set.fits.find((f) => f.engine === engine)!);
      figures.set(engine, {
        boot,
        figure: {
          dataset,
          kind,
          engine,
          rocAuc: percentileInterval(boot.rocAuc, boot.rocReplicates, level),
          prAuc: percentileInterval(boot.prAuc, boot.prReplicates, level),
          fitSeconds: [...new Set(fits)].reduce((s, f) => s + f.fitSeconds, 0) / new Set(fits).size,
          splits: [...new Set(members.map((m) => m.set.split))],
          fitsPerSplit: new Set(fits).size / new Set(members.map((m) => m.set.split)).size,
          // A fit shared by several sets of its split (a deterministic engine) is listed once.
          perSplit: members.flatMap((m, i) =>
            fits.indexOf(fits[i]!) < i ? [] : [{
              split: m.set.split,
              ...(fits[i]!.modelSeed === undefined ? {} : { modelSeed: fits[i]!.modelSeed }),
              rocAuc: m.boot.get(engine)!.rocAuc,
              prAuc: m.boot.get(engine)!.prAuc,
              fitSeconds: fits[i]!.fitSeconds,
              extra: fits[i]!.extra ?? {},
            }]
          ),
        },
      });
    }
    groups.push({ dataset, kind, figures });
  }
  return {
    figures: groups.flatMap((g) => [...g.figures.values()].map((f) => f.figure)),
    targets: groups.flatMap((g) => groupTargets(g, level)),
    lines: groups.flatMap((g) => formatGroup(g, { resamples, level })),
  };
}

const f4 = (x: number) => x.toFixed(4);
const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;

function groupTargets(g: Group, level: number): TargetCheck[] {
  const where = `${g.dataset} · ${g.kind}`;
  const get = (e: string) => g.figures.get(e)?.boot;
  const diff = (a: BootstrapFigures, b: BootstrapFigures) => {
    const d = pairedDifference(a, b, "rocAuc", level);
    return `diff ${signed(d.value)} [${signed(d.lo)}, ${signed(d.hi)}]`;
  };
  const missing = (target: string, names: string[]): TargetCheck => ({
    target,
    met: undefined,
    detail: `not measured (${names.filter((e) => !g.figures.has(e)).join(", ")} missing)`,
  });
  const out: TargetCheck[] = [];
  const atLeast = (target: string, mine: string, peers: string[], margin: number) => {
    const a = get(mine), present = peers.map(get).filter((b) => b !== undefined);
    if (a === undefined || present.length === 0) return out.push(missing(target, [mine, ...peers]));
    const bestAt = present.reduce((i, b, k) => (b.rocAuc > present[i]!.rocAuc ? k : i), 0);
    const b = present[bestAt]!, name = peers.filter((e) => g.figures.has(e))[bestAt]!;
    out.push({
      target,
      met: a.rocAuc >= b.rocAuc - margin,
      detail: `${mine} ${f4(a.rocAuc)} vs ${name} ${f4(b.rocAuc)}, ${diff(a, b)}`,
    });
  };
  atLeast(`quality ${where}: GBT ≥ LightGBM − 0.005 ROC-AUC`, "frontier-gbt", ["lightgbm"], 0.005);
  atLeast(
    `quality ${where}: RF ≥ max(scikit-learn RF, Spark RF) − 0.005 ROC-AUC`,
    "frontier-rf",
    ["sklearn-rf", "spark-rf"],
    0.005,
  );
  const lr = get("frontier-lr"), sk = get("sklearn-lr");
  const lrTarget = `quality ${where}: LR within 0.002 ROC-AUC of scikit-learn LR (same L2)`;
  if (lr === undefined || sk === undefined) out.push(missing(lrTarget, ["frontier-lr", "sklearn-lr"]));
  else {
    out.push({
      target: lrTarget,
      met: Math.abs(lr.rocAuc - sk.rocAuc) <= 0.002,
      detail: `frontier-lr ${f4(lr.rocAuc)} vs sklearn-lr ${f4(sk.rocAuc)}, ${diff(lr, sk)}`,
    });
  }
  const ours = [...g.figures.keys()].filter((e) => e.startsWith("frontier-"));
  const peers = [...g.figures.keys()].filter((e) => !e.startsWith("frontier-"));
  const best = (names: string[]) => names.reduce((a, b) => (get(b)!.rocAuc > get(a)!.rocAuc ? b : a));
  if (ours.length === 0 || peers.length === 0) {
    out.push({
      target: `quality ${where}: Frontier's best ≥ best peer − 0.005 ROC-AUC`,
      met: undefined,
      detail: `not measured (${ours.length === 0 ? "no Frontier model" : "no peer"})`,
    });
  } else {atLeast(
      `quality ${where}: Frontier's best ≥ best peer − 0.005 ROC-AUC`,
      best(ours),
      [best(peers)],
      0.005,
    );}
  return out;
}

function formatGroup(g: Group, o: { resamples: number; level: number }): string[] {
  const figures = [...g.figures.values()].map((f) => f.figure);
  const n = figures[0]?.splits.length ?? 0, seeds = Math.max(1, ...figures.map((f) => f.fitsPerSplit));
  const head = g.kind === "random"
    ? `${g.dataset} · random stratified 80/20, mean of ${n} seeds`
    : `${g.dataset} · out-of-time 80/20 (file order)${
      seeds > 1 ? `, randomized models: mean of ${seeds} model seeds` : ""
    }`;
  const lines = [
    `${head}; ${Math.round(o.level * 100)}% bootstrap interval, ${o.resamples} resamples of each test set`,
    `  ${"engine".padEnd(13)} ${"ROC-AUC".padEnd(24)} ${"PR-AUC".padEnd(24)} fit s`,
  ];
  const sorted = [...g.figures.values()].map((f) => f.figure)
    .sort((a, b) => b.rocAuc.value - a.rocAuc.value);
  for (const f of sorted) {
    const iv = (i: Interval) => `${f4(i.value)} [${i.lo.toFixed(3)}, ${i.hi.toFixed(3)}]`;
    lines.push(
      `  ${f.engine.padEnd(13)} ${iv(f.rocAuc).padEnd(24)} ${iv(f.prAuc).padEnd(24)} ${
        f.fitSeconds.toFixed(2)
      }`,
    );
  }
  return lines;
}

/** The figures as JSON for `out/bench/ml.json`. */
export function qualityFiguresJson(figures: readonly QualityFigure[]): Json {
  return figures.map((f) => ({
    ...f,
    rocAuc: { ...f.rocAuc },
    prAuc: { ...f.prAuc },
    perSplit: f.perSplit.map((p) => ({ ...p })),
  }));
}
