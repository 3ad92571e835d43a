/**
 * Headless Chromium for the report tests: a screenshot or the DOM after load of a local page,
 * with a fresh profile per run and a hard timeout. `FRONTIER_CHROMIUM` names the binary,
 * `FRONTIER_SKIP_BROWSER=1` skips the browser tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { systemClock } from "../../../actors/clock.ts";
import { TimeoutError } from "../../../actors/errors.ts";

/** The Chromium binary. */
export const CHROMIUM: string = Deno.env.get("FRONTIER_CHROMIUM") ?? "chromium";
/** Whether browser tests are skipped. */
export const SKIP_BROWSER: boolean = Deno.env.get("FRONTIER_SKIP_BROWSER") === "1";
/** A run of Chromium is killed after this long. */
export const CHROMIUM_TIMEOUT_MS = 60_000;

const decoder = new TextDecoder();

/** Chromium's `--version` line, or `undefined` when it is not installed or does not run. */
export async function chromiumVersion(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(CHROMIUM, { args: ["--version"], stdout: "piped", stderr: "null" })
      .output();
    return out.success ? decoder.decode(out.stdout).trim() : undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Fails with the setup hint when Chromium is missing. */
export async function requireChromium(): Promise<void> {
  const version = await chromiumVersion();
  assert.ok(
    version !== undefined,
    `"${CHROMIUM}" is not installed or does not run: run scripts/setup/chromium.sh ` +
      `(apt-get install chromium fonts-dejavu-core), or set FRONTIER_SKIP_BROWSER=1 to skip this test`,
  );
}

/** Options of {@linkcode runChromium}. */
export interface RunChromiumOptions {
  /** The page, e.g. `file:///tmp/x/report.html`. */
  url: string;
  /** Extra flags, e.g. `--screenshot=<file>` or `--dump-dom`. */
  args: readonly string[];
  /** Window size in CSS pixels. @default {[1280, 2000]} */
  window?: readonly [number, number];
}

/**
 * Runs headless Chromium on a page under `dir` (its profile and HOME go there too) and returns its
 * stdout; kills it and throws `TimeoutError` after {@linkcode CHROMIUM_TIMEOUT_MS}.
 */
export async function runChromium(dir: string, options: RunChromiumOptions): Promise<string> {
  const profile = await Deno.makeTempDir({ dir, prefix: "profile-" });
  const [width, height] = options.window ?? [1280, 2000];
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    `--user-data-dir=${profile}`,
    `--window-size=${width},${height}`,
    "--virtual-time-budget=5000",
    ...options.args,
    options.url,
  ];
  const controller = new AbortController();
  const timer = systemClock.setTimeout(() => controller.abort(), CHROMIUM_TIMEOUT_MS);
  try {
    const out = await new Deno.Command(CHROMIUM, {
      args,
      env: { HOME: dir },
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).output();
    if (controller.signal.aborted) {
      throw new TimeoutError(`Cannot screenshot report: chromium ran past ${CHROMIUM_TIMEOUT_MS} ms`);
    }
    assert.ok(out.success, `chromium exited with ${out.code}: ${decoder.decode(out.stderr).slice(-2000)}`);
    return decoder.decode(out.stdout);
  } finally {
    systemClock.clearTimeout(timer);
  }
}
