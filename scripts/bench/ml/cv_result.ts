/**
 * The result line every engine child of the cross-validation benchmark prints (Frontier's
 * `frontier_cv.ts` and `peers_cv.py`): the search's time from inside the process, every trial's
 * mean and standard deviation of the validated metric over the folds, and the best trial. Decoded
 * here from `unknown`, with the consistency checks a figure relies on. A trial's `std` is as each
 * engine computes it (Frontier: sample; scikit-learn: population): informative only.
 *
 * @module
 */
import { z } from "zod";
import type { Json } from "../../../actors/errors.ts";
import { MalformedMessageError } from "../../../actors/errors.ts";

const json: z.ZodType<Json> = z.json() as z.ZodType<Json>;

const trialSchema = z.object({
  params: z.record(z.string(), json),
  mean: z.number(),
  std: z.number(),
});

const lineSchema = z.object({
  engine: z.string().min(1),
  versions: z.record(z.string(), json),
  /** Reading the data, the search and the refit of the best params, seconds. */
  wallSeconds: z.number().nonnegative(),
  /** The search and the refit only, seconds. */
  fitSeconds: z.number().nonnegative(),
  best: z.object({ params: z.record(z.string(), json), mean: z.number() }),
  trials: z.array(trialSchema).min(1),
  extra: z.record(z.string(), json).default({}),
});

/** One trial of a search. */
export type CvTrial = z.infer<typeof trialSchema>;
/** A CV child's result line. */
export type CvResultLine = z.infer<typeof lineSchema>;

/**
 * Decodes a CV child's result line; a `MalformedMessageError` names what is wrong (a bad shape, a
 * best trial that is not the maximum of the trials' means, or not as many trials as `expectTrials`).
 */
export function decodeCvResult(input: unknown, what: string, expectTrials?: number): CvResultLine {
  const parsed = lineSchema.safeParse(input);
  const fail = (message: string) => new MalformedMessageError(`${what} ${message}`, { data: { what } });
  if (!parsed.success) throw fail(`printed a malformed result line: ${parsed.error.message}`);
  const line = parsed.data;
  if (expectTrials !== undefined && line.trials.length !== expectTrials) {
    throw fail(`reported ${line.trials.length} trials, the grid has ${expectTrials}`);
  }
  const top = Math.max(...line.trials.map((t) => t.mean));
  if (!(Math.abs(top - line.best.mean) <= 1e-12)) {
    throw fail(`reported best ${line.best.mean}, but its best trial scored ${top}`);
  }
  return line;
}
