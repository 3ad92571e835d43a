import assert from "node:assert/strict";
import { NotAllowedError } from "../../cluster/errors.ts";
import { BUILTIN_MODULES, isBuiltinPackageModule, ModuleLoader } from "../../cluster/modules.ts";
import { BUILTIN_GENERATORS_MODULE } from "../../cluster/sources/generators.ts";
import { CONTACT_DATE_MODULE } from "../../cluster/sources/bank/contact_date.ts";

const FIXTURE = new URL("./fixtures/partition_fns.ts", import.meta.url).href;

Deno.test("ModuleLoader loads named function exports of allowed and built-in modules only", async () => {
  const loader = new ModuleLoader([FIXTURE], { owner: "executor e-1" });
  assert.deepEqual(BUILTIN_MODULES, [BUILTIN_GENERATORS_MODULE, CONTACT_DATE_MODULE]);
  assert.ok(BUILTIN_MODULES.every((m) => loader.allows(m)));
  const fn = await loader.load<() => unknown>(FIXTURE, "countAndSum");
  assert.equal(typeof fn, "function");
  assert.equal(await loader.load(FIXTURE, "countAndSum"), fn, "cached");
  await loader.load(CONTACT_DATE_MODULE, "addContactDate");
  const other = new URL("./fixtures/not_allowed_generator.ts", import.meta.url).href;
  await assert.rejects(
    loader.load(other, "rows"),
    (e: unknown) =>
      e instanceof NotAllowedError && e.data["module"] === other &&
      /is not on executor e-1's allowlist \(3 modules allowed\)/.test(e.message),
  );
  await assert.rejects(loader.load(FIXTURE, "N"), /has no function export "N"/);
  await assert.rejects(loader.load(FIXTURE, "toString"), /has no function export "toString"/);
});

Deno.test("built-in modules load in an isolate without read permission (least-privilege executors)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/load_builtins.ts`;
    const modules = JSON.stringify(new URL("../../cluster/modules.ts", import.meta.url).href);
    await Deno.writeTextFile(
      script,
      `import { BUILTIN_MODULES } from ${modules};\n` +
        "for (const m of BUILTIN_MODULES) await import(m);\n" +
        "console.log(BUILTIN_MODULES.length);\n",
    );
    // No --allow-read: a dynamic import of a module the isolate has not loaded yet would fail.
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--no-check",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        script,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.equal(new TextDecoder().decode(out.stdout).trim(), String(BUILTIN_MODULES.length));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Frontier's own models/ and streaming/ modules are allowed by location, nothing that escapes them", () => {
  const models = new URL("../../models/", import.meta.url).href;
  const streaming = new URL("../../streaming/", import.meta.url).href;
  assert.ok(isBuiltinPackageModule(`${models}evaluation/partition_fold.ts`));
  assert.ok(isBuiltinPackageModule(`${streaming}mod.ts`));
  for (
    const m of [
      `${models}evaluation/partition_fold.js`, // not a TypeScript module
      `${models}evaluation/partition_fold.ts?x=1`, // query strings could name other code
      `${models}evaluation/partition_fold.ts#x`,
      `${models}../cluster/dataset.ts`, // not normalized: climbs out
      new URL("../../cluster/dataset.ts", import.meta.url).href,
      new URL("./fixtures/partition_fns.ts", import.meta.url).href,
      "https://example.com/models/x.ts",
      "not a url",
    ]
  ) assert.equal(isBuiltinPackageModule(m), false, m);
  const loader = new ModuleLoader([], { owner: "test" });
  assert.ok(loader.allows(`${models}evaluation/partition_fold.ts`));
  assert.equal(loader.allows(new URL("./fixtures/partition_fns.ts", import.meta.url).href), false);
});
