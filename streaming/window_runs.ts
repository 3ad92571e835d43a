/**
 * Whole inputs through the keyed window machine, and the late side output counted per window and
 * key: what tests, oracles and reports use around {@linkcode KeyedWindows}.
 *
 * @module
 */
import type { Timed } from "./event_time.ts";
import {
  KeyedWindows,
  type KeyedWindowsOptions,
  type WindowCounts,
  type WindowInput,
  type WindowOutput,
} from "./keyed_windows.ts";
import type { Window } from "./window.ts";

/** Runs a whole input sequence through a fresh {@linkcode KeyedWindows}. */
export function runKeyedWindows<V, A>(
  options: KeyedWindowsOptions<V, A>,
  inputs: Iterable<Timed<WindowInput>>,
): { outputs: Timed<WindowOutput<V, A>>[]; counts: WindowCounts } {
  const machine = new KeyedWindows(options);
  const outputs: Timed<WindowOutput<V, A>>[] = [];
  for (const input of inputs) outputs.push(...machine.push(input));
  return { outputs, counts: machine.counts };
}

/** Late events counted per key and window, from a late side output, ordered by window then key. */
export function lateByWindowAndKey<V, A>(
  outputs: Iterable<Timed<WindowOutput<V, A>>>,
): { key: string; window: Window; late: number }[] {
  const counts = new Map<string, { key: string; window: Window; late: number }>();
  for (const { value } of outputs) {
    if (value.type !== "late") continue;
    for (const window of value.windows) {
      const id = JSON.stringify([window.start, window.end, value.key]);
      const entry = counts.get(id);
      if (entry) entry.late++;
      else counts.set(id, { key: value.key, window, late: 1 });
    }
  }
  return [...counts.values()].sort((a, b) =>
    a.window.end - b.window.end || a.window.start - b.window.start ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}
