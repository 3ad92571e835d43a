/**
 * The wire form of a {@linkcode ScoreSummary}: compact, exact little-endian bytes, so a summary
 * can travel from executors to the driver and be decoded from `unknown` there.
 *
 * Layout, version 1 (all numbers little-endian):
 * ```
 * 0   "FEVS" magic            4   u8 version (1)     5  u8 mode (0 exact, 1 binned)
 * 6   u8 flags (bit 0: the posLo / negLo arrays follow)   7  u8 reserved (0)
 * 8   u32 key count d         12  u32 bins (0 in exact mode)
 * 16  f64 eps   24 f64 rows   32 f64 minScore   40 f64 maxScore
 * 48  f64 range min   56 f64 range max   (0, 0 in exact mode)
 * 64  binned mode only: f64[68] logLoss and f64[68] brier exact-sum states (1,088 bytes)
 * then f64[d] keys, posHi, negHi; then posLo, negLo (flag bit 0); then scoreHi, scoreLo (binned)
 * ```
 * Without weights every `lo` is 0 and is left out, so an exact summary takes 24 bytes per distinct
 * score (40 weighted) plus 64 bytes; a binned one 40 per non-empty bin (56 weighted) plus 1,152.
 *
 * Decoding checks everything a metric relies on (sorted keys, non-negative weights, consistent
 * settings) and rejects anything else with a `MalformedMessageError`.
 *
 * @module
 */
import { MalformedMessageError } from "../../actors/errors.ts";
import { EXACT_SUM_LIMBS, isExactSumState } from "../../cluster/util/exact_sum.ts";
import { type ScoreSummary, summaryConfig } from "./score_summary.ts";

const MAGIC = 0x53564546; // "FEVS" read as a little-endian u32
const VERSION = 1;
const HEADER = 64;
const TOTALS = 2 * EXACT_SUM_LIMBS * 8;
const LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The bytes of `summary` (see the module documentation). */
export function encodeSummary(summary: ScoreSummary): Uint8Array {
  const d = summary.keys.length;
  const binned = summary.binning !== undefined;
  const withLo = summary.posLo.some((x) => x !== 0) || summary.negLo.some((x) => x !== 0);
  const arrays = [summary.keys, summary.posHi, summary.negHi];
  if (withLo) arrays.push(summary.posLo, summary.negLo);
  if (binned) arrays.push(summary.scoreHi, summary.scoreLo);
  const totals = binned ? [summary.logLoss, summary.brier] : [];
  const bytes = new Uint8Array(HEADER + (binned ? TOTALS : 0) + 8 * d * arrays.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint8(4, VERSION);
  view.setUint8(5, binned ? 1 : 0);
  view.setUint8(6, withLo ? 1 : 0);
  view.setUint32(8, d, true);
  view.setUint32(12, summary.binning?.bins ?? 0, true);
  const head = [
    summary.eps,
    summary.rows,
    summary.minScore,
    summary.maxScore,
    summary.binning?.min ?? 0,
    summary.binning?.max ?? 0,
  ];
  head.forEach((x, i) => view.setFloat64(16 + 8 * i, x, true));
  let at = HEADER;
  for (const a of [...totals, ...arrays]) {
    if (LITTLE) new Float64Array(bytes.buffer, at, a.length).set(a); // `at` is a multiple of 8
    else for (let i = 0; i < a.length; i++) view.setFloat64(at + 8 * i, a[i]!, true);
    at += 8 * a.length;
  }
  return bytes;
}

function malformed(why: string): MalformedMessageError {
  return new MalformedMessageError(`Malformed evaluation summary: ${why}`);
}

/** Decodes and validates bytes made by {@linkcode encodeSummary}. */
export function decodeSummary(input: unknown): ScoreSummary {
  if (!(input instanceof Uint8Array)) throw malformed("expected a Uint8Array");
  if (input.byteLength < HEADER) throw malformed(`${input.byteLength} bytes is shorter than the header`);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw malformed("bad magic");
  const version = view.getUint8(4);
  if (version !== VERSION) throw malformed(`unsupported version ${version} (this build reads ${VERSION})`);
  const mode = view.getUint8(5), flags = view.getUint8(6);
  if (mode > 1 || flags > 1 || view.getUint8(7) !== 0) throw malformed("bad mode or flags");
  const binned = mode === 1, withLo = flags === 1;
  const d = view.getUint32(8, true), bins = view.getUint32(12, true);
  const f = (i: number) => view.getFloat64(16 + 8 * i, true);
  const [eps, rows, minScore, maxScore, rangeMin, rangeMax] = Array.from({ length: 6 }, (_, i) => f(i)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const count = 3 + (withLo ? 2 : 0) + (binned ? 2 : 0);
  const start = HEADER + (binned ? TOTALS : 0);
  if (input.byteLength !== start + 8 * d * count) {
    throw malformed(`${input.byteLength} bytes do not hold ${d} keys`);
  }
  let config;
  try {
    config = summaryConfig(binned ? { bins, range: [rangeMin, rangeMax], eps } : { eps });
  } catch (e) {
    throw malformed(e instanceof Error ? e.message : String(e));
  }
  if (!binned && (bins !== 0 || rangeMin !== 0 || rangeMax !== 0)) {
    throw malformed("exact summary with binned-mode fields set");
  }
  const block = (at: number, length: number): Float64Array => {
    if (LITTLE) return new Float64Array(input.slice(at, at + 8 * length).buffer); // a copy, aligned
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = view.getFloat64(at + 8 * i, true);
    return out;
  };
  const logLoss = binned ? block(HEADER, EXACT_SUM_LIMBS) : new Float64Array(EXACT_SUM_LIMBS);
  const brier = binned ? block(HEADER + TOTALS / 2, EXACT_SUM_LIMBS) : new Float64Array(EXACT_SUM_LIMBS);
  if (!isExactSumState(logLoss) || !isExactSumState(brier)) throw malformed("bad log-loss or Brier totals");
  if (!Number.isSafeInteger(rows) || rows < 0 || (d === 0) !== (rows === 0) || d > rows) {
    throw malformed(`${rows} rows for ${d} keys`);
  }
  if (d === 0 ? minScore !== Infinity || maxScore !== -Infinity : !(minScore <= maxScore)) {
    throw malformed(`score range [${minScore}, ${maxScore}]`);
  }
  const read = (k: number): Float64Array => block(start + 8 * d * k, d);
  const keys = read(0), posHi = read(1), negHi = read(2);
  const zeros = () => new Float64Array(d);
  const posLo = withLo ? read(3) : zeros(), negLo = withLo ? read(4) : zeros();
  const off = withLo ? 5 : 3;
  const scoreHi = binned ? read(off) : new Float64Array(0),
    scoreLo = binned ? read(off + 1) : new Float64Array(0);
  for (let i = 0; i < d; i++) {
    const k = keys[i]!;
    if (!Number.isFinite(k) || (i > 0 && !(keys[i - 1]! < k))) throw malformed("keys not strictly ascending");
    if (binned && !(Number.isInteger(k) && k >= 0 && k < bins)) throw malformed(`bin ${k} out of range`);
    const p = posHi[i]! + posLo[i]!, n = negHi[i]! + negLo[i]!;
    if (!(p >= 0 && n >= 0 && p + n > 0 && p + n < Infinity)) throw malformed(`bad weights at key ${k}`);
    if (binned && !Number.isFinite(scoreHi[i]! + scoreLo[i]!)) throw malformed(`bad score sum at bin ${k}`);
  }
  if (!binned && d > 0 && (keys[0] !== minScore || keys[d - 1] !== maxScore)) {
    throw malformed("score range does not match the keys");
  }
  return {
    ...config,
    keys,
    posHi,
    posLo,
    negHi,
    negLo,
    scoreHi,
    scoreLo,
    logLoss,
    brier,
    rows,
    minScore,
    maxScore,
  };
}
