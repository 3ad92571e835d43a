import assert from "node:assert/strict";
import { type OutMessage, produceRequests } from "../../streaming/kafka_requests.ts";

function messages(n: number, size: number, partition = 0): OutMessage[] {
  return Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: "x".repeat(size), partition }));
}

Deno.test("produceRequests keeps every topic's messages in order within the byte and count limits", () => {
  const a = messages(2500, 100);
  const b = messages(30, 5000);
  const requests = produceRequests(new Map([["a", a], ["b", b]]), { maxBytes: 40_000, maxMessages: 1000 });
  for (const topic of ["a", "b"]) {
    const pieces = requests.flatMap((r) => r.filter((t) => t.topic === topic).map((t) => t.messages));
    assert.deepEqual(pieces.flat(), topic === "a" ? a : b, `${topic}: all messages, in order`);
    for (const piece of pieces) {
      assert.ok(piece.length <= 1000);
      const bytes = piece.reduce((n, m) => n + 24 + m.key.length + (m.value?.length ?? 0), 0);
      assert.ok(bytes <= 40_000, `${topic}: a piece of ${bytes} bytes`);
    }
  }
  for (const r of requests) {
    assert.equal(new Set(r.map((t) => t.topic)).size, r.length, "a topic once a request");
  }
});

Deno.test("produceRequests counts non-ASCII text at its UTF-8 bound and refuses bad limits", () => {
  const wide = [{ key: "k", value: "é".repeat(1000), partition: 0 }, { key: "k", value: null, partition: 0 }];
  const requests = produceRequests(new Map([["t", wide]]), { maxBytes: 2048, maxMessages: 10 });
  assert.equal(requests.length, 2, "3,000 bytes of é do not share a 2,048-byte piece");
  assert.throws(() => produceRequests(new Map(), { maxBytes: 10, maxMessages: 1 }), /maxBytes/);
  assert.throws(() => produceRequests(new Map(), { maxBytes: 4096, maxMessages: 0 }), /maxMessages/);
});
