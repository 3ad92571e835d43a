/**
 * Splitting a batch's messages into produce requests the broker accepts: Kafka refuses a record
 * batch (all messages of one topic-partition in one request) larger than `message.max.bytes`
 * (1 MiB by default), so each topic's messages are cut into pieces below a byte budget and the
 * pieces sent in order, one request per round.
 *
 * Pieces are also bounded in messages: kafkajs 2.2.4 groups a request's messages by partition by
 * copying the partition's list for every message (`[...current, message]`), so its cost grows
 * with the square of a piece's length — 16 % of all CPU time at 5,000 messages a piece.
 *
 * @module
 */

/** One message to produce. */
export interface OutMessage {
  /** The message key. */
  readonly key: string;
  /** The payload, or null for a tombstone. */
  readonly value: string | null;
  /** The partition written. */
  readonly partition: number;
}

/** The messages of one request, by topic (what kafkajs' `sendBatch` takes). */
export type TopicMessages = { topic: string; messages: OutMessage[] }[];

/** Bytes a message adds to a record batch besides its key and value (a generous estimate). */
const RECORD_OVERHEAD = 24;

/**
 * Cuts each topic's messages (in order) into pieces of at most `maxMessages` messages and
 * `maxBytes` (an upper bound of their encoded size) and returns the requests: request `r` holds piece `r` of every topic that has one.
 * Sending the requests in order keeps every topic-partition's messages in order.
 */
export function produceRequests(
  byTopic: ReadonlyMap<string, readonly OutMessage[]>,
  limits: { readonly maxBytes: number; readonly maxMessages: number },
): TopicMessages[] {
  const { maxBytes, maxMessages } = limits;
  if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 1024)) {
    throw new RangeError(`maxBytes must be an integer >= 1024, got ${maxBytes}`);
  }
  if (!(Number.isSafeInteger(maxMessages) && maxMessages >= 1)) {
    throw new RangeError(`maxMessages must be an integer >= 1, got ${maxMessages}`);
  }
  const requests: TopicMessages[] = [];
  for (const [topic, messages] of byTopic) {
    let round = 0;
    let piece: OutMessage[] = [];
    let bytes = 0;
    const flush = () => {
      if (piece.length === 0) return;
      (requests[round] ??= []).push({ topic, messages: piece });
      round++;
      piece = [];
      bytes = 0;
    };
    for (const m of messages) {
      const size = RECORD_OVERHEAD + utf8Bound(m.key) + (m.value === null ? 0 : utf8Bound(m.value));
      if (bytes + size > maxBytes || piece.length === maxMessages) flush();
      piece.push(m);
      bytes += size;
    }
    flush();
  }
  return requests;
}

/** An upper bound of the UTF-8 length of `s`: its length when ASCII, else 3 bytes a code unit. */
function utf8Bound(s: string): number {
  // deno-lint-ignore no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.length : 3 * s.length;
}
