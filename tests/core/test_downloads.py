"""CSV and XLSX downloads lay out the same input the same way: lines, a blank row, the header, the rows."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from tenure.core.downloads import csv_response, xlsx_response

COLUMNS = ["customer_no", gettext_lazy("Reasons")]  # a lazy label is rendered in the language of the request (zh-hans)
ROWS = [["C0000001", "王芳, 存款下降"], ["C0000002", ""]]
LINES = [(gettext_lazy("Business date"), "2026-02-27"), ("Filters", "level=key")]


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads the Chinese right
    return list(csv.reader(io.StringIO(text[1:])))


def test_both_formats_write_the_same_sheet():
    sheet = load_workbook(io.BytesIO(xlsx_response("t", COLUMNS, ROWS, lines=LINES).content)).active
    from_xlsx = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    from_csv = _csv(csv_response("t", COLUMNS, ROWS, lines=LINES))
    head = [["业务日期", "2026-02-27"], ["Filters", "level=key"], [], ["customer_no", "原因"]]
    assert from_csv == [*head, *ROWS]
    assert from_xlsx == [row + [""] * (2 - len(row)) for row in from_csv]  # a sheet row has every column
    assert [c.font.b for c in sheet[4]] == [True, True] and sheet["A1"].font.b and not sheet["B1"].font.b


def test_file_names_and_types():
    xlsx = xlsx_response("churn-alerts", COLUMNS, ROWS)
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx["Content-Disposition"].startswith('attachment; filename="churn-alerts-2')
    assert load_workbook(io.BytesIO(xlsx.content)).active.title == "churn-alerts"
    plain = xlsx_response("loyalty-trend-2026-02-27", COLUMNS, ROWS, sheet="trend", stamped=False)
    assert plain["Content-Disposition"] == 'attachment; filename="loyalty-trend-2026-02-27.xlsx"'
    assert load_workbook(io.BytesIO(plain.content)).active.title == "trend"
    assert csv_response("customers", COLUMNS, ROWS)["Content-Type"] == "text/csv; charset=utf-8"
    assert _csv(csv_response("customers", COLUMNS, ROWS)) == [["customer_no", "原因"], *ROWS]


def test_cells_are_values_a_spreadsheet_holds():
    """Lazy labels in the rows (a survey's quadrant, a branch label) once made the survey XLSX a 500;
    float sums like 0.1 + 0.2 are written as the number a person would type."""
    rows = [[gettext_lazy("Summary"), 0.1 + 0.2, 0.9985000000000001, 3, None]]
    sheet = load_workbook(io.BytesIO(xlsx_response("t", ["a", "b", "c", "d", "e"], rows).content)).active
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [("概要", 0.3, 0.9985, 3, None)]
    assert _csv(csv_response("t", ["a", "b", "c", "d", "e"], rows))[1] == ["概要", "0.3", "0.9985", "3", ""]
