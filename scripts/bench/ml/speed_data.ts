/**
 * The speed benchmark's data, written once and read by every engine: `rows` training rows and
 * `testRows` test rows of 20 numeric features, each row a pure function of (seed, row).
 *
 * Features are standard normal; the label is Bernoulli of a logit with linear terms on ten features,
 * an interaction, a kink, a sine and a step (ten features are noise), so trees have something to find
 * that a linear model does not.
 *
 * Files in `dir`: `train.f64` / `test.f64` (row-major little-endian float64, what NumPy reads),
 * `train.u8` / `test.u8` (labels), `train.parquet/` (4 files, for Spark and for Frontier's cluster
 * reader; columns `row`, `x0…x19`, `y`) and `test.parquet/`, and `manifest.json`. Reused while the
 * manifest matches.
 *
 * @module
 */
import type { Batch, Schema } from "../../../cluster/columnar/batch.ts";
import { encodeParquet } from "../../../cluster/io/parquet.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";

/** Features of the speed data. */
export const SPEED_FEATURES = 20;
/** Parquet files of the training rows (Frontier reads one partition per file). */
const TRAIN_FILES = 4;

/** What was written. */
export interface SpeedData {
  dir: string;
  rows: number;
  testRows: number;
  features: number;
  seed: number;
  positives: number;
  /** Whether the files on disk were reused. */
  reused: boolean;
}

/** Features and label of row `row` under `seed` into `x` (length {@linkcode SPEED_FEATURES}). */
export function speedRow(rng: CounterRandom, row: number, x: Float64Array): number {
  rng.at(row);
  for (let j = 0; j < SPEED_FEATURES; j++) x[j] = rng.normal(j);
  let logit = -1.2;
  for (let j = 0; j < 10; j++) logit += (j % 2 === 0 ? 0.6 : -0.4) * x[j]! * (1 - j / 20);
  logit += 0.8 * x[0]! * x[1]! - 0.9 * Math.abs(x[2]!) + Math.sin(1.5 * x[3]!) + (x[4]! > 0.5 ? 0.7 : 0);
  return rng.float(SPEED_FEATURES) < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
}

/** `rows` rows from `first` as a row-major matrix and labels. */
export function speedRows(seed: number, first: number, rows: number): { x: Float64Array; y: Uint8Array } {
  const rng = new CounterRandom(seed, 0x5eed);
  const x = new Float64Array(rows * SPEED_FEATURES), y = new Uint8Array(rows);
  const row = new Float64Array(SPEED_FEATURES);
  for (let i = 0; i < rows; i++) {
    y[i] = speedRow(rng, first + i, row);
    x.set(row, i * SPEED_FEATURES);
  }
  return { x, y };
}

const SCHEMA: Schema = [
  { name: "row", type: "int", nullable: false },
  ...Array.from(
    { length: SPEED_FEATURES },
    (_, j) => ({ name: `x${j}`, type: "double" as const, nullable: false }),
  ),
  { name: "y", type: "int", nullable: false },
];

function toBatch(x: Float64Array, y: Uint8Array, first: number, begin: number, end: number): Batch {
  const n = end - begin;
  const cols = Array.from({ length: SPEED_FEATURES }, (_, j) => {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = x[(begin + i) * SPEED_FEATURES + j]!;
    return { type: "double" as const, values };
  });
  return {
    schema: SCHEMA,
    length: n,
    columns: [
      { type: "int", values: Int32Array.from({ length: n }, (_, i) => first + begin + i) },
      ...cols,
      { type: "int", values: Int32Array.from(y.subarray(begin, end)) },
    ],
  };
}

async function writeParquetDir(dir: string, x: Float64Array, y: Uint8Array, first: number, files: number) {
  await Deno.remove(dir, { recursive: true }).catch(() => undefined);
  await Deno.mkdir(dir, { recursive: true });
  const n = y.length;
  for (let f = 0; f < files; f++) {
    const begin = Math.floor((f * n) / files), end = Math.floor(((f + 1) * n) / files);
    const batches: Batch[] = [];
    for (let b = begin; b < end; b += 65_536) {
      batches.push(toBatch(x, y, first, b, Math.min(end, b + 65_536)));
    }
    await Deno.writeFile(
      `${dir}/part-${String(f).padStart(5, "0")}.parquet`,
      await encodeParquet(SCHEMA, batches),
    );
  }
}

function littleEndian(values: Float64Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 8), view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return bytes;
}

/** Writes the speed data into `dir` unless a matching manifest is there; returns what is there. */
export async function prepareSpeedData(
  options: { dir: string; rows: number; testRows: number; seed: number; regenerate?: boolean },
): Promise<SpeedData> {
  const { dir, rows, testRows, seed } = options;
  const want = { rows, testRows, features: SPEED_FEATURES, seed };
  try {
    const old = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`)) as Partial<SpeedData>;
    if (!options.regenerate && Object.entries(want).every(([k, v]) => old[k as keyof SpeedData] === v)) {
      return { dir, ...want, positives: Number(old.positives), reused: true };
    }
  } catch {
    // No manifest: write the data.
  }
  await Deno.mkdir(dir, { recursive: true });
  await Deno.remove(`${dir}/manifest.json`).catch(() => undefined);
  const train = speedRows(seed, 0, rows), test = speedRows(seed, rows, testRows);
  await Deno.writeFile(`${dir}/train.f64`, littleEndian(train.x));
  await Deno.writeFile(`${dir}/train.u8`, train.y);
  await Deno.writeFile(`${dir}/test.f64`, littleEndian(test.x));
  await Deno.writeFile(`${dir}/test.u8`, test.y);
  await writeParquetDir(`${dir}/train.parquet`, train.x, train.y, 0, TRAIN_FILES);
  await writeParquetDir(`${dir}/test.parquet`, test.x, test.y, rows, 1);
  const positives = train.y.reduce((s, v) => s + v, 0);
  const out: SpeedData = { dir, ...want, positives, reused: false };
  await Deno.writeTextFile(`${dir}/manifest.json`, `${JSON.stringify(out, undefined, 2)}\n`);
  return out;
}

/** Reads `<dir>/<part>.f64` and `<part>.u8` back as feature columns and labels. */
export async function readSpeedColumns(
  dir: string,
  part: "train" | "test",
): Promise<{ columns: Float64Array[]; rowMajor: Float64Array; labels: Uint8Array }> {
  const bytes = await Deno.readFile(`${dir}/${part}.f64`);
  const labels = await Deno.readFile(`${dir}/${part}.u8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = labels.length;
  if (bytes.byteLength !== n * SPEED_FEATURES * 8) {
    throw new RangeError(`${dir}/${part}.f64 has the wrong size`);
  }
  const rowMajor = new Float64Array(n * SPEED_FEATURES);
  for (let k = 0; k < rowMajor.length; k++) rowMajor[k] = view.getFloat64(k * 8, true);
  const columns = Array.from({ length: SPEED_FEATURES }, (_, j) => {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = rowMajor[i * SPEED_FEATURES + j]!;
    return c;
  });
  return { columns, rowMajor, labels };
}
