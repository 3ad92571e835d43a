import assert from "node:assert/strict";
import { join } from "node:path";
import {
  encodeModelFiles,
  errorToWire,
  loadModel,
  ModelExistsError,
  ModelFormatError,
  ModelIntegrityError,
  ModelNotFoundError,
  ModelRegistry,
  persistenceErrorFromWire,
  saveModel,
  stageModelDir,
} from "../../../models/persistence/mod.ts";
import {
  arraysCodec,
  arraysRegistry,
  edgeArrays,
  editModelJson,
  reManifest,
  sameBytes,
  sampleInfo,
  savedEdgeModel,
  tempParent,
} from "./test_models.ts";

async function rejectsWith<E extends Error>(
  promise: Promise<unknown>,
  ErrorClass: new (...args: never[]) => E,
  check: (e: E) => void,
): Promise<void> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ErrorClass, `expected ${ErrorClass.name}, got ${e}`);
    check(e);
    return;
  }
  assert.fail(`expected ${ErrorClass.name}, nothing was thrown`);
}

async function withModel(test: (dir: string, parent: string) => Promise<void>): Promise<void> {
  const { parent, dir } = await savedEdgeModel();
  try {
    await test(dir, parent);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
}

function integrity(reason: string, file?: string): (e: ModelIntegrityError) => void {
  return (e) => {
    assert.equal(e.data.reason, reason, e.message);
    if (file !== undefined) assert.equal(e.data.file, file, e.message);
  };
}

Deno.test("saveModel then loadModel returns the arrays bit-exact and the info unchanged", async () => {
  await withModel(async (dir) => {
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names.sort(), ["body.bin", "body.json", "manifest.json", "model.json"]);
    const { envelope, model } = await loadModel(dir, arraysRegistry());
    const arrays = edgeArrays();
    assert.deepEqual([...model.arrays.keys()], [...arrays.keys()]);
    for (const [name, a] of arrays) {
      const b = model.arrays.get(name)!;
      assert.equal(b.constructor, a.constructor, name);
      assert.ok(sameBytes(a, b), `${name} is not bit-exact`);
    }
    assert.deepEqual(model.meta, { note: "edge" });
    const { metrics, ...rest } = sampleInfo();
    assert.deepEqual(envelope, { ...rest, metrics, formatVersion: 1, kind: "arrays_test", bodyVersion: 1 });
    assert.ok(Number.isNaN(envelope.metrics.logLoss) && envelope.metrics.lift === Infinity);
  });
});

Deno.test("encodeModelFiles gives byte-identical files for the same model and info", async () => {
  const input = { codec: arraysCodec, model: { meta: {}, arrays: edgeArrays() }, info: sampleInfo() };
  const a = await encodeModelFiles(input), b = await encodeModelFiles(input);
  assert.deepEqual([...a.files.keys()], [...b.files.keys()]);
  for (const [name, bytes] of a.files) assert.deepEqual(bytes, b.files.get(name), name);
  assert.deepEqual(a.manifest.files.map((f) => f.path), ["body.bin", "body.json", "model.json"]);
});

Deno.test("a changed byte in body.bin is refused by its hash", async () => {
  await withModel(async (dir) => {
    const path = join(dir, "body.bin");
    const bytes = await Deno.readFile(path);
    bytes[3]! ^= 1;
    await Deno.writeFile(path, bytes);
    await rejectsWith(
      loadModel(dir, arraysRegistry()),
      ModelIntegrityError,
      integrity("hash-mismatch", "body.bin"),
    );
  });
});

Deno.test("an edited model.json is refused by its hash before it is parsed", async () => {
  await withModel(async (dir) => {
    const path = join(dir, "model.json");
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, text.replace('"rocAuc": 0.79', '"rocAuc": 0.99'));
    await rejectsWith(
      loadModel(dir, arraysRegistry()),
      ModelIntegrityError,
      integrity("hash-mismatch", "model.json"),
    );
    await Deno.writeTextFile(path, "{ not json");
    await rejectsWith(
      loadModel(dir, arraysRegistry()),
      ModelIntegrityError,
      integrity("size-mismatch", "model.json"),
    );
  });
});

Deno.test("a missing file, an extra file or a sub-directory is refused", async () => {
  await withModel(async (dir) => {
    await Deno.rename(join(dir, "body.json"), join(dir, "..", "moved.json"));
    await rejectsWith(
      loadModel(dir, arraysRegistry()),
      ModelIntegrityError,
      integrity("missing-file", "body.json"),
    );
    await Deno.rename(join(dir, "..", "moved.json"), join(dir, "body.json"));
    await loadModel(dir, arraysRegistry()); // restored: loads again
    await Deno.writeTextFile(join(dir, "notes.txt"), "hello");
    await rejectsWith(
      loadModel(dir, arraysRegistry()),
      ModelIntegrityError,
      integrity("extra-file", "notes.txt"),
    );
    await Deno.remove(join(dir, "notes.txt"));
    await Deno.mkdir(join(dir, "sub"));
    await rejectsWith(loadModel(dir, arraysRegistry()), ModelIntegrityError, integrity("extra-file", "sub"));
  });
});

Deno.test("a manifest naming a path outside the directory is refused before anything is read", async () => {
  await withModel(async (dir, parent) => {
    await Deno.writeTextFile(join(parent, "x"), "outside");
    const path = join(dir, "manifest.json");
    for (const bad of ["../x", "/etc/passwd", "sub/x", ".hidden", "..", "manifest.json"]) {
      const manifest = JSON.parse(await Deno.readTextFile(path));
      manifest.files.push({ path: bad, bytes: 7, sha256: "0".repeat(64) });
      await Deno.writeTextFile(join(dir, "manifest.json"), JSON.stringify(manifest));
      await rejectsWith(loadModel(dir, arraysRegistry()), ModelIntegrityError, (e) => {
        integrity("unsafe-path", "manifest.json")(e);
        assert.ok(e.message.includes(`"${bad}"`), e.message);
      });
      await reManifest(dir);
    }
  });
});

Deno.test("a missing or malformed manifest is refused", async () => {
  await withModel(async (dir) => {
    const path = join(dir, "manifest.json");
    const good = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, good.replace('"version": 1', '"version": 2'));
    await rejectsWith(loadModel(dir, arraysRegistry()), ModelIntegrityError, (e) => {
      integrity("manifest-malformed", "manifest.json")(e);
      assert.match(e.message, /manifest version 1/);
    });
    await Deno.writeTextFile(path, good.replace(/"sha256": "[0-9a-f]+"/, '"sha256": "XYZ"'));
    await rejectsWith(loadModel(dir, arraysRegistry()), ModelIntegrityError, integrity("manifest-malformed"));
    await Deno.writeTextFile(path, "[]");
    await rejectsWith(loadModel(dir, arraysRegistry()), ModelIntegrityError, integrity("manifest-malformed"));
    await Deno.remove(path);
    await rejectsWith(loadModel(dir, arraysRegistry()), ModelIntegrityError, integrity("manifest-missing"));
  });
});

Deno.test("an unknown kind is refused with the registered kinds named", async () => {
  await withModel(async (dir) => {
    await editModelJson(dir, (json) => void (json.kind = "svm"));
    const registry = new ModelRegistry([arraysCodec, { ...arraysCodec, kind: "gbt" }]);
    await rejectsWith(loadModel(dir, registry), ModelFormatError, (e) => {
      assert.equal(e.message, 'model.json field "kind" "svm" is not one of arrays_test, gbt');
      assert.deepEqual(e.data, { file: "model.json", field: "kind" });
    });
    await rejectsWith(loadModel(dir, new ModelRegistry([])), ModelFormatError, (e) => {
      assert.match(e.message, /no kinds registered/);
    });
  });
});

Deno.test("an unreadable format version or body version is refused", async () => {
  await withModel(async (dir) => {
    await editModelJson(dir, (json) => void (json.formatVersion = 2));
    await rejectsWith(loadModel(dir, arraysRegistry()), ModelFormatError, (e) => {
      assert.equal(
        e.message,
        'model.json field "formatVersion" is 2, which this build does not read (it reads 1)',
      );
    });
    await editModelJson(dir, (json) => void (json.formatVersion = 1));
    await loadModel(dir, arraysRegistry());
    await editModelJson(dir, (json) => void (json.bodyVersion = 3));
    await rejectsWith(loadModel(dir, arraysRegistry()), ModelFormatError, (e) => {
      assert.match(e.message, /"bodyVersion" is 3, which kind "arrays_test" does not read \(it reads 1\)/);
    });
    const reads3 = new ModelRegistry([{ ...arraysCodec, readableVersions: [1, 3] }]);
    assert.equal((await loadModel(dir, reads3)).envelope.bodyVersion, 3);
  });
});

Deno.test("malformed model.json fields are refused with the field named", async () => {
  const cases: [string, (json: Record<string, unknown>) => void, string][] = [
    ["createdAt", (j) => void (j.createdAt = "yesterday"), "createdAt"],
    [
      "column type",
      (j) =>
        void Object.assign(j, {
          schema: { ...Object(j.schema), inputColumns: [{ name: "a", type: "decimal", nullable: false }] },
        }),
      "schema.inputColumns[0].type",
    ],
    ["metric", (j) => void (j.metrics = { auc: "high" }), "metrics.auc"],
    ["format marker", (j) => void (j.format = "pickle"), "format"],
    ["params", (j) => void delete j.params, "params"],
  ];
  for (const [what, edit, field] of cases) {
    await withModel(async (dir) => {
      await editModelJson(dir, edit);
      await rejectsWith(loadModel(dir, arraysRegistry()), ModelFormatError, (e) => {
        assert.equal(e.data.field, field, `${what}: ${e.message}`);
      });
    });
  }
});

Deno.test("a decoder's own error surfaces as a ModelFormatError with its cause", async () => {
  await withModel(async (dir) => {
    const strict = new ModelRegistry([{
      ...arraysCodec,
      decode: () => {
        throw new RangeError("tree 3 has a child outside the tree");
      },
    }]);
    await rejectsWith(loadModel(dir, strict), ModelFormatError, (e) => {
      assert.equal(e.message, "The arrays_test body does not decode: tree 3 has a child outside the tree");
      assert.ok(e.cause instanceof RangeError);
    });
  });
});

Deno.test("a save that crashed before its rename leaves nothing a loader picks up", async () => {
  const parent = await tempParent();
  try {
    const dir = join(parent, "model");
    const { files } = await encodeModelFiles({
      codec: arraysCodec,
      model: { meta: {}, arrays: edgeArrays() },
      info: sampleInfo(),
    });
    const staged = await stageModelDir(dir, files); // written and synced, never renamed
    await rejectsWith(
      loadModel(dir, arraysRegistry()),
      ModelNotFoundError,
      (e) => assert.equal(e.data.path, dir),
    );
    const listing = [];
    for await (const e of Deno.readDir(parent)) listing.push(e.name);
    assert.equal(listing.length, 1);
    assert.match(listing[0]!, /^\.model\.partial-/);
    // A crash while staging, before the manifest was written, cannot pass for a model either.
    await Deno.remove(join(staged, "manifest.json"));
    await rejectsWith(
      loadModel(staged, arraysRegistry()),
      ModelIntegrityError,
      integrity("manifest-missing"),
    );
    // The target is still free; a later save succeeds beside the stale partial directory.
    await saveModel(dir, {
      codec: arraysCodec,
      model: { meta: {}, arrays: edgeArrays() },
      info: sampleInfo(),
    });
    assert.equal((await loadModel(dir, arraysRegistry())).envelope.kind, "arrays_test");
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("saveModel never replaces an existing path and leaves no partial directory", async () => {
  await withModel(async (dir, parent) => {
    const before = await Deno.readFile(join(dir, "model.json"));
    const input = { codec: arraysCodec, model: { meta: {}, arrays: new Map() }, info: sampleInfo() };
    await rejectsWith(saveModel(dir, input), ModelExistsError, (e) => assert.equal(e.data.path, dir));
    assert.deepEqual(await Deno.readFile(join(dir, "model.json")), before);
    const listing = [];
    for await (const e of Deno.readDir(parent)) listing.push(e.name);
    assert.deepEqual(listing, ["model"]);
  });
});

Deno.test("saveModel refuses info a loader would refuse, before writing anything", async () => {
  const parent = await tempParent();
  try {
    const dir = join(parent, "model");
    const model = { meta: {}, arrays: new Map() };
    await assert.rejects(
      saveModel(dir, { codec: arraysCodec, model, info: { ...sampleInfo(), params: { l2: NaN } } }),
      {
        name: "TypeError",
        message: 'Cannot save model: model.json field "params.l2" is NaN, which JSON cannot hold',
      },
    );
    await assert.rejects(
      saveModel(dir, { codec: arraysCodec, model, info: { ...sampleInfo(), createdAt: "now" } }),
      /Cannot save model: model.json field "createdAt" must be an ISO 8601 UTC time/,
    );
    await assert.rejects(
      saveModel(dir, { codec: { ...arraysCodec, kind: "Bad Kind" }, model, info: sampleInfo() }),
      TypeError,
    );
    const listing = [];
    for await (const e of Deno.readDir(parent)) listing.push(e.name);
    assert.deepEqual(listing, []);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("saveModel creates missing parent directories", async () => {
  const parent = await tempParent();
  try {
    const dir = join(parent, "runs", "2025-06-01", "gbt");
    await saveModel(dir, {
      codec: arraysCodec,
      model: { meta: {}, arrays: edgeArrays() },
      info: sampleInfo(),
    });
    assert.equal((await loadModel(dir, arraysRegistry())).model.arrays.size, edgeArrays().size);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("loadModel on a missing path or a file is a ModelNotFoundError", async () => {
  await withModel(async (dir, parent) => {
    await rejectsWith(loadModel(join(parent, "nope"), arraysRegistry()), ModelNotFoundError, () => {});
    await rejectsWith(loadModel(join(dir, "model.json"), arraysRegistry()), ModelNotFoundError, (e) => {
      assert.match(e.message, /not a directory/);
    });
  });
});

Deno.test("persistence errors travel as { name, message, data } and come back as their class", async () => {
  await withModel(async (dir) => {
    await Deno.writeTextFile(join(dir, "extra"), "");
    try {
      await loadModel(dir, arraysRegistry());
      assert.fail("loaded");
    } catch (e) {
      assert.ok(e instanceof ModelIntegrityError);
      const wire = JSON.parse(JSON.stringify(errorToWire(e)));
      const back = persistenceErrorFromWire(wire);
      assert.ok(back instanceof ModelIntegrityError);
      assert.equal(back.message, e.message);
      assert.deepEqual(back.data, { path: dir, reason: "extra-file", file: "extra" });
    }
    const other = persistenceErrorFromWire({ name: "TimeoutError", message: "late", data: {} });
    assert.equal(other.name, "TimeoutError");
  });
});
