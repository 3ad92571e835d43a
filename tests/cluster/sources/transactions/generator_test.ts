import assert from "node:assert/strict";
import type { Batch } from "../../../../cluster/columnar/batch.ts";
import {
  displayCard,
  generateDemoKey,
  luhnValid,
  tokenizeCard,
} from "../../../../cluster/sources/transactions/card_token.ts";
import { CounterRandom, Permutation } from "../../../../cluster/util/seeded_random.ts";
import { CATEGORIES } from "../../../../cluster/sources/transactions/catalog.ts";
import {
  generateChunks,
  generateTransactions,
  syntheticPan,
  TRANSACTION_SCHEMA,
  TransactionGenerator,
} from "../../../../cluster/sources/transactions/generator.ts";
import {
  partitionRanges,
  type TransactionGeneratorOptions,
} from "../../../../cluster/sources/transactions/options.ts";

const KEY = generateDemoKey({ seed: 11 });
const TEST_BINS = [
  "411111",
  "424242",
  "400005",
  "401288",
  "555555",
  "510510",
  "222300",
  "378282",
  "371449",
  "601111",
  "353011",
  "305693",
];
const DAY = 86_400_000;

type Columns = Record<string, readonly (string | number)[]>;

/** Concatenates batches into plain arrays per column. */
function columnsOf(batches: readonly Batch[]): Columns {
  const out: Record<string, (string | number)[]> = {};
  for (const f of TRANSACTION_SCHEMA) out[f.name] = [];
  for (const b of batches) {
    b.schema.forEach((f, c) => {
      const target = out[f.name]!;
      for (const v of b.columns[c]!.values) target.push(v);
    });
  }
  return out;
}

function options(
  extra: Partial<TransactionGeneratorOptions> & { totalRows: number },
): TransactionGeneratorOptions {
  return { seed: 2024, tokenKey: KEY, ...extra };
}

function all(extra: Partial<TransactionGeneratorOptions> & { totalRows: number }): Columns {
  return columnsOf([generateTransactions({ start: 0, end: extra.totalRows }, options(extra))]);
}

function strings(c: Columns, name: string): readonly string[] {
  return c[name] as readonly string[];
}
function numbers(c: Columns, name: string): readonly number[] {
  return c[name] as readonly number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let defaultRows: Columns | undefined;
/** 200k rows with default settings, shared by several tests. */
function default200k(): Columns {
  defaultRows ??= all({ totalRows: 200_000 });
  return defaultRows;
}

let burstRows: Columns | undefined;
/** 200k rows over 3 days (dense enough that fraud bursts last minutes), with a higher fraud rate. */
function bursts(): Columns {
  burstRows ??= all({ totalRows: 200_000, durationMs: 3 * DAY, fraudRate: 0.01 });
  return burstRows;
}

Deno.test("rows are identical whether generated as 1, 3 or 7 partitions with random boundaries", () => {
  // One day: episodes then span hundreds to thousands of rows, so many cross partition boundaries.
  const opts = options({
    totalRows: 50_000,
    durationMs: DAY,
    fraudRate: 0.02,
    outOfOrderFraction: 0.1,
    lateFraction: 0.02,
    duplicateFraction: 0.05,
    malformedFraction: 0.02,
  });
  const whole = columnsOf([generateTransactions({ start: 0, end: 50_000 }, opts)]);
  const rnd = new CounterRandom(99, 0);
  for (const parts of [3, 7]) {
    const cuts = new Set<number>();
    for (let s = 0; cuts.size < parts - 1; s++) cuts.add(1 + rnd.at(parts).below(s, 49_999));
    const bounds = [0, ...[...cuts].sort((a, b) => a - b), 50_000];
    const batches = bounds.slice(1).map((end, p) => generateTransactions({ start: bounds[p]!, end }, opts));
    assert.deepEqual(columnsOf(batches), whole, `${parts} partitions at ${bounds.join(",")}`);
  }
  // The comparison covered fraud episodes and duplicates, not just independent rows.
  assert.ok(numbers(whole, "is_fraud").filter((x) => x === 1).length > 500);
  assert.ok(numbers(whole, "is_duplicate").filter((x) => x === 1).length > 1000);
});

Deno.test("generateChunks yields batches of at most chunkSize rows that concatenate to one batch", () => {
  const opts = options({ totalRows: 30_000, duplicateFraction: 0.02 });
  const chunks = [...generateChunks({ start: 1234, end: 30_000 }, { ...opts, chunkSize: 4096 })];
  assert.equal(chunks.length, Math.ceil((30_000 - 1234) / 4096));
  for (const c of chunks) assert.ok(c.length <= 4096 && c.length > 0);
  assert.deepEqual(columnsOf(chunks), columnsOf([generateTransactions({ start: 1234, end: 30_000 }, opts)]));
  assert.deepEqual(numbers(columnsOf(chunks), "seq").slice(0, 3), [1234, 1235, 1236]);
});

Deno.test("a different seed gives different rows", () => {
  const a = all({ totalRows: 5000 });
  const b = all({ totalRows: 5000, seed: 2025 });
  for (const name of ["transaction_id", "account_id", "card", "amount", "event_time"]) {
    const same = a[name]!.filter((v, i) => v === b[name]![i]).length;
    assert.ok(same < 500, `${name}: ${same} of 5000 equal`);
  }
});

Deno.test("transaction ids are unique and account ids map one-to-one to cards", () => {
  const c = default200k();
  assert.equal(new Set(strings(c, "transaction_id")).size, 200_000);
  const cardOf = new Map<string, string>();
  strings(c, "account_id").forEach((a, i) => {
    const card = strings(c, "card")[i]!;
    assert.equal(cardOf.get(a) ?? card, card);
    cardOf.set(a, card);
  });
  assert.equal(new Set(cardOf.values()).size, cardOf.size);
});

Deno.test("synthetic PANs are Luhn-valid, in test BIN ranges, and distinct across cards", () => {
  const pans = new Set<string>();
  for (let card = 0; card < 20_000; card++) {
    const pan = syntheticPan(7, card);
    assert.ok(luhnValid(pan), pan);
    assert.ok(TEST_BINS.includes(pan.slice(0, 6)), pan);
    assert.ok(pan.length >= 14 && pan.length <= 16);
    pans.add(pan);
  }
  assert.equal(pans.size, 20_000);
  assert.equal(syntheticPan(7, 123), syntheticPan(7, 123));
  assert.notEqual(syntheticPan(7, 123), syntheticPan(8, 123));
});

Deno.test("no output column holds a clear PAN; card and card_display are the token and mask of the internal PAN", () => {
  const seed = 2024;
  const c = all({ totalRows: 50_000, outOfOrderFraction: 0.1, duplicateFraction: 0.05 });
  const accounts = 1000; // the default for 50k rows
  const token = new Map<string, string>();
  for (let card = 0; card < accounts; card++) {
    const pan = syntheticPan(seed, card);
    token.set(tokenizeCard(pan, KEY), displayCard(pan));
  }
  strings(c, "card").forEach((t, i) => assert.equal(token.get(t), strings(c, "card_display")[i], `row ${i}`));
  let scanned = 0;
  for (const f of TRANSACTION_SCHEMA) {
    if (f.type !== "string") continue;
    for (const v of strings(c, f.name)) {
      for (const run of v.match(/[0-9]{13,}/g) ?? []) {
        for (let len = 13; len <= 19; len++) {
          for (let at = 0; at + len <= run.length; at++) {
            assert.ok(!luhnValid(run.slice(at, at + len)), `${f.name} holds a Luhn-valid digit run: ${v}`);
          }
        }
      }
      scanned++;
    }
  }
  assert.equal(scanned, 50_000 * TRANSACTION_SCHEMA.filter((f) => f.type === "string").length);
});

Deno.test("fraud share over 200k rows is within 25% of fraudRate, labels agree, and every scenario appears", () => {
  const c = default200k();
  const fraud = numbers(c, "is_fraud");
  const scenario = strings(c, "scenario");
  const share = fraud.filter((x) => x === 1).length / fraud.length;
  assert.ok(Math.abs(share - 0.003) < 0.003 * 0.25, `fraud share ${share}`);
  scenario.forEach((s, i) => assert.equal(fraud[i], s === "none" ? 0 : 1));
  for (const s of ["card_testing", "account_takeover", "velocity"]) assert.ok(scenario.includes(s), s);
  const none = all({ totalRows: 20_000, fraudRate: 0 });
  assert.ok(numbers(none, "is_fraud").every((x) => x === 0));
  const high = all({ totalRows: 50_000, fraudRate: 0.05, scenarioMix: { card_testing: 0, velocity: 0 } });
  const highShare = numbers(high, "is_fraud").filter((x) => x === 1).length / 50_000;
  assert.ok(Math.abs(highShare - 0.05) < 0.0125, `high fraud share ${highShare}`);
  assert.deepEqual([...new Set(strings(high, "scenario"))].sort(), ["account_takeover", "none"]);
});

/** Rows of `scenario` grouped by card. */
function episodesOf(c: Columns, scenario: string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  strings(c, "scenario").forEach((s, i) => {
    if (s !== scenario) return;
    const card = strings(c, "card")[i]!;
    const rows = groups.get(card) ?? [];
    rows.push(i);
    groups.set(card, rows);
  });
  return groups;
}

Deno.test("card-testing episodes are bursts of tiny online charges at one merchant on one card within minutes", () => {
  const c = bursts();
  const groups = episodesOf(c, "card_testing");
  assert.ok(groups.size >= 10);
  const time = numbers(c, "event_time");
  for (const rows of groups.values()) {
    assert.ok(rows.length >= 12, `burst of ${rows.length}`);
    assert.ok(rows.every((i) => strings(c, "channel")[i] === "online"));
    assert.equal(new Set(rows.map((i) => strings(c, "merchant_id")[i])).size, 1);
    assert.ok(time[rows.at(-1)!]! - time[rows[0]!]! < 30 * 60_000);
    for (const i of rows) {
      const currency = strings(c, "currency")[i];
      const limit = currency === "JPY" ? 460 : currency === "INR" ? 250 : currency === "ZAR" ? 56 : 54; // 3 USD
      assert.ok(numbers(c, "amount")[i]! <= limit, `${numbers(c, "amount")[i]} ${currency}`);
    }
  }
});

Deno.test("account-takeover rows are large purchases in a foreign country at merchants new to the account", () => {
  const c = bursts();
  const homeCounts = new Map<string, Map<string, number>>();
  const seenMerchants = new Map<string, Set<string>>();
  const legitAmounts = new Map<string, number[]>();
  strings(c, "scenario").forEach((s, i) => {
    if (s !== "none") return;
    const account = strings(c, "account_id")[i]!;
    const counts = homeCounts.get(account) ?? new Map<string, number>();
    counts.set(strings(c, "country")[i]!, (counts.get(strings(c, "country")[i]!) ?? 0) + 1);
    homeCounts.set(account, counts);
    seenMerchants.set(account, (seenMerchants.get(account) ?? new Set()).add(strings(c, "merchant_id")[i]!));
    const key = `${strings(c, "currency")[i]}/${strings(c, "merchant_category")[i]}`;
    const amounts = legitAmounts.get(key) ?? [];
    amounts.push(numbers(c, "amount")[i]!);
    legitAmounts.set(key, amounts);
  });
  const ratios: number[] = [];
  let rows = 0, abroad = 0, newMerchant = 0;
  strings(c, "scenario").forEach((s, i) => {
    if (s !== "account_takeover") return;
    rows++;
    const account = strings(c, "account_id")[i]!;
    const home = [...homeCounts.get(account)!.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    if (strings(c, "country")[i] !== home) abroad++;
    if (!seenMerchants.get(account)!.has(strings(c, "merchant_id")[i]!)) newMerchant++;
    const legit = legitAmounts.get(`${strings(c, "currency")[i]}/${strings(c, "merchant_category")[i]}`);
    if (legit !== undefined && legit.length >= 20) ratios.push(numbers(c, "amount")[i]! / median(legit));
  });
  assert.ok(rows >= 50, `${rows} takeover rows`);
  assert.ok(abroad / rows > 0.9, `${abroad} of ${rows} abroad`);
  assert.ok(newMerchant / rows > 0.95, `${newMerchant} of ${rows} at new merchants`);
  assert.ok(median(ratios) > 3, `median amount ratio ${median(ratios)}`);
});

Deno.test("velocity episodes put at least ten transactions on one account within about an hour", () => {
  const c = bursts();
  const groups = episodesOf(c, "velocity");
  assert.ok(groups.size >= 10);
  const time = numbers(c, "event_time");
  for (const rows of groups.values()) {
    assert.ok(rows.length >= 10, `velocity episode of ${rows.length}`);
    assert.ok(time[rows.at(-1)!]! - time[rows[0]!]! < 2 * 3_600_000);
    assert.equal(new Set(rows.map((i) => strings(c, "account_id")[i])).size, 1);
  }
});

Deno.test("legitimate USD amounts per category are log-normal around the configured medians", () => {
  const c = default200k();
  const byCategory = new Map<string, number[]>();
  strings(c, "merchant_category").forEach((cat, i) => {
    if (strings(c, "currency")[i] !== "USD" || strings(c, "scenario")[i] !== "none") return;
    const amounts = byCategory.get(cat) ?? [];
    amounts.push(numbers(c, "amount")[i]!);
    byCategory.set(cat, amounts);
  });
  for (const cat of CATEGORIES) {
    const xs = byCategory.get(cat.name) ?? [];
    assert.ok(xs.length > 300, `${cat.name}: ${xs.length} rows`);
    const m = median(xs);
    if (cat.name === "atm") {
      assert.ok(xs.every((x) => x % 20 === 0), "ATM amounts are whole banknotes");
      assert.ok(Math.abs(m - cat.medianUsd) <= 20, `atm median ${m}`);
      continue;
    }
    assert.ok(Math.abs(m / cat.medianUsd - 1) < 0.1, `${cat.name} median ${m} vs ${cat.medianUsd}`);
    const logs = xs.map((x) => Math.log(x));
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1));
    assert.ok(Math.abs(sd / cat.sigma - 1) < 0.15, `${cat.name} log-sd ${sd} vs ${cat.sigma}`);
  }
});

Deno.test("event_time stays in the period, never decreases without knobs, and follows the daily and weekly cycle", () => {
  const start = Date.UTC(2024, 0, 1);
  const c = default200k();
  const time = numbers(c, "event_time");
  const byHour = new Array<number>(24).fill(0);
  const byDay = new Array<number>(7).fill(0);
  time.forEach((t, i) => {
    assert.ok(t >= start && t < start + 30 * DAY, `row ${i} at ${t}`);
    if (i > 0) assert.ok(t >= time[i - 1]!, `row ${i} goes back in time`);
    byHour[new Date(t).getUTCHours()]!++;
    byDay[new Date(t).getUTCDay()]!++;
  });
  assert.ok(byHour[3]! * 5 < byHour[18]!, `03h ${byHour[3]} vs 18h ${byHour[18]}`);
  assert.ok(byHour[12]! > byHour[8]!);
  assert.ok(byDay[5]! > byDay[0]! * 1.15, `Friday ${byDay[5]} vs Sunday ${byDay[0]}`);
  const shifted = all({ totalRows: 10_000, startTime: Date.UTC(2023, 5, 1), durationMs: DAY });
  assert.ok(
    numbers(shifted, "event_time").every((t) => t >= Date.UTC(2023, 5, 1) && t < Date.UTC(2023, 5, 2)),
  );
});

Deno.test("out-of-order and late knobs delay the requested shares of rows by the documented amounts", () => {
  const base = all({ totalRows: 50_000 });
  const c = all({
    totalRows: 50_000,
    outOfOrderFraction: 0.1,
    lateFraction: 0.03,
    allowedLatenessMs: 60_000,
  });
  let ooo = 0, late = 0, inversions = 0;
  const t0 = numbers(base, "event_time"), t1 = numbers(c, "event_time");
  t1.forEach((t, i) => {
    const d = t0[i]! - t;
    assert.ok(d >= 0, `row ${i} moved forward`);
    if (d > 60_000) late++;
    else if (d >= 1) ooo++;
    if (i > 0 && t < t1[i - 1]!) inversions++;
  });
  assert.ok(Math.abs(ooo / 50_000 - 0.1) < 0.01, `out-of-order share ${ooo / 50_000}`);
  assert.ok(Math.abs(late / 50_000 - 0.03) < 0.005, `late share ${late / 50_000}`);
  assert.ok(inversions > 1000, `${inversions} inversions`);
  for (const name of ["transaction_id", "card", "amount", "scenario", "merchant_id"]) {
    assert.deepEqual(c[name], base[name]);
  }
});

Deno.test("duplicates re-emit an earlier row's content and transaction_id, keeping the row count", () => {
  const c = all({
    totalRows: 50_000,
    duplicateFraction: 0.05,
    duplicateMaxLag: 500,
    outOfOrderFraction: 0.05,
  });
  assert.equal(c["seq"]!.length, 50_000);
  const dup = numbers(c, "is_duplicate");
  const share = dup.filter((x) => x === 1).length / 50_000;
  assert.ok(Math.abs(share - 0.05) < 0.006, `duplicate share ${share}`);
  assert.equal(dup[0], 0);
  const first = new Map<string, number>();
  const content = TRANSACTION_SCHEMA.map((f) => f.name).filter((n) =>
    !["seq", "is_duplicate", "is_malformed"].includes(n)
  );
  strings(c, "transaction_id").forEach((id, i) => {
    const j = first.get(id);
    if (j === undefined) {
      assert.equal(dup[i], 0, `row ${i} is flagged but its id is new`);
      first.set(id, i);
      return;
    }
    assert.equal(dup[i], 1, `row ${i} repeats row ${j} unflagged`);
    assert.ok(i - j <= 500 * 3, `lag ${i - j}`); // chains of duplicates may add lags
    for (const name of content) assert.equal(c[name]![i], c[name]![j], `${name} of row ${i} vs ${j}`);
  });
});

Deno.test("the malformed knob flags the requested share of rows and nothing else changes", () => {
  const base = all({ totalRows: 50_000 });
  const c = all({ totalRows: 50_000, malformedFraction: 0.02 });
  const share = numbers(c, "is_malformed").filter((x) => x === 1).length / 50_000;
  assert.ok(Math.abs(share - 0.02) < 0.004, `malformed share ${share}`);
  for (const f of TRANSACTION_SCHEMA) {
    if (f.name !== "is_malformed") assert.deepEqual(c[f.name], base[f.name], f.name);
  }
});

Deno.test("options and ranges are validated with RangeError", () => {
  assert.throws(() => generateTransactions({ start: 0, end: 11 }, options({ totalRows: 10 })), RangeError);
  assert.throws(() => generateTransactions({ start: 5, end: 4 }, options({ totalRows: 10 })), RangeError);
  assert.throws(() => new TransactionGenerator(options({ totalRows: 10, fraudRate: 0.9 })), RangeError);
  assert.throws(
    () => new TransactionGenerator(options({ totalRows: 10, outOfOrderFraction: 0.6, lateFraction: 0.6 })),
    RangeError,
  );
  assert.throws(() => new TransactionGenerator(options({ totalRows: 10, seed: 0.5 })), RangeError);
  assert.throws(() => new TransactionGenerator(options({ totalRows: 10, accounts: 20_000_000 })), RangeError);
  assert.throws(
    () => new TransactionGenerator({ seed: 1, totalRows: 10, tokenKey: new Uint8Array(8) }),
    RangeError,
  );
  assert.equal(generateTransactions({ start: 3, end: 3 }, options({ totalRows: 10 })).length, 0);
});

Deno.test("partitionRanges splits [0, n) into contiguous ranges differing in size by at most one", () => {
  const ranges = partitionRanges(10, 3);
  assert.deepEqual(ranges, [{ start: 0, end: 3 }, { start: 3, end: 6 }, { start: 6, end: 10 }]);
  assert.deepEqual(partitionRanges(2, 4).map((r) => r.end - r.start), [0, 1, 0, 1]);
});

Deno.test("Permutation is a bijection on power-of-two and other domain sizes", () => {
  for (const n of [1, 2, 10, 1000, 4096, 10_007]) {
    const p = new Permutation(n, 12345);
    const seen = new Set<number>();
    for (let x = 0; x < n; x++) seen.add(p.apply(x));
    assert.equal(seen.size, n);
    assert.ok([...seen].every((y) => y >= 0 && y < n));
  }
  assert.throws(() => new Permutation(10, 1).apply(10), RangeError);
});

Deno.test("CounterRandom draws depend only on (seed, domain, index, stream) and look uniform", () => {
  const a = new CounterRandom(5, 1), b = new CounterRandom(5, 1), other = new CounterRandom(5, 2);
  assert.equal(a.at(2 ** 40 + 3).float(7), b.at(2 ** 40 + 3).float(7));
  assert.notEqual(a.at(3).float(7), other.at(3).float(7));
  assert.notEqual(a.at(3).float(7), a.at(2 ** 32 + 3).float(7));
  let sum = 0;
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const u = a.at(i).float(0);
    sum += u;
    buckets[Math.floor(u * 10)]!++;
  }
  assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.005);
  assert.ok(buckets.every((k) => Math.abs(k - 10_000) < 400), buckets.join(","));
});
