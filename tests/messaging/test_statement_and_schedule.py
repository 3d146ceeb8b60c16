"""The monthly activity statement by e-mail (HTML and text, masked numbers, amounts in yuan) and the
repayment schedule of the extract: validated at import, used by the reminders when present."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tenure import lake as lake_api
from tenure.messaging.dispatch import messages_send
from tenure.messaging.models import Message
from tenure.messaging.senders import messages_plan
from tests.factories import _register, lake  # noqa: F401
from tests.ingest.extract_factory import DATES, make_extract, read_report, run_failing_import, run_import
from tests.messaging.conftest import SHANGHAI, consent

pytestmark = pytest.mark.django_db


def test_the_monthly_statement_e_mails_each_accounts_activity(lake, servers):  # noqa: F811
    smtp, _ = servers
    li = lake.customers["li"]
    consent(li, email=True)
    # January 2026 in the tiny lake: month-ends 2025-12-28 and 2026-01-28; Li Na's savings moved in January.
    assert messages_plan(dt.date(2026, 2, 1))["statements"] == 3
    statement = Message.objects.get(customer=li)
    assert statement.template == "activity_statement" and statement.channel == "email"
    assert statement.subject == "您2026年1月的账户动态"
    assert "定活两便 622202*********0002" in statement.body and "6222020200222200002" not in statement.body
    assert "期初余额¥1,211,000.00" in statement.body and "期末余额¥1,212,000.00" in statement.body
    assert "收入¥" in statement.body and "笔）" in statement.body
    others = Message.objects.exclude(customer=li)  # no e-mail consent: the short notice by SMS
    assert set(others.values_list("template", "channel")) == {("statement_ready", "sms")}

    now = dt.datetime(2026, 2, 1, 10, tzinfo=SHANGHAI)
    assert messages_send(now=now)["sent"] == 3
    [mail] = smtp.messages
    parts = {part.get_content_type(): part.get_content() for part in mail.iter_parts()}
    assert "期末余额¥1,212,000.00" in parts["text/plain"]
    assert "· 定活两便 622202*********0002" in parts["text/plain"]  # the text part lists the accounts
    tables = html_tables(parts["text/html"])
    assert [caption for caption, _ in tables] == ["定活两便 622202*********0002（10笔交易）"]
    assert tables[0][1] == [
        ["日期", "摘要", "金额", "余额"],
        ["2025-12-28", "期初余额", "", "¥1,211,000.00"],
        ["2026年1月", "收入", "¥580.00", ""],
        ["2026年1月", "支出", "-¥565.00", ""],
        ["2026-01-28", "期末余额", "", "¥1,212,000.00"],
    ]
    assert "6222020200222200002" not in parts["text/html"] and "· " not in parts["text/html"]


def html_tables(html: str) -> list[tuple[str, list[list[str]]]]:
    """(caption, rows of cell texts) of each table of an HTML document."""

    class Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[tuple[str, list[list[str]]]] = []
            self.cell: list[str] | None = None
            self.caption: list[str] | None = None

        def handle_starttag(self, tag: str, attrs) -> None:
            if tag == "table":
                self.tables.append(("", []))
            elif tag == "tr":
                self.tables[-1][1].append([])
            elif tag in ("td", "th"):
                self.cell = []
            elif tag == "caption":
                self.caption = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                self.tables[-1][1][-1].append("".join(self.cell).strip())
                self.cell = None
            elif tag == "caption" and self.caption is not None:
                self.tables[-1] = ("".join(self.caption).strip(), self.tables[-1][1])
                self.caption = None

        def handle_data(self, data: str) -> None:
            for part in (self.cell, self.caption):
                if part is not None:
                    part.append(data)

    parser = Tables()
    parser.feed(html)
    return parser.tables


def schedule(rows: list[tuple[str, dt.date, str]], day: dt.date = dt.date(2026, 1, 28)) -> None:
    data = pa.table(
        {
            "account_id": [r[0] for r in rows],
            "due_date": pa.array([r[1] for r in rows], pa.date32()),
            "amount_due": pa.array([Decimal(r[2]) for r in rows], pa.decimal128(18, 2)),
        }
    )
    _register("repayments", day, data)


def test_the_extracts_schedule_decides_the_day_and_the_amount_due(lake, messaging_settings):  # noqa: F811
    # Derived from the opening day, the loan repays on the 1st; the schedule says the 3rd, ¥5,236.82.
    schedule([("A-wang-loan", dt.date(2027, 2, 3), "5236.82"), ("A-wang-cur", dt.date(2027, 2, 3), "10.00")])
    assert messages_plan(dt.date(2027, 1, 29))["repayments"] == 0
    assert messages_plan(dt.date(2027, 1, 31))["repayments"] == 1  # the current account is no loan: ignored
    assert messages_plan(dt.date(2027, 1, 31))["repayments"] == 0
    reminder = Message.objects.get(kind="reminder")
    assert reminder.template == "repayment_instalment"
    assert reminder.idempotency_key == "repayment:A-wang-loan:2027-02-03:sms"
    assert "本期应还金额¥5,236.82" in reminder.body and "2027-02-03" in reminder.body
    assert "6222020200554433221" not in reminder.body


def test_a_schedule_without_the_date_reminds_nobody(lake, messaging_settings):  # noqa: F811
    schedule([("A-wang-loan", dt.date(2027, 2, 3), "5236.82")])
    assert messages_plan(dt.date(2027, 1, 29))["repayments"] == 0  # the derived 1 February no longer counts


@pytest.fixture
def home(settings, tmp_path, key_file):
    settings.LAKE_DIR, settings.REPORT_DIR = tmp_path / "lake", tmp_path / "reports"
    return tmp_path


def test_the_repayment_schedule_imports_and_a_past_due_date_is_refused(home):
    extract = make_extract()
    loan = extract.folders[DATES[0]]["accounts"][0]["account_id"]
    extract.folders[DATES[0]]["repayments"] = [
        {"account_id": loan, "due_date": "2024-02-15", "amount_due": "812.50"},
        {"account_id": loan, "due_date": "2024-01-31", "amount_due": "812.50"},  # line 3: not after the date
        {"account_id": loan, "due_date": "2024-03-15", "amount_due": "0"},  # line 4: nothing due
        {"account_id": "NO-SUCH", "due_date": "2024-03-15", "amount_due": "1.00"},  # line 5: unknown account
    ]
    code, summary, report = run_failing_import(extract.write(home / "bad", dates=(DATES[0],)))
    assert code == 1 and "repayments.csv" in report
    found = sorted((r["file"], r["line"], r["column"]) for r in read_report(summary) if r["file"] == "repayments.csv")
    assert found == [
        ("repayments.csv", "3", "due_date"),
        ("repayments.csv", "4", "amount_due"),
        ("repayments.csv", "5", "account_id"),
    ]

    extract.folders[DATES[0]]["repayments"] = extract.folders[DATES[0]]["repayments"][:1]
    summary, _ = run_import(extract.write(home / "ok", dates=(DATES[0],)))
    assert summary["written"]["repayments"] == 1
    stored = pq.read_table(lake_api.partition_file("repayments", dt.date(2024, 1, 31))).to_pydict()
    assert stored["due_date"] == [dt.date(2024, 2, 15)] and stored["amount_due"] == [Decimal("812.50")]
