"""The permission table of tenure/org/permissions.py is what the documents print, `has_perm` answers it
role by role, and every page behind `@requires` refuses the roles without its permission (403, audited)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver

from tenure.core.models import AuditEntry
from tenure.org.models import Role, Staff
from tenure.org.permissions import (
    PERMISSIONS,
    RETENTION_MATRIX,
    SECURITY_MATRIX,
    Perm,
    Special,
    has_perm,
    markdown_table,
)
from tenure.org.scoping import is_book_owner_default, sees_all
from tenure.org.services import staff_set_roles

DOCS = Path(__file__).resolve().parents[2] / "docs"
ROLE_USERS = {"rm": "rm_a", "lobby": "lobby_a", "branch_head": "head_a"} | {r: r for r in Role.values[3:]}


def _table_in(doc: str, header: str) -> list[str]:
    """The markdown table of `doc` that opens with `header`, up to its first line that is not a row."""
    lines = (DOCS / doc).read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == header]
    if len(starts) != 1:
        pytest.fail(f"docs/{doc}: expected one table headed {header!r}, found {len(starts)}")
    table = []
    for line in lines[starts[0] :]:
        if not line.startswith("|"):
            break
        table.append(line)
    return table


@pytest.mark.parametrize(
    ("doc", "first_column", "rows"),
    [("security.md", "capability", SECURITY_MATRIX), ("churn.md", "step", RETENTION_MATRIX)],
)
def test_the_documents_print_the_permission_table(doc, first_column, rows):
    expected = markdown_table(first_column, rows)
    found = _table_in(doc, expected[0])
    diff = "\n".join(difflib.unified_diff(found, expected, f"docs/{doc}", "tenure/org/permissions.py", lineterm=""))
    assert found == expected, f"docs/{doc} and tenure/org/permissions.py differ:\n{diff}"


def test_every_permission_is_one_row_of_one_document():
    listed = [row for row in (*SECURITY_MATRIX, *RETENTION_MATRIX) if not isinstance(row, Special)]
    assert sorted(listed) == sorted(Perm)
    assert set(PERMISSIONS) == set(Perm)
    assert all(grant.roles and grant.roles <= set(Role) for grant in PERMISSIONS.values())


def test_the_complaints_summary_agrees_with_the_table():
    """docs/complaints.md words its rows its own way; who holds each must still be the table's."""
    rows = _table_in("complaints.md", markdown_table("capability", ())[0])[2:]
    perms = (
        Perm.COMPLAINTS_VIEW,
        Perm.COMPLAINTS_HANDLE,
        Perm.COMPLAINTS_UNMATCHED,
        Perm.COMPLAINTS_RECOVERY,
        Perm.COMPLAINT_CAUSES_EDIT,
    )
    assert len(rows) == len(perms)
    for row, perm in zip(rows, perms, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")][1:]
        holders = {role for role, cell in zip(Role, cells, strict=True) if cell != "—"}
        assert holders == perm.roles, f"docs/complaints.md row {row!r} is not {perm}"


@pytest.fixture
def staff_with(db):
    def make(*roles: str, active: bool = True, superuser: bool = False) -> Staff:
        user = Staff.objects.create(
            username=f"u{Staff.objects.count()}", is_active=active, is_superuser=superuser, home_branch=None
        )
        staff_set_roles(user, roles)
        return user

    return make


@pytest.mark.parametrize("role", Role.values)
def test_a_role_holds_exactly_its_rows(staff_with, role):
    user = staff_with(role)
    held = {perm for perm in Perm if has_perm(user, perm)}
    assert held == {perm for perm in Perm if role in perm.roles}


def test_roles_add_up(staff_with):
    user = staff_with(Role.RM, Role.ANALYST)
    for perm in Perm:
        assert has_perm(user, perm) == bool({Role.RM, Role.ANALYST} & perm.roles)


def test_nobody_without_an_active_account_holds_anything(staff_with):
    inactive = staff_with(*Role.values, active=False)
    inactive_superuser = staff_with(active=False, superuser=True)
    no_role = staff_with()
    for user in (inactive, inactive_superuser, no_role, AnonymousUser(), None):
        assert not any(has_perm(user, perm) for perm in Perm)
        assert not sees_all(user)


def test_an_active_superuser_holds_what_an_administrator_holds(staff_with):
    superuser, admin = staff_with(superuser=True), staff_with(Role.ADMIN)
    assert {perm for perm in Perm if has_perm(superuser, perm)} == {perm for perm in Perm if has_perm(admin, perm)}
    assert not has_perm(superuser, Perm.UNMASK) and not has_perm(superuser, Perm.AUDIT_READ)
    assert sees_all(superuser)
    assert not is_book_owner_default(superuser)  # a default view, not a permission: they keep no book


def test_only_rms_open_on_their_book(staff_with):
    """The special row 'Default list view "My book"' of docs/security.md."""
    (row,) = [r for r in SECURITY_MATRIX if isinstance(r, Special) and r.text.startswith("Default list view")]
    for role, cell in zip(Role, row.cells, strict=True):
        assert is_book_owner_default(staff_with(role)) == (cell == "✓"), role


def _gated_routes(patterns=None, prefix: str = "") -> list[tuple[str, Perm]]:
    """(URL, permission) of every view behind `@requires`, with a dummy value per URL parameter: the
    decorator refuses before any lookup."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _gated_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "required_perm"):
            url = re.sub(r"<int:\w+>", "1", re.sub(r"<(?:str:|slug:)?(\w+)>", "x", route))
            found.append(("/" + url, pattern.callback.required_perm))
    return found


def test_every_gated_page_refuses_the_other_roles_with_an_audited_403(bank, login, client):
    routes = _gated_routes()
    assert len(routes) >= 25
    for role, username in ROLE_USERS.items():
        staff = bank.staff[username]
        assert staff.role_codes == {role}
        browser = login(staff)
        for url, perm in routes:
            if role in perm.roles:
                continue
            assert browser.get(url).status_code == 403, f"{role} on {url} ({perm})"
            denied = AuditEntry.objects.filter(action="access.denied", actor_name=username, object_id=url[:64])
            assert denied.exists(), f"{role} refused on {url} without an audit entry"
    client.logout()
    url, _perm = routes[0]
    assert client.get(url).status_code == 302  # not logged in: to the log-in page, not a refusal
