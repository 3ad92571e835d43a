/**
 * A {@linkcode CheckpointStore} in a directory: output files idempotent by (partition, offset
 * range), and a checkpoint per partition that is the commit point.
 *
 * Layout:
 * - `<stream>/p<partition>-<from>-<to>.jsonl`: the outputs of stream `<stream>` produced by the
 *   records `[from, to)` of `<partition>`, one JSON object per line (`{ key, value }`).
 * - `_checkpoint/p<partition>.json`: `{ nextOffset, state }`, the partition's committed offset
 *   and its whole state (the changelog compacted to one value per key).
 *
 * A commit writes the batch's output files, then replaces the checkpoint (write to a temporary
 * file, then rename: atomic on POSIX file systems). A crash before the rename leaves output files
 * whose range starts at the committed offset; {@linkcode DirectoryCheckpointStore.load} deletes
 * them, and the replay writes the batch again. So every record's outputs are in exactly one file
 * once the partition's checkpoint passes it.
 *
 * @module
 */
import { join } from "node:path";
import type { BatchResult, ChangelogEntry } from "./partition_processor.ts";
import type { CheckpointStore } from "./embedded_source.ts";

const FILE = /^p(\d+)-(\d+)-(\d+)\.jsonl$/;

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

/** Committed outputs and checkpoints in a directory (see the module documentation). */
export class DirectoryCheckpointStore implements CheckpointStore {
  readonly #dir: string;
  readonly #committed = new Map<number, { next: number; state: Map<string, string> }>();

  /** A store writing under `dir` (created when missing). */
  constructor(dir: string) {
    this.#dir = dir;
  }

  async load(partition: number): Promise<{ committedOffset: number; changelog: ChangelogEntry[] }> {
    await Deno.mkdir(join(this.#dir, "_checkpoint"), { recursive: true });
    let next = 0;
    let state = new Map<string, string>();
    try {
      const text = await Deno.readTextFile(join(this.#dir, "_checkpoint", `p${partition}.json`));
      const parsed = JSON.parse(text) as { nextOffset: number; state: Record<string, string> };
      next = parsed.nextOffset;
      state = new Map(Object.entries(parsed.state));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    for await (const stream of Deno.readDir(this.#dir)) {
      if (!stream.isDirectory || stream.name.startsWith("_")) continue;
      for await (const file of Deno.readDir(join(this.#dir, stream.name))) {
        const m = FILE.exec(file.name);
        if (m && Number(m[1]) === partition && Number(m[2]) >= next) {
          await Deno.remove(join(this.#dir, stream.name, file.name)); // an uncommitted batch's outputs
        }
      }
    }
    this.#committed.set(partition, { next, state });
    return { committedOffset: next, changelog: [...state].map(([key, value]) => ({ key, value })) };
  }

  async commit(partition: number, result: BatchResult): Promise<void> {
    const p = this.#committed.get(partition);
    if (!p) throw new Error(`partition ${partition} was not loaded before its first commit`);
    const byStream = new Map<string, string[]>();
    for (const o of result.outputs) {
      let lines = byStream.get(o.stream);
      if (!lines) byStream.set(o.stream, lines = []);
      lines.push(JSON.stringify({ key: o.key, value: o.value }));
    }
    for (const [stream, lines] of byStream) {
      await Deno.mkdir(join(this.#dir, stream), { recursive: true });
      await writeAtomically(
        join(this.#dir, stream, `p${partition}-${p.next}-${result.nextOffset}.jsonl`),
        lines.join("\n") + "\n",
      );
    }
    for (const e of result.changelog) {
      if (e.value === undefined) p.state.delete(e.key);
      else p.state.set(e.key, e.value);
    }
    await writeAtomically(
      join(this.#dir, "_checkpoint", `p${partition}.json`),
      JSON.stringify({ nextOffset: result.nextOffset, state: Object.fromEntries(p.state) }),
    );
    p.next = result.nextOffset;
  }
}
