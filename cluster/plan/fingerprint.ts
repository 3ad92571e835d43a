/**
 * Where every task seed comes from: a fingerprint of the logical plan node that draws, combined
 * with the operator's own seed (when it has one) and the partition. The fingerprint is a stable
 * hash of the node's canonical encoding (keys sorted, children included) without the ids a
 * session assigns (`cacheId`, `dataId`), so the same job draws the same numbers in a fresh
 * cluster, after an `explain()`, for any executor count and for every retry: never the attempt,
 * never the driver's history (SPARK-23207 is what happens otherwise).
 *
 * @module
 */
import type { Json } from "../../actors/errors.ts";
import { combineHash, hashNumber, hashString } from "../util/hash.ts";
import { mix32 } from "../util/seeded_random.ts";
import type { LogicalPlan } from "./logical_plan.ts";

/** A 64-bit fingerprint of a plan node, as two 32-bit words. */
export interface PlanFingerprint {
  /** High 32 bits. */
  readonly hi: number;
  /** Low 32 bits. */
  readonly lo: number;
}

/** Fields a session assigns: they name the same data differently in another session. */
const SESSION_FIELDS: ReadonlySet<string> = new Set(["cacheId", "dataId"]);
/** Fields that hold child plans. */
const CHILD_FIELDS: ReadonlySet<string> = new Set(["input", "left", "right", "inputs"]);

const canonical = new WeakMap<LogicalPlan, string>();

/**
 * The canonical text of `plan`: JSON with object keys sorted, without session-assigned ids.
 * Two plans that compute the same rows the same way have the same text.
 */
export function canonicalPlan(plan: LogicalPlan): string {
  const hit = canonical.get(plan);
  if (hit !== undefined) return hit;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(plan).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (SESSION_FIELDS.has(k) || v === undefined) continue;
    let text: string;
    if (CHILD_FIELDS.has(k)) {
      text = Array.isArray(v)
        ? `[${(v as readonly LogicalPlan[]).map(canonicalPlan).join(",")}]`
        : canonicalPlan(v as LogicalPlan);
    } else text = canonicalJson(v as Json);
    parts.push(`${JSON.stringify(k)}:${text}`);
  }
  const s = `{${parts.join(",")}}`;
  canonical.set(plan, s);
  return s;
}

/** JSON with object keys sorted (and `undefined` fields dropped, as `JSON.stringify` does). */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x ?? null)).join(",")}]`;
  const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k]!)}`).join(",")}}`;
}

/** The fingerprint of `plan` (see {@linkcode canonicalPlan}), salted with `extra` when given. */
export function planFingerprint(plan: LogicalPlan, extra?: Json): PlanFingerprint {
  const text = extra === undefined ? canonicalPlan(plan) : `${canonicalPlan(plan)}|${canonicalJson(extra)}`;
  return { hi: hashString(text, 0x2545f491), lo: hashString(text, 0x9e3779b9) };
}

/**
 * The seed of `partition` of the node with fingerprint `fp`, given the operator's own seed: a safe
 * integer below 2^52, the same on every executor and every attempt.
 */
export function partitionSeed(fp: PlanFingerprint, partition: number, userSeed = 0): number {
  const u = hashNumber(userSeed), p = hashNumber(partition);
  const lo = mix32(combineHash(combineHash(fp.lo, u), p));
  const hi = mix32(combineHash(combineHash(fp.hi, p), u) ^ 0x5bd1e995) & 0xfffff;
  return hi * 0x1_0000_0000 + lo;
}
