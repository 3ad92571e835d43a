/**
 * The Spark Structured Streaming side of the streaming benchmark: the Kafka connector jars
 * fetched with Maven into `out/spark-kafka/lib` (`spark-sql-kafka-0-10_2.13` 4.0.0 — 4.0.1, the
 * PySpark version, is not served by the mirror here; the 4.0 line shares its connector API), the
 * PySpark venv of `scripts/setup/spark.sh`, and `spark_stream.py` run as a child process.
 *
 * Anything missing (Maven, Java, Python, the jars) is not an error: the result says
 * `skipped: <reason>`.
 *
 * @module
 */
import { join } from "node:path";
import { setupSpark } from "../job10m/external_spark.ts";

const REPO_ROOT = new URL("../../../", import.meta.url).pathname;
const SCRIPT = new URL("./spark_stream.py", import.meta.url).pathname;
const CONNECTOR_VERSION = "4.0.0";
const KEEP = [
  "spark-sql-kafka-0-10_2.13",
  "spark-token-provider-kafka-0-10_2.13",
  "kafka-clients",
  "commons-pool2",
];

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>frontier.bench</groupId><artifactId>spark-kafka</artifactId><version>1</version>
<dependencies><dependency><groupId>org.apache.spark</groupId>
<artifactId>spark-sql-kafka-0-10_2.13</artifactId><version>${CONNECTOR_VERSION}</version>
</dependency></dependencies></project>
`;

async function jarsIn(dir: string): Promise<string[]> {
  const jars: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".jar")) jars.push(join(dir, e.name));
  } catch {
    return [];
  }
  return jars.sort();
}

/** The connector jars (fetched once), or why they cannot be had. */
export async function sparkKafkaJars(): Promise<{ jars: string[] } | { skipped: string }> {
  const home = join(REPO_ROOT, "out", "spark-kafka");
  const lib = join(home, "lib");
  const have = await jarsIn(lib);
  if (KEEP.every((a) => have.some((j) => j.includes(`/${a}-`)))) return { jars: have };
  await Deno.mkdir(home, { recursive: true });
  await Deno.writeTextFile(join(home, "pom.xml"), POM);
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("mvn", {
      args: [
        "-q",
        "dependency:copy-dependencies",
        `-DoutputDirectory=${lib}`,
        "-DincludeScope=runtime",
        `-DincludeArtifactIds=${KEEP.join(",")}`,
      ],
      cwd: home,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { skipped: "mvn is not on PATH (needed for the Kafka connector)" };
    }
    throw e;
  }
  const jars = await jarsIn(lib);
  if (!out.success || !KEEP.every((a) => jars.some((j) => j.includes(`/${a}-`)))) {
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return {
      skipped: `the Spark Kafka connector could not be fetched: ${text.trim().split("\n").at(-1) ?? ""}`,
    };
  }
  return { jars };
}

/** What the Spark run reported (see `spark_stream.py`). */
export interface SparkStreamRun {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly batches: number;
  readonly batchMs: { readonly p50: number; readonly p99: number };
}

/** Everything Spark needs, or why it cannot run. */
export async function prepareSpark(): Promise<{ python: string; jars: string[] } | { skipped: string }> {
  const jars = await sparkKafkaJars();
  if ("skipped" in jars) return jars;
  const setup = await setupSpark();
  if ("skipped" in setup) return setup;
  return { python: setup.python, jars: jars.jars };
}

/** Starts `spark_stream.py` on `topic`; resolves when it has processed `rows` rows. */
export async function runSparkStream(
  spark: { python: string; jars: string[] },
  options: { bootstrap: string; topic: string; rows: number; seconds: number },
): Promise<SparkStreamRun> {
  const checkpoint = await Deno.makeTempDir({ prefix: "frontier-spark-stream-" });
  try {
    const out = await new Deno.Command(spark.python, {
      args: [
        SCRIPT,
        "--bootstrap",
        options.bootstrap,
        "--topic",
        options.topic,
        "--out-topic",
        `${options.topic}.spark-windows`,
        "--jars",
        spark.jars.join(","),
        "--checkpoint",
        checkpoint,
        "--rows",
        String(options.rows),
        "--seconds",
        String(options.seconds),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const line = stdout.trim().split("\n").findLast((l) => l.startsWith("{"));
    if (!out.success || line === undefined) {
      throw new Error(
        `spark_stream.py exited with code ${out.code}:\n${new TextDecoder().decode(out.stderr).slice(-3000)}`,
      );
    }
    return JSON.parse(line) as SparkStreamRun;
  } finally {
    await Deno.remove(checkpoint, { recursive: true }).catch(() => {});
  }
}
