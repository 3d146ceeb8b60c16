"""Loyalty dashboard and its XLSX exports. Thin views: the numbers come from `report.build`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenure.analytics.models import AssetTier, ValueLevel
from tenure.core.http import client_ip
from tenure.customers.selectors import customer_get
from tenure.loyalty import exports
from tenure.loyalty.customer import customer_clv
from tenure.loyalty.report import NAME_TABLES, Filters, Report, cached_report
from tenure.org.http import StaffRequest
from tenure.org.models import Branch
from tenure.org.scoping import scoped

ROWS_SHOWN = 50


@login_required
@require_GET
def dashboard(request: StaffRequest) -> HttpResponse:
    filters = Filters.from_query(request.GET)
    report = cached_report(request.user, filters)
    context = {
        "report": report,
        "filters": filters,
        "query": request.GET.urlencode(),
        "branches": scoped(Branch.objects.order_by("code"), request.user).values_list("code", "name"),
        "tiers": AssetTier.choices,
        "levels": ValueLevel.choices,
        "tables": [
            (key, title, headers, [(row, _detail_url(report, row, key)) for row in rows[:ROWS_SHOWN]])
            for key, (title, headers, rows) in report.tables.items()
        ],
        "chart_labels": _chart_labels(),
    }
    return render(request, "loyalty/dashboard.html", context)


def _chart_labels() -> dict[str, str]:
    """The charts' axis and series names, in the page's language (loyalty.js has no strings of its own)."""
    return {
        "months": _("months"),
        "months_since_onboarding": _("Months since onboarding"),
        "all": _("All customers"),
        "new": _("Onboarded in the window"),
        "share_customers": _("Share of customers (%)"),
        "share_clv": _("Share of CLV (%)"),
        "p25": _("25th percentile"),
        "median": _("median"),
        "p75": _("75th percentile"),
        "predicted": _("Predicted"),
        "actual": _("Actual"),
    }


def _detail_url(report: Report, row: list, table: str) -> str:
    """The customer page of a name-table row (the RM acts from there), else ""."""
    pk = report.links.get(row[0]) if table in NAME_TABLES else None
    return reverse("customers:detail", args=[pk]) if pk else ""


@login_required
@require_GET
def export(request: StaffRequest) -> HttpResponse:
    """One table of the dashboard (same filters, same scope) as XLSX; `table` names it."""
    report = cached_report(request.user, Filters.from_query(request.GET))
    table = request.GET.get("table", "")
    if table not in report.tables:
        raise Http404
    return exports.table_xlsx(report, table, request.user)


@login_required
@require_GET
def customer_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° page's lifetime-value section (htmx partial)."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    return render(request, "loyalty/_customer_panel.html", {"clv": customer_clv(customer.customer_no)})
