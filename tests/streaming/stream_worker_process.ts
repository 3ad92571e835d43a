/**
 * Test support for the exactly-once integration tests: a worker process
 * (`fixtures/stream_worker.ts`) whose stdout lines can be awaited, signalled and written to, and
 * the reading of output topics to a known end.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type Kafka, logLevel } from "kafkajs";
import { systemClock } from "../../actors/clock.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Every wait on a worker or the broker fails the test after this long instead of hanging it. */
export const WAIT_MS = 60_000;

/** Settings a worker runs with (see `fixtures/stream_worker.ts`). */
export interface WorkerConfig {
  readonly bootstrap: string;
  readonly topic: string;
  readonly groupId: string;
  readonly outputPrefix: string;
  readonly sessionTimeoutMs: number;
  readonly maxBatchRecords: number;
  readonly holdAfterCommits?: number;
  readonly guarantee?: "exactly-once" | "at-least-once";
  /** Packed output records (`KafkaSourceOptions.packOutputs`). */
  readonly packOutputs?: boolean;
}

/** A running worker process. */
export class WorkerProcess {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly lines: string[] = [];
  #stderr = "";
  #waiters = new Set<() => void>();
  readonly #done: Promise<void>;

  /** Spawns a worker with `config`. */
  constructor(config: WorkerConfig) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "tests/streaming/fixtures/stream_worker.ts", JSON.stringify(config)],
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    const read = async (stream: ReadableStream<Uint8Array>, onText: (t: string) => void) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) onText(text);
    };
    let buffer = "";
    this.#done = Promise.all([
      read(this.#child.stdout, (text) => {
        buffer += text;
        for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
          this.lines.push(buffer.slice(0, i));
          buffer = buffer.slice(i + 1);
        }
        for (const w of this.#waiters) w();
      }),
      read(this.#child.stderr, (text) => this.#stderr = (this.#stderr + text).slice(-8000)),
    ]).then(() => {
      this.exited = true;
      for (const w of this.#waiters) w();
    });
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** The tail of its stderr. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Resolves with the first line (seen or to come) satisfying `pred`; rejects after {@linkcode WAIT_MS} or at exit. */
  waitFor(pred: (line: string, all: readonly string[]) => boolean, what: string): Promise<string> {
    return waitForWorkers([this], pred, what);
  }

  /** Calls `fn` on every new line and at exit until the returned function is called. */
  onChange(fn: () => void): () => void {
    this.#waiters.add(fn);
    return () => this.#waiters.delete(fn);
  }

  /** Whether the process has exited and its output is read. */
  exited = false;

  /** Writes a line to its stdin. */
  async send(line: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(line + "\n"));
  }

  /** Sends a signal (nothing when the process is gone). */
  kill(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // "Child process has already terminated"
    }
  }

  /** Waits for exit (killing it after {@linkcode WAIT_MS}) and releases its pipes. */
  async exit(): Promise<Deno.CommandStatus> {
    const timer = systemClock.setTimeout(() => this.#child.kill("SIGKILL"), WAIT_MS);
    const status = await this.#child.status;
    systemClock.clearTimeout(timer);
    await this.#writer.close().catch(() => {});
    await this.#done;
    return status;
  }

  /** Stops it cleanly through stdin and waits for exit. */
  async stop(): Promise<Deno.CommandStatus> {
    await this.send("stop").catch(() => {});
    return await this.exit();
  }
}

/**
 * Resolves with the first line of any of `workers` satisfying `pred` (given that worker's lines,
 * or with `all` the lines of every worker); rejects after {@linkcode WAIT_MS} or when one exits first.
 */
export async function waitForWorkers(
  workers: readonly WorkerProcess[],
  pred: (line: string, all: readonly string[]) => boolean,
  what: string,
): Promise<string> {
  const deadline = systemClock.monotonic() + WAIT_MS;
  const describe = () => workers.map((w) => `${w.lines.slice(-15).join("\n")}\n${w.stderr}`).join("\n---\n");
  for (;;) {
    const all = workers.flatMap((w) => w.lines);
    const hit = all.find((l) => pred(l, all));
    if (hit !== undefined) return hit;
    if (workers.some((w) => w.exited)) throw new Error(`a worker exited before ${what}:\n${describe()}`);
    const left = deadline - systemClock.monotonic();
    if (left <= 0) throw new Error(`timed out waiting for ${what}:\n${describe()}`);
    await new Promise<void>((resolve) => {
      const offs: (() => void)[] = [];
      const timer = systemClock.setTimeout(() => wake(), left);
      const wake = () => {
        systemClock.clearTimeout(timer);
        for (const off of offs) off();
        resolve();
      };
      for (const w of workers) offs.push(w.onChange(wake));
    });
  }
}

/** Whether `lines` report every partition of `ends` committed up to its end offset. */
export function committedTo(ends: readonly number[]): (line: string, all: readonly string[]) => boolean {
  return (_line, all) => {
    const next = ends.map(() => 0);
    for (const l of all) {
      const m = /^commit (\d+) (\d+)$/.exec(l);
      if (m) next[Number(m[1])] = Math.max(next[Number(m[1])]!, Number(m[2]));
    }
    return next.every((n, p) => n >= ends[p]!);
  };
}

/** One record read back from an output topic. */
export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly value: string;
}

const END = "__end__";

/**
 * Appends an end marker to every partition of `topics` (once per test; later reads stop at it)
 * with a plain producer, so readers know where the committed data ends.
 */
export async function markEnds(kafka: Kafka, topics: readonly string[], partitions: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: topics.map((topic) => ({
        topic,
        messages: Array.from({ length: partitions }, (_, partition) => ({ key: END, value: END, partition })),
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Everything in `topics` before their end markers, read in a fresh group. */
export async function readToEnds(
  kafka: Kafka,
  topics: readonly string[],
  options: { readonly partitions: number; readonly readUncommitted: boolean },
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({
    groupId: `read-${crypto.randomUUID()}`,
    readUncommitted: options.readUncommitted,
    maxWaitTimeInMs: 100,
  });
  const records: ReadRecord[] = [];
  let ends = 0;
  const { promise, resolve } = Promise.withResolvers<void>();
  let timer = 0;
  const timeout = new Promise<never>((_, reject) => {
    timer = systemClock.setTimeout(
      () => reject(new Error(`timed out reading ${topics.join(", ")}`)),
      WAIT_MS,
    );
  });
  try {
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        const key = message.key?.toString() ?? "";
        if (key === END) {
          if (++ends === topics.length * options.partitions) resolve();
        } else records.push({ topic, partition, key, value: message.value?.toString() ?? "" });
        return Promise.resolve();
      },
    });
    await Promise.race([promise, timeout]);
  } finally {
    systemClock.clearTimeout(timer);
    await consumer.disconnect();
  }
  return records;
}

/** kafkajs log level for test clients. */
export const QUIET = logLevel.NOTHING;
