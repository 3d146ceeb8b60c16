"""A merchant's monthly points statement as an Excel sheet (openpyxl write-only, as `churn.xlsx`)."""

from __future__ import annotations

import io
import re

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from tenure.churn.xlsx import XLSX
from tenure.points.models import PointsJournal
from tenure.points.selectors import Statement

Kind = PointsJournal.Kind


def statement_rows(st: Statement) -> list[list]:
    """The sheet: the merchant and month, the balances and totals, then one row per movement."""
    rows: list[list] = [
        [_("Merchant number"), st.merchant.merchant_no],
        [_("Merchant"), st.merchant.name],
        [_("Month"), st.month.strftime("%Y-%m")],
        [_("Opening balance"), st.opening],
        [str(Kind.EARN.label), st.totals[Kind.EARN]],
        [str(Kind.REVERSE.label), st.totals[Kind.REVERSE]],
        [str(Kind.REDEEM.label), st.totals[Kind.REDEEM]],
        [str(Kind.EXPIRE.label), st.totals[Kind.EXPIRE]],
        [_("Closing balance"), st.closing],
        [_("Counted volume not capped (yuan)"), st.volume],
        [_("Capped transactions counted"), st.capped_count],
        [],
        [_("Business date"), _("Kind"), _("Change (points)"), _("Memo"), _("Recorded by")],
    ]
    for line in st.lines:
        by = str(line.created_by) if line.created_by_id else _("Daily run")
        rows.append([line.business_date, line.get_kind_display(), line.signed, line.memo, by])
    return rows


def statement_xlsx(st: Statement) -> HttpResponse:
    """`points-statement-<merchant>-<YYYY-MM>-YYYYmmdd-HHMM.xlsx`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(st.month.strftime("%Y-%m"))
    for row in statement_rows(st):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    number = re.sub(r"[^0-9A-Za-z_-]", "", st.merchant.merchant_no)
    name = f"points-statement-{number}-{st.month:%Y-%m}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
