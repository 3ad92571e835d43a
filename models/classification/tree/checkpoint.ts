/**
 * Checkpoints of long tree trainings: every few rounds (boosting) or tree groups (forests) the
 * model so far is saved as a model directory `step-<n>` in the checkpoint directory, with the
 * training state that goes with it (losses, the best round) in its `model.json` `params`. A
 * directory is written atomically (`saveModel`: a hidden sibling, fsynced, renamed), so a crash
 * leaves the previous checkpoint intact; older ones are removed once a newer one is in place.
 * A restarted driver resumes from the latest checkpoint that verifies; the settings it was
 * written with must equal the new training's. A checkpoint is a loadable model too.
 *
 * @module
 */
import { join } from "node:path";
import { type Clock, systemClock } from "../../../actors/clock.ts";
import type { Json } from "../../../actors/errors.ts";
import denoConfig from "../../../deno.json" with { type: "json" };
import type { FeatureSchema } from "../../persistence/feature_schema.ts";
import { loadModel, saveModel } from "../../persistence/model_dir.ts";
import { type BodyCodec, ModelRegistry } from "../../persistence/registry.ts";

/** Where and how often a training checkpoints. */
export interface CheckpointOptions {
  /** Directory of the training's checkpoints (created when the first is written). */
  readonly dir: string;
  /** Save after every this many boosting rounds or forest tree groups. */
  readonly every: number;
  /** Start from the latest checkpoint in `dir`, when there is one. @default {false} */
  readonly resume?: boolean;
  /** The clock of the checkpoints' `createdAt`. @default {systemClock} */
  readonly clock?: Clock;
}

/** A saved model so far, the training state saved with it, and its step. */
export interface Checkpoint<M> {
  readonly step: number;
  readonly model: M;
  readonly progress: Json;
}

const STEP = /^step-(\d{9})$/;

function stepName(step: number): string {
  return `step-${String(step).padStart(9, "0")}`;
}

/** The checkpoints of one training, in one directory. */
export class TrainingCheckpoints<M> {
  readonly #options: CheckpointOptions;
  readonly #codec: BodyCodec<M>;
  readonly #settings: Json;
  readonly #schema: FeatureSchema;
  readonly #seed: number;

  /**
   * Checkpoints in `options.dir` of models of `codec`'s kind; `settings` (params, feature
   * columns…) must match for a checkpoint to be resumed. `RangeError` for a bad `every`.
   */
  constructor(
    options: CheckpointOptions,
    setup: { codec: BodyCodec<M>; settings: Json; schema: FeatureSchema; seed: number },
  ) {
    if (!(Number.isSafeInteger(options.every) && options.every >= 1)) {
      throw new RangeError(`checkpoint.every must be a positive integer, got ${options.every}`);
    }
    this.#options = options;
    this.#codec = setup.codec;
    this.#settings = setup.settings;
    this.#schema = setup.schema;
    this.#seed = setup.seed;
  }

  /** How often to save. */
  get every(): number {
    return this.#options.every;
  }

  /** Saves `model` and `progress` as step `step`, then removes older steps. */
  async save(step: number, model: M, progress: Json): Promise<void> {
    const dir = this.#options.dir;
    await Deno.mkdir(dir, { recursive: true });
    const path = join(dir, stepName(step));
    await Deno.remove(path, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    await saveModel(path, {
      codec: this.#codec,
      model,
      info: {
        frontierVersion: denoConfig.version,
        createdAt: new Date((this.#options.clock ?? systemClock).now()).toISOString(),
        seed: this.#seed,
        params: { settings: this.#settings, progress },
        schema: this.#schema,
        metrics: {},
        training: { dataHash: "checkpoint" },
        warnings: [],
      },
    });
    for (const s of await this.#steps()) {
      if (s < step) await Deno.remove(join(dir, stepName(s)), { recursive: true });
    }
  }

  /**
   * The latest checkpoint that verifies (a damaged one is skipped), or `undefined` when there is
   * none or resuming is off. `RangeError` when it was written for other settings.
   */
  async latest(): Promise<Checkpoint<M> | undefined> {
    if (this.#options.resume !== true) return undefined;
    const registry = new ModelRegistry([this.#codec]);
    for (const step of (await this.#steps()).reverse()) {
      const path = join(this.#options.dir, stepName(step));
      let loaded;
      try {
        loaded = await loadModel(path, registry);
      } catch {
        continue;
      }
      const params = loaded.envelope.params;
      const saved = typeof params === "object" && params !== null && !Array.isArray(params) ? params : {};
      if (JSON.stringify(saved.settings) !== JSON.stringify(this.#settings)) {
        throw new RangeError(`The checkpoint ${path} was written by a training with other settings`);
      }
      return { step, model: loaded.model, progress: saved.progress ?? null };
    }
    return undefined;
  }

  async #steps(): Promise<number[]> {
    const out: number[] = [];
    try {
      for await (const e of Deno.readDir(this.#options.dir)) {
        const m = e.isDirectory ? STEP.exec(e.name) : null;
        if (m) out.push(Number(m[1]));
      }
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
    return out.sort((a, b) => a - b);
  }
}
