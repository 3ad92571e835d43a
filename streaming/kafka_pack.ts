/**
 * Packed output records: many outputs of one batch, stream and partition in one Kafka record,
 * which cuts the records (and kafkajs' per-message CPU) a batch writes. Off by default
 * (`KafkaSourceOptions.packOutputs`, `frontier stream run --pack-outputs`).
 *
 * A packed record's value is newline-delimited JSON: a header line
 * `{"frontier":"packed-outputs/1","count":N}`, then `N` lines `{"key":K,"value":V}` — the outputs
 * in the order the batch produced them. Its key is the first output's key. Packing keeps
 * exactly-once: a packed record is written in the batch's transaction like the outputs it holds.
 * Read packed topics with {@linkcode unpackOutputs}.
 *
 * @module
 */
import type { OutMessage } from "./kafka_requests.ts";

/** The format named in a packed record's header line. */
export const PACKED_FORMAT = "packed-outputs/1";

/** One output held in a packed record. */
export interface PackedOutput {
  /** The output's key. */
  readonly key: string;
  /** The output's value (JSON). */
  readonly value: unknown;
}

/** A packed record that cannot be read. */
export class PackedRecordError extends Error {
  /** The error's name, kept when it is serialized. */
  override readonly name = "PackedRecordError";
}

/**
 * Packs `outputs` (key and JSON text of each, all for `partition`) into records of at most
 * `maxBytes` UTF-16 code units each (an output larger than that gets a record of its own).
 */
export function packOutputs(
  outputs: readonly { readonly key: string; readonly json: string }[],
  partition: number,
  maxBytes: number,
): OutMessage[] {
  if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 1024)) {
    throw new RangeError(`maxBytes must be an integer >= 1024, got ${maxBytes}`);
  }
  const records: OutMessage[] = [];
  let lines: string[] = [];
  let key = "";
  let size = 0;
  const flush = () => {
    if (lines.length === 0) return;
    const header = `{"frontier":"${PACKED_FORMAT}","count":${lines.length}}`;
    records.push({ key, value: `${header}\n${lines.join("\n")}`, partition });
    lines = [];
    size = 0;
  };
  for (const o of outputs) {
    const line = `{"key":${JSON.stringify(o.key)},"value":${o.json}}`;
    if (lines.length > 0 && size + line.length + 1 > maxBytes) flush();
    if (lines.length === 0) key = o.key;
    lines.push(line);
    size += line.length + 1;
  }
  flush();
  return records;
}

/** Whether a record value is a packed record (starts with the packed header). */
export function isPacked(value: string): boolean {
  return value.startsWith(`{"frontier":"${PACKED_FORMAT}"`);
}

/** The outputs of a packed record's value, in order; throws {@linkcode PackedRecordError} if malformed. */
export function unpackOutputs(value: string): PackedOutput[] {
  const lines = value.split("\n");
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? "");
  } catch (e) {
    throw new PackedRecordError("packed record: the header line is not JSON", { cause: e });
  }
  const h = header as { frontier?: unknown; count?: unknown };
  if (typeof header !== "object" || header === null || h.frontier !== PACKED_FORMAT) {
    throw new PackedRecordError(`packed record: the header must name "${PACKED_FORMAT}"`);
  }
  if (!Number.isSafeInteger(h.count) || lines.length - 1 !== h.count) {
    throw new PackedRecordError(`packed record: header count ${h.count}, ${lines.length - 1} lines`);
  }
  return lines.slice(1).map((line, i) => {
    const o = JSON.parse(line) as { key?: unknown; value?: unknown };
    if (typeof o !== "object" || o === null || typeof o.key !== "string" || !("value" in o)) {
      throw new PackedRecordError(`packed record: line ${i + 1} is not {"key":…,"value":…}`);
    }
    return { key: o.key, value: o.value };
  });
}
