"""An alert's figure in words, with its unit, in the reader's language.

A signal (`tenure.churn.signals`) stores its figure bare in `Alert.detail` — a share, an amount, a
date, a tier code — so that pages and exports can say it as the reader reads it: "AUM 59% below
last month-end", not "59"; "¥61,190 out in one transaction", not "61190".
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from tenure.analytics.charts import tier_label
from tenure.core.figures import yuan


def _number(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


SAYINGS: dict[str, Callable[[str, int | None], str]] = {
    "aum_drop": lambda v, n: _("AUM %(n)s%% below last month-end") % {"n": n},
    "competitor_maturity": lambda v, n: _("competitor product matures on %(date)s") % {"date": v},
    "tier_downgrade": lambda v, n: _("close to falling out of %(tier)s") % {"tier": tier_label(v)},
    "satisfaction_decline": lambda v, n: _("satisfaction %(n)s points lower") % {"n": abs(n or 0)},
    "large_withdrawal": lambda v, n: _("%(amount)s out in one transaction") % {"amount": yuan(n, 0)},
    "relocation": lambda v, n: _("moved %(move)s") % {"move": v},
    "rate_sensitive": lambda v, n: _("%(amount)s of time deposits left the bank") % {"amount": yuan(n, 0)},
    "dormant_payroll": lambda v, n: _("no payroll this month after %(n)s months with it") % {"n": n},
    "card_spend_collapse": lambda v, n: _("card spending at %(n)s%% of a usual month") % {"n": n},
    "complaint": lambda v, n: _("%(n)s open complaint(s)") % {"n": n},
}
# Causes whose figure is a number: a stored value that is not one is shown as it is.
NUMERIC = {
    "aum_drop",
    "satisfaction_decline",
    "large_withdrawal",
    "rate_sensitive",
    "dormant_payroll",
    "card_spend_collapse",
    "complaint",
}


def alert_detail(cause: str, detail: str) -> str:
    """`detail` of an alert of `cause`, in words (empty when the signal stored none)."""
    if not detail:
        return ""
    number = _number(detail)
    say = SAYINGS.get(cause)
    if say is None or (cause in NUMERIC and number is None):
        return detail
    return say(detail, number)
