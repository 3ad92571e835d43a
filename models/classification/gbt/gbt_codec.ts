/**
 * The boosted-trees body codec for model directories (`models/persistence`), kind `gbt`, body
 * version 1: the initial score as a one-element f64 array `initScore`, the binnings and the trees
 * as flat arrays (`tree_codec.ts`), and `meta: { trees }`. Feature names live in `model.json`'s
 * feature schema (`featureNames`), one per binning.
 *
 * @example
 * ```ts ignore
 * await saveModel(dir, { codec: gbtCodec, model, info });
 * const { model } = await loadModel(dir, new ModelRegistry([gbtCodec]));
 * ```
 *
 * @module
 */
import { formatError } from "../../persistence/errors.ts";
import { MODEL_FILE } from "../../persistence/envelope.ts";
import { type BodyCodec, BodyReader } from "../../persistence/registry.ts";
import { packBinnings, packTrees, unpackBinnings, unpackTrees } from "../tree/tree_codec.ts";
import { GbtModel } from "./gbt_model.ts";

/** Writes and reads {@linkcode GbtModel} bodies. */
export const gbtCodec: BodyCodec<GbtModel> = {
  kind: "gbt",
  version: 1,
  readableVersions: [1],
  encode: (model) => ({
    meta: { trees: model.trees.length },
    arrays: new Map([
      ["initScore", Float64Array.of(model.initScore)],
      ...packBinnings(model.binnings),
      ...packTrees(model.trees),
    ]),
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
    const initScore = r.f64("initScore", 1)[0]!;
    try {
      return new GbtModel({ initScore, trees, binnings, featureNames });
    } catch (e) {
      throw formatError(MODEL_FILE, `Not a valid boosted-trees model: ${(e as Error).message}`);
    }
  },
};
