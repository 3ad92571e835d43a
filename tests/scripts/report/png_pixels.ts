/**
 * Pixels of a PNG for the report tests: a small decoder (8-bit, non-interlaced RGB/RGBA, every
 * filter type) and the share of inked pixels in a rectangle, to check a chart or table is drawn.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readPngSize } from "../../../scripts/report/chart.ts";

/** Decoded RGBA pixels, row by row. */
export interface Pixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Decodes an 8-bit, non-interlaced RGB/RGBA PNG into RGBA pixels. */
export async function decodePng(png: Uint8Array): Promise<Pixels> {
  const { width, height } = readPngSize(png);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const bitDepth = png[24];
  const colorType = png[25];
  assert.equal(bitDepth, 8, "test decoder handles 8-bit PNGs");
  assert.ok(colorType === 2 || colorType === 6, `test decoder handles RGB/RGBA, got color type ${colorType}`);
  assert.equal(png[28], 0, "test decoder handles non-interlaced PNGs");
  const channels = colorType === 6 ? 4 : 3;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (type === "IDAT") idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const stream = new Blob(idat as BlobPart[]).stream().pipeThrough(new DecompressionStream("deflate"));
  const raw = new Uint8Array(await new Response(stream).arrayBuffer());
  const stride = width * channels;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const byte = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= channels ? out[y * stride + x - channels] ?? 0 : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] ?? 0 : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] ?? 0 : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter ?? 0] ?? 0;
      out[y * stride + x] = (byte + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 4; k++) rgba[i * 4 + k] = k < channels ? out[i * channels + k] ?? 0 : 255;
  }
  return { width, height, rgba };
}

/** A rectangle in pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Share of the pixels in `rect` (clipped to the image) that are not near-white. */
export function inkedShare(pixels: Pixels, rect: Rect): number {
  const x0 = Math.max(0, Math.floor(rect.x)), y0 = Math.max(0, Math.floor(rect.y));
  const x1 = Math.min(pixels.width, Math.ceil(rect.x + rect.width));
  const y1 = Math.min(pixels.height, Math.ceil(rect.y + rect.height));
  let inked = 0, total = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * pixels.width + x) * 4;
      const [r, g, b] = [pixels.rgba[i] ?? 0, pixels.rgba[i + 1] ?? 0, pixels.rgba[i + 2] ?? 0];
      if (r < 240 || g < 240 || b < 240) inked++;
      total++;
    }
  }
  return total === 0 ? 0 : inked / total;
}
