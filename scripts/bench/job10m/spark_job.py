"""The shared benchmark job (see scripts/bench/job10m/job_10m.ts) on PySpark, local mode.

Usage: out/venv-spark/bin/python scripts/bench/job10m/spark_job.py --rows N [--threads 2] [--repeat 1]
                                                             [--shuffle-partitions 4] [--driver-memory 2g]

Prints exactly one JSON line on stdout:
  {"engine": "spark", "rows": [{"region", "n", "total", "mean"}...], "wallMs": <best query run>,
   "runsMs": [...], "startupMs": <SparkSession creation, JVM start included>, "config": {...}}

wallMs covers the query only (generation with spark.range + expressions, filter, join, aggregate,
collect); JVM and session startup are reported separately as startupMs. All Spark/JVM logging goes to
stderr.

Settings (also echoed in "config"):
  master local[T] (default T=2), spark.sql.shuffle.partitions=4 (the result has 10 groups; the default
  200 only adds task overhead on 2 cores), spark.default.parallelism=T, spark.driver.memory=2g (local
  mode runs everything in the driver JVM), spark.ui.enabled=false, AQE left on (Spark's default),
  the 1,000-row dim is broadcast by Spark's own size estimate (autoBroadcastJoinThreshold default).
"""

import argparse
import json
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--shuffle-partitions", type=int, default=4)
    p.add_argument("--driver-memory", default="2g")
    args = p.parse_args()
    if args.rows < 0 or args.threads < 1 or args.repeat < 1 or args.shuffle_partitions < 1:
        p.error("--rows must be >= 0; --threads, --repeat and --shuffle-partitions must be >= 1")
    return args


def build_query(spark, F, rows):
    """fact ⋈ dim, filtered and grouped, exactly as job_10m.ts defines it."""
    fact = spark.range(0, rows).select(
        F.col("id"),
        ((F.col("id") * F.lit(7919)) % F.lit(1000)).alias("key"),
        (((F.col("id") * F.lit(104729)) % F.lit(10007)).cast("double") / F.lit(100.0)).alias("value"),
        (F.col("id") % F.lit(7)).alias("cat"),
    )
    dim = spark.range(0, 1000).select(
        F.col("id").alias("k"),
        (F.col("id") % F.lit(10)).alias("region"),
        ((F.col("id") % F.lit(13)) + F.lit(1)).alias("weight"),
    )
    return (
        fact.where(F.col("value") > F.lit(10.0))
        .join(dim, fact["key"] == dim["k"], "inner")
        .groupBy("region")
        .agg(
            F.count(F.lit(1)).alias("n"),
            F.sum(F.col("value") * F.col("weight")).alias("total"),
            F.avg(F.col("value")).alias("mean"),
        )
        .orderBy("region")
    )


def main():
    args = parse_args()
    t0 = time.perf_counter()
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    import pyspark

    config = {
        "spark.master": f"local[{args.threads}]",
        "spark.sql.shuffle.partitions": str(args.shuffle_partitions),
        "spark.default.parallelism": str(args.threads),
        "spark.driver.memory": args.driver_memory,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }
    builder = SparkSession.builder.appName("frontier-bench-10m")
    for k, v in config.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    startup_ms = (time.perf_counter() - t0) * 1000.0

    runs_ms = []
    out_rows = []
    try:
        for _ in range(args.repeat):
            t1 = time.perf_counter()
            result = build_query(spark, F, args.rows).collect()
            runs_ms.append((time.perf_counter() - t1) * 1000.0)
            out_rows = [
                {"region": int(r["region"]), "n": int(r["n"]), "total": float(r["total"]), "mean": float(r["mean"])}
                for r in result
            ]
    finally:
        spark.stop()

    config.update({"pyspark": pyspark.__version__, "repeat": args.repeat})
    line = {
        "engine": "spark",
        "rows": out_rows,
        "wallMs": min(runs_ms),
        "runsMs": runs_ms,
        "startupMs": startup_ms,
        "config": config,
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
