"""`tenure clv fit`: fit BG/NBD, Pareto/NBD or Gamma-Gamma to a customer summary or a transaction log.

    tenure clv fit --summary customers.csv --model bgnbd --json
    tenure clv fit --transactions tx.csv --customer-col customer_id --date-col booked_on \\
        --value-col amount --calibration-end 2025-12-31 --period month --model gamma-gamma

Runs without Django (tenure/cli.py hands `clv` straight to `main`). Exit status 0 on success,
1 when the data cannot be fitted (the one-line message names the file, the column and the
reason), 2 for a malformed command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from tenure.clv import bgnbd, gammagamma, paretonbd, summary
from tenure.clv.errors import CLVError, CLVInputError
from tenure.clv.fitting import FitResult
from tenure.core.progress import print_json_summary

MODELS = {"bgnbd": "BG/NBD", "pareto": "Pareto/NBD", "gamma-gamma": "Gamma-Gamma"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tenure clv", description="Probabilistic customer lifetime value models.")
    commands = parser.add_subparsers(dest="command", required=True)
    fit = commands.add_parser("fit", help="fit a model by maximum likelihood and print its parameters")
    source = fit.add_mutually_exclusive_group(required=True)
    source.add_argument("--summary", type=Path, help="CSV with frequency,recency,T[,monetary_value] per customer")
    source.add_argument("--transactions", type=Path, help="CSV transaction log, one row per purchase")
    fit.add_argument("--model", choices=list(MODELS), required=True)
    fit.add_argument("--customer-col", help="customer id column of the transaction log")
    fit.add_argument("--date-col", help="purchase date column (YYYY-MM-DD or YYYYMMDD)")
    fit.add_argument("--value-col", help="purchase value column (yuan); needed for gamma-gamma")
    fit.add_argument("--calibration-end", help="last day of the calibration period (inclusive)")
    fit.add_argument("--period", choices=list(summary.DAYS_PER_PERIOD), default="week", help="time unit (default week)")
    fit.add_argument("--json", action="store_true", help="print one JSON line instead of a table")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point for `tenure clv …`; returns the process exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.transactions:
        needed = {"--customer-col": args.customer_col, "--date-col": args.date_col}
        needed["--calibration-end"] = args.calibration_end
        if args.model == "gamma-gamma":
            needed["--value-col"] = args.value_col
        missing = [flag for flag, value in needed.items() if value is None]
        if missing:
            parser.error(f"--transactions with --model {args.model} needs {', '.join(missing)}")
    path = args.summary or args.transactions
    try:
        customers = _load(args)
        result = _fit(args.model, customers)
    except CLVError as exc:
        print(f"tenure clv: error: {path}: {exc}", file=sys.stderr)
        return 1
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        print(f"tenure clv: error: {path}: cannot read the file: {exc}", file=sys.stderr)
        return 1
    out = {"model": args.model, "input": str(path), "n_input_customers": len(customers), **result.summary()}
    if args.json:
        print_json_summary(out)
    else:
        print(_table(args.model, out))
    return 0


def _load(args: argparse.Namespace) -> pd.DataFrame:
    """The customer summary, read directly or built from the transaction log."""
    if args.summary:
        frame = pd.read_csv(args.summary)
        needed = ["frequency", "recency", "T"] + (["monetary_value"] if args.model == "gamma-gamma" else [])
        for column in needed:
            if column not in frame.columns:
                raise CLVInputError(column, f"missing (the summary has {', '.join(map(str, frame.columns))})")
            numbers = pd.to_numeric(frame[column], errors="coerce")
            bad = numbers.isna() & frame[column].notna()
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0]) + 1
                raise CLVInputError(column, f"{int(bad.sum())} value(s) are not numbers (first at row {row})")
            frame[column] = numbers
        return frame
    log = pd.read_csv(args.transactions, dtype={args.date_col: str})
    return summary.from_transactions(
        log,
        customer_col=args.customer_col,
        date_col=args.date_col,
        value_col=args.value_col,
        calibration_end=args.calibration_end,
        period=args.period,
    )


def _fit(model: str, customers: pd.DataFrame) -> FitResult:
    if model == "gamma-gamma":
        return gammagamma.fit(customers["frequency"], customers["monetary_value"])
    module = bgnbd if model == "bgnbd" else paretonbd
    return module.fit(customers["frequency"], customers["recency"], customers["T"])


def _table(model: str, out: dict) -> str:
    lines = [
        f"{MODELS[model]} fitted to {out['n_customers']:,} customers from {out['input']}"
        f" ({out['iterations']} iterations, {out['seconds']:.3f} s)",
        "",
        f"{'parameter':<12}{'estimate':>14}{'std. error':>14}",
    ]
    for name, value in out["params"].items():
        lines.append(f"{name:<12}{value:>14.4f}{out['standard_errors'][name]:>14.4f}")
    lines += ["", f"{'log-likelihood':<12}{out['log_likelihood']:>14.2f}"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
