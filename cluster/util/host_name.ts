/**
 * The name a node reports for itself when it joins a cluster.
 *
 * @module
 */

/**
 * This machine's host name when the process may read it (`--allow-sys=hostname`), else
 * `"localhost"`: asking never prompts and never throws.
 */
export function hostName(): string {
  try {
    if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted") {
      return Deno.hostname();
    }
  } catch {
    // no permission API (e.g. a restricted worker): fall through
  }
  return "localhost";
}
