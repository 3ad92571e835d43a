/**
 * The study's printed tables.
 *
 * @module
 */
import type { DriftReport } from "../../models/stat/drift_report.ts";
import type { Figures } from "./study_models.ts";

/** One measured variant. */
export interface ResultRow extends Figures {
  readonly dataset: string;
  readonly experiment: string;
  readonly model: string;
  readonly variant: string;
  /** Features the model saw (absent for calibrated copies). */
  readonly features?: number;
  /** Pipeline, training and measuring time (0 for calibrated copies: no training). */
  readonly seconds: number;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/** Prints `rows` under `title`, one block per experiment. */
export function printRows(title: string, rows: readonly ResultRow[]): void {
  console.log(`\n## ${title}`);
  const head = [
    "experiment",
    "model",
    "variant",
    "feat",
    "ROC-AUC",
    "PR-AUC",
    "PR-AUC 95 %",
    "logloss",
    "Brier",
    "ECE",
    "cost",
    "best",
    "valPR",
    "s",
  ];
  const widths = [12, 5, 40, 5, 8, 8, 15, 8, 8, 8, 8, 8, 8, 6];
  console.log(head.map((h, i) => pad(h, widths[i]!, i >= 3)).join(" "));
  for (const r of rows) {
    const cells = [
      r.experiment,
      r.model,
      r.variant,
      r.features === undefined ? "" : String(r.features),
      f4(r.rocAuc),
      f4(r.prAuc),
      `${r.prAucInterval[0].toFixed(3)}–${r.prAucInterval[1].toFixed(3)}`,
      f4(r.logLoss),
      f4(r.brier),
      f4(r.ece),
      f4(r.cost),
      f4(r.bestCost),
      f4(r.validPrAuc),
      r.seconds.toFixed(1),
    ];
    console.log(cells.map((c, i) => pad(c, widths[i]!, i >= 3)).join(" "));
  }
}

/** Prints the drift report of bank file `which`. */
export function printDrift(which: string, drift: DriftReport): void {
  console.log(
    `\n## bank-${which}: drift, training (${drift.trainRows} rows) vs test (${drift.testRows} rows)`,
  );
  if (drift.label !== undefined) {
    const { trainRate, testRate } = drift.label;
    console.log(
      `positive rate: train ${(trainRate * 100).toFixed(2)} %, test ${(testRate * 100).toFixed(2)} %`,
    );
  }
  console.log(
    ["feature", "kind", "PSI", "outside range", "unseen categories"].map((h, i) =>
      pad(h, [16, 12, 8, 14, 30][i]!)
    ).join(" "),
  );
  const sorted = [...drift.features].sort((a, b) => b.psi - a.psi);
  for (const f of sorted) {
    const outside = f.kind === "numeric" ? `${(f.outsideShare * 100).toFixed(1)} %` : "";
    const unseen = f.kind === "categorical" && f.unseen.length > 0
      ? `${f.unseen.join(",")} (${(f.unseenShare * 100).toFixed(1)} %)`
      : "";
    console.log(
      [f.feature, f.kind, f.psi.toFixed(3), outside, unseen].map((c, i) => pad(c, [16, 12, 8, 14, 30][i]!))
        .join(" "),
    );
  }
}
