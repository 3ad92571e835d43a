/**
 * The cross-validation benchmark's data: bank-additional-full without `duration`, the training part
 * (first 80 % in file order) of the out-of-time split, with a `fold` column written once here so
 * every engine (Frontier's `foldCol` plan, Spark's `CrossValidator(foldCol)`, scikit-learn's
 * `PredefinedSplit`) validates on exactly the same rows.
 *
 * - {@linkcode stratifiedFolds}: per class, the rows in the search sorted by a seeded draw and dealt
 *   round-robin into `folds` parts: each fold gets ⌊n/k⌋ or ⌈n/k⌉ of each class. Rows out of the
 *   search get −1. A pure function of (labels, mask, folds, seed).
 * - {@linkcode prepareCvTable}: the CSV (`row`, kept columns, label, `fold`) and its manifest.
 *
 * @module
 */
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import type { PreparedManifest } from "./bank_data.ts";

/** The fold column's name in the prepared file. */
export const FOLD_COLUMN = "fold";

/** What engines need to know about the CV file (written next to it as JSON). */
export interface CvManifest {
  dataset: string;
  /** Comma-separated, header, no quoting needed. */
  path: string;
  label: string;
  positive: string;
  numeric: string[];
  categorical: string[];
  dropped: string[];
  foldCol: string;
  folds: number;
  seed: number;
  /** Which rows are in the search, e.g. `"split_oot != test (first 80 % in file order)"`. */
  rowsFrom: string;
  /** Rows per fold (in the search), and rows left out (fold −1). */
  foldRows: number[];
  foldPositives: number[];
  excludedRows: number;
}

/**
 * A fold per row: −1 where `inSearch` is 0, else a fold in `[0, folds)` stratified by `labels`
 * (see the module doc).
 */
export function stratifiedFolds(
  labels: ArrayLike<number>,
  inSearch: ArrayLike<number>,
  options: { folds: number; seed: number },
): Int8Array {
  const { folds, seed } = options;
  if (!Number.isInteger(folds) || folds < 2 || folds > 100) {
    throw new RangeError(`folds must be an integer in [2, 100], got ${folds}`);
  }
  if (inSearch.length !== labels.length) {
    throw new RangeError(`inSearch has ${inSearch.length} rows, labels ${labels.length}`);
  }
  const out = new Int8Array(labels.length).fill(-1);
  const rng = new CounterRandom(seed, 0xf01d);
  for (const cls of [0, 1]) {
    const rows: { row: number; key: number }[] = [];
    for (let i = 0; i < labels.length; i++) {
      const y = labels[i];
      if (y !== 0 && y !== 1) throw new RangeError(`Label of row ${i} is ${y}: labels must be 0 or 1`);
      if (y === cls && inSearch[i]) rows.push({ row: i, key: rng.at(i).float(0) });
    }
    rows.sort((a, b) => a.key - b.key || a.row - b.row);
    rows.forEach((r, j) => (out[r.row] = j % folds));
  }
  return out;
}

/**
 * The CV file of a prepared bank file (`bank_data.ts`: its CSV text and manifest): the rows that
 * are not `test` in `splitColumn` get a stratified fold, the others −1.
 */
export function prepareCvTable(
  csv: string,
  source: PreparedManifest,
  options: { splitColumn: string; folds: number; seed: number; path: string },
): { csv: string; manifest: CvManifest } {
  const lines = csv.split("\n").filter((l) => l !== "");
  const header = lines[0]!.split(",");
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new RangeError(`No column "${name}" in ${source.path}`);
    return i;
  };
  const split = at(options.splitColumn), y = at(source.label);
  const kept = ["row", ...source.numeric, ...source.categorical, source.label].map(at);
  const cells = lines.slice(1).map((l) => l.split(","));
  const labels = Uint8Array.from(cells, (c) => (c[y] === source.positive ? 1 : 0));
  const inSearch = Uint8Array.from(cells, (c) => (c[split] === "test" ? 0 : 1));
  const folds = stratifiedFolds(labels, inSearch, options);
  const out = [[...kept.map((i) => header[i]!), FOLD_COLUMN].join(",")];
  cells.forEach((c, r) => out.push([...kept.map((i) => c[i]!), String(folds[r])].join(",")));
  const foldRows = new Array<number>(options.folds).fill(0);
  const foldPositives = new Array<number>(options.folds).fill(0);
  folds.forEach((f, r) => {
    if (f < 0) return;
    foldRows[f]!++;
    foldPositives[f]! += labels[r]!;
  });
  return {
    csv: `${out.join("\n")}\n`,
    manifest: {
      dataset: source.dataset,
      path: options.path,
      label: source.label,
      positive: source.positive,
      numeric: [...source.numeric],
      categorical: [...source.categorical],
      dropped: [...source.dropped],
      foldCol: FOLD_COLUMN,
      folds: options.folds,
      seed: options.seed,
      rowsFrom: `${options.splitColumn} != test`,
      foldRows,
      foldPositives,
      excludedRows: inSearch.reduce((n, s) => n + (s ? 0 : 1), 0),
    },
  };
}

/** Reads back a CV file's folds (−1 for rows out of the search), in row order. */
export function readFolds(csv: string): Int8Array {
  const lines = csv.split("\n").filter((l) => l !== "");
  const f = lines[0]!.split(",").indexOf(FOLD_COLUMN);
  if (f < 0) throw new RangeError(`No "${FOLD_COLUMN}" column`);
  return Int8Array.from(lines.slice(1), (l) => Number(l.split(",")[f]));
}

/** Writes `<dir>/<dataset>-cv.csv` and its manifest from a prepared file; returns the manifest. */
export async function writeCvDataset(
  source: PreparedManifest,
  options: { splitColumn: string; folds: number; seed: number; dir: string },
): Promise<CvManifest> {
  const path = `${options.dir}/${source.dataset}-cv.csv`;
  const { csv, manifest } = prepareCvTable(await Deno.readTextFile(source.path), source, {
    ...options,
    path,
  });
  await Deno.writeTextFile(path, csv);
  await Deno.writeTextFile(
    `${options.dir}/${source.dataset}-cv.json`,
    `${JSON.stringify(manifest, undefined, 2)}\n`,
  );
  return manifest;
}
