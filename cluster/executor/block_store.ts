/**
 * An executor's local blocks: shuffle/cache outputs and broadcast values, kept in memory up to a
 * budget and spilled to files in the spill directory beyond it.
 *
 * @module
 */

export interface BlockStoreOptions {
  /** Bytes kept in memory before new blocks spill to disk. @default {1 GiB} */
  memoryBudgetBytes?: number | undefined;
  /** Directory for spilled blocks; without one, exceeding the budget throws RangeError. */
  spillDir?: string | undefined;
}

export function blockKey(outputId: number, mapPartition: number, reducePartition: number): string {
  return `${outputId}/${mapPartition}/${reducePartition}`;
}

export class BlockStore {
  readonly #mem = new Map<string, Uint8Array>();
  /** Spilled blocks: their file and size (kept, so a vanished file is still accounted for). */
  readonly #spilled = new Map<string, { readonly path: string; readonly bytes: number }>();
  readonly #budget: number;
  readonly #spillDir: string | undefined;
  #memBytes = 0;
  #spillBytes = 0;

  constructor(options: BlockStoreOptions = {}) {
    this.#budget = options.memoryBudgetBytes ?? 1 << 30;
    this.#spillDir = options.spillDir;
  }

  get memoryBytes(): number {
    return this.#memBytes;
  }
  get spilledBytes(): number {
    return this.#spillBytes;
  }

  put(key: string, bytes: Uint8Array): void {
    this.delete(key);
    if (this.#memBytes + bytes.byteLength <= this.#budget) {
      this.#mem.set(key, bytes);
      this.#memBytes += bytes.byteLength;
      return;
    }
    if (!this.#spillDir) {
      throw new RangeError(
        `Block store is full: ${this.#memBytes} of ${this.#budget} bytes used and no spill directory is configured`,
      );
    }
    // A fresh file of its own: stores in one process may share a spill directory.
    const path = Deno.makeTempFileSync({ dir: this.#spillDir, prefix: "block-", suffix: ".arrow" });
    try {
      Deno.writeFileSync(path, bytes);
    } catch (e) {
      Deno.removeSync(path);
      throw e;
    }
    this.#spilled.set(key, { path, bytes: bytes.byteLength });
    this.#spillBytes += bytes.byteLength;
  }

  get(key: string): Uint8Array | undefined {
    const m = this.#mem.get(key);
    if (m) return m;
    const spilled = this.#spilled.get(key);
    return spilled ? Deno.readFileSync(spilled.path) : undefined;
  }

  has(key: string): boolean {
    return this.#mem.has(key) || this.#spilled.has(key);
  }

  delete(key: string): void {
    const m = this.#mem.get(key);
    if (m) {
      this.#memBytes -= m.byteLength;
      this.#mem.delete(key);
    }
    const spilled = this.#spilled.get(key);
    if (spilled) {
      this.#spillBytes -= spilled.bytes;
      this.#spilled.delete(key);
      try {
        Deno.removeSync(spilled.path);
      } catch { /* already gone */ }
    }
  }

  /** Removes every block whose key starts with `${prefix}/`. */
  deletePrefix(prefix: string): void {
    for (const k of [...this.#mem.keys(), ...this.#spilled.keys()]) {
      if (k.startsWith(`${prefix}/`)) this.delete(k);
    }
  }

  clear(): void {
    for (const k of [...this.#mem.keys(), ...this.#spilled.keys()]) this.delete(k);
  }
}
