/**
 * What boosting and forests share when they train on a cluster: the columns they read, the
 * cached and binned input, the shard session and its cleanup.
 *
 * {@linkcode prepareShards} caches the training columns of the input (`select(...).cache()`: the
 * assembled input every request reads, so tasks run on the executors that hold its partitions
 * and find their shards there), counts each partition's rows (global row numbers are the default
 * row ids) and fits the binnings (`cluster_binning.ts`). {@linkcode TrainingSession} owns the
 * executor state and the cache, and releases both when training ends, however it ends.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import type { Field } from "../../../cluster/columnar/batch.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import type { FeatureSchema } from "../../persistence/feature_schema.ts";
import type { FeatureBinning } from "./binning.ts";
import type { CheckpointOptions } from "./checkpoint.ts";
import { firstRowIds, fitClusterBinnings, partitionRowCounts } from "./cluster_binning.ts";
import type { ShardBase } from "./shard_state.ts";
import { checkSource, sourceColumns, type TreeSource } from "./shard_source.ts";

/** The columns tree training reads. */
export interface TreeColumns {
  /** Feature columns in model order: numeric, or integer category codes (see `categorical`). */
  readonly features: readonly string[];
  /** Which feature columns hold integer category codes (split natively). @default {[]} */
  readonly categorical?: readonly string[];
  /** The 0 / 1 (or bool) label column. */
  readonly label: string;
  /** Non-negative row weights. */
  readonly weight?: string;
  /**
   * Stable non-negative integer row ids, the key of every per-row draw (bagging, bootstrap,
   * binning sample). Default: the global row number, stable as long as the input's order is.
   */
  readonly rowId?: string;
}

/** Options every cluster tree training takes. */
export interface ClusterFitOptions extends TreeColumns {
  /** Binnings to use instead of fitting them on the input (one per feature, in order). */
  readonly binnings?: readonly FeatureBinning[];
  /** Rows sampled (by row id) to bin numeric features. @default {200_000} */
  readonly binningSampleRows?: number;
  /** Save the model so far every few rounds, and resume from the latest save. */
  readonly checkpoint?: CheckpointOptions;
  /** Called as each training request's job starts (progress; fault-injection in tests). */
  readonly onRequest?: (info: { readonly requests: number; readonly type: string }) => void;
  /** Aborts the training (its cache and executor state are released). */
  readonly signal?: AbortSignal;
}

/** Jobs a cluster training ran. */
export interface ClusterTrainingStats {
  /** Every job: binning passes, training requests and their resends. */
  readonly jobs: number;
  /** Training requests sent again with a replay because a shard's state was missing. */
  readonly replays: number;
}

/** The {@linkcode TreeSource} of `columns`. */
export function columnSource(columns: TreeColumns): TreeSource {
  return {
    kind: "columns",
    features: [...columns.features],
    categorical: [...(columns.categorical ?? [])],
    label: columns.label,
    ...(columns.weight === undefined ? {} : { weight: columns.weight }),
    ...(columns.rowId === undefined ? {} : { rowId: columns.rowId }),
  };
}

/** The feature schema saved with a model trained on `source` from `schema`'s columns. */
export function featureSchemaOf(source: TreeSource, schema: readonly Field[]): FeatureSchema {
  const inputs = sourceColumns(source).map((c) => schema.find((f) => f.name === c)!);
  return {
    inputColumns: inputs,
    label: source.label,
    ...(source.weight === undefined ? {} : { weight: source.weight }),
    stages: [],
    featureNames: [...source.features],
  };
}

/** Parameters as JSON (non-finite numbers as strings), for checkpoints and model files. */
export function paramsJson(params: object): Json {
  return JSON.parse(
    JSON.stringify(params, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)),
  );
}

/** A cached, counted and binned training input. */
export interface PreparedShards {
  /** The cached training columns (unpersisted by the session). */
  readonly input: Dataset;
  readonly base: ShardBase;
  readonly rows: number;
  /** Jobs the preparation ran. */
  readonly jobs: number;
}

/**
 * Caches `dataset`'s training columns, counts its partitions' rows and fits binnings (unless
 * given). `SchemaError` for a missing or unreadable column.
 */
export async function prepareShards(
  dataset: Dataset,
  source: TreeSource,
  options: {
    binnings?: readonly FeatureBinning[] | undefined;
    maxBins: number;
    sampleRows?: number | undefined;
    seed: number;
    signal?: AbortSignal | undefined;
  },
): Promise<PreparedShards> {
  checkSource(source, dataset.schema);
  if (options.binnings !== undefined && options.binnings.length !== source.features.length) {
    throw new RangeError(`Got ${options.binnings.length} binnings for ${source.features.length} features`);
  }
  const signal = options.signal ? { signal: options.signal } : {};
  const input = dataset.select(...sourceColumns(source)).cache();
  try {
    const counts = await partitionRowCounts(input, signal);
    const first = firstRowIds(counts);
    const rows = counts.reduce((a, b) => a + b, 0);
    const binnings = options.binnings ?? await fitClusterBinnings(input, source, {
      firstRowIds: first,
      rows,
      maxBins: options.maxBins,
      ...(options.sampleRows === undefined ? {} : { sampleRows: options.sampleRows }),
      seed: options.seed,
      ...signal,
    });
    return {
      input,
      base: { source, binnings, firstRowIds: first },
      rows,
      jobs: options.binnings === undefined ? 2 : 1,
    };
  } catch (e) {
    await input.unpersist();
    throw e;
  }
}

/** The executor state and cached inputs of one training; {@linkcode TrainingSession.close} frees them. */
export class TrainingSession implements AsyncDisposable {
  /** The state key prefix of this training's shards (`tree/<kind>/<uuid>/`). */
  readonly prefix: string;
  readonly #inputs: Dataset[] = [];

  /** A session for a `kind` training with a fresh key prefix. */
  constructor(kind: string) {
    this.prefix = `tree/${kind}/${crypto.randomUUID()}/`;
  }

  /** The prefix of one shard group of the session (train, validation…). */
  group(name: string): string {
    return `${this.prefix}${name}/`;
  }

  /** Frees `input` (its executor state and cache) when the session closes. */
  own(input: Dataset): void {
    this.#inputs.push(input);
  }

  /** Releases the session's executor state and unpersists its inputs. */
  async close(): Promise<void> {
    const inputs = this.#inputs.splice(0);
    if (inputs[0] !== undefined) await inputs[0].releaseState(this.prefix);
    for (const ds of inputs) await ds.unpersist();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
