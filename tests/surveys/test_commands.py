"""`tenure surveys ...`: idempotent templates, deterministic demo answers, the link file, assets export."""

from __future__ import annotations

import csv
import json

from django.core.management import call_command

from tenure.surveys.models import Invitation, Question, Response, Survey, Wave
from tenure.surveys.tokens import token_hash
from tests.factories import make_customer


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_templates_are_installed_once_and_edits_survive(db, capsys):
    call_command("surveys", "templates", "--json")
    assert _json(capsys) == {"created": 5, "templates": 5}
    relationship = Survey.objects.get(code="relationship")
    assert relationship.questions.filter(aspect="importance").count() == 11
    assert relationship.questions.filter(aspect="performance").count() == 11
    assert Question.objects.filter(tag="total_financial_assets").exists()
    assert Survey.objects.get(code="lost-customer").questions.filter(tag="lost_reason").exists()
    Survey.objects.filter(code="relationship").update(title_en="Edited")
    call_command("surveys", "templates", "--json")
    assert _json(capsys)["created"] == 0
    assert Survey.objects.get(code="relationship").title_en == "Edited"


def test_generate_is_deterministic_and_runs_once(bank, capsys):
    for n in range(60):
        make_customer(bank, f"C20{n:05d}", "周九", ("S0101", "S0102", "S0201")[n % 3], mobile=f"1370000{n:04d}")
    from tenure.customers.models import Customer

    Customer.objects.update(consent_sms=True)
    call_command("surveys", "generate", "--size", "20", "--json")
    first = _json(capsys)
    assert first["created"] and first["waves"] == 4 and first["responses"] > 0
    answers = sorted(Response.objects.values_list("customer__customer_no", "nps", "score"))
    call_command("surveys", "generate", "--size", "20", "--json")
    assert _json(capsys) == {"created": False, "waves": 4}
    Response.objects.all().delete()
    Invitation.objects.all().delete()
    Wave.objects.all().delete()
    call_command("surveys", "generate", "--size", "20", "--json")
    assert _json(capsys)["responses"] == first["responses"]
    assert sorted(Response.objects.values_list("customer__customer_no", "nps", "score")) == answers


def test_issue_writes_the_only_copy_of_the_tokens(bank, tmp_path, capsys):
    call_command("surveys", "templates")
    out = tmp_path / "links.csv"
    call_command(
        "surveys", "issue", "--survey", "nps-loyalty", "--name", "CLI", "--branch", "B02", "--out", str(out), "--json"
    )
    assert _json(capsys)["invited"] == 1
    rows = list(csv.DictReader(out.open()))
    assert [r["customer_no"] for r in rows] == ["C0000009"]
    assert Invitation.objects.get().token_hash == token_hash(rows[0]["token"])
    assert rows[0]["url"].endswith(f"/p/s/{rows[0]['token']}/")
    assert oct(out.stat().st_mode & 0o777) == "0o600"
