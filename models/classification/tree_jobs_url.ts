/**
 * The URL of the module whose exports tree training and scoring jobs name (`tree_jobs.ts`): one
 * of Frontier's own modules (`cluster/modules.ts`), so every cluster allows it. Kept apart so that
 * code naming the module does not load it.
 *
 * @module
 */

/** The module of tree training's and scoring's per-partition functions. */
export const TREE_JOBS_MODULE: string = new URL("./tree_jobs.ts", import.meta.url).href;
