/**
 * Checkpoints of a `frontier train` run (`--checkpoint-every K [--resume]`): every tree model
 * saves its training so far every K boosting rounds or forest tree groups under
 * `<out>/checkpoints/<model>/<fit|refit>/` (the library's `TrainingCheckpoints`), and
 * `<out>/checkpoints/run.json` records what the run was (data hash, seed, split, models…).
 *
 * `--resume` continues only a run with the same `run.json` (a different input or option is
 * refused with the keys that differ): each model then resumes from its latest checkpoint and ends
 * with the model an uninterrupted run makes. Without `--resume` old checkpoints are removed
 * first; once the run completes they are removed too.
 *
 * @module
 */
import { join } from "node:path";
import type { Clock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import type { CheckpointOptions } from "../../../models/classification/tree/checkpoint.ts";

/** The checkpoints of one run. */
export interface RunCheckpoints {
  /** Checkpoint options of `model`'s first fit or its refit. */
  forModel(model: string, phase: "fit" | "refit"): CheckpointOptions;
  /** Removes the run's checkpoints (the run completed). */
  finish(): Promise<void>;
}

const RUN_FILE = "run.json";

async function readRun(path: string): Promise<Json | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as Json;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new RangeError(`Cannot resume: ${path} is not readable JSON`, { cause: e });
  }
}

function differingKeys(a: Json, b: Json): string[] {
  const ra = typeof a === "object" && a !== null && !Array.isArray(a) ? a : {};
  const rb = typeof b === "object" && b !== null && !Array.isArray(b) ? b : {};
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])];
  return keys.filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]));
}

/**
 * Opens the checkpoints under `dir` for a run described by `identity`; `RangeError` when resuming
 * a run that had another identity.
 */
export async function openRunCheckpoints(
  dir: string,
  options: { every: number; resume: boolean; identity: Json; clock: Clock; log: (line: string) => void },
): Promise<RunCheckpoints> {
  const runFile = join(dir, RUN_FILE);
  const saved = options.resume ? await readRun(runFile) : undefined;
  if (saved !== undefined) {
    const keys = differingKeys(saved, options.identity);
    if (keys.length > 0) {
      throw new RangeError(
        `Cannot resume: the checkpoints in ${dir} were written by a run with another ${keys.join(", ")}`,
      );
    }
    options.log(`resuming from the checkpoints in ${dir}`);
  } else {
    if (options.resume) options.log(`no checkpoints in ${dir}: training from the start`);
    await Deno.remove(dir, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(runFile, JSON.stringify(options.identity, undefined, 1));
  }
  return {
    forModel: (model, phase) => ({
      dir: join(dir, model, phase),
      every: options.every,
      resume: options.resume,
      clock: options.clock,
    }),
    finish: () => Deno.remove(dir, { recursive: true }),
  };
}
