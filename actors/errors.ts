/**
 * The named errors of the actor layer, and how any named error crosses the wire. Each error has
 * a stable `name`, structured `data`, an optional `cause`, and says whether it is
 * {@linkcode FrontierError.deterministic | deterministic} (a retry would fail the same way). On
 * the wire an error is `{ name, message, data, deterministic?, cause? }`
 * ({@linkcode errorToWire}) and is rebuilt as the same class on the other side
 * ({@linkcode errorFromWire}) when that class is registered ({@linkcode registerErrors}). The
 * errors of the data layer (schemas, rows, tasks, jobs) live in `cluster/errors.ts`, which
 * registers them.
 *
 * @module
 */

/** JSON-compatible value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** An error as it travels between processes (a type alias, so that it is also {@linkcode Json}). */
export type WireError = {
  /** The class's name (`SchemaError`), which picks the class it is rebuilt as. */
  name: string;
  /** The error's message. */
  message: string;
  /** Its structured fields. */
  data: Record<string, Json>;
  /** Present (true) when a retry would fail the same way; see {@linkcode FrontierError.deterministic}. */
  deterministic?: boolean;
  /** The error's cause, when it had one (at most {@linkcode MAX_CAUSE_DEPTH} deep). */
  cause?: WireError;
};

/** Causes deeper than this are dropped when an error is serialized. */
export const MAX_CAUSE_DEPTH = 8;

/** Options every {@linkcode FrontierError} takes. */
export interface FrontierErrorOptions {
  /** Structured fields (JSON, so that they travel). */
  data?: Record<string, Json>;
  /** What caused it; travels with it (see {@linkcode errorToWire}). */
  cause?: unknown;
  /** Overrides the class's {@linkcode FrontierError.deterministic} for this one error. */
  deterministic?: boolean;
}

/** Base of every Frontier error. */
export class FrontierError extends Error {
  /**
   * Whether errors of this class are deterministic: the same input fails the same way on every
   * attempt (bad data, a bad plan, refused code), so retrying is pointless. The scheduler fails
   * a job at once on a task error that says so and retries any other. Subclasses set it.
   */
  static readonly deterministic: boolean = false;
  /** Structured fields (file, line, executor, …), JSON so that they travel. */
  readonly data: Record<string, Json>;
  /** This error's {@linkcode FrontierError.deterministic} (the class's unless overridden). */
  readonly deterministic: boolean;
  /** An error saying `message`, with `options.data`, `options.cause` and an optional determinism override. */
  constructor(message: string, options: FrontierErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.data = options.data ?? {};
    this.deterministic = options.deterministic ?? (new.target as typeof FrontierError).deterministic;
  }
}

/** A bounded mailbox or queue refused a message because it is full. */
export class MailboxFullError extends FrontierError {
  /** Always `"MailboxFullError"`, here and on the wire. */
  override name = "MailboxFullError";
}
/** The peer (actor, worker, process, host) went away or cannot be reached. */
export class PeerUnavailableError extends FrontierError {
  /** Always `"PeerUnavailableError"`, here and on the wire. */
  override name = "PeerUnavailableError";
}
/** Input that does not decode as a valid message. Deterministic: the same bytes fail again. */
export class MalformedMessageError extends FrontierError {
  /** True: see {@linkcode FrontierError.deterministic}. */
  static override readonly deterministic: boolean = true;
  /** Always `"MalformedMessageError"`, here and on the wire. */
  override name = "MalformedMessageError";
}
/** A wait ran past its deadline. */
export class TimeoutError extends FrontierError {
  /** Always `"TimeoutError"`, here and on the wire. */
  override name = "TimeoutError";
}
/** A wait was cancelled through its AbortSignal. */
export class AbortedError extends FrontierError {
  /** Always `"AbortedError"`, here and on the wire. */
  override name = "AbortedError";
}
/** The actor, system or component was stopped. */
export class StoppedError extends FrontierError {
  /** Always `"StoppedError"`, here and on the wire. */
  override name = "StoppedError";
}
/** An actor's supervisor gave up (restart limit exceeded) and escalated. */
export class EscalationError extends FrontierError {
  /** Always `"EscalationError"`, here and on the wire. */
  override name = "EscalationError";
}

/** A class {@linkcode errorFromWire} can rebuild: the standard `(message, options)` constructor. */
export type ErrorClass = new (message: string, options?: FrontierErrorOptions) => FrontierError;

// Append-only: a name maps to one class for the life of the process (see registerErrors).
const registry = new Map<string, ErrorClass>();

/**
 * Registers error classes for {@linkcode errorFromWire}, under the `name` their instances carry.
 * Each layer registers its own (this module the actor errors, `cluster/errors.ts` the data
 * errors) so that the actor layer knows nothing of the layers above it. Registering a class
 * again is a no-op; another class under a taken name is a `TypeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorFromWire, errorToWire, FrontierError, registerErrors } from "./errors.ts";
 * class QuotaError extends FrontierError {
 *   static override readonly deterministic = true;
 *   override name = "QuotaError";
 * }
 * registerErrors(QuotaError);
 * const back = errorFromWire(errorToWire(new QuotaError("over quota", { data: { limit: 3 } })));
 * assert.ok(back instanceof QuotaError && back.deterministic && back.data.limit === 3);
 * ```
 */
export function registerErrors(...classes: ErrorClass[]): void {
  for (const Ctor of classes) {
    const name = new Ctor("").name;
    const known = registry.get(name);
    if (known !== undefined && known !== Ctor) {
      throw new TypeError(`Another error class is already registered as "${name}"`);
    }
    registry.set(name, Ctor);
  }
}

registerErrors(
  FrontierError,
  MailboxFullError,
  PeerUnavailableError,
  MalformedMessageError,
  TimeoutError,
  AbortedError,
  StoppedError,
  EscalationError,
);

/** Serializes any thrown value to a {@linkcode WireError}, with its cause chain. */
export function errorToWire(error: unknown): WireError {
  return toWire(error, 0);
}

function toWire(error: unknown, depth: number): WireError {
  let wire: WireError;
  if (error instanceof FrontierError) {
    wire = { name: error.name, message: error.message, data: error.data };
    if (error.deterministic) wire.deterministic = true;
  } else if (error instanceof Error) {
    wire = { name: error.name, message: error.message, data: error.stack ? { stack: error.stack } : {} };
  } else {
    return { name: "Error", message: String(error), data: {} };
  }
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) wire.cause = toWire(error.cause, depth + 1);
  return wire;
}

const BUILTINS: Readonly<Record<string, ErrorConstructor>> = { TypeError, RangeError, SyntaxError, Error };

/**
 * Rebuilds a {@linkcode WireError} as its registered class, with its data, determinism and cause
 * (built-in error names become the built-in class; unknown names a plain `Error` of that name).
 */
export function errorFromWire(wire: WireError): Error {
  const cause = wire.cause === undefined ? undefined : errorFromWire(wire.cause);
  const Ctor = registry.get(wire.name);
  if (Ctor) {
    return new Ctor(wire.message, {
      data: wire.data,
      deterministic: wire.deterministic === true,
      ...(cause === undefined ? {} : { cause }),
    });
  }
  const B = Object.hasOwn(BUILTINS, wire.name) ? BUILTINS[wire.name] : undefined;
  const options = cause === undefined ? undefined : { cause };
  const e = B ? new B(wire.message, options) : new Error(wire.message, options);
  if (!B) e.name = wire.name;
  return e;
}

/** Turns an AbortSignal's reason into an {@linkcode AbortedError} unless it already is a Frontier error. */
export function abortReason(signal: AbortSignal, what: string): Error {
  const r: unknown = signal.reason;
  if (r instanceof FrontierError) return r;
  return new AbortedError(`${what} was aborted`, { cause: r });
}
