"""Walk EVERY URL pattern and API route with a foreign customer's ids: each must answer 403/404
(or, for routes without ids, never show the foreign customer). A new route cannot forget scoping:
an unknown URL parameter name fails this test until it is mapped here.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Routes with no customer data, reachable by anyone logged in (or public): listed, so new ones are seen.
NO_CUSTOMER_DATA = {
    "healthz",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "set_language",
    "logout_everywhere",
    "api-schema",
    "api-docs",
    "api-root",
}


def walk(patterns, prefix="", names=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern), names + ((p.namespace,) if p.namespace else ()))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), ":".join(names + (p.name or "",))


def all_routes():
    return list(walk(get_resolver().url_patterns))


def _foreign_complaint(bank):
    from tenure.complaints.services import complaint_create

    return complaint_create(by=None, customer=bank.foreign, channel="counter", description="foreign complaint")


def _foreign_merchant(bank) -> str:
    """A merchant of the foreign customer's branch, named after them (so a list that leaks it shows), with points."""
    import datetime as dt

    from tenure.customers.models import Merchant
    from tenure.points.services import _post, merchant_account

    shop = Merchant.objects.create(
        merchant_no="M-FOREIGN",
        name=f"{bank.foreign.name}便利店",
        customer=bank.foreign,
        category="general",
        discount_rate="0.3800",
        branch_id=bank.foreign.branch_id,
        opened_on=dt.date(2020, 1, 1),
        updated_on=dt.date(2026, 1, 28),
    )
    _post(merchant_account(shop), "earn", 100, dt.date(2026, 1, 28), "test:earn:M-FOREIGN")
    return shop.merchant_no


def _foreign_task(bank) -> str:
    """A task of the foreign customer, owned by their RM."""
    import datetime as dt

    from tenure.engagement.models import Task

    day = dt.date(2026, 1, 28)
    task = Task.objects.create(
        key="plan_call:foreign",
        source="plan_call",
        customer=bank.foreign,
        owner=bank.staff["rm_b"],
        title="call",
        due_on=day,
        created_on=day,
    )
    return str(task.pk)


def ids_for(bank) -> dict[str, str]:
    """URL parameter name -> the foreign record's value for it."""
    foreign = bank.foreign
    return {
        "customer_id": str(foreign.pk),
        "account_pk": str(bank.accounts["A-zhao-cur"].pk),
        "holding_pk": str(bank.holdings["H-zhao"].pk),
        "complaint_id": str(_foreign_complaint(bank).pk),
        "product_id": str(bank.holdings["H-zhao"].product.pk),  # competitor product: analysts only (403)
        "campaign_id": "999999",  # no campaign in the tiny bank: 404 (scoping is tested in tests/churn)
        "format": "json",
        "uidb64": "MQ",
        "token": "set-password",
        # Surveys, their questions and waves hold no customer data; callbacks are scoped (foreign ones: tests/surveys).
        "survey_id": "999999",
        "question_id": "999999",
        "wave_id": "999999",
        "callback_id": "999999",
        "merchant_no": _foreign_merchant(bank),
        "task_id": _foreign_task(bank),  # points pages: 403 for roles without them, else 404
        # Message templates hold no customer data (makers and checkers only; tests/messaging).
        "template_id": "999999",
        "version_id": "999999",
        # The administration console holds no customer data (staff and error reports; tests/console).
        "staff_id": "999999",
        "name": "import-errors-none.csv",
        # Mystery-shopping notes hold no customer data (scoped by our branch: tests/performance).
        "shop_id": "999999",
    }


def concrete(route: str, values: dict[str, str]) -> str:
    """Turn a route pattern (path converters or DRF regexes) into a URL with the foreign ids."""

    def converter(m: re.Match) -> str:
        name = m.group(2)
        assert name in values, f"route {route!r}: map URL parameter {name!r} to a foreign id in ids_for()"
        return values[name]

    url = re.sub(r"<(?:(\w+):)?(\w+)>", converter, route)

    def group(m: re.Match) -> str:
        assert m.group(1) in values, f"route {route!r}: map URL parameter {m.group(1)!r} in ids_for()"
        return values[m.group(1)]

    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", group, url)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return "/" + url.lstrip("/")


def test_route_walk_finds_the_customer_routes():
    names = {name for _, name in all_routes()}
    for expected in (
        "customers:detail",
        "customers:unmask",
        "customers:transactions",
        "customer-detail",
        "customer-unmask",
        "account-detail",
        "holding-detail",
        "audit-list",
    ):
        assert expected in names


@pytest.mark.parametrize("who", ["rm_a", "head_a", "lobby_a", "rm_a2", "norole"])
def test_every_route_refuses_a_foreign_customer(bank, login, who):
    client = login(bank.staff[who])
    foreign = bank.foreign
    # What would show if the record leaked (the request itself carries only the customer number).
    leaks = (foreign.name, "136****8888", "440***********9876", "z***@example.com")
    values = ids_for(bank)
    checked = 0
    for route, name in all_routes():
        url = concrete(route, values)
        has_ids = any(v in route for v in ("<", "(?P<")) and not route.endswith("(?P<format>[a-z0-9]+)/?$")
        for method in ("get", "post"):
            client.force_login(bank.staff[who])  # the walk includes the log-out routes
            response = getattr(client, method)(
                url, {"q": foreign.customer_no, "customer": foreign.customer_no, "customer_no": foreign.customer_no}
            )
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            if has_ids and name.split(":")[-1] not in NO_CUSTOMER_DATA:
                assert response.status_code in (403, 404, 405), (
                    f"{method.upper()} {url} ({name}) gave {response.status_code}"
                )
            assert not any(leak in text for leak in leaks), (
                f"{method.upper()} {url} ({name}) shows the foreign customer"
            )
            checked += 1
    assert checked > 40


def test_foreign_lookup_is_logged_but_missing_is_not(bank, login):
    from tenure.core.models import AuditEntry

    client = login(bank.staff["rm_a"])
    assert client.get(f"/customers/{bank.foreign.pk}/").status_code == 404
    assert client.get("/customers/999999/").status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied")
    assert list(denied.values_list("actor_name", "object_id")) == [("rm_a", str(bank.foreign.pk))]


def test_every_customer_route_logs_the_denied_access(bank, login):
    """Routes keyed by a customer id log a refused foreign lookup ("every denied access is logged")."""
    from tenure.core.models import AuditEntry

    client = login(bank.staff["rm_a"])
    values = ids_for(bank)
    routes = [(route, name) for route, name in all_routes() if "<int:customer_id>" in route]
    assert len(routes) >= 8
    for route, name in routes:
        before = AuditEntry.objects.filter(action="access.denied", object_id=str(bank.foreign.pk)).count()
        for method in ("get", "post"):
            getattr(client, method)(concrete(route, values))
        after = AuditEntry.objects.filter(action="access.denied", object_id=str(bank.foreign.pk)).count()
        assert after > before, f"{route} ({name}) refused the foreign customer without logging it"
