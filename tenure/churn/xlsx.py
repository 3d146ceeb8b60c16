"""An Excel download of rows (openpyxl write-only mode, so a long list streams through memory once)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(name: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """`<name>-YYYYmmdd-HHMM.xlsx` with one sheet: the header row, then `rows`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(name[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response
