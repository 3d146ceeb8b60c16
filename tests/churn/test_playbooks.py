"""Seed 004 playbooks: counter-offers, playbook steps on the alert, let-go policy and its approval,
lobby handoffs, the large-withdrawal intercept chain and the competitor-product table."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tenure.churn.config import DEFAULTS
from tenure.churn.models import Alert
from tenure.churn.policy import let_go_policy
from tenure.core.models import AuditEntry
from tenure.customers.models import Product
from tenure.offers.models import RiskAssessment
from tenure.offers.suitability import default_expiry
from tenure.org.permissions import Perm, has_perm
from tenure.retention.models import Handoff, Intercept, Proposal
from tenure.retention.playbooks import counter_offer, playbook_for
from tenure.retention.services import proposal_decide

DAY = dt.date(2026, 7, 31)


def product(code, kind="wealth", rate=None, term=None, issuer="BANK") -> Product:
    return Product.objects.create(
        code=code,
        name=code,
        product_type=kind,
        risk_rating="R2",
        issuer=issuer,
        rate=None if rate is None else Decimal(rate),
        term_months=term,
    )


def assessed(customer, level="C3", on=dt.date(2026, 1, 5)) -> RiskAssessment:
    """A current assessment recorded in Tenure (the extract's risk tolerance has no date: expired)."""
    return RiskAssessment.objects.create(
        customer=customer, level=level, assessed_on=on, expires_on=default_expiry(on), source="branch"
    )


def alert(customer, cause="competitor_maturity", **extra) -> Alert:
    return Alert.objects.create(
        customer=customer, cause=cause, severity="high", business_date=DAY, due_on=dt.date(2026, 8, 5), **extra
    )


def test_counter_offer_closest_term_at_or_above_the_competitor_rate(bank):
    product("W-6M", rate="3.10", term=6)
    best_match = product("W-12M", rate="3.05", term=12)
    product("W-12M-LOW", rate="2.90", term=12)
    product("TD-12M", kind="time_deposit", rate="3.50", term=12)  # another type never counts
    competitor = product("X-CCB", rate="3.00", term=12, issuer="CCB")
    wang = bank.customers["wang"]
    assessed(wang)
    assert counter_offer(competitor, wang, DAY) == best_match


def test_counter_offer_falls_back_to_our_best_rate(bank):
    top = product("W-3M", rate="3.20", term=3)
    product("W-12M", rate="3.05", term=12)
    wang = bank.customers["wang"]
    assessed(wang)
    assert counter_offer(product("X-CMB", rate="4.00", term=12, issuer="CMB"), wang, DAY) == top
    assert counter_offer(product("X-INS", kind="insurance", rate="4.00", issuer="PING"), wang, DAY) is None


def test_product_alert_gets_the_competitor_holding_and_our_offer(bank):
    Product.objects.filter(code="X-ICBC").update(rate=Decimal("2.80"), term_months=12)
    offer = product("W-12M", rate="2.95", term=12)
    assessed(bank.customers["wang"])
    book = playbook_for(alert(bank.customers["wang"]), DAY)
    assert book.kind == "product" and book.competitor.holding_id == "H-wang" and book.offer == offer
    assert any("7" in str(step) for step in book.steps)  # notify 7 days before maturity


def test_consumption_alert_lists_loans_and_service_alert_has_the_apology_steps(bank):
    book = playbook_for(alert(bank.customers["wang"], cause="large_withdrawal"), DAY)
    assert book.kind == "consumption" and [p.code for p in book.loans] == ["P-LOAN"]
    service = playbook_for(alert(bank.customers["wang"], cause="satisfaction_decline"), DAY)
    assert service.kind == "service" and len(service.steps) == 4


def test_the_360_panel_shows_the_playbook(bank, login):
    Product.objects.filter(code="X-ICBC").update(rate=Decimal("2.80"), term_months=12)
    product("W-12M", rate="2.95", term=12)
    wang = bank.customers["wang"]
    assessed(wang, on=timezone.localdate())  # the panel proposes products today
    alert(wang)
    text = login(bank.staff["rm_a"]).get(f"/retention/customers/{wang.pk}/playbook/").content.decode()
    assert "产品导向型" in text and "W-12M" in text and "工银理财" in text


def test_let_go_policy_marks_rate_hoppers_by_contribution_and_tenure():
    p = DEFAULTS["policy"]
    frame = pd.DataFrame(
        {
            "cause": ["rate_sensitive", "rate_sensitive", "rate_sensitive", "aum_drop", "rate_sensitive"],
            "value_level": ["small", "key", "key", "small", None],
            "onboarded_on": [
                dt.date(2010, 1, 1),
                dt.date(2010, 1, 1),
                dt.date(2024, 1, 1),
                dt.date(2010, 1, 1),
                dt.date(2010, 1, 1),
            ],
        }
    )
    assert let_go_policy(frame, p, DAY).tolist() == ["do_not_chase", "preferential", "", "", ""]


def test_preferential_terms_need_the_branch_head(bank, login):
    wang = bank.customers["wang"]
    a = alert(wang, cause="rate_sensitive", policy="preferential")
    client = login(bank.staff["rm_a"])
    response = client.post(
        f"/retention/customers/{wang.pk}/proposal/", {"alert": a.pk, "terms": "定期利率上浮", "rate_bonus_bp": 20}
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.status == "pending"
    decide = f"/retention/customers/{wang.pk}/proposal/decide/"
    assert client.post(decide, {"proposal": proposal.pk, "decision": "approve"}).status_code == 403  # RMs cannot
    head = login(bank.staff["head_a"])
    assert head.post(decide, {"proposal": proposal.pk, "decision": "approve", "note": "同意"}).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("approved", bank.staff["head_a"])
    assert AuditEntry.objects.filter(action="retention.proposal.decide", object_id=str(proposal.pk)).exists()


def test_deactivated_staff_can_neither_decide_nor_keep_the_competitor_table(bank):
    proposal = Proposal.objects.create(customer=bank.customers["wang"], terms="x", proposed_by=bank.staff["rm_a"])
    head, analyst = bank.staff["head_a"], bank.staff["analyst"]
    assert has_perm(analyst, Perm.COMPETITOR_PRODUCTS_EDIT)
    head.is_active = analyst.is_active = False
    with pytest.raises(PermissionDenied):
        proposal_decide(proposal=proposal, by=head, approve=True)
    assert not has_perm(analyst, Perm.COMPETITOR_PRODUCTS_EDIT) and not has_perm(head, Perm.CAMPAIGNS_RUN)
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_a_foreign_proposal_is_404(bank, login):
    zhao = bank.customers["zhao"]
    foreign = Proposal.objects.create(customer=zhao, terms="x", proposed_by=bank.staff["rm_b"])
    head = login(bank.staff["head_a"])
    url = f"/retention/customers/{zhao.pk}/proposal/decide/"
    assert head.post(url, {"proposal": foreign.pk, "decision": "approve"}).status_code == 404


def test_lobby_hands_a_customer_over_to_the_rm(bank, login):
    wang = bank.customers["wang"]
    lobby = login(bank.staff["lobby_a"])
    assert (
        lobby.post(f"/retention/customers/{wang.pk}/handoff/", {"topic": "loan", "note": "想买车"}).status_code == 302
    )
    handoff = Handoff.objects.get()
    assert (handoff.from_staff, handoff.to_staff) == (bank.staff["lobby_a"], bank.staff["rm_a"])
    rm = login(bank.staff["rm_a"])
    assert "想买车" in rm.get("/retention/handoffs/").content.decode()
    rm.post(f"/retention/customers/{wang.pk}/handoff/done/", {"handoff": handoff.pk})
    handoff.refresh_from_db()
    assert handoff.done_by == bank.staff["rm_a"] and handoff.done_at is not None


def test_intercept_chain_runs_rm_then_lobby_then_counter_with_who_and_when(bank, login):
    wang = bank.customers["wang"]
    lobby = login(bank.staff["lobby_a"])
    form = {"kind": "cash", "amount": "500000", "appointment_on": "2026-08-03"}
    assert lobby.post(f"/retention/customers/{wang.pk}/intercept/", form).status_code == 302
    intercept = Intercept.objects.get()
    assert [s.actor for s in intercept.steps.all()] == ["rm", "lobby", "counter"]
    step = f"/retention/customers/{wang.pk}/intercept/step/"
    assert lobby.post(step, {"intercept": intercept.pk}).status_code == 403  # the RM acts first
    login(bank.staff["rm_a"]).post(step, {"intercept": intercept.pk, "note": "准备大额存单"})
    lobby = login(bank.staff["lobby_a"])
    lobby.post(step, {"intercept": intercept.pk, "note": "已通报柜面"})
    lobby.post(step, {"intercept": intercept.pk, "retained": "300000"})
    intercept.refresh_from_db()
    steps = list(intercept.steps.all())
    assert [s.done_by.username for s in steps] == ["rm_a", "lobby_a", "lobby_a"]
    assert all(s.done_at for s in steps) and steps[0].done_at <= steps[1].done_at <= steps[2].done_at
    assert intercept.retained_amount == Decimal("300000")
    assert AuditEntry.objects.filter(action="retention.intercept.step").count() == 3
    assert "准备大额存单" in lobby.get("/retention/intercepts/").content.decode()


def test_no_intercept_for_a_foreign_customer(bank, login):
    zhao = bank.customers["zhao"]
    form = {"kind": "cash", "amount": "500000", "appointment_on": "2026-08-03"}
    assert login(bank.staff["lobby_a"]).post(f"/retention/customers/{zhao.pk}/intercept/", form).status_code == 404
    assert not Intercept.objects.exists()


def test_analysts_keep_the_competitor_table(bank, login):
    form = {
        "code": "X-CMB-1Y",
        "name": "招行一年定存",
        "issuer": "CMB",
        "product_type": "time_deposit",
        "risk_rating": "R1",
        "rate": "2.10",
        "term_months": "12",
    }
    assert login(bank.staff["rm_a"]).post("/retention/products/new/", form).status_code == 403
    analyst = login(bank.staff["analyst"])
    assert analyst.post("/retention/products/new/", form).status_code == 302
    assert Product.objects.get(code="X-CMB-1Y").rate == Decimal("2.10")
    assert AuditEntry.objects.filter(action="retention.competitor_product.save").exists()
    own = {**form, "code": "P-NEW", "issuer": "BANK"}
    assert analyst.post("/retention/products/new/", own).status_code == 200  # our products are imported
    assert not Product.objects.filter(code="P-NEW").exists()
    assert "招行一年定存" in login(bank.staff["rm_a"]).get("/retention/products/").content.decode()


@pytest.mark.parametrize("code", ["P-CUR"])
def test_our_products_cannot_be_edited_here(bank, login, code):
    own = Product.objects.get(code=code)
    assert login(bank.staff["analyst"]).get(f"/retention/products/{own.pk}/edit/").status_code == 404
