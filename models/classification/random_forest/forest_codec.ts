/**
 * The random-forest body codec for model directories (`models/persistence`), kind
 * `random_forest`, body version 1: the binnings and the trees as flat arrays (`tree_codec.ts`)
 * and `meta: { trees }`. Feature names live in `model.json`'s feature schema (`featureNames`),
 * one per binning.
 *
 * @module
 */
import { formatError } from "../../persistence/errors.ts";
import { MODEL_FILE } from "../../persistence/envelope.ts";
import { type BodyCodec, BodyReader } from "../../persistence/registry.ts";
import { packBinnings, packTrees, unpackBinnings, unpackTrees } from "../tree/tree_codec.ts";
import { ForestModel } from "./forest_model.ts";

/** Writes and reads {@linkcode ForestModel} bodies. */
export const forestCodec: BodyCodec<ForestModel> = {
  kind: "random_forest",
  version: 1,
  readableVersions: [1],
  encode: (model) => ({
    meta: { trees: model.trees.length },
    arrays: new Map([...packBinnings(model.binnings), ...packTrees(model.trees)]),
  }),
  decode: (body, context) => {
    const r = new BodyReader(body);
    const trees = unpackTrees(r);
    if (r.meta.integer("trees") !== trees.length) throw r.meta.error(`must be ${trees.length}`, "trees");
    const binnings = unpackBinnings(r);
    const featureNames = context.envelope.schema.featureNames;
    if (featureNames.length !== binnings.length) {
      throw formatError(
        MODEL_FILE,
        `${MODEL_FILE} names ${featureNames.length} features, the body bins ${binnings.length}`,
        "schema.featureNames",
      );
    }
    try {
      return new ForestModel({ trees, binnings, featureNames });
    } catch (e) {
      throw formatError(MODEL_FILE, `Not a valid random-forest model: ${(e as Error).message}`);
    }
  },
};
