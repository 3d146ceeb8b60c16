"""`tenure clv fit`: JSON keys and values, the table, and one-line errors naming file, column and reason."""

import json
import subprocess
import sys

import pytest

from tenure.clv.cli import main

from .conftest import CALIBRATION_END, CDNOW

SUMMARY = CDNOW / "cdnow_customers_summary.csv"
KEYS = {"params", "log_likelihood", "standard_errors", "n_customers", "converged", "seconds"}


def _run_json(capsys, *argv) -> dict:
    assert main(["fit", *argv, "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_bgnbd_from_a_summary(capsys):
    out = _run_json(capsys, "--summary", str(SUMMARY), "--model", "bgnbd")
    assert KEYS <= out.keys()
    assert list(out["params"]) == ["a", "alpha", "b", "r"]  # sorted keys in the JSON line
    assert out["params"]["r"] == pytest.approx(0.243, abs=5e-4)
    assert out["params"]["alpha"] == pytest.approx(4.414, abs=5e-4)
    assert out["log_likelihood"] == pytest.approx(-9582.4, abs=0.05)
    assert out["n_customers"] == 2357 and out["converged"] is True
    assert set(out["standard_errors"]) == set(out["params"]) and all(v > 0 for v in out["standard_errors"].values())


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory):
    from .conftest import read_cdnow_log

    path = tmp_path_factory.mktemp("clv") / "cdnow-transactions.csv"
    read_cdnow_log()[["customer", "date", "value"]].to_csv(path, index=False)
    return path


def test_gamma_gamma_from_a_transaction_log(capsys, cdnow_csv):
    out = _run_json(
        capsys,
        *("--transactions", str(cdnow_csv), "--customer-col", "customer", "--date-col", "date"),
        *("--value-col", "value", "--calibration-end", CALIBRATION_END, "--period", "week"),
        *("--model", "gamma-gamma"),
    )
    assert set(out["params"]) == {"p", "q", "gamma"}
    assert out["params"]["p"] == pytest.approx(6.25, abs=0.005)
    assert out["params"]["q"] == pytest.approx(3.74, abs=0.005)
    assert (out["n_customers"], out["n_input_customers"]) == (946, 2357)


def test_pareto_table(capsys):
    assert main(["fit", "--summary", str(SUMMARY), "--model", "pareto"]) == 0
    text = capsys.readouterr().out
    assert "Pareto/NBD fitted to 2,357 customers" in text
    for name in ("r", "alpha", "s", "beta", "log-likelihood"):
        assert f"\n{name}" in text
    assert "-9594.97" in text


def test_missing_column(capsys, tmp_path):
    path = tmp_path / "summary.csv"
    path.write_text("id,frequency,T\n1,0,10\n")
    assert main(["fit", "--summary", str(path), "--model", "bgnbd"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"tenure clv: error: {path}: column 'recency': missing (the summary has id, frequency, T)"


def test_bad_row(capsys, tmp_path):
    path = tmp_path / "summary.csv"
    path.write_text("frequency,recency,T\n0,0,10\n2,12,10\n1,x,10\n")
    assert main(["fit", "--summary", str(path), "--model", "bgnbd"]) == 1
    assert "column 'recency': 1 value(s) are not numbers (first at row 3)" in capsys.readouterr().err
    path.write_text("frequency,recency,T\n0,0,10\n2,12,10\n")
    assert main(["fit", "--summary", str(path), "--model", "bgnbd"]) == 1
    err = capsys.readouterr().err
    assert f"{path}: column 'recency': 1 customer(s) have recency > T" in err and len(err.splitlines()) == 1


def test_missing_file(capsys, tmp_path):
    assert main(["fit", "--summary", str(tmp_path / "nope.csv"), "--model", "bgnbd"]) == 1
    assert "nope.csv: cannot read the file" in capsys.readouterr().err


def test_gamma_gamma_from_a_log_needs_a_value_column(capsys, cdnow_csv):
    with pytest.raises(SystemExit) as caught:
        main(
            ["fit", "--transactions", str(cdnow_csv), "--customer-col", "customer", "--date-col", "date"]
            + ["--calibration-end", CALIBRATION_END, "--model", "gamma-gamma"]
        )
    assert caught.value.code == 2
    assert "needs --value-col" in capsys.readouterr().err


def test_the_tenure_command_dispatches_clv_without_django():
    """`tenure clv` goes through tenure/cli.py straight to tenure.clv.cli.main."""
    done = subprocess.run(
        [sys.executable, "-m", "tenure.cli", "clv", "fit", "--summary", str(SUMMARY), "--model", "bgnbd", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "no.such.settings"},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["params"]["b"] == pytest.approx(2.426, abs=5e-4)
