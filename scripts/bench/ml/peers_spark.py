"""Spark MLlib peers of the ML benchmark (scripts/bench/ml/), PySpark in local[threads]. Run by the bench only.

Usage:
  python peers_spark.py quality --job JOB.json
  python peers_spark.py speed --job JOB.json

JOB.json is the same shape as for peers_sklearn.py (written by scripts/bench/ml/peers.ts), plus
"driverMemory". Quality: StringIndexer (handleInvalid "keep", fitted on the training rows) then, for LR,
OneHotEncoder (dropLast: drops the unknown slot, as Frontier's linear pipeline) and VectorAssembler; for
RF and GBT the indices are assembled as they are (nominal metadata: native categorical splits). GBT
early-stops on the `valid` rows through validationIndicatorCol (Spark trains on the others); LR and RF
train on `fit` and `valid`. Speed: the Parquet copy of the generated data, assembled and cached before
the measured fit.

Prints exactly one JSON line on stdout: {"versions": {...}, "startupSeconds": s, "results": [...]}, the
results as peers_sklearn.py's. Spark's and the JVM's logs go to stderr.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from peer_jobs import fit_result, replicas


def session(job):
    from pyspark.sql import SparkSession

    threads = job["threads"]
    spark = (
        SparkSession.builder.master(f"local[{threads}]")
        .appName("frontier-ml-bench")
        .config("spark.driver.memory", job.get("driverMemory", "4g"))
        .config("spark.sql.shuffle.partitions", str(2 * threads))
        .config("spark.default.parallelism", str(threads))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def q(name):
    return f"`{name}`"


def read_prepared(spark, manifest):
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, IntegerType, StringType, StructField, StructType

    numeric, categorical = set(manifest["numeric"]), set(manifest["categorical"])
    with open(manifest["path"]) as f:
        header = f.readline().strip().split(",")
    fields = []
    for name in header:
        t = IntegerType() if name == "row" else DoubleType() if name in numeric else StringType()
        fields.append(StructField(name.replace(".", "_"), t, False))
    df = spark.read.csv(manifest["path"], header=True, schema=StructType(fields))
    label = (F.col(manifest["label"]) == F.lit(manifest["positive"])).cast("double")
    return df.withColumn("label", label), [c.replace(".", "_") for c in manifest["numeric"]], [
        c.replace(".", "_") for c in manifest["categorical"]
    ]


def feature_pipeline(model, numeric, categorical):
    from pyspark.ml.feature import OneHotEncoder, StringIndexer, VectorAssembler

    idx = [f"{c}_idx" for c in categorical]
    stages = [StringIndexer(inputCols=categorical, outputCols=idx, handleInvalid="keep")]
    if model == "lr":
        vec = [f"{c}_vec" for c in categorical]
        stages.append(OneHotEncoder(inputCols=idx, outputCols=vec, dropLast=True, handleInvalid="keep"))
        stages.append(VectorAssembler(inputCols=numeric + vec, outputCol="features"))
    else:
        stages.append(VectorAssembler(inputCols=numeric + idx, outputCol="features"))
    return stages


def estimator(model, params, seed):
    from pyspark.ml.classification import GBTClassifier, LogisticRegression, RandomForestClassifier

    if model == "lr":
        return LogisticRegression(
            regParam=params["regParam"],
            elasticNetParam=0.0,
            standardization=True,
            maxIter=params["maxIter"],
            tol=params["tol"],
        )
    if model == "rf":
        return RandomForestClassifier(
            numTrees=params["numTrees"],
            maxDepth=params["maxDepth"],
            maxBins=params["maxBins"],
            featureSubsetStrategy=params["featureSubsetStrategy"],
            seed=seed,
        )
    kw = {}
    if params.get("validation"):
        kw = {"validationIndicatorCol": "is_valid", "validationTol": params["validationTol"]}
    return GBTClassifier(
        maxIter=params["maxIter"],
        maxDepth=params["maxDepth"],
        stepSize=params["stepSize"],
        maxBins=params["maxBins"],
        seed=seed,
        **kw,
    )


def positive_scores(predictions):
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    rows = predictions.select("row", vector_to_array("probability").getItem(1).alias("p")).collect()
    rows.sort(key=lambda r: r["row"])
    return [r["p"] for r in rows]



ENGINES = {"lr": "spark-lr", "rf": "spark-rf", "gbt": "spark-gbt"}



def quality(spark, job):
    from pyspark.ml import Pipeline
    from pyspark.sql import functions as F

    results = []
    for manifest in job["datasets"]:
        df, numeric, categorical = read_prepared(spark, manifest)
        df = df.cache()
        df.count()
        seeds = {s["column"]: s.get("seed", 0) for s in manifest["splits"]}
        model_seeds = {s["column"]: s["modelSeeds"] for s in manifest["splits"]}
        for split in job["splits"]:
            train = df.where(F.col(split) != "test").withColumn("is_valid", F.col(split) == "valid")
            test = df.where(F.col(split) == "test")
            for m, model_seed in replicas(job, split, model_seeds):
                params = job["params"][m]
                seed = seeds[split] if model_seed is None else model_seed
                t = time.perf_counter()
                prep = Pipeline(stages=feature_pipeline(m, numeric, categorical)).fit(train)
                features = prep.transform(train)
                fitted = estimator(m, params, seed).fit(features)
                fit = time.perf_counter() - t
                t = time.perf_counter()
                scores = positive_scores(fitted.transform(prep.transform(test)))
                pred = time.perf_counter() - t
                extra = {}
                if m == "lr":
                    extra = {"iterations": int(fitted.summary.totalIterations)}
                elif m == "gbt":
                    extra = {"trees": int(fitted.getNumTrees)}
                fitted = {"engine": ENGINES[m], "model": m, "dataset": manifest["dataset"], "split": split}
                fitted.update(modelSeed=model_seed, fitSeconds=fit, predictSeconds=pred, extra=extra)
                results.append(fit_result(job, fitted, scores))
        df.unpersist()
    return results


def speed(spark, job):
    from pyspark.ml.feature import VectorAssembler

    data, m, params = job["data"], job["model"], job["params"]
    names = [f"x{j}" for j in range(data["features"])]
    t = time.perf_counter()
    assemble = VectorAssembler(inputCols=names, outputCol="features")
    train = assemble.transform(spark.read.parquet(os.path.join(data["dir"], "train.parquet")))
    train = train.select("features", train["y"].cast("double").alias("label")).cache()
    train.count()
    load = time.perf_counter() - t
    t = time.perf_counter()
    fitted = estimator(m, params, 0).fit(train)
    fit = time.perf_counter() - t
    test = assemble.transform(spark.read.parquet(os.path.join(data["dir"], "test.parquet")))
    scores = positive_scores(fitted.transform(test))
    os.makedirs(job["outDir"], exist_ok=True)
    path = os.path.join(job["outDir"], f"{ENGINES[m]}.f64")
    np.asarray(scores, dtype="<f8").tofile(path)
    extra = {"iterations": int(fitted.summary.totalIterations)} if m == "lr" else {}
    train.unpersist()
    return [{"engine": ENGINES[m], "model": m, "fitSeconds": fit, "loadSeconds": load, "scores": path, "extra": extra}]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["quality", "speed"])
    ap.add_argument("--job", required=True)
    args = ap.parse_args()
    with open(args.job) as f:
        job = json.load(f)
    t = time.perf_counter()
    spark = session(job)
    startup = time.perf_counter() - t
    try:
        results = quality(spark, job) if args.mode == "quality" else speed(spark, job)
        import pyspark

        out = {
            "versions": {"python": sys.version.split()[0], "pyspark": pyspark.__version__, "spark": spark.version},
            "startupSeconds": startup,
            "results": results,
        }
    finally:
        spark.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
