/**
 * Codecs and models for the persistence tests: `arrays_test`, an identity codec over every
 * dtype, and helpers that save into a temporary directory and tamper with what was saved.
 *
 * @module
 */
import { join } from "node:path";
import {
  type BodyArray,
  type BodyCodec,
  buildManifest,
  encodeManifest,
  MANIFEST_FILE,
  type ModelBody,
  type ModelInfo,
  ModelRegistry,
  saveModel,
} from "../../../models/persistence/mod.ts";

/** A model that is its own body: every array and the meta come back as they went in. */
export type ArraysModel = ModelBody;

/** Identity codec, body version 1. */
export const arraysCodec: BodyCodec<ArraysModel> = {
  kind: "arrays_test",
  version: 1,
  readableVersions: [1],
  encode: (model) => model,
  decode: (body) => body,
};

/** A registry holding {@linkcode arraysCodec}. */
export function arraysRegistry(): ModelRegistry<ArraysModel> {
  return new ModelRegistry([arraysCodec]);
}

/** A NaN whose payload is not the canonical one. */
export const ODD_NAN = new Float64Array(Uint32Array.of(0x12345678, 0x7ff80abc).buffer)[0]!;

/** One array of every dtype with edge values: NaN payloads, ±0, ±Infinity, extremes, and empty. */
export function edgeArrays(): Map<string, BodyArray> {
  return new Map<string, BodyArray>([
    [
      "f64",
      Float64Array.of(ODD_NAN, NaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE, 0.1),
    ],
    ["f32", new Float32Array(Uint32Array.of(0x7fc01234, 0x80000000, 0x7f800000, 0x3dcccccd).buffer)],
    ["i32", Int32Array.of(-2147483648, -1, 0, 2147483647)],
    ["u32", Uint32Array.of(0, 1, 4294967295)],
    ["i16", Int16Array.of(-32768, 32767, 7)],
    ["u16", Uint16Array.of(65535)],
    ["i8", Int8Array.of(-128, 127, 0, 5, 9)],
    ["u8", Uint8Array.of(0, 255, 1)],
    ["empty", new Float64Array(0)],
    ["tail.u8", Uint8Array.of(42)],
  ]);
}

/** Model info with every optional field set. */
export function sampleInfo(): ModelInfo {
  return {
    frontierVersion: "0.1.0",
    createdAt: "2025-06-01T12:00:00.000Z",
    seed: 42,
    params: { numLeaves: 31, learningRate: 0.05, subsample: { rows: 0.8, features: "sqrt" } },
    schema: {
      inputColumns: [
        { name: "age", type: "long", nullable: false },
        { name: "job", type: "string", nullable: true },
        { name: "w", type: "double", nullable: false },
        { name: "t", type: "date", nullable: false },
      ],
      label: "y",
      weight: "w",
      time: "t",
      stages: [
        {
          kind: "string_indexer",
          inputs: ["job"],
          outputs: ["job_idx"],
          state: { labels: ["admin.", "blue-collar", "technician"], handleInvalid: "keep" },
        },
      ],
      featureNames: ["age", "job_idx"],
    },
    metrics: { rocAuc: 0.79, logLoss: NaN, lift: Infinity },
    training: { dataHash: "sha256:ab12", rows: 1000 },
    warnings: [{ kind: "collinear", message: "age and job_idx are 0.97 correlated", data: { pair: [0, 1] } }],
  };
}

/** A fresh temporary parent directory; remove it with `Deno.remove(parent, { recursive: true })`. */
export async function tempParent(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "frontier-persist-" });
}

/** Saves the edge-array model under a new temporary parent; returns the model directory. */
export async function savedEdgeModel(): Promise<{ parent: string; dir: string }> {
  const parent = await tempParent();
  const dir = join(parent, "model");
  await saveModel(dir, {
    codec: arraysCodec,
    model: { meta: { note: "edge" }, arrays: edgeArrays() },
    info: sampleInfo(),
  });
  return { parent, dir };
}

/** Rewrites `manifest.json` so it matches the directory's current files (a consistent forgery). */
export async function reManifest(dir: string): Promise<void> {
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  for await (const e of Deno.readDir(dir)) {
    if (e.name !== MANIFEST_FILE) files.set(e.name, await Deno.readFile(join(dir, e.name)));
  }
  await Deno.writeFile(join(dir, MANIFEST_FILE), encodeManifest(await buildManifest(files)));
}

/** Parses `model.json`, lets `edit` change it, writes it back and re-manifests the directory. */
export async function editModelJson(
  dir: string,
  edit: (json: Record<string, unknown>) => void,
): Promise<void> {
  const path = join(dir, "model.json");
  const json: Record<string, unknown> = JSON.parse(await Deno.readTextFile(path));
  edit(json);
  await Deno.writeTextFile(path, JSON.stringify(json, undefined, 2));
  await reManifest(dir);
}

/** Whether two typed arrays hold the same bytes (bit-exact, unlike `===` on NaN or ±0). */
export function sameBytes(a: BodyArray, b: BodyArray): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
