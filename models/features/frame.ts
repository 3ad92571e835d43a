/**
 * The working set of a fitted pipeline applied to one batch, in plain typed arrays: numbers as a
 * `Float64Array` with `NaN` for missing values (null or NaN), text as strings with `undefined` for
 * null, vectors as a row-major `Float64Array`. Input columns are converted from the batch the
 * first time a stage reads them; stages add their outputs; a stage that skips rows removes them
 * from every column at once, and the frame remembers which input rows remain.
 *
 * @module
 */
import { SchemaError } from "../../cluster/errors.ts";
import type { Batch, Vec } from "../../cluster/columnar/batch.ts";

/** A column of the frame. */
export type FrameColumn =
  | { readonly kind: "number"; readonly values: Float64Array }
  | { readonly kind: "string"; readonly values: readonly (string | undefined)[] }
  | { readonly kind: "vector"; readonly width: number; readonly values: Float64Array };

/** A batch's columns as stages read and write them. */
export class Frame {
  readonly #batch: Batch;
  readonly #columns = new Map<string, FrameColumn>();
  /** Input rows still present, in order; `undefined` while every row is. */
  #rows: Uint32Array | undefined;

  constructor(batch: Batch) {
    this.#batch = batch;
  }

  /** Rows present. */
  get length(): number {
    return this.#rows === undefined ? this.#batch.length : this.#rows.length;
  }

  /** The input row of every present row; `undefined` when no row was skipped. */
  get sourceRows(): Uint32Array | undefined {
    return this.#rows;
  }

  /** Whether the frame has `name` (as a stage output or an input column). */
  has(name: string): boolean {
    return this.#columns.has(name) || this.#batch.schema.some((f) => f.name === name);
  }

  /** Column `name` as numbers (`NaN` missing); throws `SchemaError` for text or vectors. */
  number(name: string): Float64Array {
    const c = this.#get(name);
    if (c.kind !== "number") throw new SchemaError(`Column "${name}" is ${c.kind}, not a number`);
    return c.values;
  }

  /** Column `name` as text (`undefined` null); throws `SchemaError` for numbers or vectors. */
  string(name: string): readonly (string | undefined)[] {
    const c = this.#get(name);
    if (c.kind !== "string") throw new SchemaError(`Column "${name}" is ${c.kind}, not text`);
    return c.values;
  }

  /** Column `name` as a row-major vector of `width` slots (a number column is one slot). */
  vector(name: string, width: number): Float64Array {
    const c = this.#get(name);
    if (c.kind === "number" && width === 1) return c.values;
    if (c.kind !== "vector" || c.width !== width) {
      throw new SchemaError(
        `Column "${name}" is not a vector of ${width} slots (${c.kind === "vector" ? c.width : c.kind})`,
      );
    }
    return c.values;
  }

  /** Adds or replaces column `name` (it must have one value per present row). */
  set(name: string, column: FrameColumn): void {
    const n = column.kind === "vector"
      ? column.values.length / Math.max(column.width, 1)
      : column.values.length;
    if (n !== this.length && !(column.kind === "vector" && column.width === 0)) {
      throw new RangeError(`Column "${name}" has ${n} rows, the frame ${this.length}`);
    }
    this.#columns.set(name, column);
  }

  /** Removes the rows whose `drop` flag is 1 from every column. */
  dropRows(drop: Uint8Array): void {
    const n = this.length;
    let kept = 0;
    for (let i = 0; i < n; i++) kept += drop[i] === 1 ? 0 : 1;
    if (kept === n) return;
    const keep = new Uint32Array(kept);
    for (let i = 0, j = 0; i < n; i++) if (drop[i] !== 1) keep[j++] = i;
    for (const [name, c] of this.#columns) this.#columns.set(name, takeColumn(c, keep));
    const rows = this.#rows;
    this.#rows = rows === undefined ? keep : keep.map((i) => rows[i]!);
  }

  /** Column `name` in whatever form it has. */
  column(name: string): FrameColumn {
    return this.#get(name);
  }

  #get(name: string): FrameColumn {
    const own = this.#columns.get(name);
    if (own !== undefined) return own;
    const index = this.#batch.schema.findIndex((f) => f.name === name);
    if (index < 0) throw new SchemaError(`The batch has no column "${name}"`);
    const c = fromVec(this.#batch.columns[index]!, this.#batch.length, this.#rows);
    this.#columns.set(name, c);
    return c;
  }
}

/** A batch column as a frame column, keeping only `rows` when given. */
function fromVec(v: Vec, n: number, rows: Uint32Array | undefined): FrameColumn {
  const m = rows === undefined ? n : rows.length;
  const at = rows === undefined ? (i: number) => i : (i: number) => rows[i]!;
  const valid = v.valid;
  if (v.type === "string") {
    const src = v.values;
    const out = new Array<string | undefined>(m);
    for (let i = 0; i < m; i++) {
      const r = at(i);
      out[i] = valid !== undefined && valid[r] === 0 ? undefined : src[r];
    }
    return { kind: "string", values: out };
  }
  const src = v.values;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const r = at(i);
    out[i] = valid !== undefined && valid[r] === 0 ? NaN : src[r]!;
  }
  return { kind: "number", values: out };
}

function takeColumn(c: FrameColumn, keep: Uint32Array): FrameColumn {
  switch (c.kind) {
    case "number":
      return { kind: "number", values: Float64Array.from(keep, (i) => c.values[i]!) };
    case "string":
      return { kind: "string", values: Array.from(keep, (i) => c.values[i]) };
    case "vector": {
      const w = c.width, out = new Float64Array(keep.length * w);
      keep.forEach((r, i) => out.set(c.values.subarray(r * w, (r + 1) * w), i * w));
      return { kind: "vector", width: w, values: out };
    }
  }
}
