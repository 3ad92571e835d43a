"""Spark Structured Streaming side of the streaming benchmark (PySpark, local mode).

Reads the benchmark's Kafka topic of generated transactions, computes the same windows as
Frontier (tumbling 1 minute on event_time, 30 s watermark, keyed by account_id; count, sum, min
and max of amount) in append mode and writes them as JSON to a Kafka topic, micro-batches as
fast as possible (processingTime 0). Stops once `--rows` input rows were processed (or after
`--seconds`), then prints one JSON line:

- rows, seconds (first non-empty batch start -> last batch end), rowsPerSecond;
- batchMs p50/p99: the micro-batch durations (triggerExecution). An event waits for the batch
  that reads it and is output when a later batch finds the watermark past its window, so these
  are a lower bound of Spark's event->output latency.

Usage: python spark_stream.py --bootstrap H:P --topic T --out-topic O --jars a.jar,b.jar
       --checkpoint DIR --rows N [--seconds S] [--threads 2]
"""

import argparse
import json
import math
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType, TimestampType


def quantile(xs, q):
    if not xs:
        return 0
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, math.ceil(q * len(s)) - 1))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--out-topic", required=True)
    ap.add_argument("--jars", required=True)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    spark = (
        SparkSession.builder.master(f"local[{args.threads}]")
        .appName("frontier-stream-bench")
        .config("spark.jars", args.jars)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    schema = StructType(
        [
            StructField("transaction_id", StringType()),
            StructField("event_time", TimestampType()),
            StructField("account_id", StringType()),
            StructField("amount", DoubleType()),
        ]
    )
    raw = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", args.bootstrap)
        .option("subscribe", args.topic)
        .option("startingOffsets", "earliest")
        .option("kafka.isolation.level", "read_committed")
        .load()
    )
    events = (
        raw.select(F.from_json(F.col("value").cast("string"), schema).alias("r"))
        .select("r.*")
        .where(F.col("event_time").isNotNull() & F.col("account_id").isNotNull() & F.col("amount").isNotNull())
    )
    windows = (
        events.withWatermark("event_time", "30 seconds")
        .groupBy(F.window("event_time", "1 minute"), F.col("account_id"))
        .agg(
            F.count("*").alias("events"),
            F.sum(F.round(F.col("amount") * 100)).alias("sum_cents"),
            F.min("amount").alias("min"),
            F.max("amount").alias("max"),
        )
    )
    query = (
        windows.select(
            F.col("account_id").alias("key"),
            F.to_json(F.struct("window", "account_id", "events", "sum_cents", "min", "max")).alias("value"),
        )
        .writeStream.format("kafka")
        .option("kafka.bootstrap.servers", args.bootstrap)
        .option("topic", args.out_topic)
        .option("checkpointLocation", args.checkpoint)
        .outputMode("append")
        .trigger(processingTime="0 seconds")
        .start()
    )
    deadline = time.monotonic() + args.seconds
    seen = set()
    rows = 0
    durations = []
    first_start = None
    last_end = None
    while rows < args.rows and time.monotonic() < deadline:
        if query.exception() is not None:
            raise query.exception()
        for p in query.recentProgress:
            if p["batchId"] in seen:
                continue
            seen.add(p["batchId"])
            n = p["numInputRows"]
            if n == 0:
                continue
            ms = p["durationMs"].get("triggerExecution", 0)
            end = time.mktime(time.strptime(p["timestamp"][:19], "%Y-%m-%dT%H:%M:%S")) + float(
                "0." + p["timestamp"][20:23]
            ) + ms / 1000
            start = end - ms / 1000
            first_start = start if first_start is None else min(first_start, start)
            last_end = end if last_end is None else max(last_end, end)
            rows += n
            durations.append(ms)
        time.sleep(0.2)
    query.stop()
    spark.stop()
    seconds = (last_end - first_start) if first_start is not None else 0
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "rowsPerSecond": rows / seconds if seconds > 0 else 0,
                "batches": len(durations),
                "batchMs": {"p50": quantile(durations, 0.5), "p99": quantile(durations, 0.99)},
            }
        )
    )


if __name__ == "__main__":
    main()
