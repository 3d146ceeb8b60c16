"""Customer greetings: who is greeted (marketing consent), one per week at most, the CLI's JSON line
and the scoped API."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tenure.customers.models import Customer

D = dt.date
pytestmark = pytest.mark.django_db


def _greetable(bank, key: str, **fields) -> Customer:
    customer = bank.customers[key]
    for name, value in {"consent_marketing": True, "consent_sms": True, **fields}.items():
        setattr(customer, name, value)
    customer.save()
    return customer


def _plan(*args: str) -> dict:
    out = io.StringIO()
    call_command("greetings", "plan", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_plan_counts_every_kind_and_lists_the_festivals(bank):
    _greetable(bank, "wang", birth_date=D(1980, 3, 10))  # solar birthday 10 March; with the bank since 1 June
    _greetable(bank, "li", birth_date=D(2019, 2, 4), lunar_birthday=True)  # 除夕-born: 2026-02-16 (day 29)
    _greetable(bank, "zhao", consent_sms=False, consent_push=True)  # no birth date: festivals and anniversary
    bank.customers["wanglei"].birth_date = D(1990, 3, 12)  # no marketing consent: never greeted
    bank.customers["wanglei"].save()

    plan = _plan("--from", "2026-02-10", "--to", "2026-06-05")

    assert plan["festivals"] == [
        {"festival": "spring_festival", "date": "2026-02-17"},
        {"festival": "lantern", "date": "2026-03-03"},
    ]
    # wang: spring festival, lantern (3 Mar; the birthday on 10 Mar is 7 days later: kept), anniversary 1 Jun.
    # li: lunar birthday 16 Feb wins over spring festival 17 Feb (within a week), lantern 3 Mar, anniversary.
    # zhao: spring festival, lantern, anniversary.
    assert plan["greetings"] == {"birthday": 1, "lunar_birthday": 1, "anniversary": 3, "festival": 5}


def test_one_greeting_a_week_keeps_the_birthday(bank):
    _greetable(bank, "wang", birth_date=D(1980, 9, 27), onboarded_on=D(2015, 10, 2))
    plan = _plan("--from", "2026-09-20", "--to", "2026-10-20")
    # Birthday 27 Sep; mid-autumn 25 Sep and National Day 1 Oct and the anniversary 2 Oct fall within
    # a week of it; double ninth 18 Oct is kept.
    assert plan["greetings"] == {"birthday": 1, "lunar_birthday": 0, "anniversary": 0, "festival": 1}
    wider = _plan("--from", "2026-09-20", "--to", "2026-10-20", "--cap-days", "1")
    assert wider["greetings"] == {"birthday": 1, "lunar_birthday": 0, "anniversary": 1, "festival": 3}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "not a date"),
        (["--from", "2026-12-31", "--to", "2026-01-01"], "before"),
        (["--from", "2100-01-01", "--to", "2100-02-01"], "2099"),
    ],
)
def test_plan_refuses_bad_ranges_in_one_line(bank, args, message):
    with pytest.raises(CommandError, match=message):
        _plan(*args)


def test_api_lists_the_greetings_of_the_callers_scope_only(bank, login):
    for key in bank.customers:
        _greetable(bank, key, birth_date=D(1985, 2, 20))
    client = login(bank.staff["rm_a"])
    body = client.get("/api/v1/greetings/?from=2026-02-18&to=2026-02-21").json()
    seen = {(row["customer"], row["kind"], row["date"]) for row in body["results"]}
    own = {c.customer_no for c in bank.customers.values() if c.branch_id == "S0101"}
    assert {number for number, _, _ in seen} == own
    assert all(kind == "birthday" and date == "2026-02-20" for _, kind, date in seen)
    assert bank.foreign.customer_no not in json.dumps(body)
    everyone = login(bank.staff["analyst"]).get("/api/v1/greetings/?from=2026-02-18&to=2026-02-21").json()
    assert everyone["count"] == len(bank.customers)


@pytest.mark.parametrize(
    "query", ["from=2026-02-30", "from=2026-03-01&to=2026-02-01", "from=2026-01-01&to=2026-12-31", "to=x%00"]
)
def test_api_refuses_bad_ranges_with_400(bank, login, query):
    response = login(bank.staff["analyst"]).get(f"/api/v1/greetings/?{query}")
    assert response.status_code == 400
