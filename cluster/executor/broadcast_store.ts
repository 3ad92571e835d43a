/**
 * An executor's broadcast values, decoded once on arrival and kept until the driver's
 * `blocks.remove` names them (when the jobs and cached datasets that read them are done): Arrow
 * batches of a broadcast join's side, and the JSON arguments of per-partition operators too large
 * to travel with every task. Every task that reads a value gets the same decoded object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BroadcastStore } from "./broadcast_store.ts";
 * const store = new BroadcastStore();
 * store.put("bc-1", "json", new TextEncoder().encode('{"depth":3}'));
 * assert.deepEqual(store.json("bc-1"), { depth: 3 });
 * assert.equal(store.size, 1);
 * store.delete("bc-1");
 * assert.equal(store.bytes, 0);
 * ```
 *
 * @module
 */
import { type Json, MalformedMessageError } from "../../actors/errors.ts";
import type { Batch } from "../columnar/batch.ts";
import { decodeBatches } from "../columnar/arrow_codec.ts";
import type { BroadcastEncoding } from "../protocol.ts";
import { decodePartitionValue } from "../util/partition_value.ts";

type Held =
  | { readonly encoding: "arrow"; readonly batches: Batch[]; readonly bytes: number }
  | { readonly encoding: "json"; readonly value: Json; readonly bytes: number };

/** Decoded broadcast values by id, with their count and payload bytes for the executor's status. */
export class BroadcastStore {
  readonly #values = new Map<string, Held>();
  #bytes = 0;

  /** Values held. */
  get size(): number {
    return this.#values.size;
  }

  /** Payload bytes of the values held (as received). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Decodes and keeps `payload` under `id`. Throws `MalformedMessageError` for a payload that does not decode. */
  put(id: string, encoding: BroadcastEncoding, payload: Uint8Array): void {
    let held: Held;
    switch (encoding) {
      case "arrow":
        held = { encoding, batches: decodeBatches(payload).batches, bytes: payload.byteLength };
        break;
      case "json": {
        const value = decodePartitionValue("json", payload);
        if (value instanceof Uint8Array || value instanceof Float64Array) {
          throw new MalformedMessageError(`Broadcast "${id}" is not JSON`);
        }
        held = { encoding, value, bytes: payload.byteLength };
        break;
      }
      default:
        encoding satisfies never;
        throw new MalformedMessageError(`Broadcast "${id}" has an unknown encoding`);
    }
    this.delete(id);
    this.#values.set(id, held);
    this.#bytes += held.bytes;
  }

  /** The batches of Arrow value `id`. Throws `MalformedMessageError` when it is not held (or not Arrow). */
  batches(id: string): Batch[] {
    const v = this.#values.get(id);
    if (v?.encoding !== "arrow") throw missing(id, "Arrow batches");
    return v.batches;
  }

  /** The JSON of value `id`. Throws `MalformedMessageError` when it is not held (or not JSON). */
  json(id: string): Json {
    const v = this.#values.get(id);
    if (v?.encoding !== "json") throw missing(id, "JSON arguments");
    return v.value;
  }

  /** Drops `id`; whether it was held. */
  delete(id: string): boolean {
    const v = this.#values.get(id);
    if (v === undefined) return false;
    this.#values.delete(id);
    this.#bytes -= v.bytes;
    return true;
  }

  /** Drops everything. */
  clear(): void {
    this.#values.clear();
    this.#bytes = 0;
  }
}

function missing(id: string, what: string): MalformedMessageError {
  return new MalformedMessageError(`Broadcast "${id}" (${what}) was not received before its task`);
}
