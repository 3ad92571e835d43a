/**
 * A child process of the streaming benchmark whose stdout lines are watched as they come: the
 * bench waits for a line (a commit, an assignment), kills the child (`kill -9` is the point of
 * the soak), and reads its last JSON line at exit.
 *
 * @module
 */
import { DENO_CONFIG } from "../harness.ts";

/** A running child with its stdout lines. */
export class Child {
  readonly lines: string[] = [];
  readonly #process: Deno.ChildProcess;
  readonly #done: Promise<void>;
  readonly #stderr: Promise<string>;
  #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  readonly #onLine: ((line: string) => void) | undefined;

  /**
   * Starts `deno run -A <script> args…` with the repository's configuration; `onLine` hears every
   * stdout line as it comes.
   */
  constructor(script: URL, args: readonly string[], onLine?: (line: string) => void) {
    this.#onLine = onLine;
    this.#process = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", DENO_CONFIG, script.pathname, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#done = this.#read();
    this.#stderr = new Response(this.#process.stderr).text();
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of this.#process.stdout) {
      rest += decoder.decode(chunk, { stream: true });
      let nl;
      while ((nl = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        this.lines.push(line);
        this.#onLine?.(line);
        this.#waiters = this.#waiters.filter((w) => {
          if (!w.test(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    }
  }

  /** Resolves with the first line (from now on) that passes `test`; rejects if the child exits first. */
  waitFor(test: (line: string) => boolean, what: string): Promise<string> {
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    this.#waiters.push({ test, resolve });
    this.#process.status.then(async (s) => {
      await this.#done;
      reject(
        new Error(`${what}: the child exited (code ${s.code}) first:\n${(await this.#stderr).slice(-2000)}`),
      );
    });
    return promise;
  }

  /** Sends `signal`. */
  kill(signal: Deno.Signal): void {
    try {
      this.#process.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Waits for the exit; returns the code and the last JSON line printed, if any. */
  async exit(): Promise<{ code: number; json: Record<string, unknown> | undefined; stderr: string }> {
    const status = await this.#process.status;
    await this.#done;
    const stderr = await this.#stderr;
    const last = this.lines.findLast((l) => l.startsWith("{"));
    return { code: status.code, json: last === undefined ? undefined : JSON.parse(last), stderr };
  }

  /** Waits for a successful exit and returns the last JSON line, or throws with stderr's tail. */
  async json(what: string): Promise<Record<string, unknown>> {
    const { code, json, stderr } = await this.exit();
    if (code !== 0 || json === undefined) {
      throw new Error(`${what} exited with code ${code}:\n${stderr.slice(-2000)}`);
    }
    return json;
  }
}
