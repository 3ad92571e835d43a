"""What the ML benchmark's Python peers (peers_sklearn.py, peers_spark.py) share about a quality job.

A split lists its model seeds (`modelSeeds` in the manifest): a model named in the job's `replicated`
list is fitted once per seed and its figure is the mean over them; any other model is fitted once with
the split's seed. Test scores go to OUTDIR/<engine>/<dataset>/<split>[-seed<S>].f64.
"""

import os
import sys

import numpy as np


def replicas(job, split, model_seeds):
    """(model, model seed) per fit on `split`: a replicated model once per seed, the others once (None)."""
    for m in job["models"]:
        if m in job["replicated"]:
            for seed in model_seeds[split]:
                yield m, seed
        else:
            yield m, None


def scores_name(split, model_seed):
    """The scores file's name (without .f64) of a fit."""
    return split if model_seed is None else f"{split}-seed{model_seed}"


def write_scores(out_dir, engine, dataset, name, scores):
    """Writes `scores` as little-endian float64 and returns the path."""
    path = os.path.join(out_dir, engine, dataset, f"{name}.f64")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.asarray(scores, dtype="<f8").tofile(path)
    return path


def fit_result(job, fit, scores):
    """Writes a fit's test scores and returns its result entry (fit: engine, model, dataset, split,
    modelSeed or None, fitSeconds, predictSeconds, extra); a line on stderr says it is done."""
    name = scores_name(fit["split"], fit["modelSeed"])
    path = write_scores(job["outDir"], fit["engine"], fit["dataset"], name, scores)
    result = {k: v for k, v in fit.items() if not (k == "modelSeed" and v is None)}
    result["scores"] = path
    print(f"{fit['engine']} {fit['dataset']} {name}: fit {fit['fitSeconds']:.2f} s", file=sys.stderr)
    return result
