/**
 * Frontier's streaming wing: event-time processing over unbounded sources. Nothing here runs yet;
 * this module reserves the `@frontier/frontier/streaming` entry point and says what exists to
 * build it on, so that no import has to move when it arrives.
 *
 * What exists today, elsewhere:
 * - The event source to test against: `Frontier.transactions` (from `@frontier/frontier`)
 *   generates card transactions whose `event_time` is non-decreasing in arrival order until its
 *   disorder options apply (`outOfOrderFraction` within `allowedLatenessMs`, `lateFraction` past
 *   it, `duplicateFraction`, `malformedFraction`); rows are a pure function of (seed, row), so a
 *   stream and the batch oracle of the same rows agree.
 * - Time as a value: `Clock` and `FakeClock` (from `@frontier/frontier/actors`), so windows and
 *   watermarks can be tested on virtual time, never by sleeping.
 * - Per-partition user code (`Dataset.mapPartitions`, whose carry flows from each partition to
 *   the next, and `Dataset.aggregatePartitions`), the seam stateful operators build on.
 *
 * Planned here: sources (Kafka), event-time extraction, watermarks, windows, a state store with
 * checkpoints, and sinks.
 *
 * @module
 */
export {};
