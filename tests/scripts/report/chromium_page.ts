/**
 * A live page in headless Chromium, driven over the DevTools protocol: the page stays open, so a
 * test can read it, let the server change, and read it again. Expressions may return promises
 * (awaited in the page), so a test waits on the page's own events rather than on timers.
 *
 * @module
 */
import { TimeoutError } from "../../../actors/errors.ts";
import { systemClock } from "../../../actors/clock.ts";
import { CHROMIUM, CHROMIUM_TIMEOUT_MS } from "./headless_chromium.ts";

/** An open page. */
export interface LivePage extends AsyncDisposable {
  /** Evaluates `expression` in the page (awaiting a promise it returns) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
}

/** Reads `stream` to its end; resolves the first match of `pattern`'s group 1 (rejects if none). */
function watchFor(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    (async () => {
      let text = "", found = false;
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        if (found) continue; // keep draining, so the pipe never fills
        text += chunk;
        const m = pattern.exec(text);
        if (m) {
          found = true;
          resolve(m[1]!);
        }
      }
      if (!found) reject(new Error(`chromium ended before printing ${pattern}: ${text.slice(-2000)}`));
    })().catch(reject);
  });
}

/** Opens `url` in headless Chromium (profile under `dir`); everything is killed on dispose. */
export async function openLivePage(dir: string, url: string): Promise<LivePage> {
  const profile = await Deno.makeTempDir({ dir, prefix: "profile-" });
  const controller = new AbortController();
  const timer = systemClock.setTimeout(() => controller.abort(), CHROMIUM_TIMEOUT_MS);
  const child = new Deno.Command(CHROMIUM, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    env: { HOME: dir },
    stdout: "null",
    stderr: "piped",
    signal: controller.signal,
  }).spawn();
  let socket: WebSocket | undefined;
  const close = async () => {
    systemClock.clearTimeout(timer);
    socket?.close();
    try {
      child.kill("SIGKILL");
    } catch { /* ended */ }
    await child.status;
  };
  try {
    const browser = await watchFor(child.stderr, /DevTools listening on (ws:\/\/\S+)/);
    const port = new URL(browser).port;
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const target = targets.find((t) => t.type === "page");
    if (!target) throw new Error(`no page target in ${JSON.stringify(targets)}`);
    const ws = socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot connect to ${target.webSocketDebuggerUrl}`));
    });
    const loaded = Promise.withResolvers<void>();
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let nextId = 1;
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data as string) as {
        id?: number;
        method?: string;
        result?: {
          result?: { value?: unknown };
          exceptionDetails?: { text: string; exception?: { description?: string } };
        };
        error?: { message: string };
      };
      if (msg.id === undefined) {
        if (msg.method === "Page.loadEventFired") loaded.resolve();
        return;
      }
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else if (msg.result?.exceptionDetails) {
        const d = msg.result.exceptionDetails;
        p?.reject(new Error(d.exception?.description ?? d.text));
      } else p?.resolve(msg.result?.result?.value);
    };
    ws.onclose = () => {
      for (const p of pending.values()) p.reject(new Error("the DevTools connection closed"));
      pending.clear();
    };
    controller.signal.addEventListener("abort", () => {
      for (const p of pending.values()) {
        p.reject(new TimeoutError(`the page did not answer within ${CHROMIUM_TIMEOUT_MS} ms`));
      }
      pending.clear();
    });
    const send = (method: string, params: Record<string, unknown>) =>
      new Promise<unknown>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    controller.signal.addEventListener("abort", () => loaded.reject(new TimeoutError(`${url} did not load`)));
    await send("Page.enable", {});
    await send("Page.navigate", { url });
    await loaded.promise;
    return {
      evaluate: async <T>(expression: string) =>
        await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }) as T,
      [Symbol.asyncDispose]: close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
