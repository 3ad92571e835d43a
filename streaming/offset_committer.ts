/**
 * Consumer offsets committed off the batch's critical path (at-least-once only).
 *
 * Semantics:
 * - {@linkcode OffsetCommitter.offer} records a partition's next offset and returns at once; a
 *   later offer for the same partition replaces an earlier one not yet sent (offsets only grow
 *   within an assignment).
 * - At most **one commit is in flight**, holding the latest offset of every partition offered
 *   since the last one — so a busy member sends one request per round trip, not one per batch.
 *   A commit started while one is in flight waits for it: a later commit never overtakes an
 *   earlier one, so the committed offsets never go back.
 * - {@linkcode OffsetCommitter.flush} resolves once everything offered before it is committed
 *   (revocation and shutdown call it); it rejects with the commit's error if one failed.
 * - A failed commit is reported once to `onError` and every later flush rejects with it; offsets
 *   offered after a failure are not sent (the member is stopping).
 *
 * Why it is safe for at-least-once: a batch's outputs and changelog deltas are acknowledged
 * before its offset is offered, so a crash before the commit lands only makes the next owner read
 * from an older offset — outputs written again, never lost — and the state restored from the
 * changelog's end is never behind the offset.
 *
 * @module
 */

/** Sends one offset commit (`partition → next offset`). */
export type CommitOffsets = (offsets: ReadonlyMap<number, number>) => Promise<void>;

/** The background offset commits of one member (see the module documentation). */
export class OffsetCommitter {
  readonly #send: CommitOffsets;
  readonly #onError: (error: unknown) => void;
  #pending = new Map<number, number>();
  #inFlight: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;

  /** A committer sending through `send`, reporting a failed commit to `onError` once. */
  constructor(send: CommitOffsets, options: { readonly onError: (error: unknown) => void }) {
    this.#send = send;
    this.#onError = options.onError;
  }

  /** Partitions with an offset offered and not yet sent. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Records `partition`'s next offset and starts a commit unless one is in flight. */
  offer(partition: number, nextOffset: number): void {
    if (!Number.isSafeInteger(partition) || partition < 0) {
      throw new RangeError(`partition must be an integer >= 0, got ${partition}`);
    }
    if (!Number.isSafeInteger(nextOffset) || nextOffset < 0) {
      throw new RangeError(`nextOffset must be an integer >= 0, got ${nextOffset}`);
    }
    if (this.#failure) return;
    this.#pending.set(partition, nextOffset);
    this.#inFlight ??= this.#drain();
  }

  /** Resolves once every offset offered so far is committed; rejects if a commit failed. */
  async flush(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
    if (this.#failure) throw this.#failure.error;
  }

  /** Forgets `partition`'s offset not yet sent (its partition was lost without a flush). */
  forget(partition: number): void {
    this.#pending.delete(partition);
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.size > 0 && !this.#failure) {
        const batch = this.#pending;
        this.#pending = new Map();
        try {
          await this.#send(batch);
        } catch (error) {
          this.#failure = { error };
          this.#pending.clear();
          this.#onError(error);
        }
      }
    } finally {
      this.#inFlight = undefined;
    }
  }
}
