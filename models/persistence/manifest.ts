/**
 * The manifest of a model directory: the size and SHA-256 of every other file, checked before any
 * of them is parsed.
 *
 * `manifest.json` (manifest version 1):
 * ```json
 * {
 *   "format": "frontier-model-manifest",
 *   "version": 1,
 *   "algorithm": "SHA-256",
 *   "files": [
 *     { "path": "body.bin", "bytes": 48, "sha256": "<64 lowercase hex digits>" },
 *     { "path": "body.json", "bytes": 301, "sha256": "…" },
 *     { "path": "model.json", "bytes": 1210, "sha256": "…" }
 *   ]
 * }
 * ```
 * Files are sorted by path. A path is a plain file name in the directory (letters, digits, `_`,
 * `.`, `-`, not starting with `.`): no separators, no `..`, never `manifest.json` itself.
 * {@linkcode verifyModelDir} refuses a directory unless it holds exactly the listed files plus
 * `manifest.json`, every one a regular file of the listed size and hash.
 *
 * @module
 */
import { join } from "node:path";
import { integrityError, ModelIntegrityError, ModelNotFoundError } from "./errors.ts";
import { JsonFields } from "./json_fields.ts";

/** The manifest's file name. */
export const MANIFEST_FILE = "manifest.json";
/** The manifest version this build writes and reads. */
export const MANIFEST_VERSION = 1;

const FORMAT = "frontier-model-manifest";
const ALGORITHM = "SHA-256";
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_FILES = 1000;

/** One file of a manifest. */
export interface ManifestEntry {
  /** The file's name inside the directory. */
  readonly path: string;
  /** Its size in bytes. */
  readonly bytes: number;
  /** Its SHA-256, lowercase hex. */
  readonly sha256: string;
}

/** The decoded manifest: its entries sorted by path. */
export interface Manifest {
  /** One entry per file, sorted by path. */
  readonly files: readonly ManifestEntry[];
}

/** Lowercase hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `name` may appear in a manifest. */
export function isSafeFileName(name: string): boolean {
  return SAFE_NAME.test(name) && name !== MANIFEST_FILE;
}

/** The manifest of `files` (file name → bytes); `TypeError` on an unsafe name. */
export async function buildManifest(files: ReadonlyMap<string, Uint8Array<ArrayBuffer>>): Promise<Manifest> {
  const names = [...files.keys()].sort();
  const entries: ManifestEntry[] = [];
  for (const path of names) {
    if (!isSafeFileName(path)) throw new TypeError(`"${path}" cannot be a model file name`);
    const bytes = files.get(path)!;
    entries.push({ path, bytes: bytes.length, sha256: await sha256Hex(bytes) });
  }
  return { files: entries };
}

/** `manifest.json`'s bytes. */
export function encodeManifest(manifest: Manifest): Uint8Array<ArrayBuffer> {
  const json = {
    format: FORMAT,
    version: MANIFEST_VERSION,
    algorithm: ALGORITHM,
    files: manifest.files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
  };
  return new TextEncoder().encode(`${JSON.stringify(json, undefined, 2)}\n`);
}

/**
 * Decodes `manifest.json`'s bytes for directory `dir`; throws {@linkcode ModelIntegrityError}
 * (`unsafe-path` for a path that could leave the directory, `manifest-malformed` otherwise).
 */
export function decodeManifest(bytes: Uint8Array, dir: string): Manifest {
  const malformed = (message: string, cause?: unknown) =>
    integrityError(dir, "manifest-malformed", { message, file: MANIFEST_FILE, cause });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw malformed(`${MANIFEST_FILE} is not UTF-8 JSON`, e);
  }
  try {
    const m = new JsonFields(parsed, { file: MANIFEST_FILE });
    if (m.raw("format") !== FORMAT) throw m.error(`must be "${FORMAT}"`, "format");
    const version = m.integer("version");
    if (version !== MANIFEST_VERSION) {
      throw m.error(`is ${version}; this build reads manifest version ${MANIFEST_VERSION}`, "version");
    }
    if (m.raw("algorithm") !== ALGORITHM) throw m.error(`must be "${ALGORITHM}"`, "algorithm");
    const entries = m.objects("files", MAX_FILES);
    const files = entries.map((f): ManifestEntry => {
      const path = f.string("path", 1000);
      if (!isSafeFileName(path)) {
        throw integrityError(dir, "unsafe-path", {
          message: `${MANIFEST_FILE} names "${path}", which is not a plain file name inside the directory`,
          file: MANIFEST_FILE,
        });
      }
      const sha256 = f.string("sha256", 64);
      if (!HEX64.test(sha256)) throw f.error("must be 64 lowercase hex digits", "sha256");
      return { path, bytes: f.integer("bytes"), sha256 };
    });
    for (let i = 1; i < files.length; i++) {
      if (!(files[i - 1]!.path < files[i]!.path)) {
        throw m.error("must list distinct paths in sorted order", `files[${i}].path`);
      }
    }
    return { files };
  } catch (e) {
    if (e instanceof ModelIntegrityError) throw e;
    throw malformed(e instanceof Error ? e.message : String(e), e);
  }
}

/**
 * Reads directory `dir` and checks it against its manifest: exactly the listed files plus
 * `manifest.json`, each a regular file (not a link) of the listed size and SHA-256. Returns the
 * verified bytes by file name — callers parse these bytes, never re-read the files. Throws
 * {@linkcode ModelNotFoundError} when `dir` is not a directory and {@linkcode ModelIntegrityError}
 * otherwise.
 */
export async function verifyModelDir(dir: string): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
  const listing = await listDir(dir);
  const manifestEntry = listing.get(MANIFEST_FILE);
  if (manifestEntry === undefined) {
    throw integrityError(dir, "manifest-missing", {
      message: `there is no ${MANIFEST_FILE} (an unfinished or foreign directory)`,
    });
  }
  if (!manifestEntry.isFile) {
    throw integrityError(dir, "not-a-file", {
      message: `${MANIFEST_FILE} is not a regular file`,
      file: MANIFEST_FILE,
    });
  }
  const manifestInfo = await Deno.lstat(join(dir, MANIFEST_FILE));
  if (manifestInfo.size > MAX_MANIFEST_BYTES) {
    throw integrityError(dir, "manifest-malformed", {
      message: `${MANIFEST_FILE} is ${manifestInfo.size} bytes, more than ${MAX_MANIFEST_BYTES}`,
      file: MANIFEST_FILE,
    });
  }
  const manifest = decodeManifest(await Deno.readFile(join(dir, MANIFEST_FILE)), dir);
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const name of [...listing.keys()].sort()) {
    if (name !== MANIFEST_FILE && !listed.has(name)) {
      throw integrityError(dir, "extra-file", {
        message: `"${name}" is not in ${MANIFEST_FILE}`,
        file: name,
      });
    }
  }
  const verified = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const f of manifest.files) {
    const entry = listing.get(f.path);
    if (entry === undefined) {
      throw integrityError(dir, "missing-file", {
        message: `"${f.path}" is listed but absent`,
        file: f.path,
      });
    }
    if (!entry.isFile) {
      throw integrityError(dir, "not-a-file", { message: `"${f.path}" is not a regular file`, file: f.path });
    }
    const path = join(dir, f.path);
    const size = (await Deno.lstat(path)).size;
    const bytes = size === f.bytes ? await Deno.readFile(path) : undefined;
    if (bytes === undefined || bytes.length !== f.bytes) {
      throw integrityError(dir, "size-mismatch", {
        message: `"${f.path}" is ${bytes?.length ?? size} bytes, the manifest says ${f.bytes}`,
        file: f.path,
      });
    }
    const sha256 = await sha256Hex(bytes);
    if (sha256 !== f.sha256) {
      throw integrityError(dir, "hash-mismatch", {
        message: `"${f.path}" has SHA-256 ${sha256}, the manifest says ${f.sha256}`,
        file: f.path,
      });
    }
    verified.set(f.path, bytes);
  }
  return verified;
}

/** The entries of directory `dir` by name; {@linkcode ModelNotFoundError} when there is none. */
async function listDir(dir: string): Promise<Map<string, Deno.DirEntry>> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) {
      throw new ModelNotFoundError(`No model directory at "${dir}": it is not a directory`, {
        data: { path: dir },
      });
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ModelNotFoundError(`No model directory at "${dir}"`, { data: { path: dir }, cause: e });
    }
    throw e;
  }
  const listing = new Map<string, Deno.DirEntry>();
  for await (const entry of Deno.readDir(dir)) {
    if (listing.size >= MAX_FILES) {
      throw integrityError(dir, "extra-file", {
        message: `the directory holds more than ${MAX_FILES} entries`,
      });
    }
    listing.set(entry.name, entry);
  }
  return listing;
}
