"""Cross-validation peers of the tuning benchmark (scripts/bench/ml/cv_bench.ts). Run by the bench only.

Usage:
  python peers_cv.py sklearn --job JOB.json
  python peers_cv.py spark --job JOB.json

JOB.json (written by cv_part.ts; the same job Frontier's child reads):
  {"manifest": {path, numeric, categorical, label, positive, foldCol, folds, ...},
   "settings": {"folds": 3, "grid": {"maxDepth": [3, 5, 7], "learningRate": [0.05, 0.1]}, "rounds": 50,
                "maxBins": 64, "minRowsInLeaf": 20, "parallelism": 2, "seed": 7}, "executors": 2}

Rows whose fold column is negative are not part of the search (they are the untouched test rows), and the
refit of the best params trains on the searched rows only. Every engine uses the same folds (the fold
column), the same grid in the same order (learningRate-major) and the same rounds (no early stopping), and
maximizes the mean validated ROC-AUC over the folds:
  sklearn: GridSearchCV(LGBMClassifier(n_jobs=1, num_leaves=2^maxDepth, max_depth, max_bin=maxBins,
           min_child_samples=minRowsInLeaf), cv=PredefinedSplit(fold), n_jobs=parallelism); categories as
           ordinal codes split natively by LightGBM.
  spark:   CrossValidator(Pipeline(StringIndexer, VectorAssembler, GBTClassifier(maxIter=rounds,
           maxBins, minInstancesPerNode=minRowsInLeaf)), foldCol, parallelism) in local[parallelism];
           StringIndexer indices carry nominal metadata (native categorical splits).

Prints exactly one JSON line on stdout: {"engine", "versions", "wallSeconds", "fitSeconds", "best":
{"params", "mean"}, "trials": [{"params", "mean", "std"}]}. wallSeconds covers reading the data, the search
and the refit of the best params, from inside the process (the bench also measures the whole child).
"""

import argparse
import csv
import json
import sys
import time

import numpy as np


def grid_points(grid):
    """learningRate-major, as cv_settings.ts gridPoints."""
    return [{"maxDepth": d, "learningRate": r} for r in grid["learningRate"] for d in grid["maxDepth"]]


def read_rows(manifest, fold_col):
    with open(manifest["path"], newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    idx = {name: i for i, name in enumerate(header)}
    fold = np.array([int(r[idx[fold_col]]) for r in rows], dtype=np.int64)
    keep = fold >= 0
    rows = [r for r, k in zip(rows, keep) if k]
    num = np.array([[float(r[idx[c]]) for c in manifest["numeric"]] for r in rows], dtype=np.float64)
    cat = np.array([[r[idx[c]] for c in manifest["categorical"]] for r in rows], dtype=object)
    y = np.array([1 if r[idx[manifest["label"]]] == manifest["positive"] else 0 for r in rows], dtype=np.int8)
    return num, cat, y, fold[keep]


def run_sklearn(job):
    settings, manifest = job["settings"], job["manifest"]
    import lightgbm
    import sklearn
    from lightgbm import LGBMClassifier
    from sklearn.model_selection import GridSearchCV, PredefinedSplit
    from sklearn.preprocessing import OrdinalEncoder

    t0 = time.perf_counter()
    num, cat, y, fold = read_rows(manifest, manifest["foldCol"])
    codes = OrdinalEncoder().fit_transform(cat)
    X = np.concatenate([num, codes], axis=1)
    cats = list(range(num.shape[1], X.shape[1]))
    points = grid_points(settings["grid"])
    param_grid = [
        {"max_depth": [p["maxDepth"]], "num_leaves": [2 ** p["maxDepth"]], "learning_rate": [p["learningRate"]]}
        for p in points
    ]
    model = LGBMClassifier(
        n_estimators=settings["rounds"],
        max_bin=settings["maxBins"],
        min_child_samples=settings["minRowsInLeaf"],
        min_child_weight=1e-3,
        reg_lambda=0.0,
        n_jobs=1,
        random_state=settings["seed"],
        verbose=-1,
    )
    search = GridSearchCV(
        model,
        param_grid,
        scoring="roc_auc",
        cv=PredefinedSplit(fold),
        n_jobs=settings["parallelism"],
        refit=True,
        error_score="raise",
    )
    t1 = time.perf_counter()
    search.fit(X, y, categorical_feature=cats)
    fit = time.perf_counter() - t1
    res = search.cv_results_
    trials = []
    for i, params in enumerate(res["params"]):
        trials.append(
            {
                "params": {"maxDepth": params["max_depth"], "learningRate": params["learning_rate"]},
                "mean": float(res["mean_test_score"][i]),
                "std": float(res["std_test_score"][i]),
            }
        )
    best = max(trials, key=lambda t: t["mean"])
    return {
        "engine": "sklearn-gridsearchcv-lightgbm",
        "versions": {"python": sys.version.split()[0], "scikit-learn": sklearn.__version__, "lightgbm": lightgbm.__version__},
        "wallSeconds": time.perf_counter() - t0,
        "fitSeconds": fit,
        "best": {"params": best["params"], "mean": best["mean"]},
        "trials": trials,
        "extra": {"rows": int(len(y)), "foldRows": [int((fold == i).sum()) for i in range(manifest["folds"])]},
    }


def run_spark(job):
    import pyspark
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import GBTClassifier
    from pyspark.ml.evaluation import BinaryClassificationEvaluator
    from pyspark.ml.feature import StringIndexer, VectorAssembler
    from pyspark.ml.tuning import CrossValidator
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, IntegerType, StringType, StructField, StructType

    settings, manifest = job["settings"], job["manifest"]
    fold_col = manifest["foldCol"]
    t0 = time.perf_counter()
    threads = settings["parallelism"]
    spark = (
        SparkSession.builder.master(f"local[{threads}]")
        .appName("frontier-cv-bench")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", str(2 * threads))
        .config("spark.default.parallelism", str(threads))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    numeric, categorical = set(manifest["numeric"]), set(manifest["categorical"])
    with open(manifest["path"]) as f:
        header = f.readline().strip().split(",")
    fields = []
    for name in header:
        t = IntegerType() if name in ("row", fold_col) else DoubleType() if name in numeric else StringType()
        fields.append(StructField(name.replace(".", "_"), t, False))
    df = spark.read.csv(manifest["path"], header=True, schema=StructType(fields))
    df = df.where(F.col(fold_col) >= 0).withColumn(
        "label", (F.col(manifest["label"]) == F.lit(manifest["positive"])).cast("double")
    ).cache()
    rows = df.count()
    num = [c.replace(".", "_") for c in manifest["numeric"]]
    cat = [c.replace(".", "_") for c in manifest["categorical"]]
    idx = [f"{c}_idx" for c in cat]
    gbt = GBTClassifier(
        maxIter=settings["rounds"],
        maxBins=settings["maxBins"],
        minInstancesPerNode=settings["minRowsInLeaf"],
        seed=settings["seed"],
    )
    pipeline = Pipeline(
        stages=[
            StringIndexer(inputCols=cat, outputCols=idx, handleInvalid="keep"),
            VectorAssembler(inputCols=num + idx, outputCol="features"),
            gbt,
        ]
    )
    grid = [{gbt.maxDepth: p["maxDepth"], gbt.stepSize: p["learningRate"]} for p in grid_points(settings["grid"])]
    cv = CrossValidator(
        estimator=pipeline,
        estimatorParamMaps=grid,
        evaluator=BinaryClassificationEvaluator(metricName="areaUnderROC"),
        numFolds=manifest["folds"],
        foldCol=fold_col,
        parallelism=threads,
        seed=settings["seed"],
    )
    t1 = time.perf_counter()
    model = cv.fit(df)
    fit = time.perf_counter() - t1
    trials = []
    for params, mean, std in zip(grid, model.avgMetrics, model.stdMetrics):
        named = {p.name: v for p, v in params.items()}
        trials.append(
            {"params": {"maxDepth": named["maxDepth"], "learningRate": named["stepSize"]}, "mean": mean, "std": std}
        )
    best = max(trials, key=lambda t: t["mean"])
    out = {
        "engine": "spark-crossvalidator-gbt",
        "versions": {"python": sys.version.split()[0], "pyspark": pyspark.__version__},
        "wallSeconds": time.perf_counter() - t0,
        "fitSeconds": fit,
        "best": {"params": best["params"], "mean": best["mean"]},
        "trials": trials,
        "extra": {"rows": rows, "master": f"local[{threads}]"},
    }
    spark.stop()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=["sklearn", "spark"])
    parser.add_argument("--job", required=True)
    args = parser.parse_args()
    with open(args.job) as f:
        job = json.load(f)
    result = run_sklearn(job) if args.engine == "sklearn" else run_spark(job)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
