"""The let-go policy of docs/churn.md, as a vectorised rule over the alerts being raised.

"Customers who move between banks for small rate differences and bring little may be let go;
customers who have banked with us long and contribute much get preferential terms within policy."
Only `rate_sensitive` alerts (a time deposit ran off and left the bank) are rate-hopping evidence.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tenure.churn.models import Alert

RATE_CAUSE = "rate_sensitive"


def let_go_policy(frame: pd.DataFrame, p: dict, day: dt.date) -> pd.Series:
    """Policy per row of `frame` (columns cause, value_level, onboarded_on): "", do_not_chase or preferential."""
    rate = frame.cause == RATE_CAUSE
    onboarded = pd.to_datetime(frame.onboarded_on)
    years = (pd.Timestamp(day) - onboarded).dt.days / 365.25
    low = rate & frame.value_level.isin(p["low_levels"])
    high = rate & frame.value_level.isin(p["high_levels"]) & (years >= p["long_tenure_years"])
    policy = np.select([low, high], [Alert.Policy.DO_NOT_CHASE, Alert.Policy.PREFERENTIAL], "")
    return pd.Series(policy, index=frame.index)
