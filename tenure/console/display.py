"""Labels for the codes the console lists: extract tables, daily-run steps and nightly steps."""

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
    "scorecards": _("Scorecards and service stars"),
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


def label(labels: dict, code: str) -> str:
    return str(labels.get(code, code))
