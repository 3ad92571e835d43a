/**
 * Bytes for the fold summaries, so a partition's summary can travel from an executor to the driver
 * as an opaque value and be decoded (and checked) there. Every double travels as its exact 8 bytes,
 * so a decoded summary merges to the same bits as the original.
 *
 * Layout (little-endian): `"FLRS"`, version (u8, 1), kind (u8: 1 ranges, 2 moments, 3 loss), then
 * the kind's fields in declaration order: u32 counts, f64 values, grid sums as
 * `folds u8, n u32, exponents i16 × n, hi1, lo1[, hi2, lo2] f64 × n`, and an optional part as a
 * presence byte. Decoding refuses anything else with a {@linkcode MalformedMessageError}.
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import { EXACT_SUM_LIMBS, ExactSum } from "../../../cluster/util/exact_sum.ts";
import type { LossSummary } from "./loss_pass.ts";
import type { MomentSummary } from "./moment_pass.ts";
import type { RangeSummary } from "./range_pass.ts";
import { ByteReader, ByteWriter } from "./byte_codec.ts";

/** Any fold summary. */
export type FoldSummary = RangeSummary | MomentSummary | LossSummary;

const MAGIC = [0x46, 0x4c, 0x52, 0x53]; // "FLRS"
const VERSION = 1;
const KIND = { "lr.ranges": 1, "lr.moments": 2, "lr.loss": 3 } as const;
const EXACT_LENGTH = EXACT_SUM_LIMBS;

/** Encodes a summary as bytes. */
export function encodeSummary(summary: FoldSummary): Uint8Array {
  const w = new ByteWriter();
  for (const b of MAGIC) w.u8(b);
  w.u8(VERSION);
  w.u8(KIND[summary.type]);
  switch (summary.type) {
    case "lr.ranges":
      w.u32(summary.dimension);
      w.f64s([...summary.rows, ...summary.maxWeight]);
      for (const s of [...summary.weightSums, ...summary.weightSquares]) w.f64s(s);
      w.f64s(summary.min);
      w.f64s(summary.max);
      break;
    case "lr.moments":
      w.u32(summary.dimension);
      w.grid(summary.sums);
      w.optionalGrid(summary.gram);
      break;
    case "lr.loss":
      w.u32(summary.size);
      w.f64s([summary.rows]);
      w.f64s(summary.loss);
      w.grid(summary.gradient);
      w.optionalGrid(summary.hessian);
      break;
    default:
      summary satisfies never;
  }
  return w.bytes();
}

/** Decodes bytes from {@linkcode encodeSummary}; throws a `MalformedMessageError` on anything else. */
export function decodeSummary(input: unknown): FoldSummary {
  if (!(input instanceof Uint8Array)) throw malformed("expected a Uint8Array");
  const r = new ByteReader(input, malformed);
  for (const b of MAGIC) if (r.u8() !== b) throw malformed("bad magic");
  const version = r.u8();
  if (version !== VERSION) throw malformed(`unsupported version ${version}`);
  const kind = r.u8();
  let out: FoldSummary;
  if (kind === KIND["lr.ranges"]) {
    const dimension = r.u32(), [r0, r1, m0, m1] = r.f64s(4);
    const exact = () => checkedExact(r.f64s(EXACT_LENGTH));
    const weightSums: [Float64Array, Float64Array] = [exact(), exact()];
    const weightSquares: [Float64Array, Float64Array] = [exact(), exact()];
    out = {
      type: "lr.ranges",
      dimension,
      rows: [count(r0!), count(r1!)],
      weightSums,
      weightSquares,
      maxWeight: [m0!, m1!],
      min: r.f64s(dimension),
      max: r.f64s(dimension),
    };
  } else if (kind === KIND["lr.moments"]) {
    const dimension = r.u32(), sums = r.grid(), gram = r.optionalGrid();
    if (sums.exponents.length !== 3 + 2 * dimension) throw malformed("moment sums do not fit the dimension");
    if (gram !== undefined && gram.exponents.length !== (dimension * (dimension + 1)) / 2) {
      throw malformed("Gram sums do not fit the dimension");
    }
    out = { type: "lr.moments", dimension, sums };
    if (gram !== undefined) out.gram = gram;
  } else if (kind === KIND["lr.loss"]) {
    const size = r.u32(), rows = count(r.f64s(1)[0]!), loss = checkedExact(r.f64s(EXACT_LENGTH));
    const gradient = r.grid(), hessian = r.optionalGrid();
    if (gradient.exponents.length !== size) throw malformed("gradient sums do not fit the size");
    if (hessian !== undefined && hessian.exponents.length !== (size * (size + 1)) / 2) {
      throw malformed("Hessian sums do not fit the size");
    }
    out = { type: "lr.loss", size, rows, loss, gradient };
    if (hessian !== undefined) out.hessian = hessian;
  } else {
    throw malformed(`unknown kind ${kind}`);
  }
  r.end();
  return out;
}

function malformed(what: string): MalformedMessageError {
  return new MalformedMessageError(`Cannot decode a logistic-regression summary: ${what}`, {
    data: { what },
  });
}

function count(v: number): number {
  if (!Number.isSafeInteger(v) || v < 0) throw malformed(`row count ${v} is not a count`);
  return v;
}

function checkedExact(state: Float64Array): Float64Array {
  try {
    new ExactSum(state);
  } catch (cause) {
    throw new MalformedMessageError(`Cannot decode a logistic-regression summary: bad exact sum`, { cause });
  }
  return state;
}
