/**
 * Bytes for the contexts the driver sends with each fold (what every partition must see
 * identically: ranges, centers, bounds, coefficients), decoded and checked on the executor.
 * Doubles travel as their exact 8 bytes, so every partition rounds its terms exactly as the
 * driver-side numbers say.
 *
 * Layout (little-endian): `"FLRC"`, version (u8, 1), kind (u8: 1 ranges, 2 moments, 3 loss), then
 * the kind's fields; arrays as `u32 n, f64 × n`, flags as a u8 0 or 1.
 *
 * @module
 */
import { MalformedMessageError } from "../../../actors/errors.ts";
import { ByteReader, ByteWriter } from "./byte_codec.ts";
import type { LossContext } from "./loss_pass.ts";
import type { MomentContext } from "./moment_pass.ts";
import type { RangeContext } from "./range_pass.ts";

/** A fold's context, tagged with the fold it is for. */
export type FoldContext =
  | { type: "lr.ranges"; context: RangeContext }
  | { type: "lr.moments"; context: MomentContext }
  | { type: "lr.loss"; context: LossContext };

const MAGIC = [0x46, 0x4c, 0x52, 0x43]; // "FLRC"
const VERSION = 1;
const KIND = { "lr.ranges": 1, "lr.moments": 2, "lr.loss": 3 } as const;

/** Encodes a context as bytes. */
export function encodeContext(c: FoldContext): Uint8Array {
  const w = new ByteWriter();
  for (const b of MAGIC) w.u8(b);
  w.u8(VERSION);
  w.u8(KIND[c.type]);
  switch (c.type) {
    case "lr.ranges":
      w.u32(c.context.dimension);
      break;
    case "lr.moments": {
      const m = c.context;
      w.u32(m.dimension);
      w.f64s([m.classWeights[0], m.classWeights[1], m.maxWeight]);
      w.f64Array(m.centers);
      w.f64Array(m.spreads);
      w.u8(m.gram ? 1 : 0);
      break;
    }
    case "lr.loss": {
      const l = c.context;
      w.u32(l.dimension);
      w.u8(l.fitIntercept ? 1 : 0);
      w.u8(l.hessian ? 1 : 0);
      w.f64s([l.classWeights[0], l.classWeights[1], l.maxWeight]);
      w.f64Array(l.shift);
      w.f64Array(l.invStd);
      w.f64Array(l.maxAbsZ);
      w.f64Array(l.coefficients);
      break;
    }
    default:
      c satisfies never;
  }
  return w.bytes();
}

/** Decodes bytes from {@linkcode encodeContext}; throws a `MalformedMessageError` on anything else. */
export function decodeContext(input: unknown): FoldContext {
  if (!(input instanceof Uint8Array)) throw malformed("expected a Uint8Array");
  const r = new ByteReader(input, malformed);
  for (const b of MAGIC) if (r.u8() !== b) throw malformed("bad magic");
  const version = r.u8();
  if (version !== VERSION) throw malformed(`unsupported version ${version}`);
  const kind = r.u8();
  let out: FoldContext;
  if (kind === KIND["lr.ranges"]) {
    out = { type: "lr.ranges", context: { dimension: r.u32() } };
  } else if (kind === KIND["lr.moments"]) {
    const dimension = r.u32(), [c0, c1, maxWeight] = weights(r.f64s(3));
    const centers = finite(r.f64Array(), dimension, "centers"),
      spreads = finite(r.f64Array(), dimension, "spreads");
    out = {
      type: "lr.moments",
      context: { dimension, classWeights: [c0, c1], maxWeight, centers, spreads, gram: flag(r.u8()) },
    };
  } else if (kind === KIND["lr.loss"]) {
    const dimension = r.u32(), fitIntercept = flag(r.u8()), hessian = flag(r.u8());
    const [c0, c1, maxWeight] = weights(r.f64s(3));
    const shift = finite(r.f64Array(), dimension, "shift"),
      invStd = finite(r.f64Array(), dimension, "invStd");
    const maxAbsZ = finite(r.f64Array(), dimension, "maxAbsZ");
    const coefficients = finite(r.f64Array(), dimension + (fitIntercept ? 1 : 0), "coefficients");
    out = {
      type: "lr.loss",
      context: {
        dimension,
        fitIntercept,
        classWeights: [c0, c1],
        maxWeight,
        shift,
        invStd,
        maxAbsZ,
        coefficients,
        hessian,
      },
    };
  } else {
    throw malformed(`unknown kind ${kind}`);
  }
  r.end();
  return out;
}

function malformed(what: string): MalformedMessageError {
  return new MalformedMessageError(`Cannot decode a logistic-regression context: ${what}`, {
    data: { what },
  });
}

function flag(v: number): boolean {
  if (v > 1) throw malformed(`flag byte ${v}`);
  return v === 1;
}

function weights(v: Float64Array): [number, number, number] {
  if (!v.every((x) => x >= 0 && x < Infinity)) throw malformed("weights must be finite and ≥ 0");
  return [v[0]!, v[1]!, v[2]!];
}

function finite(v: Float64Array, length: number, what: string): Float64Array {
  if (v.length !== length) throw malformed(`${what} has ${v.length} values, expected ${length}`);
  if (!v.every(Number.isFinite)) throw malformed(`${what} must be finite`);
  return v;
}
