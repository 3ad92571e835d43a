/**
 * Injects known defects into a semicolon-separated, quoted CSV (the bank files) at given physical
 * lines, so an ingest can be checked to quarantine exactly those rows (demo and tests).
 *
 * @module
 */
import { concatBytes } from "../../cluster/util/bytes.ts";

/** The defects {@linkcode injectDefects} can make, named like the quarantine reasons they cause. */
export type Defect =
  | "wrong_field_count"
  | "unparsable_number"
  | "not_in_enum"
  | "missing_value"
  | "broken_quoting"
  | "invalid_utf8";

/** Every defect, in a fixed order. */
export const DEFECTS: readonly Defect[] = [
  "wrong_field_count",
  "unparsable_number",
  "not_in_enum",
  "missing_value",
  "broken_quoting",
  "invalid_utf8",
];

const INVALID = "\u0000INVALID\u0000";

function corruptLine(line: string, defect: Defect): string {
  const fields = line.split(";");
  switch (defect) {
    case "wrong_field_count":
      return fields.slice(0, -1).join(";");
    case "unparsable_number":
      fields[0] = "4x2";
      return fields.join(";");
    case "not_in_enum":
      fields[1] = '"astronaut"';
      return fields.join(";");
    case "missing_value":
      fields[0] = "";
      return fields.join(";");
    case "broken_quoting":
      fields[2] = '"mar"ried"';
      return fields.join(";");
    case "invalid_utf8":
      fields[1] = `"tech${INVALID}nician"`;
      return fields.join(";");
  }
}

/**
 * A copy of `text` with `defects` applied: each entry corrupts the record on physical line `line`
 * (1-based; line 1 is the header; records must be one line each). Returns the bytes (invalid UTF-8
 * is a raw 0xFF byte).
 */
export function injectDefects(
  text: string,
  defects: readonly { readonly line: number; readonly defect: Defect }[],
): Uint8Array {
  const lines = text.split("\n");
  for (const { line, defect } of defects) {
    if (!Number.isInteger(line) || line < 2 || line > lines.length || lines[line - 1] === "") {
      throw new RangeError(`Cannot inject ${defect} at line ${line}: no record there`);
    }
    lines[line - 1] = corruptLine(lines[line - 1]!, defect);
  }
  const parts = lines.join("\n").split(INVALID);
  const encoder = new TextEncoder();
  const chunks = parts.flatMap((p, i) =>
    i === 0 ? [encoder.encode(p)] : [new Uint8Array([0xff]), encoder.encode(p)]
  );
  return concatBytes(chunks);
}

/** `count` defects spread evenly over records 2..`records + 1`, cycling through {@linkcode DEFECTS}. */
export function spreadDefects(records: number, count: number): { line: number; defect: Defect }[] {
  const out: { line: number; defect: Defect }[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ line: 2 + Math.floor(((i + 0.5) * records) / count), defect: DEFECTS[i % DEFECTS.length]! });
  }
  return out;
}
