/**
 * The dependency-direction check run by `deno task check`: layers depend one way
 * (`actors ← cluster ← models, streaming`) and nothing but scripts and their tests imports
 * `scripts/`. Every static import/export, `import("…")` and `new URL("…", import.meta.url)` of a
 * `.ts` file under the root is resolved and checked against {@linkcode LAYER_RULES}.
 *
 * ```sh
 * deno run --allow-read scripts/setup/check_layers.ts [root]
 * ```
 *
 * Prints every offending import as `file:line imports target (rule)` on stderr and exits 1, or
 * prints a one-line summary and exits 0.
 *
 * @module
 */
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { findSpecifiers } from "./import_specifiers.ts";

/** One layer rule: importers it applies to, the targets it forbids them. */
export interface LayerRule {
  readonly name: string;
  readonly importer: (path: string) => boolean;
  readonly forbidden: (path: string) => boolean;
}

/** One import that breaks a rule; paths are relative to the checked root, `/`-separated. */
export interface LayerViolation {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly rule: string;
}

/** What {@linkcode checkLayers} looked at and found. */
export interface LayerReport {
  readonly files: number;
  readonly imports: number;
  readonly violations: readonly LayerViolation[];
}

function under(path: string, ...folders: string[]): boolean {
  return folders.some((f) => path.startsWith(`${f}/`));
}

/** The rules, checked in order; an import is reported once, under the first rule it breaks. */
export const LAYER_RULES: readonly LayerRule[] = [
  {
    name: "actors/ imports nothing from cluster/, models/ or streaming/",
    importer: (p) => under(p, "actors"),
    forbidden: (p) => under(p, "cluster", "models", "streaming"),
  },
  {
    name: "cluster/ imports nothing from models/, streaming/ or scripts/",
    importer: (p) => under(p, "cluster"),
    forbidden: (p) => under(p, "models", "streaming", "scripts"),
  },
  {
    name: "models/ and streaming/ import nothing from scripts/",
    importer: (p) => under(p, "models", "streaming"),
    forbidden: (p) => under(p, "scripts"),
  },
  {
    name: "only scripts/ and tests/scripts/ import scripts/",
    importer: (p) => !under(p, "scripts", "tests/scripts"),
    forbidden: (p) => under(p, "scripts"),
  },
];

/** Top-level folders never walked: generated or downloaded, not source. */
const SKIPPED_ROOT_DIRS = new Set(["node_modules", "data", "out"]);
const SOURCE_FILE = /\.(ts|mts|tsx)$/;

async function* sourceFiles(root: string, dir: string): AsyncGenerator<string> {
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(join(root, dir))) entries.push(entry);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    const skipped = entry.name.startsWith(".") || entry.name === "node_modules" ||
      (dir === "" && SKIPPED_ROOT_DIRS.has(entry.name));
    if (entry.isDirectory && !skipped) {
      yield* sourceFiles(root, path);
    } else if (entry.isFile && SOURCE_FILE.test(entry.name)) {
      yield path;
    }
  }
}

/**
 * The root-relative, `/`-separated path `specifier` (written in root-relative `file`) points at,
 * or undefined when it is not a local `.ts` file under the root (npm:, node:, remote, data files).
 */
export function resolveSpecifier(root: string, file: string, specifier: string): string | undefined {
  let absolute: string;
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    absolute = join(root, dirname(file), specifier);
  } else if (specifier.startsWith("file:")) {
    try {
      absolute = fileURLToPath(specifier);
    } catch {
      return undefined;
    }
  } else if (isAbsolute(specifier)) {
    absolute = normalize(specifier);
  } else {
    return undefined;
  }
  const path = relative(root, absolute.replace(/[?#].*$/, ""));
  if (path.startsWith("..") || isAbsolute(path) || !SOURCE_FILE.test(path)) return undefined;
  return path.split(sep).join("/");
}

/** Checks every source file under `root` against {@linkcode LAYER_RULES}. */
export async function checkLayers(root: string): Promise<LayerReport> {
  const violations: LayerViolation[] = [];
  let files = 0;
  let imports = 0;
  for await (const file of sourceFiles(root, "")) {
    files++;
    const source = await Deno.readTextFile(join(root, file));
    for (const ref of findSpecifiers(source)) {
      const target = resolveSpecifier(root, file, ref.specifier);
      if (target === undefined) continue;
      imports++;
      const rule = LAYER_RULES.find((r) => r.importer(file) && r.forbidden(target));
      if (rule) violations.push({ file, line: ref.line, target, rule: rule.name });
    }
  }
  return { files, imports, violations };
}

/** `file:line imports target (rule)`. */
export function formatViolation(v: LayerViolation): string {
  return `${v.file}:${v.line} imports ${v.target} (${v.rule})`;
}

/** Runs the check on `args[0]` (default: the repository root); returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const root = args[0] ?? fileURLToPath(new URL("../../", import.meta.url));
  const report = await checkLayers(root);
  for (const v of report.violations) console.error(formatViolation(v));
  if (report.violations.length > 0) {
    console.error(`check_layers: ${report.violations.length} import(s) break the layer rules`);
    return 1;
  }
  console.log(`check_layers: ${report.files} files, ${report.imports} local imports, layers respected`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
