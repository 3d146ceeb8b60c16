"""Building frequency/recency/T/monetary_value from a raw log: CDNOW exactly, and a hand-made log."""

import numpy as np
import pandas as pd
import pytest

from tenure.clv import summary
from tenure.clv.errors import CLVInputError

from .conftest import CALIBRATION_END


def test_rebuilds_the_published_cdnow_summary(cdnow_log, cdnow_spend):
    """Same-day purchases merged, first purchase excluded from frequency and spend, weeks of 7 days:
    every customer agrees with the published two-decimal file to its rounding."""
    built = summary.from_transactions(
        cdnow_log,
        customer_col="customer",
        date_col="date",
        value_col="value",
        calibration_end=CALIBRATION_END,
        period="week",
    )
    published = cdnow_spend
    assert built.index.tolist() == published.index.tolist()
    assert (built["frequency"] == published["frequency"]).all()
    for column in ("recency", "T", "monetary_value"):
        np.testing.assert_allclose(built[column], published[column], atol=0.005 + 1e-9, rtol=0)


def _log() -> pd.DataFrame:
    rows = [
        ("A", "2024-01-01", 100.0),
        ("A", "2024-01-01 17:45:00", 50.0),  # same day as the first: one purchase of 150
        ("A", "2024-01-15", 30.0),
        ("A", "2024-02-05", 20.0),
        ("A", "2024-04-01", 999.0),  # after the calibration end: ignored
        ("B", "2024-01-29", 10.0),
        ("C", "2024-03-05", 70.0),  # acquired after the calibration end: not in the summary
    ]
    return pd.DataFrame(rows, columns=["cust", "booked_on", "amount"])


@pytest.mark.parametrize(("period", "days"), [("week", 7.0), ("month", 30.4375)])
def test_hand_made_log(period, days):
    built = summary.from_transactions(
        _log(),
        customer_col="cust",
        date_col="booked_on",
        value_col="amount",
        calibration_end="2024-02-26",
        period=period,
    )
    assert built.index.tolist() == ["A", "B"]
    assert built.loc["A", "frequency"] == 2 and built.loc["B", "frequency"] == 0
    assert built.loc["A", "recency"] == pytest.approx(35 / days)  # 1 Jan → 5 Feb
    assert built.loc["A", "T"] == pytest.approx(56 / days)  # 1 Jan → 26 Feb
    assert built.loc["B", "T"] == pytest.approx(28 / days)
    assert built.loc["A", "monetary_value"] == 25.0  # (30 + 20) / 2: the first purchase is not a repeat
    assert built.loc["B", "monetary_value"] == 0.0


def test_periods_per_month():
    assert summary.periods_per_month("month") == 1.0
    assert summary.periods_per_month("week") == pytest.approx(365.25 / 12 / 7)


def test_value_column_is_optional():
    built = summary.from_transactions(_log(), customer_col="cust", date_col="booked_on", calibration_end="2024-02-26")
    assert list(built.columns) == ["frequency", "recency", "T"]


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        ({"customer_col": "client"}, "client", "not in the transaction log"),
        ({"value_col": "price"}, "price", "not in the transaction log"),
        ({"period": "day"}, "period", "must be one of week, month"),
        ({"calibration_end": "2023-12-31"}, "booked_on", "no transaction on or before"),
        ({"calibration_end": "end of year"}, "calibration_end", "not a date"),
    ],
)
def test_errors_name_the_column(change, column, reason):
    args = {"customer_col": "cust", "date_col": "booked_on", "calibration_end": "2024-02-26"} | change
    with pytest.raises(CLVInputError) as caught:
        summary.from_transactions(_log(), **args)
    assert caught.value.column == column and reason in str(caught.value)


def test_bad_cells_are_reported():
    log = _log()
    log.loc[2, "booked_on"] = "15/01/2024"
    with pytest.raises(CLVInputError, match="column 'booked_on': not a date"):
        summary.from_transactions(log, customer_col="cust", date_col="booked_on", calibration_end="2024-02-26")
    log = _log().astype({"amount": object})
    log.loc[2, "amount"] = "thirty"
    with pytest.raises(CLVInputError, match="column 'amount': 1 transaction"):
        summary.from_transactions(
            log, customer_col="cust", date_col="booked_on", value_col="amount", calibration_end="2024-02-26"
        )
    with pytest.raises(CLVInputError, match="the log is empty"):
        summary.from_transactions(log.iloc[:0], customer_col="cust", date_col="booked_on", calibration_end="2024-02-26")
