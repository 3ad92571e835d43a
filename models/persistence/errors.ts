/**
 * The named errors of model persistence. Like every Frontier error each has a stable `name`,
 * structured `data` and an optional `cause`, travels as `{ name, message, data }`
 * ({@linkcode errorToWire}) and is rebuilt as the same class by
 * {@linkcode persistenceErrorFromWire}.
 *
 * Which error a caller sees says where a model directory failed:
 * - {@linkcode ModelNotFoundError}: there is no model directory at the path (a save that crashed
 *   before its rename leaves none).
 * - {@linkcode ModelIntegrityError}: the manifest check failed — a file missing, extra, resized or
 *   changed, or the manifest itself absent, malformed or naming a path outside the directory.
 *   Nothing else in the directory has been parsed when this is thrown.
 * - {@linkcode ModelFormatError}: the files are intact but do not decode — unknown kind, a format
 *   or body version this build does not read, or a malformed field.
 * - {@linkcode ModelExistsError}: a save would replace an existing path.
 *
 * @module
 */
import { errorFromWire, errorToWire, FrontierError, type Json, type WireError } from "../../actors/errors.ts";

export { errorToWire };

/** No model directory at the path. `data.path` is the path asked for. */
export class ModelNotFoundError extends FrontierError {
  /** Always `"ModelNotFoundError"`, here and on the wire. */
  override name = "ModelNotFoundError";
}

/**
 * A model directory failed its manifest check. `data.path` is the directory, `data.file` the file
 * at fault when there is one, `data.reason` one of `"manifest-missing"`, `"manifest-malformed"`,
 * `"unsafe-path"`, `"missing-file"`, `"extra-file"`, `"not-a-file"`, `"size-mismatch"`,
 * `"hash-mismatch"`.
 */
export class ModelIntegrityError extends FrontierError {
  /** Always `"ModelIntegrityError"`, here and on the wire. */
  override name = "ModelIntegrityError";
}

/**
 * A verified model file does not decode. `data.file` is the file, `data.field` the JSON path of
 * the offending field when there is one.
 */
export class ModelFormatError extends FrontierError {
  /** Always `"ModelFormatError"`, here and on the wire. */
  override name = "ModelFormatError";
}

/** A save target already exists; models are never overwritten in place. `data.path` is the target. */
export class ModelExistsError extends FrontierError {
  /** Always `"ModelExistsError"`, here and on the wire. */
  override name = "ModelExistsError";
}

/** Why a {@linkcode ModelIntegrityError} was thrown. */
export type IntegrityReason =
  | "manifest-missing"
  | "manifest-malformed"
  | "unsafe-path"
  | "missing-file"
  | "extra-file"
  | "not-a-file"
  | "size-mismatch"
  | "hash-mismatch";

const PERSISTENCE_ERRORS: Record<
  string,
  new (message: string, options?: { data?: Record<string, Json> }) => FrontierError
> = { ModelNotFoundError, ModelIntegrityError, ModelFormatError, ModelExistsError };

/**
 * Rebuilds a {@linkcode WireError} as its class: the persistence errors here, every other name as
 * `actors/errors.ts`'s {@linkcode errorFromWire} does.
 */
export function persistenceErrorFromWire(wire: WireError): Error {
  const Ctor = PERSISTENCE_ERRORS[wire.name];
  return Ctor ? new Ctor(wire.message, { data: wire.data }) : errorFromWire(wire);
}

/** A {@linkcode ModelIntegrityError} for directory `path`. */
export function integrityError(
  path: string,
  reason: IntegrityReason,
  detail: { message: string; file?: string; cause?: unknown },
): ModelIntegrityError {
  const data: Record<string, Json> = { path, reason };
  if (detail.file !== undefined) data.file = detail.file;
  return new ModelIntegrityError(`Model directory "${path}" failed its manifest check: ${detail.message}`, {
    data,
    cause: detail.cause,
  });
}

/** A {@linkcode ModelFormatError} about `file`, at JSON path `field` when given. */
export function formatError(file: string, message: string, field?: string): ModelFormatError {
  const data: Record<string, Json> = { file };
  if (field !== undefined) data.field = field;
  return new ModelFormatError(message, { data });
}
