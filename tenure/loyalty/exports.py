"""XLSX export of a loyalty table: a header block (title, business date, filters, who) then the table.

Names are masked (family name and *) like every export: a spreadsheet travels further than a page.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from tenure.core.masking import mask_name
from tenure.loyalty.report import NAME_COLUMN, NAME_TABLES, Report


def workbook(report: Report, table: str, user) -> bytes:
    """The table `table` of `report` as an XLSX file."""
    title, headers, rows = report.tables[table]
    book = Workbook()
    sheet = book.active
    sheet.title = table[:31]
    header: list[tuple[str, Any]] = [
        (_("Report"), title),
        (_("Business date"), report.day.isoformat() if report.day else "—"),
        (_("Filters"), report.filters.described()),
        (_("Customers"), report.customers),
        (_("Exported by"), str(user)),
        (_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for label, value in header:
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append([])
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    masked = NAME_COLUMN if table in NAME_TABLES else -1
    for row in rows:
        sheet.append([mask_name(v) if i == masked else v for i, v in enumerate(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
