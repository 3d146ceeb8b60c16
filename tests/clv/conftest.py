"""The vendored CDNOW sample (tests/data/cdnow, see SOURCE.md), loaded once per session."""

from pathlib import Path

import pandas as pd
import pytest

from tenure.clv import summary

CDNOW = Path(__file__).resolve().parent.parent / "data" / "cdnow"
CALIBRATION_END = "1997-09-30"  # end of week 39 for the first customers (acquired 1997-01-01)
HOLDOUT_END = "1998-06-30"  # end of week 78


def read_cdnow_log() -> pd.DataFrame:
    """CDNOW_sample.txt: one row per purchase record (customer, YYYYMMDD date, CDs, US$)."""
    names = ["master_id", "customer", "date", "cds", "value"]
    return pd.read_csv(CDNOW / "CDNOW_sample.txt", sep=r"\s+", header=None, names=names, dtype={"date": str})


@pytest.fixture(scope="session")
def cdnow_log() -> pd.DataFrame:
    return read_cdnow_log()


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    """The published 39-week summary, ID,frequency,recency,T (two decimals)."""
    return pd.read_csv(CDNOW / "cdnow_customers_summary.csv", index_col="ID")


@pytest.fixture(scope="session")
def cdnow_spend() -> pd.DataFrame:
    """The published summary with zbar, renamed to the columns the models read."""
    frame = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv", index_col="ID")
    return frame.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="session")
def cdnow_holdout(cdnow_log) -> pd.Series:
    """Repeat purchases each customer made in weeks 40-78 (1997-10-01 to 1998-06-30)."""

    def count(end: str) -> pd.Series:
        return summary.from_transactions(cdnow_log, customer_col="customer", date_col="date", calibration_end=end)[
            "frequency"
        ]

    return count(HOLDOUT_END) - count(CALIBRATION_END)
