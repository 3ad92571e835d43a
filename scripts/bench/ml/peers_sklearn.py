"""scikit-learn and LightGBM peers of the ML benchmark (scripts/bench/ml/). Run by the bench only.

Usage:
  python peers_sklearn.py quality --job JOB.json
  python peers_sklearn.py speed --job JOB.json

JOB.json (written by scripts/bench/ml/peers.ts; every setting is pinned there and printed by the bench):
  quality: {"datasets": [manifest, ...], "splits": ["split_random_42", ...], "models": ["lr", "rf", "gbt"],
            "params": {"lr": {...}, "rf": {...}, "gbt": {...}}, "replicated": ["rf"], "outDir": DIR,
            "threads": 2}
  speed:   {"data": {"dir": DIR, "rows": N, "testRows": M, "features": F}, "model": "lr" | "rf" | "gbt",
            "params": {...}, "outDir": DIR, "threads": 2}

Quality: each engine fits its own encoding on the training rows of each split (`fit` and `valid`; early
stopping engines train on `fit` and stop on `valid`): one-hot (all training categories, unknown ignored)
for LR (standardized, as Frontier's solver does internally) and RF; LightGBM gets category codes and
native categorical splits. A replicated model is fitted once per model seed of the split (see
peer_jobs.py). Test probabilities are written as little-endian float64 files, one value per test row in
row order: OUTDIR/<engine>/<dataset>/<split>[-seed<S>].f64.

Prints exactly one JSON line on stdout: {"versions": {...}, "results": [{engine, model, dataset, split,
[modelSeed,] fitSeconds, predictSeconds, scores, extra}]}.
"""

import argparse
import csv
import json
import os
import sys
import time

import numpy as np
from peer_jobs import fit_result, replicas


def versions():
    import lightgbm
    import scipy
    import sklearn
    import threadpoolctl

    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "lightgbm": lightgbm.__version__,
        "blas": [
            {k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for i in threadpoolctl.threadpool_info()
        ],
    }


def read_prepared(manifest):
    """The prepared CSV as (numeric float matrix, categorical str matrix, labels, {split column: roles})."""
    with open(manifest["path"], newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    idx = {name: i for i, name in enumerate(header)}
    num = np.array([[float(r[idx[c]]) for c in manifest["numeric"]] for r in rows], dtype=np.float64)
    cat = np.array([[r[idx[c]] for c in manifest["categorical"]] for r in rows], dtype=object)
    y = np.array([1 if r[idx[manifest["label"]]] == manifest["positive"] else 0 for r in rows], dtype=np.int8)
    splits = {s["column"]: np.array([r[idx[s["column"]]] for r in rows]) for s in manifest["splits"]}
    return num, cat, y, splits



def quality_lr(params, num, cat, y, train, test, threads):
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X = np.concatenate([num.astype(object), cat], axis=1)
    n_num = num.shape[1]
    encode = ColumnTransformer(
        [
            ("num", "passthrough", list(range(n_num))),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(range(n_num, X.shape[1]))),
        ]
    )
    # Frontier penalizes standardized coefficients with regParam·½‖β‖² over the mean loss; scikit-learn
    # minimizes C·Σ loss + ½‖β‖²: the same objective on standardized features when C = 1/(regParam·n).
    n = int(train.sum())
    c = 1.0 / (params["regParam"] * n)
    model = Pipeline(
        [
            ("encode", encode),
            ("scale", StandardScaler()),
            ("lr", LogisticRegression(C=c, max_iter=params["maxIter"], tol=params["tol"], solver="lbfgs")),
        ]
    )
    t = time.perf_counter()
    model.fit(X[train], y[train])
    fit = time.perf_counter() - t
    t = time.perf_counter()
    p = model.predict_proba(X[test])[:, 1]
    lr = model.named_steps["lr"]
    return p, fit, time.perf_counter() - t, {"C": c, "iterations": int(lr.n_iter_[0])}


def quality_rf(params, num, cat, y, train, test, threads, seed):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.preprocessing import OneHotEncoder

    enc = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(cat[train])
    X = np.concatenate([num, enc.transform(cat)], axis=1)
    model = RandomForestClassifier(
        n_estimators=params["numTrees"],
        max_depth=params.get("maxDepth"),
        min_samples_leaf=params["minSamplesLeaf"],
        max_features=params["maxFeatures"],
        n_jobs=threads,
        random_state=seed,
    )
    t = time.perf_counter()
    model.fit(X[train], y[train])
    fit = time.perf_counter() - t
    t = time.perf_counter()
    p = model.predict_proba(X[test])[:, 1]
    return p, fit, time.perf_counter() - t, {"features": int(X.shape[1])}


def lightgbm_params(params, threads, seed):
    return {
        "objective": "binary",
        "learning_rate": params["learningRate"],
        "num_leaves": params["numLeaves"],
        "min_data_in_leaf": params["minDataInLeaf"],
        "min_sum_hessian_in_leaf": params["minChildWeight"],
        "lambda_l2": params["lambdaL2"],
        "max_bin": params["maxBins"],
        "num_threads": threads,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "verbose": -1,
    }


def quality_gbt(params, num, cat, y, fit_rows, valid_rows, test, threads, seed):
    import lightgbm as lgb
    from sklearn.preprocessing import OrdinalEncoder

    enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan).fit(cat[fit_rows | valid_rows])
    X = np.concatenate([num, enc.transform(cat)], axis=1)
    cats = list(range(num.shape[1], X.shape[1]))
    lp = lightgbm_params(params, threads, seed)
    t = time.perf_counter()
    train = lgb.Dataset(X[fit_rows], y[fit_rows], categorical_feature=cats, free_raw_data=False)
    valid = lgb.Dataset(X[valid_rows], y[valid_rows], reference=train)
    booster = lgb.train(
        lp,
        train,
        num_boost_round=params["numRounds"],
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(params["earlyStoppingRounds"], verbose=False)],
    )
    fit = time.perf_counter() - t
    t = time.perf_counter()
    p = booster.predict(X[test], num_iteration=booster.best_iteration)
    extra = {"bestIteration": int(booster.best_iteration), "roundsTrained": int(booster.current_iteration())}
    return p, fit, time.perf_counter() - t, extra


ENGINES = {"lr": "sklearn-lr", "rf": "sklearn-rf", "gbt": "lightgbm"}



def quality(job):
    results = []
    threads = job["threads"]
    for manifest in job["datasets"]:
        num, cat, y, splits = read_prepared(manifest)
        seeds = {s["column"]: s.get("seed", 0) for s in manifest["splits"]}
        model_seeds = {s["column"]: s["modelSeeds"] for s in manifest["splits"]}
        for split in job["splits"]:
            roles = splits[split]
            fit_rows, valid_rows, test = roles == "fit", roles == "valid", roles == "test"
            train = fit_rows | valid_rows
            for m, model_seed in replicas(job, split, model_seeds):
                params = job["params"][m]
                seed = seeds[split] if model_seed is None else model_seed
                if m == "lr":
                    out = quality_lr(params, num, cat, y, train, test, threads)
                elif m == "rf":
                    out = quality_rf(params, num, cat, y, train, test, threads, seed)
                else:
                    out = quality_gbt(params, num, cat, y, fit_rows, valid_rows, test, threads, seed)
                p, fit, pred, extra = out
                fitted = {"engine": ENGINES[m], "model": m, "dataset": manifest["dataset"], "split": split}
                fitted.update(modelSeed=model_seed, fitSeconds=fit, predictSeconds=pred, extra=extra)
                results.append(fit_result(job, fitted, p))
    return results


def read_speed(data):
    f = data["features"]
    X = np.fromfile(os.path.join(data["dir"], "train.f64"), dtype="<f8").reshape(-1, f)
    y = np.fromfile(os.path.join(data["dir"], "train.u8"), dtype=np.uint8)
    Xt = np.fromfile(os.path.join(data["dir"], "test.f64"), dtype="<f8").reshape(-1, f)
    return X, y, Xt


def speed(job):
    t = time.perf_counter()
    X, y, Xt = read_speed(job["data"])
    load = time.perf_counter() - t
    m, params, threads = job["model"], job["params"], job["threads"]
    extra = {}
    t = time.perf_counter()
    if m == "lr":
        from sklearn.linear_model import LogisticRegression

        c = 1.0 / (params["regParam"] * X.shape[0])
        model = LogisticRegression(C=c, max_iter=params["maxIter"], tol=params["tol"], solver="lbfgs")
        model.fit(X, y)
        fit = time.perf_counter() - t
        p = model.predict_proba(Xt)[:, 1]
        extra = {"C": c, "iterations": int(model.n_iter_[0])}
        engine = "sklearn-lr"
    elif m == "rf":
        from sklearn.ensemble import RandomForestClassifier

        model = RandomForestClassifier(
            n_estimators=params["numTrees"],
            max_depth=params["maxDepth"],
            max_features=params["maxFeatures"],
            n_jobs=threads,
            random_state=0,
        )
        model.fit(X, y)
        fit = time.perf_counter() - t
        p = model.predict_proba(Xt)[:, 1]
        engine = "sklearn-rf"
    else:
        import lightgbm as lgb

        train = lgb.Dataset(X, y)
        booster = lgb.train(lightgbm_params(params, threads, 0), train, num_boost_round=params["numRounds"])
        fit = time.perf_counter() - t
        p = booster.predict(Xt)
        extra = {"roundsTrained": int(booster.current_iteration())}
        engine = "lightgbm"
    os.makedirs(job["outDir"], exist_ok=True)
    path = os.path.join(job["outDir"], f"{engine}.f64")
    np.asarray(p, dtype="<f8").tofile(path)
    return [{"engine": engine, "model": m, "fitSeconds": fit, "loadSeconds": load, "scores": path, "extra": extra}]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["quality", "speed"])
    ap.add_argument("--job", required=True)
    args = ap.parse_args()
    with open(args.job) as f:
        job = json.load(f)
    results = quality(job) if args.mode == "quality" else speed(job)
    print(json.dumps({"versions": versions(), "results": results}))


if __name__ == "__main__":
    main()
