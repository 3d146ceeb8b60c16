"""The administration console (issue 29 item 5): administrators only, staff changes audited, the book
handed over on deactivation, error reports downloadable by name only, no customer identifier shown."""

from __future__ import annotations

import copy

import pytest
from django.test import Client

from tenure.analytics.config import DEFAULT_RULES, active_config, config_save
from tenure.console.config_diff import rules_diff
from tenure.core.models import AuditEntry
from tenure.customers.models import Customer
from tenure.ingest.errors import ErrorLog
from tenure.org.models import Staff
from tenure.org.services import staff_set_roles
from tests.factories import CUSTOMERS, password_hash


def _pages(bank) -> list[str]:
    rm = bank.staff["rm_a"].pk
    return [
        "/console/",
        "/console/staff/new/",
        f"/console/staff/{rm}/",
        f"/console/staff/{rm}/deactivate/",
        "/console/branches/",
        "/console/imports/",
        "/console/runs/",
        "/console/config/",
        "/console/tokens/",
    ]


def _rm(bank, username: str = "rm_c", branch: str = "S0101", employee_no: str = "E105") -> Staff:
    staff = Staff.objects.create(
        username=username, password=password_hash(), home_branch_id=branch, employee_no=employee_no, full_name=username
    )
    staff_set_roles(staff, ["rm"])
    return staff


def test_every_page_answers_the_administrator_and_shows_no_customer_identifier(bank, login):
    active_config()  # a rule set with a version
    browser = login(bank.staff["admin"])
    identifiers = [value for row in CUSTOMERS.values() for value in (row[0], row[1], row[4], row[5])]
    for url in _pages(bank):
        response = browser.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not [i for i in identifiers if i in html], url


def test_a_superuser_counts_as_administrator(bank, login):
    root = Staff.objects.create(username="root", password=password_hash(), is_superuser=True)
    assert login(root).get("/console/branches/").status_code == 200


@pytest.mark.parametrize("username", ["rm_a", "head_a", "analyst", "service", "compliance", "lobby_a"])
def test_other_roles_are_refused_and_the_refusal_is_audited(bank, login, username):
    browser = login(bank.staff[username])
    for url in _pages(bank):
        assert browser.get(url).status_code == 403, url
        assert AuditEntry.objects.filter(action="access.denied", actor_name=username, object_id=url[:64]).exists()
    assert "/console/" not in browser.get("/").content.decode()  # no menu link either


def test_the_menu_links_to_the_console_for_the_administrator(bank, login):
    assert 'href="/console/"' in login(bank.staff["admin"]).get("/console/runs/").content.decode()


def test_created_staff_logs_in_with_the_one_time_password_and_must_change_it(bank, login, english):
    admin = login(bank.staff["admin"])
    form = {
        "username": "new_rm",
        "full_name": "New RM",
        "email": "new.rm@bank.example",
        "employee_no": "E300",
        "branch": "S0101",
        "roles": ["rm"],
    }
    response = admin.post("/console/staff/new/", form)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode() and len(password) >= 16
    created = Staff.objects.get(username="new_rm")
    assert created.must_change_password and created.role_codes == {"rm"} and created.home_branch_id == "S0101"
    entry = AuditEntry.objects.get(action="staff.create", object_id="E300")
    assert entry.actor == bank.staff["admin"] and entry.detail["roles"] == ["rm"]
    assert password not in str(entry.detail)
    assert admin.post("/console/staff/new/", form).status_code == 400  # the username is taken

    rm = Client()
    assert rm.post("/accounts/login/", {"username": "new_rm", "password": password}).status_code == 302
    home = rm.get("/")
    assert home.status_code == 302 and "/accounts/password_change/" in home["Location"]
    changed = rm.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": "A-new-pw-for-me-42", "new_password2": "A-new-pw-for-me-42"},
    )
    assert changed.status_code == 302
    created.refresh_from_db()
    assert not created.must_change_password
    assert rm.get("/").status_code == 200


def test_roles_and_branch_edits_are_audited(bank, login):
    admin = login(bank.staff["admin"])
    rm = bank.staff["rm_a"]
    url = f"/console/staff/{rm.pk}/"
    assert (
        admin.post(url, {"branch": "S0101", "roles": ["rm", "lobby"], "reason": "covers the lobby"}).status_code == 302
    )
    entry = AuditEntry.objects.get(action="staff.roles", object_id="E101")
    assert entry.detail == {"before": ["rm"], "after": ["lobby", "rm"]} and entry.reason == "covers the lobby"
    assert not AuditEntry.objects.filter(action="staff.branch").exists()
    admin.post(url, {"branch": "S0102", "roles": ["rm", "lobby"]})
    rm.refresh_from_db()
    assert rm.home_branch_id == "S0102" and rm.role_codes == {"rm", "lobby"}
    assert AuditEntry.objects.get(action="staff.branch").detail == {"before": "S0101", "after": "S0102"}
    assert AuditEntry.objects.filter(action="staff.roles").count() == 1  # roles unchanged the second time


def test_an_administrator_cannot_take_the_role_from_themselves(bank, login):
    admin = bank.staff["admin"]
    response = login(admin).post(f"/console/staff/{admin.pk}/", {"branch": "HO", "roles": ["analyst"]})
    assert response.status_code == 400
    assert admin.role_codes == {"admin"} and not AuditEntry.objects.filter(action="staff.roles").exists()


def test_deactivating_in_the_console_hands_the_book_to_the_successor(bank, login):
    successor = _rm(bank)
    leaver = bank.staff["rm_a"]
    admin = login(bank.staff["admin"])
    url = f"/console/staff/{leaver.pk}/deactivate/"
    review = admin.post(url, {"successor": successor.pk, "reason": "left the bank"})
    assert review.status_code == 200 and review.context["book_size"] == 2 and review.context["to_successor"] == 2
    assert Staff.objects.get(pk=leaver.pk).is_active  # nothing happens before the confirmation
    done = admin.post(url, {"successor": successor.pk, "reason": "left the bank", "confirm": "1"})
    assert done.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert set(Customer.objects.filter(rm_id="E105").values_list("customer_no", flat=True)) == {"C0000001", "C0000002"}
    entry = AuditEntry.objects.get(action="staff.deactivate", object_id="E101")
    assert entry.actor == bank.staff["admin"] and entry.detail["successor"] == "E105" and entry.detail["customers"] == 2
    assert admin.get(url).status_code == 404  # deactivated: nothing left to deactivate


def test_deactivation_needs_a_successor_and_a_reason(bank, login):
    admin = login(bank.staff["admin"])
    url = f"/console/staff/{bank.staff['rm_a'].pk}/deactivate/"
    assert admin.post(url, {"successor": "", "reason": "left the bank"}).status_code == 400
    response = admin.post(url, {"successor": _rm(bank).pk, "reason": "x", "confirm": "1"})
    assert response.status_code == 400 and Staff.objects.get(username="rm_a").is_active


def test_error_reports_are_listed_and_downloaded_by_name_only(bank, login, settings, tmp_path):
    settings.REPORT_DIR = tmp_path / "reports"
    settings.REPORT_DIR.mkdir()
    log = ErrorLog(business_date=__import__("datetime").date(2026, 1, 28))
    log.add("customers.csv", "not a mobile number", line=3, column="mobile", value="13812345678")
    report = log.write_csv(settings.REPORT_DIR, "20260129T010203123456")  # the importer's stamp
    (tmp_path / "secret.csv").write_text("not yours")
    (settings.REPORT_DIR / "other.csv").write_text("not a report")
    admin = login(bank.staff["admin"])
    page = admin.get("/console/imports/").content.decode()
    assert report.name in page and "other.csv" not in page
    download = admin.get(f"/console/imports/reports/{report.name}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == report.read_bytes()
    assert "13812345678" not in report.read_text()  # masked when recorded
    assert AuditEntry.objects.filter(action="console.import_report.download", object_id=report.name).exists()
    for name in [
        "other.csv",
        "..%2Fsecret.csv",
        "import-errors-2026-01-28-..%2F..%2Fsecret.csv",
        "import-errors-x.csv",
    ]:
        assert admin.get(f"/console/imports/reports/{name}").status_code == 404, name


def test_the_config_page_shows_a_changed_threshold(bank, login, english):
    active_config()
    rules = copy.deepcopy(DEFAULT_RULES)
    rules["tiers"]["thresholds"]["diamond"] = "12000000"
    config_save(rules=rules, by=bank.staff["admin"], note="diamond threshold up")
    (change,) = rules_diff(DEFAULT_RULES, rules)
    assert (change.before, change.after) == ("10000000", "12000000") and change.key.endswith("Diamond")
    page = login(bank.staff["admin"]).get("/console/config/").content.decode()
    assert "12000000" in page and "diamond threshold up" in page and "admin" in page
    assert "thresholds › Diamond" in page
