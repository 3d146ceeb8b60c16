"""A merchant's monthly points statement as an Excel sheet: the merchant, month, balances and totals
above the table of the month's movements (one `core.downloads` sheet)."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.utils.translation import gettext as _

from tenure.core.downloads import Line, xlsx_response
from tenure.points.models import PointsJournal
from tenure.points.selectors import Statement

Kind = PointsJournal.Kind


def statement_lines(st: Statement) -> list[Line]:
    """Above the table: the merchant and month, the balances and totals (points), the counted volume (yuan)."""
    return [
        (_("Merchant number"), st.merchant.merchant_no),
        (_("Merchant"), st.merchant.name),
        (_("Month"), st.month.strftime("%Y-%m")),
        (_("Opening balance"), st.opening),
        (Kind.EARN.label, st.totals[Kind.EARN]),
        (Kind.REVERSE.label, st.totals[Kind.REVERSE]),
        (Kind.REDEEM.label, st.totals[Kind.REDEEM]),
        (Kind.EXPIRE.label, st.totals[Kind.EXPIRE]),
        (_("Closing balance"), st.closing),
        (_("Counted volume not capped (yuan)"), st.volume),
        (_("Capped transactions counted"), st.capped_count),
    ]


def _movement(line: PointsJournal) -> list:
    by = str(line.created_by) if line.created_by_id else _("Daily run")
    return [line.business_date, line.get_kind_display(), line.signed, line.memo, by]


def statement_xlsx(st: Statement) -> HttpResponse:
    """`points-statement-<merchant>-<YYYY-MM>-YYYYmmdd-HHMM.xlsx`, one row per movement of the month."""
    columns = [_("Business date"), _("Kind"), _("Change (points)"), _("Memo"), _("Recorded by")]
    number = re.sub(r"[^0-9A-Za-z_-]", "", st.merchant.merchant_no)
    name = f"points-statement-{number}-{st.month:%Y-%m}"
    rows = (_movement(line) for line in st.lines)
    return xlsx_response(name, columns, rows, lines=statement_lines(st), sheet=st.month.strftime("%Y-%m"))
