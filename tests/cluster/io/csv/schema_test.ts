import assert from "node:assert/strict";
import { SchemaError } from "../../../../cluster/errors.ts";
import {
  compileDateFormat,
  inferSchema,
  loadCsvSchema,
  NumberReader,
  parseCsvSchema,
  readBool,
  toBatchSchema,
} from "../../../../cluster/io/csv/schema.ts";
import { seededRandom, utf8 } from "./csv_test_util.ts";

function number(text: string): number | undefined {
  const b = utf8(text);
  const r = new NumberReader();
  return r.read(b, 0, b.length) ? r.value : undefined;
}

Deno.test("parseCsvSchema accepts a valid schema and keeps only the given keys", () => {
  const s = parseCsvSchema({
    fields: [
      { name: "age", type: "int", nullable: false },
      { name: "job", type: "string", enum: ["a", "b"] },
      { name: "when", type: "date", format: "dd/MM/yyyy" },
    ],
  });
  assert.deepEqual(s.fields[1], { name: "job", type: "string", enum: ["a", "b"] });
  assert.deepEqual(toBatchSchema(s).map((f) => f.nullable), [false, true, true]);
});

Deno.test("parseCsvSchema lists every problem with its path in a SchemaError", () => {
  const fails = (value: unknown, ...patterns: RegExp[]) =>
    assert.throws(() => parseCsvSchema(value, "schema.json"), (e: unknown) => {
      assert.ok(e instanceof SchemaError);
      assert.match(e.message, /^Invalid schema\.json: /);
      for (const p of patterns) assert.match(e.message, p);
      return true;
    });
  fails(
    { fields: [{ name: "a", type: "integer" }, { name: "e", type: "int", extra: 1 }] },
    /fields\.0\.type: Invalid option: expected one of "double"\|"long"/,
    /fields\.1: Unrecognized key: "extra"/,
  );
  fails(
    {
      fields: [
        { name: "b", type: "int", enum: ["x"] },
        { name: "b", type: "string", format: "yyyy" },
        { name: "d", type: "date", format: "yy-MM-dd" },
      ],
    },
    /fields\.0: "enum" needs type "string", not "int"/,
    /fields\.1: duplicate column name "b"/,
    /fields\.1: "format" needs type "date" or "timestamp", not "string"/,
    /fields\.2: Cannot use date format "yy-MM-dd": bad token/,
  );
  fails({ fields: [] }, /fields: Too small/);
  fails("nope", /\(root\): /);
});

Deno.test("loadCsvSchema reads a JSON file and rejects a file that is not JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/s.json`;
    await Deno.writeTextFile(good, JSON.stringify({ fields: [{ name: "x", type: "double" }] }));
    assert.deepEqual(await loadCsvSchema(good), { fields: [{ name: "x", type: "double" }] });
    const bad = `${dir}/bad.json`;
    await Deno.writeTextFile(bad, "{ fields: ");
    await assert.rejects(() => loadCsvSchema(bad), (e: unknown) => {
      return e instanceof SchemaError && e.message.startsWith(`Invalid CSV schema file ${bad}: not JSON`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("NumberReader reads the decimal grammar and rejects everything else", () => {
  const cases: [string, number | undefined][] = [
    ["1e+05", 100000],
    ["1E5", 100000],
    [" 42 ", 42],
    ["-0.5", -0.5],
    [".5", 0.5],
    ["5.", 5],
    ["+7", 7],
    ["0.1", 0.1],
    ["1.7976931348623157e308", 1.7976931348623157e308],
    ["123456789012345678", 123456789012345680],
    ["0.000001234", 0.000001234],
    ["1e-30", 1e-30],
    ["", undefined],
    ["-", undefined],
    ["1e", undefined],
    ["e5", undefined],
    ["1.2.3", undefined],
    ["0x10", undefined],
    ["12a", undefined],
    ["1e400", undefined],
    ["NaN", undefined],
    ["1 2", undefined],
    [".", undefined],
  ];
  for (const [text, want] of cases) assert.equal(number(text), want, JSON.stringify(text));
});

Deno.test("NumberReader is correctly rounded: it equals Number() on random decimals", () => {
  const rnd = seededRandom(11);
  for (let i = 0; i < 5000; i++) {
    const intDigits = String(Math.floor(rnd() * 10 ** Math.floor(rnd() * 12)));
    const frac = String(Math.floor(rnd() * 10 ** Math.floor(rnd() * 12))).padStart(
      Math.floor(rnd() * 8),
      "0",
    );
    const exp = rnd() < 0.3 ? `e${Math.floor(rnd() * 60) - 30}` : "";
    const text = `${rnd() < 0.5 ? "-" : ""}${intDigits}.${frac}${exp}`;
    assert.equal(number(text), Number(text), text);
  }
});

Deno.test("readBool reads true/false/1/0 in any case and nothing else", () => {
  const bool = (t: string) => readBool(utf8(t), 0, utf8(t).length);
  assert.deepEqual(["true", "TRUE", "False", "1", "0", "yes", "t", "", "truee"].map(bool), [
    1,
    1,
    0,
    1,
    0,
    -1,
    -1,
    -1,
    -1,
  ]);
});

Deno.test("date and timestamp parsers read ISO 8601 and custom formats and reject impossible dates", () => {
  const parse = (format: string | undefined, type: "date" | "timestamp", text: string) => {
    const b = utf8(text);
    return compileDateFormat(format, type)(b, 0, b.length);
  };
  assert.equal(parse(undefined, "date", "2008-05-05"), Date.UTC(2008, 4, 5) / 86_400_000);
  assert.equal(parse(undefined, "date", "2020-02-29"), Date.UTC(2020, 1, 29) / 86_400_000);
  for (const bad of ["2021-02-29", "2020-13-01", "2020-1-01", "2020-01-01x", ""]) {
    assert.ok(Number.isNaN(parse(undefined, "date", bad)), bad);
  }
  assert.equal(parse(undefined, "timestamp", "2020-01-02T03:04:05.678Z"), Date.UTC(2020, 0, 2, 3, 4, 5, 678));
  assert.equal(parse(undefined, "timestamp", "2020-01-02 03:04"), Date.UTC(2020, 0, 2, 3, 4));
  assert.equal(parse(undefined, "timestamp", "2020-01-02T03:04:05+02:00"), Date.UTC(2020, 0, 2, 1, 4, 5));
  assert.equal(parse(undefined, "timestamp", "2020-01-02T03:04:05-0130"), Date.UTC(2020, 0, 2, 4, 34, 5));
  assert.equal(parse(undefined, "timestamp", "2020-01-02"), Date.UTC(2020, 0, 2));
  for (const bad of ["2020-01-02T24:00", "2020-01-02T03:04:05+2", "2020-01-02T03"]) {
    assert.ok(Number.isNaN(parse(undefined, "timestamp", bad)), bad);
  }
  assert.equal(parse("dd/MM/yyyy", "date", "31/12/1999"), Date.UTC(1999, 11, 31) / 86_400_000);
  assert.equal(parse("d.M.yyyy", "date", "5.6.2010"), Date.UTC(2010, 5, 5) / 86_400_000);
  assert.ok(Number.isNaN(parse("dd/MM/yyyy", "date", "31/11/1999")));
  assert.equal(
    parse("yyyyMMdd HH:mm:ss.SSS", "timestamp", "20200102 03:04:05.5"),
    Date.UTC(2020, 0, 2, 3, 4, 5, 500),
  );
  assert.throws(() => compileDateFormat("MM-dd", "date"), /needs yyyy, MM and dd/);
  assert.throws(() => compileDateFormat("yyyy-MM-dd HH", "date"), /has a time of day/);
});

Deno.test("inferSchema picks the narrowest type per column and names headerless columns", () => {
  const csv = [
    "flag,small,big,real,day,at,text,empty,",
    "true,1e+05,3000000000,1,2020-01-01,2020-01-01T10:00:00Z,a,,x",
    'FALSE,-2,4,2.5,2020-12-31,2020-01-02 11:00,"b,c",,y',
    ",,,,,,,,",
  ].join("\n");
  const s = inferSchema(utf8(csv));
  assert.deepEqual(s.fields.map((f) => [f.name, f.type]), [
    ["flag", "bool"],
    ["small", "int"],
    ["big", "long"],
    ["real", "double"],
    ["day", "date"],
    ["at", "timestamp"],
    ["text", "string"],
    ["empty", "string"],
    ["_c8", "string"],
  ]);
  assert.ok(s.fields.every((f) => f.nullable === true));
  const headerless = inferSchema(utf8("1;x\n2;y\n"), { header: false, separator: ";" });
  assert.deepEqual(headerless.fields.map((f) => [f.name, f.type]), [["_c0", "int"], ["_c1", "string"]]);
  const dup = inferSchema(utf8("a,a,b\n1,2,3\n"));
  assert.deepEqual(dup.fields.map((f) => f.name), ["a", "a_1", "b"]);
  assert.throws(() => inferSchema(utf8("")), SchemaError);
});

Deno.test("inferSchema reads only sampleRows records", () => {
  const csv = "n\n1\n2\nx\n";
  assert.equal(inferSchema(utf8(csv), { sampleRows: 2 }).fields[0]!.type, "int");
  assert.equal(inferSchema(utf8(csv)).fields[0]!.type, "string");
});
