/**
 * The keyed window state machine: raw records in, panes and side outputs out, every consumed
 * record accounted for.
 *
 * Inputs and outputs are {@linkcode Timed} values whose `time` is processing time, stamped from an
 * injected clock by whoever reads the source; event time lives in the decoded events. The machine
 * is deterministic: the same inputs give the same outputs, so it is tested on virtual time.
 *
 * For each record, in order:
 * 1. The watermark is brought up to the record's processing time (partitions may have gone idle).
 * 2. **Quarantined**: the record does not decode; the reason goes to the side output.
 * 3. **Duplicate**: an accepted event with the same id is still remembered (ids are remembered
 *    while a copy could be on time: event time `>= watermark − grace`); dropped and counted.
 * 4. **Late**: event time `< watermark − grace`; it goes to the late side output with every window
 *    it belongs to, so late events can be counted per window and key ({@linkcode lateByWindowAndKey}).
 *    Because an accepted event is never behind the watermark, all its windows are still open: it
 *    is aggregated into every one of them or into none.
 * 5. **Aggregated** into its windows (sessions merge with the key's overlapping sessions).
 * 6. The record's partition progress raises the watermark; every pane whose `end + grace` the
 *    watermark has reached fires, in order of `end + grace`, then start, then key.
 *
 * `consumed = aggregated + late + duplicates + quarantined` holds after every input.
 * Grace delays firing and widens acceptance by the same amount: it is allowed lateness that the
 * operator, rather than the watermark, adds. Aggregators must be associative and commutative
 * (events arrive out of order, and sessions merge).
 *
 * @module
 */
import type { EventDecoder, StreamEvent, Timed } from "./event_time.ts";
import { IdHorizon } from "./dedup.ts";
import { MinHeap } from "./min_heap.ts";
import {
  advance,
  assignPartitions,
  endOfInput,
  initialWatermarks,
  observeRecord,
  type PartitionProgress,
  validateWatermarkOptions,
  type WatermarkOptions,
  type WatermarkState,
} from "./watermark.ts";
import { assignWindows, overlaps, validateWindowSpec, type Window, type WindowSpec } from "./window.ts";

/** How a pane's values are folded. Must be associative and commutative. */
export interface Aggregator<V, A> {
  /** The accumulator of an empty pane. */
  init(): A;
  /** Adds one value. */
  add(acc: A, value: V): A;
  /** Combines two panes (sessions that merge). */
  merge(a: A, b: A): A;
}

/** What the machine consumes. */
export type WindowInput =
  /** A raw record read from a source partition. */
  | { readonly type: "record"; readonly partition: number; readonly payload: unknown }
  /** Time passed without records: idle partitions may release the watermark. */
  | { readonly type: "tick" }
  /** The partitions read from now on. */
  | { readonly type: "assign"; readonly partitions: readonly number[] }
  /** The input is over: every open pane fires. */
  | { readonly type: "end" };

/** What the machine emits. */
export type WindowOutput<V, A> =
  | {
    readonly type: "pane";
    readonly key: string;
    readonly window: Window;
    readonly result: A;
    /** Events aggregated into the pane. */
    readonly events: number;
  }
  | {
    readonly type: "late";
    readonly key: string;
    /** Every window the event belongs to (for sessions, its own `[time, time + gap)`). */
    readonly windows: readonly Window[];
    readonly event: StreamEvent<V>;
    /** The watermark it arrived behind. */
    readonly watermark: number;
  }
  | { readonly type: "duplicate"; readonly event: StreamEvent<V> }
  | {
    readonly type: "quarantined";
    readonly partition: number;
    readonly payload: unknown;
    readonly reason: string;
  };

/** Records by fate. Always `consumed = aggregated + late + duplicates + quarantined`. */
export interface WindowCounts {
  /** Records pushed. */
  readonly consumed: number;
  /** Events folded into their windows. */
  readonly aggregated: number;
  /** Events behind the watermark, sent to the late side output. */
  readonly late: number;
  /** Copies of an accepted event, dropped. */
  readonly duplicates: number;
  /** Records that did not decode, sent to the side output with their reason. */
  readonly quarantined: number;
}

/** The state of one key: its open panes and the ids of its events remembered for de-duplication. */
export interface KeyWindowState<A> {
  /** Open panes, by window start. */
  readonly panes: readonly {
    readonly start: number;
    readonly end: number;
    readonly acc: A;
    readonly events: number;
  }[];
  /** `[id, event time]` of accepted events still within the horizon. */
  readonly ids: readonly (readonly [string, number])[];
}

/** Everything of a {@linkcode KeyedWindows} that is not per key: the watermark, partitions and counts. */
export interface WindowProgress {
  /** The operator watermark. */
  readonly watermark: number;
  /** `[partition, greatest event time seen]`. */
  readonly partitions: readonly (readonly [number, number])[];
  /** Records by fate so far. */
  readonly counts: WindowCounts;
}

/** Settings of {@linkcode KeyedWindows}. */
export interface KeyedWindowsOptions<V, A> extends WatermarkOptions {
  /** The windows of each key. */
  readonly window: WindowSpec;
  /** Raw record → event, or the reason it is malformed. */
  readonly decode: EventDecoder<V>;
  /** How a pane folds its events' values. */
  readonly aggregate: Aggregator<V, A>;
  /** Extra event time (ms) a pane waits after its end before firing. @default {0} */
  readonly graceMs?: number;
  /**
   * Partitions assigned from the start; their idle clocks start at the first input. Others join
   * on their first record. @default {[]}
   */
  readonly partitions?: readonly number[];
}

interface Pane<A> {
  readonly key: string;
  readonly window: Window;
  acc: A;
  events: number;
}

interface Timer<A> {
  readonly fireAt: number;
  readonly pane: Pane<A>;
}

function timerLess<A>(a: Timer<A>, b: Timer<A>): boolean {
  if (a.fireAt !== b.fireAt) return a.fireAt < b.fireAt;
  if (a.pane.window.start !== b.pane.window.start) return a.pane.window.start < b.pane.window.start;
  return a.pane.key < b.pane.key;
}

/**
 * Keyed event-time windows over raw records from several partitions.
 *
 * @example Tumbling counts, fired by the watermark
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeyedWindows, recordDecoder, tumbling } from "@frontier/frontier/streaming";
 * const windows = new KeyedWindows({
 *   window: tumbling(10),
 *   allowedLatenessMs: 0,
 *   decode: recordDecoder({ idField: "id", keyField: "k", timeField: "t", value: () => ({ ok: true, value: 1 }) }),
 *   aggregate: { init: () => 0, add: (n: number, v: number) => n + v, merge: (a: number, b: number) => a + b },
 * });
 * windows.push({ time: 0, value: { type: "record", partition: 0, payload: { id: 1, k: "a", t: 3 } } });
 * windows.push({ time: 1, value: { type: "record", partition: 0, payload: { id: 2, k: "a", t: 7 } } });
 * const fired = windows.push({ time: 2, value: { type: "record", partition: 0, payload: { id: 3, k: "a", t: 10 } } });
 * assert.deepEqual(fired, [
 *   { time: 2, value: { type: "pane", key: "a", window: { start: 0, end: 10 }, result: 2, events: 2 } },
 * ]);
 * ```
 */
export class KeyedWindows<V, A> {
  readonly #options: KeyedWindowsOptions<V, A>;
  readonly #grace: number;
  readonly #panes = new Map<string, Map<number, Pane<A>>>();
  readonly #timers = new MinHeap<Timer<A>>(timerLess);
  readonly #ids = new IdHorizon();
  #watermarks: WatermarkState = initialWatermarks([], -Infinity);
  /** `options.partitions`, assigned at the first input's processing time (their idle clocks start then). */
  #initialPartitions: readonly number[] | undefined;
  #now = -Infinity;
  #ended = false;
  #openPanes = 0;
  #counts = { consumed: 0, aggregated: 0, late: 0, duplicates: 0, quarantined: 0 };
  /** Keys whose state changed since {@linkcode KeyedWindows.takeDirtyKeys}. */
  #dirty = new Set<string>();
  #restored = false;
  /** Whether the last record {@linkcode KeyedWindows.#consume} saw was aggregated. */
  #accepted = false;

  /** A machine with no state, reading `options.partitions`. */
  constructor(options: KeyedWindowsOptions<V, A>) {
    validateWindowSpec(options.window);
    validateWatermarkOptions(options);
    const grace = options.graceMs ?? 0;
    if (!(grace >= 0 && Number.isFinite(grace))) {
      throw new RangeError(`graceMs must be a finite number >= 0, got ${grace}`);
    }
    this.#options = options;
    this.#grace = grace;
    this.#initialPartitions = options.partitions ?? [];
  }

  /** The operator watermark (event time). */
  get watermark(): number {
    return this.#watermarks.watermark;
  }

  /** Records by fate so far. */
  get counts(): WindowCounts {
    return { ...this.#counts };
  }

  /** Panes not fired yet. */
  get openPanes(): number {
    return this.#openPanes;
  }

  /** Event ids remembered for de-duplication. */
  get rememberedIds(): number {
    return this.#ids.size;
  }

  /**
   * The keys whose state ({@linkcode KeyedWindows.keyState}) changed since the last call: what a
   * changelog must write after a batch.
   */
  takeDirtyKeys(): string[] {
    const keys = [...this.#dirty];
    this.#dirty.clear();
    return keys;
  }

  /** The state of `key`, or undefined when it has none (no open pane, no remembered id). */
  keyState(key: string): KeyWindowState<A> | undefined {
    const panes = [...this.#panes.get(key)?.values() ?? []].map((p) => ({
      start: p.window.start,
      end: p.window.end,
      acc: p.acc,
      events: p.events,
    }));
    const ids = this.#ids.idsOf(key);
    return panes.length === 0 && ids.length === 0 ? undefined : { panes, ids };
  }

  /** The watermark, partitions and counts: the rest of a snapshot. */
  progress(): WindowProgress {
    return {
      watermark: this.#watermarks.watermark,
      partitions: [...this.#watermarks.partitions].map(([p, { maxEventTime }]) => [p, maxEventTime]),
      counts: this.counts,
    };
  }

  /**
   * Loads a snapshot (the {@linkcode KeyedWindows.progress} and every key's
   * {@linkcode KeyedWindows.keyState}) into a machine that has consumed nothing yet. The idle
   * clocks of the restored partitions start at the next input.
   */
  restore(progress: WindowProgress, keys: Iterable<readonly [string, KeyWindowState<A>]>): void {
    if (this.#now !== -Infinity || this.#restored) {
      throw new Error("KeyedWindows.restore needs a machine that has consumed nothing");
    }
    this.#restored = true;
    this.#counts = { ...progress.counts };
    this.#watermarks = {
      watermark: progress.watermark,
      partitions: new Map(
        progress.partitions.map(([p, maxEventTime]) => [p, { maxEventTime, lastActivity: -Infinity }]),
      ),
    };
    for (const [key, state] of keys) {
      let byStart = this.#panes.get(key);
      if (!byStart) this.#panes.set(key, byStart = new Map());
      for (const p of state.panes) this.#open(byStart, key, { start: p.start, end: p.end }, p.acc, p.events);
      if (byStart.size === 0) this.#panes.delete(key);
      for (const [id, time] of state.ids) this.#ids.remember(id, time, key);
    }
  }

  /** Consumes one input at its processing time (non-decreasing) and returns what it caused. */
  push(input: Timed<WindowInput>): Timed<WindowOutput<V, A>>[] {
    const { time: now, value: msg } = input;
    this.#enter(now, msg.type);
    const out: WindowOutput<V, A>[] = [];
    const options = this.#options;
    switch (msg.type) {
      case "record":
        this.#record(msg.partition, msg.payload, now, out);
        break;
      case "tick":
        this.#watermarks = advance(this.#watermarks, now, options);
        break;
      case "assign":
        this.#watermarks = advance(assignPartitions(this.#watermarks, msg.partitions, now), now, options);
        break;
      case "end":
        this.#watermarks = endOfInput(this.#watermarks);
        this.#ended = true;
        break;
      default: {
        const unknown: never = msg;
        throw new TypeError(`unknown window input ${JSON.stringify(unknown)}`);
      }
    }
    this.#fire(out);
    return out.map((value) => ({ time: now, value }));
  }

  /**
   * The `record` input of {@linkcode KeyedWindows.push} on the hot path: no wrapping of inputs or
   * outputs. Appends what the record caused to `out` (in the order `push` returns it) and returns
   * the event when it was aggregated, undefined when it was quarantined, a duplicate or late.
   */
  pushRecord(
    partition: number,
    payload: unknown,
    now: number,
    out: WindowOutput<V, A>[],
  ): StreamEvent<V> | undefined {
    this.#enter(now, "record");
    const accepted = this.#record(partition, payload, now, out);
    this.#fire(out);
    return accepted;
  }

  #enter(now: number, type: string): void {
    if (this.#ended) throw new Error(`KeyedWindows received "${type}" after "end"`);
    if (!(now >= this.#now)) {
      throw new RangeError(`processing time went backwards: ${now} after ${this.#now}`);
    }
    this.#now = now;
    if (this.#initialPartitions) {
      if (this.#restored) {
        const partitions = new Map(
          [...this.#watermarks.partitions].map(([p, g]) => [p, { ...g, lastActivity: now }]),
        );
        this.#watermarks = { watermark: this.#watermarks.watermark, partitions };
      }
      this.#watermarks = assignPartitions(
        this.#watermarks,
        [...new Set([...this.#watermarks.partitions.keys(), ...this.#initialPartitions])],
        now,
      );
      this.#initialPartitions = undefined;
    }
  }

  /**
   * Brings the watermark up to `now`, classifies the record and records its partition's progress
   * (in place: the partitions map is this machine's own). Returns the event when aggregated.
   */
  #record(
    partition: number,
    payload: unknown,
    now: number,
    out: WindowOutput<V, A>[],
  ): StreamEvent<V> | undefined {
    const options = this.#options;
    this.#watermarks = advance(this.#watermarks, now, options);
    const event = this.#consume(partition, payload, out);
    const accepted = this.#accepted ? event : undefined;
    const partitions = this.#watermarks.partitions as Map<number, PartitionProgress>;
    const before = partitions.get(partition);
    if (before === undefined) {
      this.#watermarks = observeRecord(this.#watermarks, { partition, eventTime: event?.time, now }, options);
      return accepted;
    }
    partitions.set(partition, {
      maxEventTime: event === undefined ? before.maxEventTime : Math.max(before.maxEventTime, event.time),
      lastActivity: Math.max(before.lastActivity, now),
    });
    this.#watermarks = advance(this.#watermarks, now, options);
    return accepted;
  }

  /**
   * Classifies and aggregates one record; returns its event when it decodes (`#accepted` says
   * whether it was aggregated).
   */
  #consume(partition: number, payload: unknown, out: WindowOutput<V, A>[]): StreamEvent<V> | undefined {
    const counts = this.#counts;
    counts.consumed++;
    this.#accepted = false;
    const decoded = this.#options.decode(payload);
    if (!decoded.ok) {
      counts.quarantined++;
      out.push({ type: "quarantined", partition, payload, reason: decoded.reason });
      return undefined;
    }
    const event = decoded.value;
    const watermark = this.#watermarks.watermark;
    if (this.#ids.has(event.id)) {
      counts.duplicates++;
      out.push({ type: "duplicate", event });
    } else if (event.time < watermark - this.#grace) {
      counts.late++;
      out.push({
        type: "late",
        key: event.key,
        windows: assignWindows(this.#options.window, event.time),
        event,
        watermark,
      });
    } else {
      counts.aggregated++;
      this.#accepted = true;
      this.#ids.remember(event.id, event.time, event.key);
      this.#dirty.add(event.key);
      this.#aggregate(event);
    }
    return event;
  }

  #aggregate(event: StreamEvent<V>): void {
    const { window: spec, aggregate } = this.#options;
    let byStart = this.#panes.get(event.key);
    if (!byStart) this.#panes.set(event.key, byStart = new Map());
    if (spec.kind !== "session") {
      for (const window of assignWindows(spec, event.time)) {
        const pane = byStart.get(window.start) ?? this.#open(byStart, event.key, window, aggregate.init(), 0);
        pane.acc = aggregate.add(pane.acc, event.value);
        pane.events++;
      }
      return;
    }
    let window: Window = { start: event.time, end: event.time + spec.gapMs };
    const merged = [...byStart.values()].filter((p) => overlaps(p.window, window)).sort((a, b) =>
      a.window.start - b.window.start
    );
    let acc = aggregate.add(aggregate.init(), event.value);
    let events = 1;
    let mergedAcc: A | undefined;
    for (const p of merged) {
      byStart.delete(p.window.start);
      this.#openPanes--;
      window = { start: Math.min(window.start, p.window.start), end: Math.max(window.end, p.window.end) };
      mergedAcc = mergedAcc === undefined ? p.acc : aggregate.merge(mergedAcc, p.acc);
      events += p.events;
    }
    if (mergedAcc !== undefined) acc = aggregate.merge(mergedAcc, acc);
    this.#open(byStart, event.key, window, acc, events);
  }

  #open(byStart: Map<number, Pane<A>>, key: string, window: Window, acc: A, events: number): Pane<A> {
    const pane: Pane<A> = { key, window, acc, events };
    byStart.set(window.start, pane);
    this.#openPanes++;
    this.#timers.push({ fireAt: window.end + this.#grace, pane });
    return pane;
  }

  /** Emits every pane the watermark has passed and forgets ids behind the horizon. */
  #fire(out: WindowOutput<V, A>[]): void {
    const watermark = this.#watermarks.watermark;
    for (
      let top = this.#timers.peek();
      top !== undefined && top.fireAt <= watermark;
      top = this.#timers.peek()
    ) {
      this.#timers.pop();
      const { pane } = top;
      const byStart = this.#panes.get(pane.key);
      if (byStart?.get(pane.window.start) !== pane) continue; // merged into a later session
      byStart.delete(pane.window.start);
      if (byStart.size === 0) this.#panes.delete(pane.key);
      this.#openPanes--;
      this.#dirty.add(pane.key);
      out.push({ type: "pane", key: pane.key, window: pane.window, result: pane.acc, events: pane.events });
    }
    this.#ids.forgetBefore(watermark - this.#grace, (key) => this.#dirty.add(key));
  }
}
