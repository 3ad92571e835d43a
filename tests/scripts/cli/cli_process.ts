/**
 * The `frontier` CLI as a real process, for the CLI integration tests.
 *
 * @module
 */

const CLI = new URL("../../../scripts/cli/main.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** What a finished `frontier` process printed, and its exit code. */
export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs `frontier <args>` from the repository root and waits for it. */
export async function runFrontier(args: readonly string[]): Promise<Ran> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, out: decoder.decode(r.stdout), err: decoder.decode(r.stderr) };
}

/** Starts `frontier <args>` from the repository root (by default stdout ignored, stderr piped). */
export function spawnFrontier(
  args: readonly string[],
  options: { readonly stdout?: "piped" | "null"; readonly stderr?: "piped" | "null" } = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    stdout: options.stdout ?? "null",
    stderr: options.stderr ?? "piped",
  }).spawn();
}
