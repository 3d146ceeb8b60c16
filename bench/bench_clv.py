"""Benchmark the CLV fits: BG/NBD + Gamma-Gamma on CDNOW and on simulated customers, against `lifetimes`.

    .venv/bin/python bench/bench_clv.py                                   # CDNOW and 1,000,000 customers
    .venv/bin/python bench/bench_clv.py --lifetimes-python /tmp/lifetimes-venv/bin/python

Times are wall-clock seconds of the fit call alone (data already in memory, no import or CSV
time), best and median of --repeats runs for CDNOW and of --repeats-large runs at 1M. The
simulated customers are drawn from the CDNOW estimates (BG/NBD r=0.243, α=4.414, a=0.793,
b=2.426; Gamma-Gamma p=6.25, q=3.74, γ=15.44) with T uniform on 27-39 weeks, so they look like
CDNOW at scale.

`lifetimes` (0.11.3, the package these numbers are compared with) is not a dependency of Tenure:
install it in a throwaway venv (`python3 -m venv /tmp/lifetimes-venv && /tmp/lifetimes-venv/bin/pip
install lifetimes`) and pass its python. The same data go to it through an .npz file and it fits
them in a child process, timed the same way; ratio = lifetimes median seconds / ours. It runs
twice: as installed, and with OPENBLAS_NUM_THREADS=1 (our fits hold OpenBLAS to one thread, which
matters on a busy machine; the second ratio is the like-for-like one). The machine is shared, so
the load average before and after is recorded. Prints one JSON document and writes
bench/results/clv.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tenure.clv import bgnbd, gammagamma, simulate
from tenure.clv.bgnbd import BGNBD
from tenure.clv.gammagamma import GammaGamma

ROOT = Path(__file__).resolve().parent.parent
CDNOW = ROOT / "tests" / "data" / "cdnow" / "cdnow_customers_summary_with_transactions.csv"
RESULTS = ROOT / "bench" / "results" / "clv.json"
GOALS = {"cdnow": 0.1, "simulated": 10.0}
BG_TRUTH = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
GG_TRUTH = GammaGamma(p=6.25, q=3.74, gamma=15.44)

# Run by the lifetimes venv's python: fit the same arrays, print one JSON line of timings.
LIFETIMES_CHILD = """
import json, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
from lifetimes import BetaGeoFitter, GammaGammaFitter
import lifetimes
data = np.load(sys.argv[1])
repeats = int(sys.argv[2])
x, t_x, T, m = data["frequency"], data["recency"], data["T"], data["monetary_value"]
out = {"version": lifetimes.__version__, "bgnbd": [], "gamma_gamma": []}
for _ in range(repeats):
    started = time.perf_counter()
    bg = BetaGeoFitter().fit(x, t_x, T)
    out["bgnbd"].append(time.perf_counter() - started)
    started = time.perf_counter()
    gg = GammaGammaFitter().fit(x[x > 0], m[x > 0])
    out["gamma_gamma"].append(time.perf_counter() - started)
out["bgnbd_params"] = {k: float(v) for k, v in bg.params_.items()}
out["gamma_gamma_params"] = {k: float(v) for k, v in gg.params_.items()}
print(json.dumps(out))
"""


def _time(fit, repeats: int) -> tuple[list[float], object]:
    seconds, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fit()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def ours(data: dict[str, np.ndarray], repeats: int) -> dict:
    x, t_x, T, m = data["frequency"], data["recency"], data["T"], data["monetary_value"]
    bg_seconds, bg = _time(lambda: bgnbd.fit(x, t_x, T), repeats)
    gg_seconds, gg = _time(lambda: gammagamma.fit(x, m), repeats)
    total = [a + b for a, b in zip(bg_seconds, gg_seconds, strict=True)]
    return {
        "bgnbd_seconds": _stats(bg_seconds),
        "gamma_gamma_seconds": _stats(gg_seconds),
        "total_seconds": _stats(total),
        "bgnbd_params": _rounded(bg.params),
        "bgnbd_log_likelihood": round(bg.estimate.log_likelihood, 3),
        "bgnbd_iterations": bg.estimate.iterations,
        "gamma_gamma_params": _rounded(gg.params),
        "gamma_gamma_customers": gg.estimate.n_customers,
    }


def theirs(python: str, data: dict[str, np.ndarray], repeats: int, timeout: float, work: Path, env: dict) -> dict:
    path = work / f"clv-{len(data['frequency'])}.npz"
    np.savez(path, **data)
    try:
        done = subprocess.run(
            [python, "-c", LIFETIMES_CHILD, str(path), str(repeats)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **env},
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    finally:
        path.unlink(missing_ok=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    out = json.loads(done.stdout.strip().splitlines()[-1])
    total = [a + b for a, b in zip(out["bgnbd"], out["gamma_gamma"], strict=True)]
    return {
        "version": out["version"],
        "bgnbd_seconds": _stats(out["bgnbd"]),
        "gamma_gamma_seconds": _stats(out["gamma_gamma"]),
        "total_seconds": _stats(total),
        "bgnbd_params": _rounded(out["bgnbd_params"]),
        "gamma_gamma_params": _rounded(out["gamma_gamma_params"]),
    }


def _stats(seconds: list[float]) -> dict:
    return {"best": round(min(seconds), 4), "median": round(statistics.median(seconds), 4), "runs": len(seconds)}


def _rounded(params: dict) -> dict:
    return {k: round(float(v), 4) for k, v in params.items()}


def cdnow_data() -> dict[str, np.ndarray]:
    frame = pd.read_csv(CDNOW)
    return {
        "frequency": frame["x"].to_numpy(float),
        "recency": frame["t_x"].to_numpy(float),
        "T": frame["T"].to_numpy(float),
        "monetary_value": frame["zbar"].to_numpy(float),
    }


def simulated_data(customers: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    draw = simulate.bgnbd(BG_TRUTH, rng.uniform(27.0, 39.0, customers), rng)
    spend = simulate.gammagamma(GG_TRUTH, draw.frequency, rng)
    return {"frequency": draw.frequency, "recency": draw.recency, "T": draw.T, "monetary_value": spend}


def run_case(name: str, data: dict, repeats: int, python: str | None, timeout: float, work: Path) -> dict:
    case = {"customers": len(data["frequency"]), "repeat_buyers": int((data["frequency"] > 0).sum())}
    case["load_average_before"] = [round(v, 2) for v in os.getloadavg()]
    case["tenure"] = ours(data, repeats)
    case["meets_goal"] = case["tenure"]["total_seconds"]["median"] < GOALS[name]
    case["goal_seconds"] = GOALS[name]
    # lifetimes as installed, and with OpenBLAS held to one thread as our fits hold it (fitting.py).
    for key, env in (("lifetimes", {}), ("lifetimes_one_blas_thread", {"OPENBLAS_NUM_THREADS": "1"})):
        if not python:
            break
        case[key] = theirs(python, data, repeats, timeout, work, env)
        if "total_seconds" in case[key]:
            mine, other = case["tenure"]["total_seconds"]["median"], case[key]["total_seconds"]["median"]
            case[f"ratio_{key}_over_tenure"] = round(other / mine, 1)
    case["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    return case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000, help="simulated customers (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=2005)
    parser.add_argument("--repeats", type=int, default=7, help="CDNOW runs per fit")
    parser.add_argument("--repeats-large", type=int, default=3, help="runs per fit on the simulated customers")
    parser.add_argument("--lifetimes-python", default=None, help="python of a venv with lifetimes installed")
    parser.add_argument("--lifetimes-timeout", type=float, default=1800.0, help="seconds per lifetimes child")
    parser.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tenure-bench-clv-") as tmp:
        work = Path(tmp)
        python = args.lifetimes_python
        cases = {
            "cdnow": run_case("cdnow", cdnow_data(), args.repeats, python, args.lifetimes_timeout, work),
            "simulated": run_case(
                "simulated",
                simulated_data(args.customers, args.seed),
                args.repeats_large,
                python,
                args.lifetimes_timeout,
                work,
            ),
        }
    report = {
        "benchmark": "clv-fit",
        "what": "BG/NBD + Gamma-Gamma maximum-likelihood fit, seconds of the fit calls only",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "lifetimes_python": python,
        "seed": args.seed,
        **cases,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text + "\n")


if __name__ == "__main__":
    main()
