"""Labels for the codes the console lists: extract tables, daily-run steps, nightly steps and the
counts in a step's summary (each with its unit)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

TABLE_LABELS = {
    "branches": _("Branches"),
    "staff": _("Staff"),
    "products": _("Products"),
    "customers": _("Customers"),
    "accounts": _("Accounts"),
    "merchants": _("Merchants"),
    "external_holdings": _("Products held elsewhere"),
    "balances": _("Balances"),
    "transactions": _("Transactions"),
    "queue_tickets": _("Queue tickets"),
    "repayments": _("Repayment schedule"),
}

DAILY_STEP_LABELS = {
    "nightly": _("Analytics pipeline"),
    "serving": _("Serving copy for customer pages"),
    "points": _("Merchant points"),
    "churn_score": _("Churn scores"),
    "churn_alerts": _("Churn alerts"),
    "complaints_escalate": _("Complaint escalation"),
    "retention_lottery": _("Retention lottery"),
    "tasks": _("Tasks"),
    "queue_waits": _("Lobby tasks for key customers' long waits"),
    "offers_score": _("Next-best offers scored"),
    "scorecards": _("Scorecards and service stars"),
    "messages_plan": _("Messages planned"),
    "messages": _("Messages sent"),
}

NIGHTLY_STEP_LABELS = {
    "features": _("Customer features"),
    "tiers": _("Asset tiers"),
    "pyramid": _("Value pyramid"),
    "potential": _("Upgrade potential"),
    "customer_values": _("Customer values"),
    "activity": _("Activity"),
    "clv": _("Lifetime value"),
}


# A count in a daily step's summary (the JSON the step returned), as words with its unit; %(n)s is
# the number. A step's own wording (step, key) comes before the key's. Keys not listed read as
# their words ("closed at source 3"); HIDDEN keys are not counts (basis points of configuration,
# a sum already shown under another key).
SUMMARY_LABELS = {
    "already_open": _("%(n)s alerts already open"),
    "alerts_rated": _("%(n)s alerts rated"),
    "branch_head": _("%(n)s escalated to the branch head"),
    "campaigns": _("%(n)s campaign messages planned"),
    "closed_at_source": _("%(n)s tasks closed at the source"),
    "created": _("%(n)s created"),
    "customers": _("%(n)s customers"),
    "deferred": _("%(n)s messages deferred"),
    "earned": _("%(n)s points earned"),
    "eligible": _("%(n)s customers eligible"),
    "escalated": _("%(n)s escalated"),
    "expired": _("%(n)s expired"),
    "failed": _("%(n)s messages failed"),
    "greetings": _("%(n)s greetings planned"),
    "head_office": _("%(n)s escalated to head office"),
    "invited": _("%(n)s customers invited"),
    "journals": _("%(n)s journals posted"),
    "key_customers_queued": _("%(n)s key customers queued"),
    "maturities": _("%(n)s maturity reminders planned"),
    "offers": _("%(n)s offers"),
    "recovered": _("%(n)s messages recovered"),
    "refreshed": _("%(n)s alerts refreshed"),
    "refused_profiling": _("%(n)s customers refused profiling"),
    "repayments": _("%(n)s repayment reminders planned"),
    "reversed": _("%(n)s points reversed"),
    "scored": _("%(n)s customers scored"),
    "sent": _("%(n)s messages sent"),
    "signals": _("%(n)s signals fired"),
    "staff": _("%(n)s staff"),
    "statements": _("%(n)s statements planned"),
    "summaries_rebuilt": _("%(n)s transaction summaries rebuilt"),
    "suppressed": _("%(n)s messages held back"),
    "target_minutes": _("target wait %(n)s min"),
    "tasks_created": _("%(n)s tasks created"),
    "tiers": _("%(n)s customers tiered"),
    "waited_too_long": _("%(n)s waited longer than the target"),
    "written": _("%(n)s rows written"),
}
STEP_SUMMARY_LABELS = {
    ("churn_alerts", "created"): _("%(n)s alerts created"),
    ("churn_alerts", "escalated"): _("%(n)s alerts escalated"),
    ("tasks", "created"): _("%(n)s tasks created"),
    ("tasks", "escalated"): _("%(n)s tasks escalated"),
    ("points", "expired"): _("%(n)s points expired"),
    ("retention_lottery", "expired"): _("%(n)s invitations expired"),
    ("messages_plan", "lottery"): _("%(n)s lottery notices planned"),
    ("messages_plan", "plan_messages"): _("%(n)s articles planned by the contact plan"),
    ("offers_score", "by_type"): _("%(n)s offers by product type"),
}
HIDDEN = {"pyramid", "bands", "by_type"}


def summary_label(step: str, key: str) -> str | None:
    """The words for count `key` of `step` with "%(n)s" for the number; None for a key not known."""
    found = STEP_SUMMARY_LABELS.get((step, key)) or SUMMARY_LABELS.get(key)
    return str(found) if found else None


def label(labels: dict, code: str) -> str:
    return str(labels.get(code, code))
