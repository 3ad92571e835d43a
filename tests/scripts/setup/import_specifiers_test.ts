import assert from "node:assert/strict";
import { findSpecifiers } from "../../../scripts/setup/import_specifiers.ts";

Deno.test("findSpecifiers reads every form of static import and re-export with its line", () => {
  const source = [
    'import "./side_effect.ts";',
    'import def from "./default.ts";',
    'import * as ns from "./namespace.ts";',
    "import type { A, B as C } from './types.ts';",
    "import {",
    "  x,",
    "  type Y,",
    '} from "./multi_line.ts";',
    'export { z } from "./reexport.ts";',
    'export type { T } from "./type_reexport.ts";',
    'export * from "./star.ts";',
    'export * as all from "./star_as.ts";',
  ].join("\n");
  assert.deepEqual(findSpecifiers(source), [
    { specifier: "./side_effect.ts", line: 1, kind: "static" },
    { specifier: "./default.ts", line: 2, kind: "static" },
    { specifier: "./namespace.ts", line: 3, kind: "static" },
    { specifier: "./types.ts", line: 4, kind: "static" },
    { specifier: "./multi_line.ts", line: 8, kind: "static" },
    { specifier: "./reexport.ts", line: 9, kind: "static" },
    { specifier: "./type_reexport.ts", line: 10, kind: "static" },
    { specifier: "./star.ts", line: 11, kind: "static" },
    { specifier: "./star_as.ts", line: 12, kind: "static" },
  ]);
});

Deno.test("findSpecifiers reads dynamic imports, import types and new URL(…, import.meta.url)", () => {
  const source = [
    'const m = await import("./dynamic.ts");',
    "const t = await import(`./template.ts`);",
    'type M = typeof import("./type_query.ts");',
    'const w = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });',
    'const j = await import("./with_options.ts", { with: {} });',
  ].join("\n");
  assert.deepEqual(findSpecifiers(source), [
    { specifier: "./dynamic.ts", line: 1, kind: "dynamic" },
    { specifier: "./template.ts", line: 2, kind: "dynamic" },
    { specifier: "./type_query.ts", line: 3, kind: "dynamic" },
    { specifier: "./worker.ts", line: 4, kind: "url" },
    { specifier: "./with_options.ts", line: 5, kind: "dynamic" },
  ]);
});

Deno.test("findSpecifiers ignores comments, strings, templates, regexes and look-alikes", () => {
  const source = [
    '// import "./line_comment.ts";',
    "/**",
    ' * import { a } from "./jsdoc.ts";',
    ' * new URL("./jsdoc_worker.ts", import.meta.url)',
    " */",
    "const s = 'import x from \"./in_string.ts\"';",
    'const t = `import("./in_template.ts") ${"nested"} export * from "./after_substitution.ts"`;',
    'const r = /import "\\.\\/in_regex.ts"[/"]/g;',
    'const o = { import: "./key.ts" };',
    'loader.import("./method.ts");',
    "const url = import.meta.url;",
    'const dir = new URL("../", import.meta.url);',
    "const built = await import(`./${name}.ts`);",
    'const v = await import("./real.ts");',
  ].join("\n");
  assert.deepEqual(findSpecifiers(source), [
    { specifier: "../", line: 12, kind: "url" },
    { specifier: "./real.ts", line: 14, kind: "dynamic" },
  ]);
});

Deno.test("findSpecifiers keeps line numbers right after multi-line comments, templates and escapes", () => {
  const source = [
    "/* one",
    "   two */ const a = `three",
    "four ${`five",
    "six`} seven`;",
    "const b = 'eight\\",
    "nine';",
    'import "./ten.ts";',
  ].join("\n");
  assert.deepEqual(findSpecifiers(source), [{ specifier: "./ten.ts", line: 7, kind: "static" }]);
});
