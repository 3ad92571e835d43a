import assert from "node:assert/strict";
import { decodeBody, encodeBody, ModelFormatError } from "../../../models/persistence/mod.ts";
import { edgeArrays, ODD_NAN, sameBytes } from "./test_models.ts";

type Header = {
  byteLength: number;
  arrays: { name: string; dtype: string; length: number; offset: number }[];
};

function reparse(header: unknown): Header {
  return JSON.parse(JSON.stringify(header));
}

Deno.test("encodeBody then decodeBody returns every array bit-exact, with its dtype", () => {
  const arrays = edgeArrays();
  const { header, data } = encodeBody({ meta: { a: [1, "x", true, null] }, arrays });
  const back = decodeBody(reparse(header), data);
  assert.deepEqual(back.meta, { a: [1, "x", true, null] });
  assert.deepEqual([...back.arrays.keys()], [...arrays.keys()]);
  for (const [name, a] of arrays) {
    const b = back.arrays.get(name)!;
    assert.equal(b.constructor, a.constructor, name);
    assert.ok(sameBytes(a, b), `${name} differs in its bytes`);
  }
  const f64 = back.arrays.get("f64")!;
  assert.ok(Object.is(f64[2], -0));
  const bits = new Uint32Array(f64.buffer, f64.byteOffset, 2);
  assert.deepEqual([bits[0], bits[1]], [0x12345678, 0x7ff80abc], "the NaN payload survives");
  assert.ok(Number.isNaN(ODD_NAN));
});

Deno.test("encodeBody places arrays at multiples of 8 with zero padding", () => {
  const { header, data } = encodeBody({ meta: {}, arrays: edgeArrays() });
  const h = reparse(header);
  assert.deepEqual(
    h.arrays.map((a) => [a.name, a.offset]),
    [
      ["f64", 0],
      ["f32", 72],
      ["i32", 88],
      ["u32", 104],
      ["i16", 120],
      ["u16", 128],
      ["i8", 136],
      ["u8", 144],
      [
        "empty",
        152,
      ],
      ["tail.u8", 152],
    ],
  );
  assert.equal(h.byteLength, 160);
  assert.equal(data.length, 160);
  assert.deepEqual([...data.subarray(153)], [0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...data.subarray(147, 152)], [0, 0, 0, 0, 0]);
});

Deno.test("encodeBody reads array views at their offset, not the whole buffer", () => {
  const backing = Float64Array.of(1, 2, 3, 4);
  const { header, data } = encodeBody({ meta: {}, arrays: new Map([["mid", backing.subarray(1, 3)]]) });
  const back = decodeBody(reparse(header), data).arrays.get("mid")!;
  assert.deepEqual([...back], [2, 3]);
});

Deno.test("encodeBody is deterministic and refuses bad names and non-JSON meta", () => {
  const a = encodeBody({ meta: { k: 1 }, arrays: edgeArrays() });
  const b = encodeBody({ meta: { k: 1 }, arrays: edgeArrays() });
  assert.deepEqual(a.data, b.data);
  assert.equal(JSON.stringify(a.header), JSON.stringify(b.header));
  assert.throws(() => encodeBody({ meta: {}, arrays: new Map([["../x", Uint8Array.of(1)]]) }), TypeError);
  assert.throws(() => encodeBody({ meta: {}, arrays: new Map([["1a", Uint8Array.of(1)]]) }), TypeError);
  assert.throws(() => encodeBody({ meta: { bad: NaN }, arrays: new Map() }), /Body meta "bad" is NaN/);
});

function corrupt(edit: (h: Header, data: Uint8Array) => Uint8Array | void): void {
  const { header, data } = encodeBody({ meta: {}, arrays: edgeArrays() });
  const h = reparse(header);
  const copy = data.slice();
  const d = edit(h, copy) ?? copy;
  try {
    decodeBody(h, d);
  } catch (e) {
    assert.ok(e instanceof ModelFormatError, `${e}`);
    assert.equal(e.data.file, "body.json");
    return;
  }
  assert.fail("decodeBody accepted a corrupt body");
}

Deno.test("decodeBody refuses any header that encodeBody would not write", () => {
  corrupt((h) => void (h.arrays[1]!.offset = 64)); // overlaps f64
  corrupt((h) => void (h.arrays[1]!.offset = 80)); // not the canonical offset
  corrupt((h) => void (h.arrays[0]!.length = 1000)); // runs past the end
  corrupt((h) => void (h.arrays[2]!.dtype = "i64"));
  corrupt((h) => void (h.arrays[2]!.name = "f64")); // repeated name
  corrupt((h) => void (h.byteLength = 168));
  corrupt((_, d) => d.subarray(0, 152)); // shorter than byteLength
  corrupt((_, d) => void (d[159] = 1)); // non-zero tail padding
  corrupt((_, d) => void (d[150] = 1)); // non-zero padding between arrays
  corrupt((h) => void h.arrays.pop()); // a trailing array not described
  corrupt((h) => void Object.assign(h, { byteOrder: "big-endian" }));
});
