import assert from "node:assert/strict";
import { join } from "node:path";
import {
  brokerProperties,
  decodeBrokerState,
  log4jProperties,
  randomClusterId,
  readBrokerState,
  writeBrokerState,
} from "../../../scripts/setup/kafka_broker.ts";
import { javaMajor, kafkaPom, onPath } from "../../../scripts/setup/kafka_fetch.ts";

function properties(text: string): Map<string, string> {
  return new Map(
    text.split("\n").filter((l) => l.includes("=")).map((
      l,
    ) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

Deno.test("brokerProperties configures a single KRaft node on 127.0.0.1 whose coordinators can start", () => {
  const p = properties(brokerProperties({ port: 19092, controllerPort: 19093, dataDir: "/tmp/x/data" }));
  assert.equal(p.get("process.roles"), "broker,controller");
  assert.equal(p.get("controller.quorum.voters"), "1@127.0.0.1:19093");
  assert.equal(p.get("listeners"), "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093");
  assert.equal(p.get("advertised.listeners"), "PLAINTEXT://127.0.0.1:19092");
  assert.equal(p.get("log.dirs"), "/tmp/x/data");
  for (
    const key of [
      "offsets.topic.replication.factor",
      "transaction.state.log.replication.factor",
      "transaction.state.log.min.isr",
    ]
  ) {
    assert.equal(p.get(key), "1", key);
  }
  assert.equal(p.get("auto.create.topics.enable"), "false");
  assert.equal(p.get("group.initial.rebalance.delay.ms"), "0");
});

Deno.test("log4jProperties sends the root logger to the given file", () => {
  const p = properties(log4jProperties("/tmp/x/broker.log").replaceAll(" = ", "="));
  assert.equal(p.get("appender.file.fileName"), "/tmp/x/broker.log");
  assert.equal(p.get("rootLogger.appenderRef.file.ref"), "FILE");
});

Deno.test("kafkaPom asks for the broker, its tools and the slf4j 1.7 log4j binding at the given version", () => {
  const pom = kafkaPom("4.0.2");
  for (const artifact of ["kafka_2.13", "kafka-tools"]) {
    assert.match(pom, new RegExp(`<artifactId>${artifact}</artifactId><version>4\\.0\\.2</version>`));
  }
  assert.match(pom, /<artifactId>log4j-slf4j-impl<\/artifactId>/);
  assert.doesNotMatch(pom, /log4j-slf4j2-impl/);
  assert.match(pom, /<artifactId>log4j-core<\/artifactId>/);
});

Deno.test("randomClusterId is 16 bytes in unpadded base64url, as Kafka's Uuid prints them", () => {
  const ids = Array.from({ length: 50 }, randomClusterId);
  for (const id of ids) {
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    const bytes = atob(id.replaceAll("-", "+").replaceAll("_", "/") + "==");
    assert.equal(bytes.length, 16);
  }
  assert.equal(new Set(ids).size, 50);
});

Deno.test("randomClusterId never starts with '-', which kafka-storage would read as an option", () => {
  // 0xf8 = 0b111110_00: the first base64url character is '-' (62) for this draw
  const draws = [new Uint8Array(16).fill(0xf8), new Uint8Array(16).fill(7)];
  let calls = 0;
  const id = randomClusterId(() => draws[calls++]!);
  assert.equal(calls, 2, "the draw starting with '-' is thrown away");
  assert.ok(!id.startsWith("-") && id.length === 22, id);
  for (let i = 0; i < 2000; i++) assert.ok(!randomClusterId().startsWith("-"));
});

Deno.test("javaMajor reads modern and 1.x version strings", () => {
  assert.equal(javaMajor('openjdk version "17.0.15" 2025-04-15'), 17);
  assert.equal(javaMajor('java version "1.8.0_392"'), 8);
  assert.equal(javaMajor('openjdk version "21" 2023-09-19'), 21);
  assert.equal(javaMajor("no java here"), undefined);
});

Deno.test("onPath finds executables in PATH's directories only", () => {
  const sh = onPath("sh", "/nonexistent:/bin:/usr/bin");
  assert.equal(sh, true);
  assert.equal(onPath("sh", "/nonexistent"), false);
  assert.equal(onPath("definitely-not-a-command-xyz"), false);
});

Deno.test("broker state round-trips through its file and malformed state is refused by field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "broker.json");
    assert.equal(await readBrokerState(file), undefined);
    const state = {
      version: 1,
      pid: 123,
      bootstrap: "127.0.0.1:9092",
      port: 9092,
      controllerPort: 9093,
      dir: "/tmp/frontier-kafka-x",
      kafkaVersion: "4.1.1",
      startedAt: "2026-01-01T00:00:00.000Z",
    } as const;
    await writeBrokerState(file, state);
    assert.deepEqual(await readBrokerState(file), state);
    assert.throws(() => decodeBrokerState({ ...state, version: 2 }), /version must be 1/);
    assert.throws(() => decodeBrokerState({ ...state, port: "9092" }), /port must be an integer/);
    assert.throws(() => decodeBrokerState({ ...state, dir: undefined }), /dir must be a string/);
    assert.throws(() => decodeBrokerState(undefined), TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
