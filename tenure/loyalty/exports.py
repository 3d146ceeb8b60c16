"""XLSX export of a loyalty table: a header block (title, business date, filters, who) then the table.

Names are masked (family name and *) like every export: a spreadsheet travels further than a page.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.core.downloads import Line, xlsx_response
from tenure.core.masking import mask_name
from tenure.loyalty.report import NAME_COLUMN, NAME_TABLES, Report


def table_xlsx(report: Report, table: str, user) -> HttpResponse:
    """The table `table` of `report` as `loyalty-<table>-<business date>.xlsx`."""
    title, headers, rows = report.tables[table]
    lines: list[Line] = [
        (_("Report"), title),
        (_("Business date"), report.day.isoformat() if report.day else "—"),
        (_("Filters"), report.filters.described()),
        (_("Customers"), report.customers),
        (_("Exported by"), str(user)),
        (_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    masked = NAME_COLUMN if table in NAME_TABLES else -1
    rows = [[mask_name(v) if i == masked else v for i, v in enumerate(row)] for row in rows]
    day = report.day.isoformat() if report.day else "none"
    return xlsx_response(f"loyalty-{table}-{day}", headers, rows, lines=lines, sheet=table, stamped=False)
