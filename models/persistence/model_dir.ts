/**
 * Saving and loading model directories. Encoding to bytes ({@linkcode encodeModelFiles}) and
 * decoding verified bytes ({@linkcode decodeModelFiles}) are pure; {@linkcode saveModel} and
 * {@linkcode loadModel} add the file system.
 *
 * Saving is atomic: the files are written into a fresh sibling `.<name>.partial-<random>`, each
 * fsynced, the manifest last, and the sibling is renamed to the target in one step. A crash
 * before the rename leaves no target (only a hidden partial sibling, safe to delete), so a
 * loader never sees a half-written model. Existing targets are never replaced.
 *
 * Loading verifies the manifest before parsing anything (`manifest.ts`), then decodes
 * `model.json` (format version first, then kind, then every field), then the body through the
 * registry's decoder for that kind. Nothing in a model directory is ever evaluated as code.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { FrontierError } from "../../actors/errors.ts";
import { BODY_DATA_FILE, BODY_HEADER_FILE, decodeBody, encodeBody } from "./body_layout.ts";
import {
  decodeEnvelope,
  encodeEnvelope,
  isKindName,
  MODEL_FILE,
  type ModelEnvelope,
  type ModelInfo,
} from "./envelope.ts";
import { formatError, ModelExistsError, ModelFormatError } from "./errors.ts";
import { toJson } from "./json_fields.ts";
import { buildManifest, encodeManifest, type Manifest, MANIFEST_FILE, verifyModelDir } from "./manifest.ts";
import type { BodyCodec, ModelRegistry } from "./registry.ts";

/** The files of a format-version-1 directory besides the manifest. */
export const MODEL_DIR_FILES: readonly string[] = [BODY_DATA_FILE, BODY_HEADER_FILE, MODEL_FILE];

/** A model to save: the codec of its kind, the model, and what the caller knows about it. */
export interface SaveModelInput<M> {
  /** The codec of the model's kind. */
  readonly codec: BodyCodec<M>;
  /** The model. */
  readonly model: M;
  /** What the caller knows about it (`model.json`). */
  readonly info: ModelInfo;
}

/** A loaded model and its decoded `model.json`. */
export interface LoadedModel<M> {
  /** The decoded `model.json`. */
  readonly envelope: ModelEnvelope;
  /** The model its kind's codec decoded. */
  readonly model: M;
}

/** What {@linkcode saveModel} wrote. */
export interface SavedModel {
  /** The directory. */
  readonly path: string;
  /** The manifest written with it. */
  readonly manifest: Manifest;
}

function jsonBytes(value: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${JSON.stringify(value, undefined, 2)}\n`);
}

function parseJson(file: string, bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined) throw formatError(file, `${file} is missing`);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ModelFormatError(`${file} is not UTF-8 JSON`, { data: { file }, cause: e });
  }
}

/** A model directory's files in memory. */
export interface EncodedModel {
  /** Every file, manifest included, by name. */
  readonly files: ReadonlyMap<string, Uint8Array<ArrayBuffer>>;
  readonly manifest: Manifest;
}

/**
 * Every file of the model's directory, manifest included. Throws `TypeError` when the
 * input cannot be saved (non-JSON params, a malformed field): the envelope is checked by the
 * same decoder a loader runs, so nothing is written that would not load.
 */
export async function encodeModelFiles<M>(input: SaveModelInput<M>): Promise<EncodedModel> {
  const { codec, model, info } = input;
  if (!isKindName(codec.kind)) throw new TypeError(`Model kind "${codec.kind}" must be lowercase snake case`);
  if (!codec.readableVersions.includes(codec.version)) {
    throw new TypeError(`Model kind "${codec.kind}" writes body version ${codec.version} but cannot read it`);
  }
  const envelope = toJson(
    encodeEnvelope({ ...info, kind: codec.kind, bodyVersion: codec.version }),
    (path, why) => new TypeError(`Cannot save model: ${MODEL_FILE} field "${path}" ${why}`),
  );
  try {
    decodeEnvelope(envelope, [codec.kind]);
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw e;
    throw new TypeError(`Cannot save model: ${e.message}`, { cause: e });
  }
  const body = encodeBody(codec.encode(model));
  const files = new Map<string, Uint8Array<ArrayBuffer>>([
    [BODY_DATA_FILE, body.data],
    [BODY_HEADER_FILE, jsonBytes(body.header)],
    [MODEL_FILE, jsonBytes(envelope)],
  ]);
  const manifest = await buildManifest(files);
  files.set(MANIFEST_FILE, encodeManifest(manifest));
  return { files, manifest };
}

/**
 * Decodes the verified files of a directory (from {@linkcode verifyModelDir}) with `registry`.
 * Throws {@linkcode ModelFormatError}: unknown kind, unreadable format or body version, any
 * malformed field; an error a decoder throws that is not a Frontier error is wrapped in one.
 */
export function decodeModelFiles<M>(
  files: ReadonlyMap<string, Uint8Array>,
  registry: ModelRegistry<M>,
): LoadedModel<M> {
  const envelope = decodeEnvelope(parseJson(MODEL_FILE, files.get(MODEL_FILE)), registry.kinds());
  const names = [...files.keys()].filter((f) => f !== MANIFEST_FILE).sort();
  if (names.join("\n") !== MODEL_DIR_FILES.join("\n")) {
    throw formatError(
      MODEL_FILE,
      `A format version ${envelope.formatVersion} directory holds ${MODEL_DIR_FILES.join(", ")}, not ${
        names.join(", ")
      }`,
    );
  }
  const decoder = registry.decoder(envelope.kind);
  if (decoder === undefined) {
    throw formatError(MODEL_FILE, `${MODEL_FILE} kind "${envelope.kind}" is not registered`);
  }
  if (!decoder.readableVersions.includes(envelope.bodyVersion)) {
    throw formatError(
      MODEL_FILE,
      `${MODEL_FILE} field "bodyVersion" is ${envelope.bodyVersion}, which kind "${envelope.kind}" does not read (it reads ${
        decoder.readableVersions.join(", ")
      })`,
      "bodyVersion",
    );
  }
  const body = decodeBody(
    parseJson(BODY_HEADER_FILE, files.get(BODY_HEADER_FILE)),
    files.get(BODY_DATA_FILE)!,
  );
  try {
    return { envelope, model: decoder.decode(body, { version: envelope.bodyVersion, envelope }) };
  } catch (e) {
    if (e instanceof FrontierError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new ModelFormatError(`The ${envelope.kind} body does not decode: ${why}`, {
      data: { file: BODY_HEADER_FILE },
      cause: e,
    });
  }
}

/** Loads the model directory `dir`: manifest check, then {@linkcode decodeModelFiles}. */
export async function loadModel<M>(dir: string, registry: ModelRegistry<M>): Promise<LoadedModel<M>> {
  return decodeModelFiles(await verifyModelDir(dir), registry);
}

/**
 * Writes `files` into a new hidden sibling of `dir` (`.<name>.partial-<random>`; the parent is
 * created if needed), each file fsynced and the manifest last, and returns the sibling's path; a
 * failed write removes the sibling. {@linkcode saveModel} then
 * renames it; on its own this is the state a crash before the rename leaves behind.
 */
export async function stageModelDir(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<string> {
  const target = resolve(dir);
  await Deno.mkdir(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.partial-${crypto.randomUUID()}`);
  await Deno.mkdir(staging); // fails if the name exists; the mode follows the umask like any mkdir
  try {
    const order = [...files.keys()].filter((f) => f !== MANIFEST_FILE).sort();
    if (files.has(MANIFEST_FILE)) order.push(MANIFEST_FILE);
    for (const name of order) await writeSynced(join(staging, name), files.get(name)!);
    await syncDir(staging);
    return staging;
  } catch (e) {
    await Deno.remove(staging, { recursive: true });
    throw e;
  }
}

/**
 * Saves `input.model` as directory `dir` atomically (see the module documentation). Throws
 * {@linkcode ModelExistsError} when `dir` exists, `TypeError` when the input cannot be saved.
 */
export async function saveModel<M>(dir: string, input: SaveModelInput<M>): Promise<SavedModel> {
  const encoded = await encodeModelFiles(input);
  await refuseExisting(dir);
  const staging = await stageModelDir(dir, encoded.files);
  try {
    await refuseExisting(dir);
    await Deno.rename(staging, dir);
  } catch (e) {
    await Deno.remove(staging, { recursive: true });
    throw e;
  }
  await syncDir(dirname(resolve(dir)));
  return { path: dir, manifest: encoded.manifest };
}

async function refuseExisting(dir: string): Promise<void> {
  try {
    await Deno.lstat(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new ModelExistsError(`Cannot save model to "${dir}": the path exists`, { data: { path: dir } });
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true });
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
  await file.sync();
}

async function syncDir(path: string): Promise<void> {
  using dir = await Deno.open(path, { read: true });
  await dir.sync();
}
