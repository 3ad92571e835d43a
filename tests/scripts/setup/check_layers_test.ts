import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { checkLayers, resolveSpecifier } from "../../../scripts/setup/check_layers.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../../../scripts/setup/check_layers.ts", import.meta.url));

/** A tree breaking every rule once or more, next to imports every rule allows. */
const TREE: Record<string, string> = {
  "mod.ts": 'export { c } from "./cluster/c.ts";\nexport type { S } from "./scripts/s.ts";\n',
  "actors/a.ts": 'export const a = 1;\nimport { c } from "../cluster/c.ts";\n',
  "actors/b.ts": 'import { a } from "./a.ts";\nconst m = await import("../models/m.ts");\n',
  "cluster/c.ts": [
    'import { a } from "../actors/a.ts";',
    '// import "../scripts/s.ts"; (a comment, not an import)',
    "const text = \"import x from '../scripts/s.ts'\";",
    'export { m } from "../models/m.ts";',
    'const s = await import("../streaming/st.ts");',
    'const w = new Worker(new URL("../scripts/s.ts", import.meta.url), { type: "module" });',
    'const data = new URL("../data/file.csv", import.meta.url);',
    "export const c = 1;",
  ].join("\n"),
  "models/m.ts": 'import { c } from "../cluster/c.ts";\nimport type { S } from "../scripts/s.ts";\n',
  "streaming/st.ts": 'import { m } from "../models/m.ts";\nexport * from "../scripts/s.ts";\n',
  "scripts/s.ts": 'import { m } from "../models/m.ts";\nexport type S = number;\n',
  "tests/scripts/s_test.ts": 'import "../../scripts/s.ts";\n',
  "tests/cluster/c_test.ts": 'import { c } from "../../cluster/c.ts";\n\nimport "../../scripts/s.ts";\n',
  "data/generated.ts": 'import "../scripts/s.ts";\n',
};

const EXPECTED = [
  "actors/a.ts:2 imports cluster/c.ts (actors/ imports nothing from cluster/, models/ or streaming/)",
  "actors/b.ts:2 imports models/m.ts (actors/ imports nothing from cluster/, models/ or streaming/)",
  "cluster/c.ts:4 imports models/m.ts (cluster/ imports nothing from models/, streaming/ or scripts/)",
  "cluster/c.ts:5 imports streaming/st.ts (cluster/ imports nothing from models/, streaming/ or scripts/)",
  "cluster/c.ts:6 imports scripts/s.ts (cluster/ imports nothing from models/, streaming/ or scripts/)",
  "mod.ts:2 imports scripts/s.ts (only scripts/ and tests/scripts/ import scripts/)",
  "models/m.ts:2 imports scripts/s.ts (models/ and streaming/ import nothing from scripts/)",
  "streaming/st.ts:2 imports scripts/s.ts (models/ and streaming/ import nothing from scripts/)",
  "tests/cluster/c_test.ts:3 imports scripts/s.ts (only scripts/ and tests/scripts/ import scripts/)",
];

async function withTree<T>(fn: (root: string) => Promise<T>): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "check_layers_" });
  try {
    for (const [path, text] of Object.entries(TREE)) {
      await Deno.mkdir(`${root}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${path}`, text);
    }
    return await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function runCheck(root: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", SCRIPT, root],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("check_layers exits 1 naming every import that breaks a layer rule, and only those", async () => {
  await withTree(async (root) => {
    const { code, stdout, stderr } = await runCheck(root);
    assert.equal(code, 1, stderr);
    assert.equal(stdout, "");
    assert.deepEqual(stderr.trimEnd().split("\n"), [
      ...EXPECTED,
      `check_layers: ${EXPECTED.length} import(s) break the layer rules`,
    ]);
  });
});

Deno.test("checkLayers counts the files and local .ts imports it resolved", async () => {
  await withTree(async (root) => {
    const report = await checkLayers(root);
    // data/ is skipped; the comment, the string and the .csv URL are not imports.
    assert.equal(report.files, Object.keys(TREE).length - 1);
    assert.equal(report.imports, 17);
    assert.equal(report.violations.length, EXPECTED.length);
  });
});

Deno.test("resolveSpecifier keeps local .ts files under the root and drops everything else", () => {
  assert.equal(resolveSpecifier("/repo", "cluster/plan/planner.ts", "../dataset.ts"), "cluster/dataset.ts");
  assert.equal(resolveSpecifier("/repo", "mod.ts", "./cluster/frontier.ts"), "cluster/frontier.ts");
  assert.equal(resolveSpecifier("/repo", "cluster/a.ts", "file:///repo/scripts/s.ts"), "scripts/s.ts");
  assert.equal(resolveSpecifier("/repo", "cluster/a.ts", "/repo/models/m.ts"), "models/m.ts");
  assert.equal(resolveSpecifier("/repo", "cluster/a.ts", "../../elsewhere/x.ts"), undefined);
  assert.equal(resolveSpecifier("/repo", "cluster/a.ts", "npm:zod@4"), undefined);
  assert.equal(resolveSpecifier("/repo", "cluster/a.ts", "node:path"), undefined);
  assert.equal(resolveSpecifier("/repo", "cluster/a.ts", "zod"), undefined);
  assert.equal(resolveSpecifier("/repo", "cluster/a.ts", "../data/bank.csv.gz"), undefined);
});

Deno.test("the repository itself respects the layer rules", async () => {
  const { code, stdout, stderr } = await runCheck(ROOT);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^check_layers: \d+ files, \d+ local imports, layers respected\n$/);
  const report = await checkLayers(ROOT);
  assert.deepEqual(report.violations, []);
  assert.ok(report.files > 100 && report.imports > 500, JSON.stringify(report));
});
