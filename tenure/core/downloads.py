"""Downloads of a table as CSV or XLSX, both from one input: `columns` (the header row's labels),
`rows`, and optional `lines` above the table (label, value pairs: the report, business date, filters).

Both formats lay the sheet out the same way (`_head`): the lines, a blank row, the header row, then
the rows. Labels may be lazy translations; they are rendered here, in the request's language, so no
caller has to. File names end in the download time (`-YYYYmmdd-HHMM`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Line = tuple[Any, Any]  # (label, value)
Response = TypeVar("Response", bound=HttpResponseBase)


def _cell(value: Any) -> Any:
    """A value a spreadsheet holds: lazy translations rendered, floats without binary artefacts
    (0.1 + 0.2 is written 0.3: 12 significant digits are more than any figure here carries), a
    figure with a unit (`tenure.core.figures`) as its number in CSV."""
    if hasattr(value, "spreadsheet_cell"):
        return value.spreadsheet_cell()[0]
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return value


def _xlsx_cell(ws: Any, value: Any) -> Any:
    """A figure with a unit becomes its number with a number format (98.9% stays 0.989); the rest
    as `_cell` writes them."""
    if hasattr(value, "spreadsheet_cell"):
        number, number_format = value.spreadsheet_cell()
        cell = WriteOnlyCell(ws, value=number)
        cell.number_format = number_format
        return cell
    return _cell(value)


def _head(columns: Sequence, lines: Sequence[Line]) -> Iterator[tuple[list, int]]:
    """The rows above the data, each with how many of its first cells are labels (bold in XLSX)."""
    for label, value in lines:
        yield [str(label), value], 1
    if lines:
        yield [], 0
    header = [str(c) for c in columns]
    yield header, len(header)


def _attach(response: Response, name: str, extension: str, *, stamped: bool = True) -> Response:
    stamp = timezone.localtime().strftime("-%Y%m%d-%H%M") if stamped else ""
    response["Content-Disposition"] = f'attachment; filename="{name}{stamp}.{extension}"'
    return response


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    name: str, columns: Sequence, rows: Iterable[Sequence], *, lines: Sequence[Line] = ()
) -> StreamingHttpResponse:
    """Stream `rows` as `<name>-YYYYmmdd-HHMM.csv`: UTF-8 with a BOM, so Excel shows Chinese correctly."""
    writer = csv.writer(_Echo())

    def text() -> Iterator[str]:
        yield "\ufeff"
        for head, _labels in _head(columns, lines):
            yield writer.writerow(head)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    return _attach(StreamingHttpResponse(text(), content_type="text/csv; charset=utf-8"), name, "csv")


def xlsx_response(
    name: str,
    columns: Sequence,
    rows: Iterable[Sequence],
    *,
    lines: Sequence[Line] = (),
    sheet: str | None = None,
    stamped: bool = True,
) -> HttpResponse:
    """`<name>-YYYYmmdd-HHMM.xlsx` (`<name>.xlsx` when not `stamped`) with one sheet, titled `sheet`
    (default `name`). Write-only mode, so a long list streams through memory once."""
    return xlsx_book_response(name, [Sheet(sheet or name, columns, rows, lines)], stamped=stamped)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title (cut to Excel's 31 characters) and the table as above."""

    title: Any
    columns: Sequence
    rows: Iterable[Sequence]
    lines: Sequence[Line] = ()


def xlsx_book_response(name: str, sheets: Sequence[Sheet], *, stamped: bool = True) -> HttpResponse:
    """A workbook of several sheets laid out as `xlsx_response`'s one (a dashboard, one per section)."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(str(sheet.title)[:31])
        for head, labels in _head(sheet.columns, sheet.lines):
            cells = [WriteOnlyCell(ws, value=value) for value in head[:labels]]
            for cell in cells:
                cell.font = bold
            ws.append([*cells, *head[labels:]])
        for row in sheet.rows:
            ws.append([_xlsx_cell(ws, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return _attach(HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), name, "xlsx", stamped=stamped)
