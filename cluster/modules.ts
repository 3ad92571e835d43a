/**
 * Which modules user code may come from, and how it is loaded: a named export of a module URL
 * on the allowlist, imported once per isolate, never code sent as text. Frontier's own modules
 * ({@linkcode BUILTIN_MODULES}) and every module of Frontier's own packages
 * ({@linkcode BUILTIN_PACKAGE_DIRS}: `models/`, `streaming/`) are always allowed.
 *
 * @module
 */
import { NotAllowedError } from "./errors.ts";
// Imported here, not only named, so that an executor running with least-privilege read
// permissions already holds them: importing a module the isolate has loaded needs no permission.
import "./sources/generators.ts";
import "./sources/bank/contact_date.ts";

/**
 * Frontier's own modules whose exports jobs may name without declaring them. To add one, add its
 * URL here (and its import above, so that least-privilege executors have it loaded; a module
 * outside `cluster/` needs read access for process executors instead, see `process_cluster.ts`).
 */
export const BUILTIN_MODULES: readonly string[] = [
  new URL("./sources/generators.ts", import.meta.url).href,
  new URL("./sources/bank/contact_date.ts", import.meta.url).href,
];

/** Loads named exports of allowed modules, caching them for the isolate's lifetime. */
/**
 * Frontier's own packages above the cluster layer, as directory URLs: any `.ts` module under them
 * may be named by a job without being declared. They are named, not imported (`cluster/` never
 * imports `models/` or `streaming/`); process executors get read access to these directories
 * (`deploy/process_cluster.ts`), so they can import what a job names.
 */
export const BUILTIN_PACKAGE_DIRS: readonly string[] = [
  new URL("../models/", import.meta.url).href,
  new URL("../streaming/", import.meta.url).href,
];

/** Whether `module` is a `.ts` module inside one of {@linkcode BUILTIN_PACKAGE_DIRS}. */
export function isBuiltinPackageModule(module: string): boolean {
  let url: URL;
  try {
    url = new URL(module);
  } catch {
    return false;
  }
  // URL parsing resolves "..", so a path that climbs out of the directory no longer starts with it.
  if (url.href !== module || url.search !== "" || url.hash !== "" || !url.pathname.endsWith(".ts")) {
    return false;
  }
  return BUILTIN_PACKAGE_DIRS.some((dir) => url.href.startsWith(dir));
}

export class ModuleLoader {
  readonly #allowed: ReadonlySet<string>;
  readonly #owner: string;
  readonly #loaded = new Map<string, Promise<Record<string, unknown>>>();

  /**
   * A loader that allows `allowed` and the built-in modules.
   *
   * @param allowed module URLs jobs may use besides {@linkcode BUILTIN_MODULES}.
   * @param options.owner who enforces the list, for error messages (e.g. `executor "e-1"`).
   */
  constructor(allowed: readonly string[], options: { owner: string }) {
    this.#allowed = new Set([...BUILTIN_MODULES, ...allowed]);
    this.#owner = options.owner;
  }

  /** Whether `module` is on the allowlist. */
  allows(module: string): boolean {
    return this.#allowed.has(module) || isBuiltinPackageModule(module);
  }

  /**
   * The function `name` exported by `module`. Throws `NotAllowedError` when the module is not
   * allowed or has no such function export; the caller states the function's type.
   */
  async load<F extends (...args: never[]) => unknown>(module: string, name: string): Promise<F> {
    if (!this.allows(module)) {
      throw new NotAllowedError(
        `Module "${module}" is not on ${this.#owner}'s allowlist (${this.#allowed.size} modules allowed)`,
        { data: { module } },
      );
    }
    let mod = this.#loaded.get(module);
    if (!mod) {
      mod = import(module) as Promise<Record<string, unknown>>;
      this.#loaded.set(module, mod);
      mod.catch(() => this.#loaded.delete(module)); // a failed import may succeed later
    }
    const fn = (await mod)[name];
    if (typeof fn !== "function") {
      throw new NotAllowedError(`Module "${module}" has no function export "${name}"`, {
        data: { module, export: name },
      });
    }
    return fn as F;
  }
}
