/**
 * The named errors of the data layer: tasks, jobs, schemas, rows, refused code, authentication.
 * Like the actor errors (`actors/errors.ts`) each has a stable `name`, JSON `data` and an optional
 * `cause`, and is registered here for the wire, so an executor's `SchemaError` is a `SchemaError`
 * on the driver and in a remote client. Whether the scheduler retries a failed task is the
 * error's {@linkcode FrontierError.deterministic} property, set per class below and carried on
 * the wire.
 *
 * @module
 */
import { FrontierError, type Json, registerErrors } from "../actors/errors.ts";

/** A task failed; `data.kind` says whether the task itself or its inputs (fetch) caused it. */
export class TaskFailedError extends FrontierError {
  /** Always `"TaskFailedError"`, here and on the wire. */
  override name = "TaskFailedError";
}

/** Where a lost block was: the map output a {@linkcode FetchFailedError} could not read. */
export interface LostBlock {
  /** The shuffle output (map stage) it belongs to. */
  readonly outputId: number;
  /** The map partition that wrote it. */
  readonly mapPartition: number;
  /** The executor that held it. */
  readonly executorId: string;
}

/**
 * A block could not be fetched: the map output is lost, so its stage must rerun (not this task
 * alone). The block's place is in `data` (see {@linkcode FetchFailedError.block}).
 */
export class FetchFailedError extends TaskFailedError {
  /** Always `"FetchFailedError"`, here and on the wire. */
  override name = "FetchFailedError";

  /** A fetch failure of `block`. */
  static of(message: string, block: LostBlock & { cause?: unknown }): FetchFailedError {
    const { outputId, mapPartition, executorId, cause } = block;
    const data: Record<string, Json> = { outputId, mapPartition, executorId };
    return new FetchFailedError(message, cause === undefined ? { data } : { data, cause });
  }

  /** The lost block, read back from `data` (`-1` and `""` where a malformed peer left a field out). */
  get block(): LostBlock {
    const { outputId, mapPartition, executorId } = this.data;
    return {
      outputId: typeof outputId === "number" ? outputId : -1,
      mapPartition: typeof mapPartition === "number" ? mapPartition : -1,
      executorId: typeof executorId === "string" ? executorId : "",
    };
  }
}

/** A job could not complete (a stage or task ran out of attempts). */
export class JobFailedError extends FrontierError {
  /** Always `"JobFailedError"`, here and on the wire. */
  override name = "JobFailedError";
}

/** Data does not match the schema it was declared or expected to have. Deterministic. */
export class SchemaError extends FrontierError {
  /** True: see {@linkcode FrontierError.deterministic}. */
  static override readonly deterministic: boolean = true;
  /** Always `"SchemaError"`, here and on the wire. */
  override name = "SchemaError";
}

/** A malformed input row, with its location. Deterministic. */
export class InvalidRowError extends FrontierError {
  /** True: see {@linkcode FrontierError.deterministic}. */
  static override readonly deterministic: boolean = true;
  /** Always `"InvalidRowError"`, here and on the wire. */
  override name = "InvalidRowError";
}

/** A module or export was not on the job's allowlist. Deterministic. */
export class NotAllowedError extends FrontierError {
  /** True: see {@linkcode FrontierError.deterministic}. */
  static override readonly deterministic: boolean = true;
  /** Always `"NotAllowedError"`, here and on the wire. */
  override name = "NotAllowedError";
}

/**
 * A task needed executor-local state (`PartitionContext.state`) that is not there or is stale:
 * evicted, lost with an executor, or the task ran on another executor. Deterministic: the same
 * task fails the same way on a retry, so the job fails at once and its caller resends what
 * rebuilds the state.
 */
export class StateMissingError extends FrontierError {
  /** True: see {@linkcode FrontierError.deterministic}. */
  static override readonly deterministic: boolean = true;
  /** Always `"StateMissingError"`, here and on the wire. */
  override name = "StateMissingError";
}

/**
 * A value a task must keep in executor-local state (`PartitionContext.state`) is larger than the
 * executor's whole state budget, e.g. a training shard. `data` holds `neededBytes` and
 * `budgetBytes`. Deterministic: executors of one cluster share the budget, so the job fails at once.
 */
export class StateBudgetError extends FrontierError {
  /** True: see {@linkcode FrontierError.deterministic}. */
  static override readonly deterministic: boolean = true;
  /** Always `"StateBudgetError"`, here and on the wire. */
  override name = "StateBudgetError";
}

/** A node failed to prove the shared secret, or a frame came from an unauthenticated peer. */
export class AuthenticationError extends FrontierError {
  /** Always `"AuthenticationError"`, here and on the wire. */
  override name = "AuthenticationError";
}

registerErrors(
  TaskFailedError,
  FetchFailedError,
  JobFailedError,
  SchemaError,
  InvalidRowError,
  NotAllowedError,
  StateMissingError,
  StateBudgetError,
  AuthenticationError,
);
