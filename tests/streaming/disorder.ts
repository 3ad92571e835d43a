/**
 * Test support for the window contract: a seeded generator of disordered record streams (with the
 * ground truth of every record), and a plain-TypeScript batch reference that replays the arrival
 * order to classify each record and groups the accepted events by window.
 *
 * The reference shares no code with the streaming path except the decoder of its test records:
 * its watermark is the definition (min over partitions of max event time − lateness, never
 * decreasing), its windows are enumerated by brute force, and its sessions by sorting.
 *
 * @module
 */
import type {
  Aggregator,
  EventDecoder,
  StreamEvent,
  Timed,
  Window,
  WindowInput,
  WindowSpec,
} from "../../streaming/mod.ts";
import { recordDecoder } from "../../streaming/mod.ts";
import { rng } from "../cluster/test_rng.ts";

/** Count, sum, min and max of integer amounts: exact in any order. */
export interface Stats {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** The aggregator every contract test uses. */
export const STATS: Aggregator<number, Stats> = {
  init: () => ({ count: 0, sum: 0, min: Infinity, max: -Infinity }),
  add: (s, v) => ({ count: s.count + 1, sum: s.sum + v, min: Math.min(s.min, v), max: Math.max(s.max, v) }),
  merge: (a, b) => ({
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  }),
};

/** Test records: `{ id, key, time, amount }` with integer amounts (cents). */
export const decodeTestRecord: EventDecoder<number> = recordDecoder({
  idField: "id",
  keyField: "key",
  timeField: "time",
  value: (r) =>
    Number.isSafeInteger(r["amount"])
      ? { ok: true, value: r["amount"] as number }
      : { ok: false, reason: `amount must be an integer of cents, got ${JSON.stringify(r["amount"])}` },
});

/** A test record in the wire form its index picks: an object, JSON text, or UTF-8 bytes. */
export function payloadOf(event: StreamEvent<number>, form: number): unknown {
  const record = { id: event.id, key: event.key, time: event.time, amount: event.value };
  if (form % 3 === 0) return record;
  const json = JSON.stringify(record);
  return form % 3 === 1 ? json : new TextEncoder().encode(json);
}

/** Settings of {@linkcode generateDisorder}. */
export interface DisorderOptions {
  seed: number;
  events: number;
  partitions: number;
  keys: number;
  /** Mean event-time step between consecutive events of one partition. */
  stepMs: number;
  allowedLatenessMs: number;
  /** Share delayed by up to half the allowed lateness (never late on their own partition). */
  outOfOrder: number;
  /** Share delayed by exactly the allowed lateness (on the boundary) or one ms more. */
  boundary: number;
  /** Share delayed well past the allowed lateness. */
  late: number;
  /** Share re-sent on the same partition 1..duplicateMaxLag records later. */
  duplicates: number;
  duplicateMaxLag: number;
  /** Share replaced by a malformed record. */
  malformed: number;
}

/** One generated record and what it truly is. */
export interface GeneratedRecord {
  readonly partition: number;
  readonly payload: unknown;
  /** The event, or undefined for a malformed record. */
  readonly event: StreamEvent<number> | undefined;
}

const MALFORMED: ((i: number) => unknown)[] = [
  (i) => `{"id":"m${i}","key":"k0","time":`,
  (i) => ({ id: `m${i}`, key: "k0", time: "2024-02-30T25:61:00Z", amount: 1 }),
  (i) => ({ id: `m${i}`, key: "k0", time: 5, amount: "N/A" }),
  (i) => ({ id: `m${i}`, time: 5, amount: 1 }),
  () => [1, 2, 3],
  () => new Uint8Array([0xff, 0xfe, 0x7b]),
];

/** A disordered stream in arrival order; processing time is the record's index. */
export function generateDisorder(o: DisorderOptions): GeneratedRecord[] {
  const random = rng(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const base = new Array<number>(o.partitions).fill(1_000_000);
  const arrivals = new Array<number>(o.partitions).fill(0);
  const pending: { due: number; record: GeneratedRecord }[][] = Array.from(
    { length: o.partitions },
    () => [],
  );
  const out: GeneratedRecord[] = [];
  const L = o.allowedLatenessMs;
  for (let n = 0; n < o.events; n++) {
    const partition = int(0, o.partitions - 1);
    const due = pending[partition]!.findIndex((p) => p.due <= arrivals[partition]!);
    if (due >= 0) {
      out.push(pending[partition]!.splice(due, 1)[0]!.record);
      arrivals[partition]!++;
      continue;
    }
    base[partition]! += int(0, 2 * o.stepMs);
    const u = random();
    let delay = 0;
    if (u < o.outOfOrder) delay = int(0, Math.floor(L / 2));
    else if (u < o.outOfOrder + o.boundary) delay = L + int(0, 1);
    else if (u < o.outOfOrder + o.boundary + o.late) delay = L + int(2, 4 * L + 40);
    const event = {
      id: `e${n}`,
      key: `k${int(0, o.keys - 1)}`,
      time: base[partition]! - delay,
      value: int(1, 10_000),
    };
    const record: GeneratedRecord = random() < o.malformed
      ? { partition, payload: MALFORMED[n % MALFORMED.length]!(n), event: undefined }
      : { partition, payload: payloadOf(event, n), event };
    out.push(record);
    arrivals[partition]!++;
    if (record.event && random() < o.duplicates) {
      const copy = { partition, payload: payloadOf(event, n + 1), event };
      pending[partition]!.push({ due: arrivals[partition]! + int(0, o.duplicateMaxLag - 1), record: copy });
    }
  }
  for (const queue of pending) for (const p of queue) out.push(p.record);
  return out;
}

/** The records as machine inputs at processing times 0, 1, 2, … followed by `end`. */
export function asInputs(records: readonly GeneratedRecord[]): Timed<WindowInput>[] {
  const inputs: Timed<WindowInput>[] = records.map((r, i) => ({
    time: i,
    value: { type: "record", partition: r.partition, payload: r.payload },
  }));
  inputs.push({ time: records.length, value: { type: "end" } });
  return inputs;
}

/** How the reference classified one record. */
export type Fate = "aggregated" | "late" | "duplicate" | "quarantined";

/** What the reference expects of a run. */
export interface Expected {
  readonly fates: Fate[];
  /** The watermark each record arrived behind. */
  readonly watermarkBefore: number[];
  /** The watermark after each input (records, then `end`). */
  readonly watermarkAfter: number[];
  readonly accepted: StreamEvent<number>[];
  /** Accepted events exactly at the watermark minus grace when they arrived. */
  readonly atBoundary: number;
}

/** Replays the arrival order with the definitions of watermark, duplicate and late. */
export function classify(
  records: readonly GeneratedRecord[],
  options: { partitions: number; allowedLatenessMs: number; graceMs: number },
): Expected {
  const max = new Array<number>(options.partitions).fill(-Infinity);
  const remembered = new Map<string, number>();
  const fates: Fate[] = [];
  const before: number[] = [];
  const after: number[] = [];
  const accepted: StreamEvent<number>[] = [];
  let watermark = -Infinity;
  let atBoundary = 0;
  for (const { partition, event } of records) {
    before.push(watermark);
    if (!event) fates.push("quarantined");
    else if (remembered.has(event.id)) fates.push("duplicate");
    else if (event.time < watermark - options.graceMs) fates.push("late");
    else {
      fates.push("aggregated");
      accepted.push(event);
      remembered.set(event.id, event.time);
      if (event.time === watermark - options.graceMs) atBoundary++;
    }
    if (event) max[partition] = Math.max(max[partition]!, event.time);
    watermark = Math.max(watermark, Math.min(...max) - options.allowedLatenessMs);
    after.push(watermark);
    for (const [id, time] of remembered) if (time < watermark - options.graceMs) remembered.delete(id);
  }
  after.push(Infinity);
  return { fates, watermarkBefore: before, watermarkAfter: after, accepted, atBoundary };
}

/** Every window of `spec` containing `time`, by brute force over the grid (not for sessions). */
export function windowsContaining(spec: Exclude<WindowSpec, { kind: "session" }>, time: number): Window[] {
  const size = spec.sizeMs;
  const step = spec.kind === "sliding" ? spec.slideMs : spec.sizeMs;
  const offset = spec.offsetMs ?? 0;
  const out: Window[] = [];
  let start = offset + Math.ceil((time - size + 1 - offset) / step) * step;
  for (; start <= time; start += step) out.push({ start, end: start + size });
  return out;
}

/** One expected pane. */
export interface ExpectedPane {
  readonly key: string;
  readonly window: Window;
  readonly stats: Stats;
}

/** The accepted events grouped by key and window, as a batch job would: sorted by end, start, key. */
export function batchPanes(spec: WindowSpec, accepted: readonly StreamEvent<number>[]): ExpectedPane[] {
  const groups = new Map<string, { key: string; window: Window; values: number[] }>();
  const add = (key: string, window: Window, value: number) => {
    const id = `${key}|${window.start}|${window.end}`;
    const g = groups.get(id);
    if (g) g.values.push(value);
    else groups.set(id, { key, window, values: [value] });
  };
  if (spec.kind === "session") {
    const byKey = new Map<string, StreamEvent<number>[]>();
    for (const e of accepted) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
    for (const [key, events] of byKey) {
      events.sort((a, b) => a.time - b.time);
      let run: StreamEvent<number>[] = [];
      const flush = () => {
        const window = { start: run[0]!.time, end: run.at(-1)!.time + spec.gapMs };
        for (const e of run) add(key, window, e.value);
        run = [];
      };
      for (const e of events) {
        if (run.length > 0 && e.time - run.at(-1)!.time >= spec.gapMs) flush();
        run.push(e);
      }
      if (run.length > 0) flush();
    }
  } else {
    for (const e of accepted) for (const w of windowsContaining(spec, e.time)) add(e.key, w, e.value);
  }
  return [...groups.values()]
    .map(({ key, window, values }) => ({
      key,
      window,
      stats: {
        count: values.length,
        sum: values.reduce((a, b) => a + b, 0),
        min: Math.min(...values),
        max: Math.max(...values),
      },
    }))
    .sort((a, b) =>
      a.window.end - b.window.end || a.window.start - b.window.start || (a.key < b.key ? -1 : 1)
    );
}
