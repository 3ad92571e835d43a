import assert from "node:assert/strict";
import { InvalidRowError, SchemaError } from "../../../../cluster/errors.ts";
import { batchToRows } from "../../../../cluster/columnar/batch_ops.ts";
import {
  BANK_ADDITIONAL_OPTIONS,
  BANK_FULL_OPTIONS,
  BANK_FULL_SCHEMA,
} from "../../../../cluster/sources/bank/schemas.ts";
import {
  gunzip,
  parseRange,
  quarantineToBatch,
  readCsvBytes,
  readCsvFile,
} from "../../../../cluster/io/csv/parse.ts";
import type { CsvSchema } from "../../../../cluster/io/csv/schema.ts";
import { dataPath, readWithCuts, readWithCutsFused, seededRandom, utf8 } from "./csv_test_util.ts";

function countBy(values: readonly unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

Deno.test("readCsvFile reads bank-full.csv.gz with the documented row and class counts", async () => {
  const r = await readCsvFile(await dataPath("bank-full.csv.gz"), BANK_FULL_OPTIONS);
  assert.equal(r.rowsRead, 45211);
  assert.equal(r.rowsValid, 45211);
  assert.deepEqual(r.quarantine, []);
  assert.equal(r.batch.schema.length, 17);
  const y = r.batch.columns[16]!;
  assert.equal(y.type, "string");
  assert.deepEqual(countBy(y.values as string[]), { no: 39922, yes: 5289 });
  const first = batchToRows({ ...r.batch, length: 1 })[0];
  assert.deepEqual(first, {
    age: 58,
    job: "management",
    marital: "married",
    education: "tertiary",
    default: "no",
    balance: 2143,
    housing: "yes",
    loan: "no",
    contact: "unknown",
    day: 5,
    month: "may",
    duration: 261,
    campaign: 1,
    pdays: -1,
    previous: 0,
    poutcome: "unknown",
    y: "no",
  });
});

Deno.test("readCsvFile reads the CRLF bank-additional-full.csv.gz with the documented row and class counts", async () => {
  const r = await readCsvFile(await dataPath("bank-additional-full.csv.gz"), BANK_ADDITIONAL_OPTIONS);
  assert.equal(r.rowsRead, 41188);
  assert.equal(r.rowsValid, 41188);
  assert.deepEqual(r.quarantine, []);
  assert.deepEqual(r.batch.schema.map((f) => f.name).slice(15, 18), [
    "emp.var.rate",
    "cons.price.idx",
    "cons.conf.idx",
  ]);
  assert.deepEqual(countBy(r.batch.columns[20]!.values as string[]), { no: 36548, yes: 4640 });
  const nr = r.batch.columns[19]!;
  assert.equal(nr.type, "double");
  assert.equal(nr.values[41187], 4963.6);
});

interface Defect {
  row: number;
  edit: (line: string) => string | Uint8Array;
  reason?: string;
  column?: string;
}

const DEFECTS: readonly Defect[] = [
  { row: 9, edit: (l) => l.slice(0, l.lastIndexOf(";")), reason: "wrong_field_count" },
  { row: 1040, edit: (l) => l.replace(/^\d+/, "4x2"), reason: "unparsable_number", column: "age" },
  { row: 2000, edit: (l) => setField(l, 5, "12.5"), reason: "unparsable_number", column: "balance" },
  { row: 2001, edit: (l) => setField(l, 5, "1e+03") }, // integral: valid
  { row: 2002, edit: (l) => setField(l, 5, "3000000000"), reason: "unparsable_number", column: "balance" },
  { row: 3000, edit: (l) => setField(l, 1, '"astronaut"'), reason: "not_in_enum", column: "job" },
  { row: 4000, edit: (l) => setField(l, 2, '"marr"ied"'), reason: "broken_quoting" },
  { row: 5000, edit: (l) => l.replace(/^(\d)/, '$1"'), reason: "broken_quoting" },
  {
    row: 6000,
    edit: (l) => {
      const b = utf8(setField(l, 1, '"admin?."'));
      b[b.indexOf(63)] = 0xff;
      return b;
    },
    reason: "invalid_utf8",
  },
  { row: 7000, edit: (l) => setField(l, 0, ""), reason: "missing_value", column: "age" },
  { row: 8000, edit: (l) => setField(l, 1, '"blue\ncollar"'), reason: "not_in_enum", column: "job" },
  { row: 9500, edit: (l) => `${l}\r` }, // CR LF ending: valid
  { row: 10000, edit: (l) => setField(l, 10, '"foo"'), reason: "not_in_enum", column: "month" },
  { row: 11000, edit: (l) => setField(l, 9, "x"), reason: "unparsable_number", column: "day" },
  { row: 12000, edit: (l) => setField(l, 16, '"y""es"'), reason: "not_in_enum", column: "y" },
  { row: 45210, edit: (l) => l.slice(0, -1), reason: "broken_quoting" }, // last row: unterminated quote
];
const BLANK_BEFORE_ROW = 9000;

function setField(line: string, index: number, value: string): string {
  const parts = line.split(";");
  parts[index] = value;
  return parts.join(";");
}

/** Injects every defect into bank-full's text; returns the bytes and the expected quarantine. */
function corrupt(text: string): { bytes: Uint8Array; expected: [number, string, string | undefined][] } {
  const lines = text.split("\n");
  assert.equal(lines.pop(), "");
  const chunks: Uint8Array[] = [utf8(`${lines[0]!}\n`)];
  const expected: [number, string, string | undefined][] = [];
  let line = 2;
  for (let row = 0; row < lines.length - 1; row++) {
    if (row === BLANK_BEFORE_ROW) {
      chunks.push(utf8("\n"));
      line++;
    }
    const d = DEFECTS.find((x) => x.row === row);
    const edited = d === undefined ? lines[row + 1]! : d.edit(lines[row + 1]!);
    const bytes = typeof edited === "string" ? utf8(edited) : edited;
    chunks.push(bytes, utf8("\n"));
    if (d?.reason !== undefined) expected.push([line, d.reason, d.column]);
    line += 1 + bytes.filter((b) => b === 10).length;
  }
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return { bytes: out, expected };
}

async function bankFullText(): Promise<string> {
  const gz = await Deno.readFile(await dataPath("bank-full.csv.gz"));
  return new TextDecoder().decode(await gunzip(gz));
}

Deno.test("a corrupted bank-full quarantines exactly the injected lines with their reasons", async () => {
  const { bytes, expected } = corrupt(await bankFullText());
  const one = readCsvBytes(bytes, { ...BANK_FULL_OPTIONS, file: "bank-full.csv" });
  assert.deepEqual(one.quarantine.map((q) => [q.line, q.reason, q.column]), expected);
  assert.equal(one.rowsRead, 45211);
  assert.equal(one.rowsRead, one.rowsValid + one.quarantine.length);
  assert.equal(one.rowsValid, 45211 - expected.length);
  const age = one.quarantine.find((q) => q.line === 1042)!;
  assert.equal(age.message, 'bank-full.csv line 1042, column "age": expected int, got "4x2"');
  assert.match(age.raw, /^4x2;"/);
  assert.equal(one.quarantine.find((q) => q.reason === "invalid_utf8")!.raw.includes("\ufffd"), true);
  const balances = one.batch.columns[5]!.values as Int32Array;
  assert.equal(balances.includes(1000), true); // "1e+03" read as the integer 1000
  const split = readCsvBytes(bytes, { ...BANK_FULL_OPTIONS, file: "bank-full.csv", ranges: 7 });
  assert.deepEqual(split.quarantine, one.quarantine);
  assert.deepEqual(batchToRows(split.batch), batchToRows(one.batch));
  const q = quarantineToBatch(one.quarantine);
  assert.equal(q.length, expected.length);
});

Deno.test("strict mode throws InvalidRowError naming file, line, column and expectation", async () => {
  const text = (await bankFullText()).split("\n").slice(0, 1100);
  text[1041] = text[1041]!.replace(/^\d+/, "4x2");
  const bytes = utf8(text.join("\n"));
  assert.throws(
    () => readCsvBytes(bytes, { ...BANK_FULL_OPTIONS, file: "bank-full.csv", strict: true, ranges: 3 }),
    (e: unknown) => {
      assert.ok(e instanceof InvalidRowError);
      assert.equal(e.message, 'bank-full.csv line 1042, column "age": expected int, got "4x2"');
      assert.equal(e.data.line, 1042);
      assert.equal(e.data.column, "age");
      assert.equal(e.data.reason, "unparsable_number");
      return true;
    },
  );
});

const STRINGS: CsvSchema = {
  fields: [{ name: "a", type: "string" }, { name: "b", type: "string" }, { name: "c", type: "string" }],
};

Deno.test("quoted fields keep separators, newlines, CR LF and doubled quotes", () => {
  const csv = 'a;b;c\r\n"x;y";"line1\nline2";"say ""hi"""\r\n"";plain;"crlf\r\ninside"\r\n;"";z';
  const r = readCsvBytes(utf8(csv), { schema: STRINGS, separator: ";" });
  assert.deepEqual(batchToRows(r.batch), [
    { a: "x;y", b: "line1\nline2", c: 'say "hi"' },
    { a: "", b: "plain", c: "crlf\r\ninside" },
    { a: null, b: "", c: "z" },
  ]);
  assert.deepEqual(r.quarantine, []);
});

Deno.test("parsing random well-formed RFC 4180 text gives back the encoded values", () => {
  const rnd = seededRandom(7);
  const alphabet = ["a", "b", ";", '"', "\n", "\r", " ", "é", "日", ","];
  const rows: (string | null)[][] = [];
  for (let i = 0; i < 300; i++) {
    rows.push([0, 1, 2].map(() => {
      if (rnd() < 0.1) return null;
      let s = "";
      const len = Math.floor(rnd() * 6);
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      return s;
    }));
  }
  const encode = (v: string | null) =>
    v === null ? "" : v === "" || /[;"\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  const csv = "a;b;c\n" + rows.map((r) => r.map(encode).join(";")).join(rnd() < 0.5 ? "\n" : "\r\n") + "\n";
  const r = readCsvBytes(utf8(csv), { schema: STRINGS, separator: ";", ranges: 5 });
  assert.deepEqual(r.quarantine, []);
  assert.deepEqual(
    batchToRows(r.batch),
    rows.map(([a, b, c]) => ({ a, b, c } as Record<string, string | null>)),
  );
});

const MIXED: CsvSchema = {
  fields: [
    { name: "n", type: "int" },
    { name: "s", type: "string", enum: ["x", "y,z", 'q"', "", "é"] },
    { name: "t", type: "string" },
  ],
};
const PIECES = [
  "1",
  "-7",
  "1e+05",
  "2.5",
  "",
  '""',
  "x",
  '"y,z"',
  '"q"""',
  "é",
  '"a\nb"',
  '"c\r\nd"',
  'x"y',
  '"ab"c',
  '"un',
  "\xff",
  '"é"',
  " ",
  "zz",
];

function randomCsv(rnd: () => number): Uint8Array {
  const parts: Uint8Array[] = [utf8("n,s,t\n")];
  for (let r = 0; r < 40; r++) {
    if (rnd() < 0.05) parts.push(utf8(rnd() < 0.5 ? "\n" : "\r\n"));
    const nf = rnd() < 0.1 ? 2 : 3;
    const fields: string[] = [];
    for (let f = 0; f < nf; f++) fields.push(PIECES[Math.floor(rnd() * PIECES.length)]!);
    const text = fields.join(",") + (rnd() < 0.3 ? "\r\n" : "\n");
    const bytes = utf8(text.replaceAll("\xff", "\u0001"));
    bytes.forEach((b, i) => b === 1 && (bytes[i] = 0xff));
    parts.push(bytes);
  }
  if (rnd() < 0.5) parts.push(utf8('1,"x,"unterminated\nstill'));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

Deno.test("output is identical for 1..8 ranges at random cut points, including broken records", () => {
  const reasons = new Set<string>();
  let multiLineRows = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const rnd = seededRandom(seed);
    const bytes = randomCsv(rnd);
    const options = { schema: MIXED, file: `r${seed}.csv`, maxQuotedNewlines: seed % 3 };
    const whole = readWithCuts(bytes, [], options);
    assert.equal(whole.rowsRead, whole.rows.length + whole.quarantine.length);
    whole.quarantine.forEach((q) => reasons.add(q.reason));
    multiLineRows += whole.rows.filter((r) => String(r.t).includes("\n")).length;
    assert.ok(whole.rowsRead > 0);
    for (let ranges = 2; ranges <= 8; ranges++) {
      const cuts = Array.from({ length: ranges - 1 }, () => Math.floor(rnd() * (bytes.length + 1))).sort((
        a,
        b,
      ) => a - b);
      const split = readWithCuts(bytes, cuts, options);
      assert.deepEqual(split.rows, whole.rows, `seed ${seed}, cuts ${cuts}`);
      assert.deepEqual(split.quarantine, whole.quarantine, `seed ${seed}, cuts ${cuts}`);
      assert.equal(split.rowsRead, whole.rowsRead);
      // Without a scan phase (each range finds its own first record): the same rows and lines.
      const fused = readWithCutsFused(bytes, cuts, options);
      assert.deepEqual(fused.rows, whole.rows, `fused: seed ${seed}, cuts ${cuts}`);
      assert.deepEqual(fused.quarantine, whole.quarantine, `fused: seed ${seed}, cuts ${cuts}`);
      assert.equal(fused.rowsRead, whole.rowsRead);
    }
  }
  // The corpus exercises every kind of defect and valid multi-line fields.
  assert.deepEqual([...reasons].sort(), [
    "broken_quoting",
    "invalid_utf8",
    "not_in_enum",
    "unparsable_number",
    "wrong_field_count",
  ]);
  assert.ok(multiLineRows > 0);
});

Deno.test("every single cut point of a tricky file gives the single-range result", () => {
  const bytes = utf8('a;b;c\n"1;\n2";"x""\n";3\r\n4;"\r\n";5\n\n"bad"x;1;2\n6;7;"8\n9";"extra"\n"open;x\n');
  const options = { schema: STRINGS, separator: ";", maxQuotedNewlines: 1 };
  const whole = readWithCuts(bytes, [], options);
  assert.deepEqual(whole.rows, [{ a: "1;\n2", b: 'x"\n', c: "3" }, { a: "4", b: "\r\n", c: "5" }]);
  assert.deepEqual(whole.quarantine.map((q) => [q.line, q.reason]), [
    [8, "broken_quoting"],
    [9, "wrong_field_count"],
    [11, "broken_quoting"],
  ]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const split = readWithCuts(bytes, [cut], options);
    assert.deepEqual([split.rows, split.quarantine], [whole.rows, whole.quarantine], `cut at ${cut}`);
    const fused = readWithCutsFused(bytes, [cut], options);
    assert.deepEqual([fused.rows, fused.quarantine], [whole.rows, whole.quarantine], `fused, cut at ${cut}`);
    for (let cut2 = cut; cut2 <= bytes.length; cut2 += 3) {
      const two = readWithCutsFused(bytes, [cut, cut2], options);
      assert.deepEqual(
        [two.rows, two.quarantine],
        [whole.rows, whole.quarantine],
        `fused, cuts ${cut} ${cut2}`,
      );
    }
  }
});

Deno.test("a stray quote ends its record after maxQuotedNewlines lines instead of swallowing the file", () => {
  const bytes = utf8('a;b;c\n1;"oops;2\n3;4;5\n6;7;8\n9;10;11\n');
  const r = readCsvBytes(bytes, { schema: STRINGS, separator: ";", maxQuotedNewlines: 1 });
  assert.deepEqual(r.quarantine.map((q) => [q.line, q.reason, q.raw]), [[
    2,
    "broken_quoting",
    '1;"oops;2\n3;4;5',
  ]]);
  assert.deepEqual(batchToRows(r.batch), [{ a: "6", b: "7", c: "8" }, { a: "9", b: "10", c: "11" }]);
});

Deno.test("readCsvBytes rejects a header that does not match the schema", () => {
  assert.throws(
    () => readCsvBytes(utf8("a;x;c\n1;2;3\n"), { schema: STRINGS, separator: ";", file: "f.csv" }),
    (e: unknown) =>
      e instanceof SchemaError && e.message === 'f.csv: header column 2 is "x", the schema expects "b"',
  );
});

Deno.test("readCsvBytes infers int for 1e+05 and reads it as 100000", () => {
  const r = readCsvBytes(utf8("n,x,big\n1e+05,2.5,3e9\n200,1,1\n-3,,2\n"));
  assert.deepEqual(r.schema.fields.map((f) => f.type), ["int", "double", "long"]);
  assert.deepEqual(Array.from(r.batch.columns[0]!.values as Int32Array), [100000, 200, -3]);
  assert.deepEqual(batchToRows(r.batch)[2], { n: -3, x: null, big: 2 });
});

Deno.test("parseRange with eof false throws RangeError when the last record runs past the window", () => {
  const bytes = utf8('1;"open\nstill');
  assert.throws(
    () =>
      parseRange(bytes, { start: 0, end: 3, state: 0, line: 1 }, {
        schema: STRINGS,
        separator: ";",
        eof: false,
      }),
    RangeError,
  );
});

Deno.test("bank-full parses identically in 1 and 6 ranges", async () => {
  const text = await bankFullText();
  const bytes = utf8(text.slice(0, 200_000));
  const a = readCsvBytes(bytes, { ...BANK_FULL_OPTIONS, schema: BANK_FULL_SCHEMA });
  const b = readCsvBytes(bytes, { ...BANK_FULL_OPTIONS, ranges: 6 });
  assert.deepEqual(batchToRows(b.batch), batchToRows(a.batch));
  assert.equal(a.rowsRead, b.rowsRead);
});

Deno.test("dates, timestamps and bools that do not parse are quarantined with their column", () => {
  const schema: CsvSchema = {
    fields: [
      { name: "d", type: "date", format: "dd/MM/yyyy" },
      { name: "t", type: "timestamp" },
      { name: "b", type: "bool", nullable: false },
    ],
  };
  const csv =
    "d,t,b\n31/12/1999,2020-01-02T03:04:05Z,true\n31/11/1999,2020-01-02,0\n,2020-13-02,1\n,,\n01/01/2000,,maybe\n";
  const r = readCsvBytes(utf8(csv), { schema, file: "f.csv" });
  assert.deepEqual(r.quarantine.map((q) => [q.line, q.reason, q.column, q.message]), [
    [3, "unparsable_date", "d", 'f.csv line 3, column "d": expected date (dd/MM/yyyy), got "31/11/1999"'],
    [4, "unparsable_date", "t", 'f.csv line 4, column "t": expected timestamp, got "2020-13-02"'],
    [5, "missing_value", "b", 'f.csv line 5, column "b": expected bool, got an empty value'],
    [6, "unparsable_bool", "b", 'f.csv line 6, column "b": expected bool, got "maybe"'],
  ]);
  assert.deepEqual(batchToRows(r.batch), [{ d: 10956, t: Date.UTC(2020, 0, 2, 3, 4, 5), b: true }]);
  assert.equal(r.rowsRead, 5);
});
