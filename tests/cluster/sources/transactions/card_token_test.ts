import assert from "node:assert/strict";
import {
  CardTokenizer,
  displayCard,
  encodeTokenKey,
  generateDemoKey,
  hmacSha256,
  loadTokenKey,
  luhnCheckDigit,
  luhnValid,
  sha256,
  toHex,
  tokenizeCard,
} from "../../../../cluster/sources/transactions/card_token.ts";

function bytes(n: number, start = 0): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length: n }, (_, i) => (start + i * 7) & 255);
}

async function webHmacHex(key: Uint8Array<ArrayBuffer>, message: Uint8Array<ArrayBuffer>): Promise<string> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", k, message)));
}

Deno.test("sha256 matches WebCrypto at every padding boundary and for multi-block input", async () => {
  for (const n of [0, 1, 3, 19, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
    const data = bytes(n, n);
    const want = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
    assert.equal(toHex(sha256(data)), want, `length ${n}`);
  }
  assert.equal(
    toHex(sha256(new TextEncoder().encode("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("hmacSha256 matches WebCrypto HMAC-SHA-256 for short, block-sized and long keys and messages", async () => {
  for (const keyLength of [1, 32, 64, 65, 100]) {
    for (const messageLength of [0, 16, 19, 55, 64, 200]) {
      const key = bytes(keyLength, 3);
      const message = bytes(messageLength, 11);
      assert.equal(
        toHex(hmacSha256(key, message)),
        await webHmacHex(key, message),
        `key ${keyLength}, message ${messageLength}`,
      );
    }
  }
});

Deno.test("tokenizeCard in hex equals WebCrypto HMAC of the PAN's ASCII digits, and base64url encodes the same bytes", async () => {
  const key = generateDemoKey({ seed: 5 });
  for (const pan of ["4111111111111111", "378282246310005", "30569309025904", "6011111111111117"]) {
    const want = await webHmacHex(key, new TextEncoder().encode(pan));
    assert.equal(tokenizeCard(pan, key, { encoding: "hex" }), want);
    const b64 = tokenizeCard(pan, key);
    assert.match(b64, /^[A-Za-z0-9_-]{43}$/);
    const decoded = Uint8Array.from(
      atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "="),
      (c) => c.charCodeAt(0),
    );
    assert.equal(toHex(decoded), want);
  }
});

Deno.test("a token is stable for a key and differs across keys and across cards", () => {
  const k1 = generateDemoKey({ seed: 1 });
  const k2 = generateDemoKey({ seed: 2 });
  const tokenizer = new CardTokenizer(k1);
  assert.equal(tokenizer.tokenize("4111111111111111"), tokenizeCard("4111111111111111", k1));
  assert.equal(tokenizer.tokenize("4111111111111111"), tokenizer.tokenize("4111111111111111"));
  assert.notEqual(tokenizeCard("4111111111111111", k1), tokenizeCard("4111111111111111", k2));
  assert.notEqual(tokenizer.tokenize("4111111111111111"), tokenizer.tokenize("4242424242424242"));
});

Deno.test("CardTokenizer rejects short keys, and tokenizeCard rejects non-PAN input", () => {
  assert.throws(() => new CardTokenizer(new Uint8Array(31)), RangeError);
  const key = generateDemoKey({ seed: 1 });
  assert.throws(() => tokenizeCard("4111-1111-1111-1111", key), TypeError);
  assert.throws(() => tokenizeCard("41111", key), TypeError);
  assert.throws(() => new CardTokenizer(key, { encoding: "base32" as "hex" }), TypeError);
});

Deno.test("displayCard keeps the BIN and last 4 and masks every digit between", () => {
  assert.equal(displayCard("4111111111111234"), "411111******1234");
  assert.equal(displayCard("378282246310005"), "378282*****0005");
  assert.equal(displayCard("30569309025904"), "305693****5904");
  assert.throws(() => displayCard("4111 1111"), TypeError);
});

Deno.test("luhnValid accepts published test PANs and rejects any single-digit change", () => {
  for (
    const pan of [
      "4111111111111111",
      "5555555555554444",
      "378282246310005",
      "6011111111111117",
      "30569309025904",
    ]
  ) {
    assert.ok(luhnValid(pan), pan);
    const last = Number(pan.at(-1));
    assert.ok(!luhnValid(pan.slice(0, -1) + ((last + 1) % 10)), `${pan} altered`);
    assert.equal(luhnCheckDigit(pan.slice(0, -1)), last);
  }
  assert.ok(!luhnValid(""));
  assert.ok(!luhnValid("4111a11111111111"));
});

Deno.test("loadTokenKey reads hex from a file and base64url from an env variable, env first", async () => {
  const key = generateDemoKey({ seed: 9 });
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, encodeTokenKey(key) + "\n");
    assert.deepEqual(await loadTokenKey({ file }), key);
    const other = generateDemoKey({ seed: 10 });
    const b64url = btoa(String.fromCharCode(...other)).replace(/\+/g, "-").replace(/\//g, "_").replace(
      /=+$/,
      "",
    );
    Deno.env.set("FRONTIER_TEST_TOKEN_KEY", b64url);
    assert.deepEqual(await loadTokenKey({ env: "FRONTIER_TEST_TOKEN_KEY", file }), other);
    Deno.env.delete("FRONTIER_TEST_TOKEN_KEY");
    assert.deepEqual(await loadTokenKey({ env: "FRONTIER_TEST_TOKEN_KEY", file }), key);
  } finally {
    Deno.env.delete("FRONTIER_TEST_TOKEN_KEY");
    await Deno.remove(file);
  }
});

Deno.test("loadTokenKey fails with clear errors for no source, a missing file, an unset variable and a short key", async () => {
  await assert.rejects(loadTokenKey({}), TypeError);
  await assert.rejects(loadTokenKey({ file: "/nonexistent/frontier.key" }), /does not exist/);
  Deno.env.delete("FRONTIER_TEST_UNSET_KEY");
  await assert.rejects(
    loadTokenKey({ env: "FRONTIER_TEST_UNSET_KEY" }),
    /FRONTIER_TEST_UNSET_KEY is not set/,
  );
  Deno.env.set("FRONTIER_TEST_SHORT_KEY", "00112233445566778899aabbccddeeff");
  try {
    await assert.rejects(loadTokenKey({ env: "FRONTIER_TEST_SHORT_KEY" }), /16 bytes; at least 32/);
    Deno.env.set("FRONTIER_TEST_SHORT_KEY", "not a key!");
    await assert.rejects(loadTokenKey({ env: "FRONTIER_TEST_SHORT_KEY" }), /neither hex nor base64/);
  } finally {
    Deno.env.delete("FRONTIER_TEST_SHORT_KEY");
  }
});

Deno.test("generateDemoKey is 32 bytes, reproducible with a seed and random without", () => {
  assert.equal(generateDemoKey().length, 32);
  assert.deepEqual(generateDemoKey({ seed: 3 }), generateDemoKey({ seed: 3 }));
  assert.notDeepEqual(generateDemoKey({ seed: 3 }), generateDemoKey({ seed: 4 }));
  assert.notDeepEqual(generateDemoKey(), generateDemoKey());
});
