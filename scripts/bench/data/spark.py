"""The Task 1 data benchmark (see scripts/bench/data/eda_spec.ts) on PySpark, local mode.

Usage: out/venv-spark/bin/python scripts/bench/data/spark.py --input csv|parquet --path P
                                                              [--threads 2] [--shuffle-partitions 4]
                                                              [--driver-memory 6g]

Prints exactly one JSON line on stdout:
  {"engine": "spark", "result": {...EdaResult...}, "startupMs", "ingestMs", "edaMs", "queriesMs",
   "config"}

Ingest: CSV with an explicit schema, mode=PERMISSIVE and columnNameOfCorruptRecord, the raw frame
cached and counted, malformed rows counted from the corrupt-record column (Spark's CSV reader has no
enum check); Parquet read, cached and counted. EDA: one agg() with every summary statistic
(percentile_approx, accuracy 10000) and one groupBy per dimension over the cached data.
Session time zone UTC (hour and dayofweek are UTC, as in the other engines). Logs go to stderr.
"""

import argparse
import json
import sys
import time

QUANTILES = [0.01, 0.25, 0.5, 0.75, 0.99]
NUMERIC = ["amount", "seq"]
DIMENSIONS = ["merchant_category", "channel", "country", "hour", "day_of_week"]
# name, type: the column order of the generated files (cluster/sources/transactions/generator.ts).
COLUMNS = [
    ("transaction_id", "string"),
    ("event_time", "timestamp"),
    ("account_id", "string"),
    ("card", "string"),
    ("card_display", "string"),
    ("merchant_id", "string"),
    ("merchant_category", "string"),
    ("amount", "double"),
    ("currency", "string"),
    ("channel", "string"),
    ("country", "string"),
    ("is_fraud", "boolean"),
    ("scenario", "string"),
    ("seq", "long"),
    ("is_duplicate", "boolean"),
    ("is_malformed", "boolean"),
]
CORRUPT = "_corrupt_record"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input", choices=["csv", "parquet"], required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--shuffle-partitions", type=int, default=4)
    p.add_argument("--driver-memory", default="6g")
    args = p.parse_args()
    if args.threads < 1 or args.shuffle_partitions < 1:
        p.error("--threads and --shuffle-partitions must be >= 1")
    return args


def schema(T):
    types = {
        "string": T.StringType(),
        "timestamp": T.TimestampType(),
        "double": T.DoubleType(),
        "boolean": T.BooleanType(),
        "long": T.LongType(),
    }
    fields = [T.StructField(name, types[t], True) for name, t in COLUMNS]
    fields.append(T.StructField(CORRUPT, T.StringType(), True))
    return T.StructType(fields)


def ingest(spark, F, T, args):
    """Returns (tx, rows_read, rows_valid, rows_quarantined); tx reads from the cache."""
    if args.input == "parquet":
        tx = spark.read.parquet(args.path).cache()
        n = tx.count()
        return tx, n, n, 0
    raw = (
        spark.read.option("header", "true")
        .option("sep", ",")
        .option("quote", '"')
        .option("escape", '"')
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .schema(schema(T))
        .csv(args.path)
        .cache()
    )
    total = raw.count()
    bad = raw.where(F.col(CORRUPT).isNotNull()).count()
    tx = raw.where(F.col(CORRUPT).isNull()).drop(CORRUPT)
    return tx, total, total - bad, bad


def summary(tx, F):
    aggs = [F.count(F.lit(1)).alias("rows")]
    for i, c in enumerate(NUMERIC):
        x = F.col(c).cast("double")
        aggs += [
            F.count(F.col(c)).alias(f"c{i}_count"),
            F.avg(x).alias(f"c{i}_mean"),
            F.stddev_samp(x).alias(f"c{i}_std"),
            F.min(x).alias(f"c{i}_min"),
            F.max(x).alias(f"c{i}_max"),
            F.percentile_approx(x, QUANTILES, 10000).alias(f"c{i}_q"),
        ]
    row = tx.agg(*aggs).collect()[0]
    rows = int(row["rows"])
    out = []
    for i, c in enumerate(NUMERIC):
        n = int(row[f"c{i}_count"])
        out.append(
            {
                "column": c,
                "count": n,
                "nulls": rows - n,
                "mean": float(row[f"c{i}_mean"]),
                "std": float(row[f"c{i}_std"]),
                "min": float(row[f"c{i}_min"]),
                "max": float(row[f"c{i}_max"]),
                "quantiles": [float(q) for q in row[f"c{i}_q"]],
            }
        )
    return out


def segments(tx, F, dimension):
    if dimension == "hour":
        key = F.hour("event_time")
    elif dimension == "day_of_week":
        key = F.dayofweek("event_time")
    else:
        key = F.col(dimension)
    rows = (
        tx.select(key.cast("string").alias("segment"), F.col("is_fraud").cast("long").alias("f"), F.col("amount"))
        .groupBy("segment")
        .agg(
            F.count(F.lit(1)).alias("n"),
            F.sum("f").alias("frauds"),
            F.sum("amount").alias("total"),
            F.avg("amount").alias("mean"),
        )
        .collect()
    )
    out = [
        {
            "segment": str(r["segment"]),
            "count": int(r["n"]),
            "frauds": int(r["frauds"]),
            "amountSum": float(r["total"]),
            "amountMean": float(r["mean"]),
        }
        for r in rows
    ]
    return sorted(out, key=lambda s: (0, int(s["segment"]), "") if s["segment"].isdigit() else (1, 0, s["segment"]))


def main():
    args = parse_args()
    t0 = time.perf_counter()
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
    import pyspark

    config = {
        "spark.master": f"local[{args.threads}]",
        "spark.sql.shuffle.partitions": str(args.shuffle_partitions),
        "spark.default.parallelism": str(args.threads),
        "spark.driver.memory": args.driver_memory,
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
    }
    builder = SparkSession.builder.appName("frontier-bench-data")
    for k, v in config.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    startup_ms = (time.perf_counter() - t0) * 1000.0
    try:
        t1 = time.perf_counter()
        tx, rows_read, rows_valid, rows_bad = ingest(spark, F, T, args)
        ingest_ms = (time.perf_counter() - t1) * 1000.0
        queries_ms = {}
        t2 = time.perf_counter()
        t = time.perf_counter()
        stats = summary(tx, F)
        queries_ms["summary"] = (time.perf_counter() - t) * 1000.0
        breakdowns = {}
        for d in DIMENSIONS:
            t = time.perf_counter()
            breakdowns[d] = segments(tx, F, d)
            queries_ms[d] = (time.perf_counter() - t) * 1000.0
        eda_ms = (time.perf_counter() - t2) * 1000.0
    finally:
        spark.stop()
    config.update({"pyspark": pyspark.__version__})
    line = {
        "engine": "spark",
        "result": {
            "rowsRead": rows_read,
            "rowsValid": rows_valid,
            "rowsQuarantined": rows_bad,
            "summary": stats,
            "breakdowns": breakdowns,
        },
        "startupMs": startup_ms,
        "ingestMs": ingest_ms,
        "edaMs": eda_ms,
        "queriesMs": queries_ms,
        "config": config,
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
