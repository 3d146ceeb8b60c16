"""The core-banking extract against moves made in Tenure (docs/book.md, "When the core-banking extract
disagrees"), through `tenure import`: the core catching up confirms a move, the core still naming the
old RM leaves Tenure's RM in place and reports it, the core naming a third RM wins and the history
shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tenure.core.models import AuditEntry
from tenure.customers.models import CoreStatus, Customer, MoveSource, RmAssignment
from tenure.customers.services import customers_move
from tenure.org.models import Staff
from tests.customers.book_fixtures import book_moved, english  # noqa: F401
from tests.factories import login  # noqa: F401
from tests.ingest.extract_factory import DATES, make_extract, run_import

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
MOVED, UNLISTED = "C000001", "C000002"  # both of 朝阳支行 (S0101) and RM 王芳 (E001) in the first extract


@pytest.fixture
def store(settings, tmp_path, key_file):
    settings.LAKE_DIR = tmp_path / "lake"
    settings.REPORT_DIR = tmp_path / "reports"


@pytest.fixture
def extract():
    """The factory's two folders, with two more RMs of 朝阳支行 and both customers pinned to E001."""
    extract = make_extract()
    first = extract.folders[DATES[0]]
    first["staff"] += [
        {"employee_no": "E004", "name": "孙丽", "branch_code": "S0101", "role": "rm"},
        {"employee_no": "E005", "name": "周强", "branch_code": "S0101", "role": "rm"},
    ]
    for row in first["customers"][:2]:
        row.update(branch_code="S0101", rm_employee_no="E001")
    assert [r["customer_no"] for r in first["customers"][:2]] == [MOVED, UNLISTED]
    second = extract.folders[DATES[1]]["customers"][0]
    assert second["customer_no"] == MOVED
    second.update(branch_code="S0101")
    return extract


def import_then_move(extract, tmp_path, *, moved_on: dt.date) -> None:
    """Import the first month-end, then the branch head (E003) moves both customers to E004 on `moved_on`."""
    run_import(extract.write(tmp_path / "x", dates=(DATES[0],)))
    head, to = Staff.objects.get(employee_no="E003"), Staff.objects.get(employee_no="E004")
    customers = list(Customer.objects.select_related("branch").filter(customer_no__in=[MOVED, UNLISTED]))
    customers_move(by=head, customers=customers, to_rm=to, reason="rebalance")
    moved_at = timezone.make_aware(dt.datetime.combine(moved_on, dt.time(10)))
    RmAssignment.objects.update(at=moved_at)


def second_import(extract, tmp_path, core_rm: str) -> None:
    extract.folders[DATES[1]]["customers"][0]["rm_employee_no"] = core_rm
    run_import(extract.write(tmp_path / "x", dates=(DATES[1],)))


def move_of(number: str) -> RmAssignment:
    return RmAssignment.objects.filter(customer_id=number, source=MoveSource.TENURE).latest("id")


def rm_of(number: str) -> str | None:
    return Customer.objects.get(customer_no=number).rm_id


def test_the_core_still_naming_the_old_rm_keeps_tenures_move_and_reports_it(store, extract, tmp_path, login, caplog):  # noqa: F811
    import_then_move(extract, tmp_path, moved_on=dt.date(2024, 2, 10))
    second_import(extract, tmp_path, "E001")

    assert rm_of(MOVED) == "E004"
    move = move_of(MOVED)
    assert move.core_status == CoreStatus.PENDING and move.core_disagrees_on == dt.date(2024, 2, 29)
    (entry,) = AuditEntry.objects.filter(action="customer.rm.core_disagrees")
    assert entry.object_id == "2024-02-29" and entry.detail["kept"] == [MOVED] and entry.detail["overridden"] == []
    assert "1 customers keep the RM Tenure moved them to" in caplog.text
    # Not in this extract: nothing to compare, the move waits.
    assert rm_of(UNLISTED) == "E004" and move_of(UNLISTED).core_disagrees_on is None
    page = login(Staff.objects.get(employee_no="E003")).get("/customers/book/").content.decode()
    assert 'data-testid="core-disagreements"' in page and "孙丽" in page and "王芳" in page


def test_the_core_catching_up_confirms_the_move(store, extract, tmp_path):
    import_then_move(extract, tmp_path, moved_on=dt.date(2024, 2, 10))
    second_import(extract, tmp_path, "E004")

    assert rm_of(MOVED) == "E004" and move_of(MOVED).core_status == CoreStatus.CONFIRMED
    assert move_of(UNLISTED).core_status == CoreStatus.PENDING
    assert not AuditEntry.objects.filter(action="customer.rm.core_disagrees").exists()


@pytest.mark.parametrize("core_rm", ["E005", ""])
def test_a_later_core_decision_wins_and_the_history_shows_it(store, extract, tmp_path, book_moved, core_rm):  # noqa: F811
    import_then_move(extract, tmp_path, moved_on=dt.date(2024, 2, 10))
    book_moved.clear()
    second_import(extract, tmp_path, core_rm)

    assert rm_of(MOVED) == (core_rm or None)
    assert move_of(MOVED).core_status == CoreStatus.OVERRIDDEN
    change = RmAssignment.objects.get(customer_id=MOVED, source=MoveSource.IMPORT)
    assert (change.from_rm_id, change.to_rm_id, change.reason) == ("E004", core_rm or None, "core_import")
    assert change.by is None
    entry = AuditEntry.objects.get(action="customer.rm.core_disagrees")
    assert entry.detail["overridden"] == [MOVED] and entry.detail["kept"] == []
    assert [(f.employee_no, t.employee_no if t else None, nos) for f, t, nos in book_moved] == [
        ("E004", core_rm or None, [MOVED])
    ]


def test_an_extract_older_than_the_move_never_undoes_it(store, extract, tmp_path):
    import_then_move(extract, tmp_path, moved_on=dt.date(2024, 3, 10))
    second_import(extract, tmp_path, "E005")  # business date 2024-02-29: before the move

    assert rm_of(MOVED) == "E004"
    move = move_of(MOVED)
    assert move.core_status == CoreStatus.PENDING and move.core_disagrees_on is None
    assert not RmAssignment.objects.filter(source=MoveSource.IMPORT).exists()
