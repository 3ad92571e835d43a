/**
 * A bounded, abortable, closable FIFO queue: the mailbox of an actor and the outbox of a remote node.
 *
 * Overflow is part of the API: {@linkcode Mailbox.trySend} throws `MailboxFullError` when the mailbox
 * is at capacity, {@linkcode Mailbox.send} waits for room and can be aborted. A mailbox is unbounded
 * only when asked for by name (`capacity: "unbounded"`).
 *
 * @module
 */
import { abortReason, MailboxFullError, StoppedError } from "./errors.ts";

/** Settings of a {@linkcode Mailbox}. */
export interface MailboxOptions {
  /** Messages held before senders wait (`send`) or fail (`trySend`). @default {1024} */
  capacity?: number | "unbounded" | undefined;
  /** Used in error messages. @default {"mailbox"} */
  name?: string | undefined;
}

/** Options of a wait on a mailbox. */
export interface MailboxWaitOptions {
  /** Gives up the wait with `AbortedError` (or the signal's Frontier error) when aborted. */
  signal?: AbortSignal | undefined;
}

/** Capacity of a mailbox when none is given. */
export const DEFAULT_MAILBOX_CAPACITY = 1024;

interface Sender<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}

interface Receiver<T> {
  resolve(item: T | undefined): void;
  reject(error: unknown): void;
}

/**
 * A bounded FIFO queue with waiting senders and receivers. `T` should not include `undefined`,
 * which {@linkcode Mailbox.receive} uses to say "closed and drained".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Mailbox, MailboxFullError } from "@frontier/frontier/actors";
 * const box = new Mailbox<number>({ capacity: 1 });
 * box.trySend(1);
 * assert.throws(() => box.trySend(2), MailboxFullError);
 * const later = box.send(2); // waits: the mailbox is full
 * assert.equal(await box.receive(), 1);
 * await later;
 * box.close();
 * assert.equal(await box.receive(), 2);
 * assert.equal(await box.receive(), undefined);
 * ```
 */
export class Mailbox<T> implements AsyncIterable<T>, Disposable {
  /** Items held before senders wait (`Infinity` when unbounded). */
  readonly capacity: number;
  readonly #name: string;
  #items: (T | undefined)[] = [];
  #head = 0;
  #senders = new Set<Sender<T>>();
  #receivers = new Set<Receiver<T>>();
  #closed: Error | undefined;

  /**
   * An open, empty mailbox.
   *
   * @throws {RangeError} when `capacity` is neither a positive integer nor `"unbounded"`.
   */
  constructor(options: MailboxOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_MAILBOX_CAPACITY;
    if (capacity !== "unbounded" && !(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(
        `Cannot create mailbox: capacity must be a positive integer or "unbounded", got ${capacity}`,
      );
    }
    this.capacity = capacity === "unbounded" ? Infinity : capacity;
    this.#name = options.name ?? "mailbox";
  }

  /** Messages queued (not counting senders still waiting for room). */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** True once {@linkcode Mailbox.close} was called. Queued messages can still be received. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Enqueues `item` now, or throws: `MailboxFullError` at capacity, the close reason
   * (`StoppedError` by default) once closed.
   */
  trySend(item: T): void {
    if (this.#closed) throw this.#closed;
    if (!this.#offer(item)) {
      throw new MailboxFullError(`Mailbox "${this.#name}" is full (capacity ${this.capacity})`, {
        data: { mailbox: this.#name, capacity: this.capacity },
      });
    }
  }

  /** Enqueues `item`, waiting for room. Rejects on abort (nothing is enqueued) or close. */
  send(item: T, options: MailboxWaitOptions = {}): Promise<void> {
    const { signal } = options;
    if (this.#closed) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(abortReason(signal, `Sending to mailbox "${this.#name}"`));
    if (this.#offer(item)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#senders.delete(sender);
        reject(abortReason(signal!, `Sending to mailbox "${this.#name}"`));
      };
      const sender: Sender<T> = {
        item,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      this.#senders.add(sender);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Next message, waiting for one; `undefined` once closed and drained. Rejects on abort. */
  receive(options: MailboxWaitOptions = {}): Promise<T | undefined> {
    const { signal } = options;
    if (this.size > 0) return Promise.resolve(this.#take());
    if (this.#closed) return Promise.resolve(undefined);
    if (signal?.aborted) return Promise.reject(abortReason(signal, `Receiving from mailbox "${this.#name}"`));
    return new Promise<T | undefined>((resolve, reject) => {
      const onAbort = () => {
        this.#receivers.delete(receiver);
        reject(abortReason(signal!, `Receiving from mailbox "${this.#name}"`));
      };
      const receiver: Receiver<T> = {
        resolve: (item) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(item);
        },
        reject,
      };
      this.#receivers.add(receiver);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Stops accepting messages. Waiting senders reject with `reason` (a `StoppedError` by default),
   * waiting receivers get `undefined`; queued messages stay receivable. Idempotent.
   */
  close(reason?: Error): void {
    if (this.#closed) return;
    this.#closed = reason ??
      new StoppedError(`Mailbox "${this.#name}" is closed`, { data: { mailbox: this.#name } });
    for (const sender of this.#senders) sender.reject(this.#closed);
    this.#senders.clear();
    for (const receiver of this.#receivers) receiver.resolve(undefined);
    this.#receivers.clear();
  }

  /** Removes and returns every queued message (and those of waiting senders, which resolve). */
  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[];
    for (const sender of this.#senders) {
      items.push(sender.item);
      sender.resolve();
    }
    this.#senders.clear();
    this.#items = [];
    this.#head = 0;
    return items;
  }

  /** Yields messages until the mailbox is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = await this.receive();
      if (item === undefined) return;
      yield item;
    }
  }

  /** Closes the mailbox. */
  [Symbol.dispose](): void {
    this.close();
  }

  #offer(item: T): boolean {
    const receiver = this.#receivers.values().next().value;
    if (receiver) {
      this.#receivers.delete(receiver);
      receiver.resolve(item);
      return true;
    }
    if (this.size >= this.capacity || this.#senders.size > 0) return false;
    this.#items.push(item);
    return true;
  }

  #take(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    const sender = this.#senders.values().next().value;
    if (sender) {
      this.#senders.delete(sender);
      this.#items.push(sender.item);
      sender.resolve();
    }
    return item;
  }
}
