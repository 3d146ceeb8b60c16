"""The churn booster compiled to native code (lleaves, over LLVM) for the nightly million.

LightGBM walks its trees in an interpreter loop: 5.3–6.8 s for a million customers × 300 trees on
two cores, against 0.7–1.0 s for the same trees compiled (bench/results/churn-score-1m.json),
with the same probabilities (to 1e-14; `tests/churn/test_model.py`). Compiling takes seconds, so
it is done once per model version and host CPU (it is native code for that CPU) and the object
file kept beside the model. Reasons (TreeSHAP) still come from LightGBM itself.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import lleaves
import numpy as np
from llvmlite import binding as llvm

from tenure.churn.model import Trained


def object_path(model_path: Path) -> Path:
    """Where the compiled model of `model_path` is kept for this host's CPU (its name and the
    features it offers: code built for one CPU may use instructions another lacks)."""
    features = hashlib.sha256(llvm.get_host_cpu_features().flatten().encode()).hexdigest()[:12]
    return model_path.with_name(f"{model_path.stem}.{llvm.get_host_cpu_name()}-{features}.o")


def load(trained: Trained, model_path: Path) -> lleaves.Model:
    """The booster of `trained` (stored at `model_path`) as native code; compiled on first use."""
    text = model_path.with_suffix(".txt")
    if not text.exists():
        staging = text.with_suffix(".txt.staging")
        trained.booster.booster_.save_model(staging)
        staging.replace(text)
    model = lleaves.Model(model_file=str(text))
    target = object_path(model_path)
    if target.exists():
        model.compile(cache=str(target))
    else:  # compiled aside and renamed: a run killed while writing leaves no half object file
        staging = target.with_suffix(".o.staging")
        staging.unlink(missing_ok=True)
        model.compile(cache=str(staging))
        staging.replace(target)
    return model


def raw(model: lleaves.Model, matrix: np.ndarray, chunk: int = 131_072) -> np.ndarray:
    """The booster's uncalibrated probability for each row of a `Trained.matrix`. The compiled
    trees read doubles, as LightGBM compares them (float32 thresholds could flip a split): the
    float32 matrix is widened a chunk at a time, not as a second copy of a million rows."""
    threads = os.cpu_count() or 1
    parts = [
        model.predict(matrix[i : i + chunk].astype(np.float64), n_jobs=threads) for i in range(0, len(matrix), chunk)
    ]
    return np.concatenate(parts) if parts else np.empty(0)
