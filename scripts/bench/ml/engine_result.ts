/**
 * The result line every engine child of the ML benchmark prints (Frontier's and the Python
 * peers'): the fits it ran, each with its training time and the file of its test scores
 * (little-endian float64, one per test row in row order), plus the engine's versions. Decoded here
 * from `unknown`.
 *
 * @module
 */
import { z } from "zod";
import type { Json } from "../../../actors/errors.ts";
import { MalformedMessageError } from "../../../actors/errors.ts";

/** The three model families compared. */
export const MODEL_KINDS = ["lr", "rf", "gbt"] as const;
/** One of them. */
export type ModelKind = (typeof MODEL_KINDS)[number];

const json: z.ZodType<Json> = z.json() as z.ZodType<Json>;

const fitSchema = z.object({
  engine: z.string().min(1),
  model: z.enum(MODEL_KINDS),
  dataset: z.string().optional(),
  split: z.string().optional(),
  /** The model seed of one of a randomized model's fits on a split (see `SplitInfo.modelSeeds`). */
  modelSeed: z.number().int().optional(),
  fitSeconds: z.number().nonnegative(),
  predictSeconds: z.number().nonnegative().optional(),
  loadSeconds: z.number().nonnegative().optional(),
  scores: z.string().min(1),
  extra: z.record(z.string(), json).default({}),
});

const lineSchema = z.object({
  versions: z.record(z.string(), json),
  startupSeconds: z.number().nonnegative().optional(),
  results: z.array(fitSchema),
});

/** One fit: which engine and model, on which data, how long, and where its test scores are. */
export type EngineFit = z.infer<typeof fitSchema>;
/** A child's whole result line. */
export type EngineResultLine = z.infer<typeof lineSchema>;

/** Decodes a child's result line; a `MalformedMessageError` names what is wrong. */
export function decodeEngineResult(input: unknown, what: string): EngineResultLine {
  const parsed = lineSchema.safeParse(input);
  if (!parsed.success) {
    throw new MalformedMessageError(`${what} printed a malformed result line: ${parsed.error.message}`, {
      data: { what },
    });
  }
  return parsed.data;
}

/** Reads a scores file (little-endian float64) and checks it holds `expected` finite scores. */
export async function readScores(path: string, expected: number): Promise<Float64Array> {
  const bytes = await Deno.readFile(path);
  if (bytes.byteLength !== expected * 8) {
    throw new RangeError(`${path} holds ${bytes.byteLength / 8} scores, expected ${expected}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(expected);
  for (let i = 0; i < expected; i++) {
    out[i] = view.getFloat64(i * 8, true);
    if (!Number.isFinite(out[i])) throw new RangeError(`${path}: score ${i} is ${out[i]}`);
  }
  return out;
}

/** Writes scores as little-endian float64 (creating the directory). */
export async function writeScores(path: string, scores: ArrayLike<number>): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
  const bytes = new Uint8Array(scores.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < scores.length; i++) view.setFloat64(i * 8, scores[i]!, true);
  await Deno.writeFile(path, bytes);
}
