/**
 * The processor of one input partition: raw records in, outputs and changelog deltas out, every
 * record accounted for.
 *
 * Per batch of records (in offset order): each record is decoded and classified by a
 * {@linkcode KeyedWindows} (malformed → `dead_letter`, duplicate → dropped and counted, late →
 * `late`, else aggregated into its windows), fired panes go to `windows`, and every accepted event
 * is stepped through each plugged-in {@linkcode StreamOperator}, whose outputs go to the stream named
 * after it. `consumed = aggregated + late + duplicates + quarantined` always holds.
 *
 * The batch's result carries the **changelog deltas**: the state of every key the batch changed
 * (`w|<key>` for windows and dedup ids, `o|<operator>|<key>` for operator state; `undefined` is a
 * tombstone, written only for a key the changelog holds a value of) and last `meta` (watermark, counts, the next offset to read). A driver commits the
 * outputs, the deltas and the input position in one atomic step (a Kafka transaction, a checkpoint
 * file); replaying the changelog into a fresh processor ({@linkcode PartitionProcessor.restore})
 * gives back exactly the state after the last committed batch, so re-processing the records after
 * it reproduces the same outputs. Processing is deterministic: processing time only moves idle
 * clocks, and a processor reads one partition, so its watermark never depends on them.
 *
 * @module
 */
import type { EventDecoder, StreamEvent } from "./event_time.ts";
import {
  type Aggregator,
  KeyedWindows,
  type KeyWindowState,
  type WindowCounts,
  type WindowOutput,
} from "./keyed_windows.ts";
import { OPERATOR_NAME, type StreamOperator } from "./operator.ts";
import type { WindowSpec } from "./window.ts";

/** A record read from a source partition. */
export interface SourceRecord {
  /** Its position in the partition. */
  readonly offset: number;
  /** The raw payload (UTF-8 JSON bytes or text). */
  readonly value: Uint8Array | string;
  /**
   * When the record entered the source (ms since the epoch; Kafka's record timestamp): what
   * event→output latency is measured from. Processing never reads it.
   */
  readonly timestamp?: number;
}

/** A JSON value (what outputs and changelog values are made of). */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };

/** One output message. `stream` is `windows`, `late`, `dead_letter` or an operator's name. */
export interface StreamOutput {
  /** Which output stream. */
  readonly stream: string;
  /** The message key. */
  readonly key: string;
  /** The payload. */
  readonly value: Json;
}

/** One changelog record: a key's new state as JSON text, or `undefined` to delete it. */
export interface ChangelogEntry {
  /** `meta`, `w|<key>` or `o|<operator>|<key>`. */
  readonly key: string;
  /** JSON text, or undefined for a tombstone. */
  readonly value: string | undefined;
}

/** What processing a batch produced: commit all of it atomically. */
export interface BatchResult {
  /** Outputs in order. */
  readonly outputs: readonly StreamOutput[];
  /** State deltas, `meta` last. */
  readonly changelog: readonly ChangelogEntry[];
  /** The offset to read next. */
  readonly nextOffset: number;
}

/** Settings of a {@linkcode PartitionProcessor}. */
export interface ProcessorOptions<V, A> {
  /** Windows per key. */
  readonly window: WindowSpec;
  /** Watermark = max event time − this. */
  readonly allowedLatenessMs: number;
  /** Extra wait after a window's end. @default {0} */
  readonly graceMs?: number;
  /** Raw record → event. */
  readonly decode: EventDecoder<V>;
  /** Window aggregate; its accumulator must be plain JSON data. */
  readonly aggregate: Aggregator<V, A>;
  /** Online operators fed every accepted event. @default {[]} */
  readonly operators?: readonly StreamOperator<V, unknown, unknown>[];
}

const META = "meta";
const textDecoder = new TextDecoder();

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function fromNullable(x: unknown, fallback: number): number {
  return typeof x === "number" ? x : fallback;
}

/** The processor of one input partition (see the module documentation). */
export class PartitionProcessor<V, A> {
  readonly #partition: number;
  readonly #options: ProcessorOptions<V, A>;
  readonly #operators: readonly StreamOperator<V, unknown, unknown>[];
  #windows: KeyedWindows<V, A>;
  readonly #operatorState = new Map<string, Map<string, unknown>>();
  readonly #dirtyOperatorKeys = new Set<string>();
  /**
   * Changelog keys whose last value written (or restored) is not a tombstone. A key that has none
   * needs no tombstone: a pane opened and fired within one batch writes nothing.
   */
  #persisted = new Set<string>();
  #nextOffset = 0;
  #now = -Infinity;

  /** A processor of `partition` with no state, reading from offset 0. */
  constructor(partition: number, options: ProcessorOptions<V, A>) {
    if (!Number.isSafeInteger(partition) || partition < 0) {
      throw new RangeError(`partition must be an integer >= 0, got ${partition}`);
    }
    const operators = options.operators ?? [];
    const names = new Set<string>();
    for (const op of operators) {
      if (!OPERATOR_NAME.test(op.name) || ["windows", "late", "dead_letter"].includes(op.name)) {
        throw new RangeError(
          `operator name must match ${OPERATOR_NAME} and not be a built-in stream, got "${op.name}"`,
        );
      }
      if (names.has(op.name)) throw new RangeError(`two operators are named "${op.name}"`);
      names.add(op.name);
      this.#operatorState.set(op.name, new Map());
    }
    this.#partition = partition;
    this.#options = options;
    this.#operators = operators;
    this.#windows = this.#machine();
  }

  #machine(): KeyedWindows<V, A> {
    const o = this.#options;
    return new KeyedWindows<V, A>({
      window: o.window,
      allowedLatenessMs: o.allowedLatenessMs,
      graceMs: o.graceMs ?? 0,
      partitions: [this.#partition],
      aggregate: o.aggregate,
      decode: o.decode,
    });
  }

  /** The offset to read next (0, or where the restored state left off). */
  get nextOffset(): number {
    return this.#nextOffset;
  }

  /** Records by fate so far (restored counts included). */
  get counts(): WindowCounts {
    return this.#windows.counts;
  }

  /** Panes open (state size). */
  get openPanes(): number {
    return this.#windows.openPanes;
  }

  /** Event ids remembered for de-duplication (state size). */
  get rememberedIds(): number {
    return this.#windows.rememberedIds;
  }

  /** The partition's watermark. */
  get watermark(): number {
    return this.#windows.watermark;
  }

  /**
   * Replaces the state with the one a changelog describes (entries in log order; for each key the
   * last value wins, a tombstone deletes it). Returns the offset to read next.
   */
  restore(entries: Iterable<ChangelogEntry>): number {
    const latest = new Map<string, string>();
    for (const e of entries) {
      if (e.value === undefined) latest.delete(e.key);
      else latest.set(e.key, e.value);
    }
    this.#windows = this.#machine();
    for (const m of this.#operatorState.values()) m.clear();
    this.#dirtyOperatorKeys.clear();
    this.#persisted = new Set(latest.keys());
    this.#persisted.delete(META);
    this.#nextOffset = 0;
    const meta = latest.get(META);
    if (meta === undefined) return 0;
    const m = JSON.parse(meta) as {
      nextOffset: number;
      watermark: number | null;
      partitions: [number, number | null][];
      counts: WindowCounts;
    };
    const keys: [string, KeyWindowState<A>][] = [];
    for (const [k, v] of latest) {
      if (k.startsWith("w|")) keys.push([k.slice(2), JSON.parse(v) as KeyWindowState<A>]);
      else if (k.startsWith("o|")) {
        const bar = k.indexOf("|", 2);
        this.#operatorState.get(k.slice(2, bar))?.set(k.slice(bar + 1), JSON.parse(v));
      }
    }
    this.#windows.restore({
      watermark: fromNullable(m.watermark, -Infinity),
      partitions: m.partitions.map(([p, t]) => [p, fromNullable(t, -Infinity)]),
      counts: m.counts,
    }, keys);
    this.#nextOffset = m.nextOffset;
    return this.#nextOffset;
  }

  /**
   * Processes records in offset order at processing time `now`. Records below
   * {@linkcode PartitionProcessor.nextOffset} were processed already and are skipped.
   */
  process(records: readonly SourceRecord[], now: number): BatchResult {
    this.#now = Math.max(this.#now, now);
    const outputs: StreamOutput[] = [];
    const partition = this.#partition;
    const fired: WindowOutput<V, A>[] = [];
    for (const record of records) {
      if (record.offset < this.#nextOffset) continue;
      const watermark = this.#windows.watermark;
      fired.length = 0;
      const accepted = this.#windows.pushRecord(partition, record.value, this.#now, fired);
      for (const o of fired) {
        switch (o.type) {
          case "pane":
            outputs.push({
              stream: "windows",
              key: o.key,
              value: {
                partition,
                key: o.key,
                start: o.window.start,
                end: o.window.end,
                events: o.events,
                result: o.result as Json,
              },
            });
            break;
          case "late":
            outputs.push({
              stream: "late",
              key: o.key,
              value: {
                partition,
                offset: record.offset,
                id: o.event.id,
                key: o.key,
                time: o.event.time,
                watermark: o.watermark,
                windows: o.windows.map((w) => [w.start, w.end]),
              },
            });
            break;
          case "quarantined":
            outputs.push({
              stream: "dead_letter",
              key: `${partition}:${record.offset}`,
              value: {
                partition,
                offset: record.offset,
                reason: o.reason,
                payload: typeof record.value === "string" ? record.value : textDecoder.decode(record.value),
              },
            });
            break;
          case "duplicate":
            break;
          default:
            o satisfies never;
        }
      }
      if (accepted) this.#step(accepted, { partition, offset: record.offset, watermark }, outputs);
      this.#nextOffset = record.offset + 1;
    }
    return { outputs, changelog: this.#deltas(), nextOffset: this.#nextOffset };
  }

  #step(
    event: StreamEvent<V>,
    ctx: { partition: number; offset: number; watermark: number },
    outputs: StreamOutput[],
  ): void {
    for (const op of this.#operators) {
      const states = this.#operatorState.get(op.name)!;
      const key = op.keyOf === undefined ? event.key : op.keyOf(event);
      if (typeof key !== "string" || key === "") {
        throw new TypeError(`operator "${op.name}": keyOf must return a non-empty string, got ${key}`);
      }
      const seen = key === event.key ? event : { ...event, key };
      const r = op.step(states.has(key) ? states.get(key) : op.init(key), seen, ctx);
      if (r.state === undefined) states.delete(key);
      else states.set(key, r.state);
      this.#dirtyOperatorKeys.add(`o|${op.name}|${key}`);
      for (const out of r.outputs) {
        outputs.push({ stream: op.name, key: out.key ?? key, value: out.value as Json });
      }
    }
  }

  #deltas(): ChangelogEntry[] {
    const changelog: ChangelogEntry[] = [];
    const persisted = this.#persisted;
    const write = (key: string, value: string | undefined) => {
      if (value !== undefined) persisted.add(key);
      else if (!persisted.delete(key)) return; // never written, or deleted already
      changelog.push({ key, value });
    };
    for (const key of this.#windows.takeDirtyKeys()) {
      const state = this.#windows.keyState(key);
      write(`w|${key}`, state === undefined ? undefined : JSON.stringify(state));
    }
    for (const k of this.#dirtyOperatorKeys) {
      const bar = k.indexOf("|", 2);
      const states = this.#operatorState.get(k.slice(2, bar))!;
      const key = k.slice(bar + 1);
      write(k, states.has(key) ? JSON.stringify(states.get(key)) : undefined);
    }
    this.#dirtyOperatorKeys.clear();
    const p = this.#windows.progress();
    changelog.push({
      key: META,
      value: JSON.stringify({
        nextOffset: this.#nextOffset,
        watermark: finiteOrNull(p.watermark),
        partitions: p.partitions.map(([q, t]) => [q, finiteOrNull(t)]),
        counts: p.counts,
      }),
    });
    return changelog;
  }
}
