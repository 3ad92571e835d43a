import assert from "node:assert/strict";
import {
  chainScans,
  compileDialect,
  type CsvMachine,
  EV_BROKEN,
  EV_HIGH,
  readHeader,
  RECORD_START,
  RecordReader,
  scanRange,
  splitRanges,
} from "../../../../cluster/io/csv/scan.ts";
import { seededRandom, utf8 } from "./csv_test_util.ts";

/** Random bytes rich in CSV structure: separators, quotes, CR, LF, non-ASCII and invalid bytes. */
function randomBytes(rnd: () => number, length: number): Uint8Array {
  const alphabet = [97, 98, 59, 59, 34, 34, 34, 10, 10, 13, 0xc3, 0xa9, 0xff, 49];
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = alphabet[Math.floor(rnd() * alphabet.length)]!;
  return out;
}

/** The automaton run byte by byte from `state` over `bytes[start, end)`. */
function run(m: CsvMachine, bytes: Uint8Array, start: number, end: number, state: number): number {
  let s = state;
  for (let i = start; i < end; i++) s = m.table[(s << 3) | m.classes[bytes[i]!]!]! & 0xffff;
  return s;
}

function snapshot(r: RecordReader) {
  return {
    bounds: Array.from(r.bounds.subarray(0, 3 * r.fields)),
    fields: r.fields,
    start: r.start,
    end: r.end,
    next: r.next,
    newlines: r.newlines,
    events: r.events,
  };
}

Deno.test("RecordReader's shortcut for plain records agrees with the automaton on random input", () => {
  let plain = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const rnd = seededRandom(seed);
    const bytes = randomBytes(rnd, 400);
    const m = compileDialect({ separator: ";", maxQuotedNewlines: seed % 4 });
    const fast = new RecordReader(m);
    const slow = new RecordReader(m, { fast: false });
    for (let pos = 0; pos < bytes.length; pos = slow.next) {
      assert.equal(fast.read(bytes, pos), true);
      assert.equal(slow.read(bytes, pos), true);
      assert.deepEqual(snapshot(fast), snapshot(slow), `seed ${seed} at ${pos}`);
      if ((slow.events & EV_BROKEN) === 0 && slow.fields > 1) plain++;
    }
  }
  // Plain records on real-looking text too, including CR LF and non-ASCII.
  const bytes = utf8('1;"a;b";é\r\n"x";;"y"\n\n"";2\r\n');
  const m = compileDialect({ separator: ";" });
  const fast = new RecordReader(m);
  const slow = new RecordReader(m, { fast: false });
  for (let pos = 0; pos < bytes.length; pos = slow.next) {
    fast.read(bytes, pos);
    slow.read(bytes, pos);
    assert.deepEqual(snapshot(fast), snapshot(slow));
  }
  assert.ok(plain > 50);
});

Deno.test("scanRange reports, for every entry state, the state the automaton exits in", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const rnd = seededRandom(100 + seed);
    const bytes = randomBytes(rnd, 300);
    const m = compileDialect({ separator: ";", maxQuotedNewlines: seed % 3 });
    const start = Math.floor(rnd() * 100);
    const end = start + Math.floor(rnd() * 200);
    const scan = scanRange(bytes, { start, end }, m);
    assert.equal(scan.exits.length, m.states);
    for (let s = 0; s < m.states; s++) {
      assert.equal(scan.exits[s], run(m, bytes, start, end, s), `state ${s}`);
    }
    assert.equal(scan.newlines, bytes.subarray(start, end).filter((b) => b === 10).length);
  }
});

Deno.test("chainScans gives each range the state and line one pass reaches at its start", () => {
  const rnd = seededRandom(5);
  const bytes = randomBytes(rnd, 2000);
  const m = compileDialect({ separator: ";" });
  const cuts = [0, 13, 14, 400, 400, 1200, 1999, 2000];
  const scans = cuts.slice(1).map((end, i) => scanRange(bytes, { start: cuts[i]!, end }, m));
  const entries = chainScans(scans, { line: 1 });
  entries.forEach((e, i) => {
    assert.equal(e.start, cuts[i]);
    assert.equal(e.state, run(m, bytes, 0, e.start, RECORD_START));
    assert.equal(e.line, 1 + bytes.subarray(0, e.start).filter((b) => b === 10).length);
  });
});

Deno.test("chainScans rejects ranges that are not contiguous", () => {
  const bytes = utf8("a,b\nc,d\n");
  const scans = [scanRange(bytes, { start: 0, end: 3 }), scanRange(bytes, { start: 4, end: 8 })];
  assert.throws(() => chainScans(scans), /range 1 starts at 4, not at 3/);
});

Deno.test("scanRange of an empty range maps every state to itself", () => {
  const scan = scanRange(utf8("abc"), { start: 2, end: 2 }, { maxQuotedNewlines: 2 });
  assert.deepEqual(scan.exits, scan.exits.map((_, s) => s));
  assert.equal(scan.newlines, 0);
});

Deno.test("scanRange rejects a range outside the buffer with RangeError", () => {
  assert.throws(() => scanRange(utf8("abc"), { start: 1, end: 9 }), RangeError);
});

Deno.test("splitRanges covers [start, end) with contiguous ranges of near-equal size", () => {
  const ranges = splitRanges(10, 110, 7);
  assert.equal(ranges.length, 7);
  assert.equal(ranges[0]!.start, 10);
  assert.equal(ranges[6]!.end, 110);
  for (let i = 1; i < 7; i++) assert.equal(ranges[i]!.start, ranges[i - 1]!.end);
  for (const r of ranges) assert.ok(r.end - r.start >= 14 && r.end - r.start <= 15);
  assert.throws(() => splitRanges(0, 10, 0), RangeError);
});

Deno.test("readHeader skips a BOM and blank lines and reports where data starts", () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('\r\n\n"a";"b ""x""";c\r\n1;2;3\n')]);
  const h = readHeader(bytes, { separator: ";" });
  assert.deepEqual(h.names, ["a", 'b "x"', "c"]);
  assert.equal(h.dataLine, 4);
  assert.equal(new TextDecoder().decode(bytes.subarray(h.dataStart)), "1;2;3\n");
  const none = readHeader(bytes, { header: false });
  assert.deepEqual(none, { names: undefined, dataStart: 3, dataLine: 1 });
  assert.throws(() => readHeader(utf8('"a;b'), {}, { eof: false }), RangeError);
});

Deno.test("RecordReader marks high bytes, strips CR of CR LF and reports an unterminated quote", () => {
  const r = new RecordReader({ separator: ";" });
  const bytes = utf8('é;"x"\r\n1;"open\n');
  assert.equal(r.read(bytes, 0), true);
  assert.equal(r.fields, 2);
  assert.equal(r.text(bytes, 0), "é");
  assert.equal(r.text(bytes, 1), "x");
  assert.equal(r.events & EV_HIGH, EV_HIGH);
  assert.equal(r.end, r.next - 2);
  assert.equal(r.read(bytes, r.next), true);
  assert.notEqual(r.events & EV_BROKEN, 0);
  assert.equal(r.text(bytes, 1), "open\n");
  const windowed = new RecordReader({ separator: ";" }, { eof: false });
  assert.equal(windowed.read(bytes, 8), false);
});

Deno.test("compileDialect rejects unusable separators, quotes and limits with RangeError", () => {
  assert.throws(() => compileDialect({ separator: ";;" }), /expected one ASCII character/);
  assert.throws(() => compileDialect({ separator: "\n" }), RangeError);
  assert.throws(() => compileDialect({ separator: "§" }), RangeError);
  assert.throws(() => compileDialect({ separator: "'", quote: "'" }), /same character/);
  assert.throws(() => compileDialect({ maxQuotedNewlines: -1 }), RangeError);
  assert.equal(compileDialect({ quote: "" }).quote, -1);
});

Deno.test("with quoting off, quotes are plain text", () => {
  const r = new RecordReader({ quote: "" });
  const bytes = utf8('"a,b"\n');
  r.read(bytes, 0);
  assert.equal(r.fields, 2);
  assert.equal(r.text(bytes, 0), '"a');
  assert.equal(r.events & EV_BROKEN, 0);
});
