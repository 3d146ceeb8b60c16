"""Queues and waiting times per branch, its XLSX, and the target-wait editor. Thin: reads through
`selectors.py` (scoped), the one write through `rules.target_save`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tenure.analytics.models import AssetTier
from tenure.core.audit import audit
from tenure.core.downloads import Sheet, xlsx_book_response
from tenure.core.http import client_ip
from tenure.org.http import StaffRequest
from tenure.org.models import Branch
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import visible_branch_codes
from tenure.queues import compute, rules, selectors
from tenure.queues.models import QueueTargetRules

PER_PAGE = 50
TREND_MONTHS = 13
SERVICE_LABELS = {
    "cash": gettext_lazy("Cash"),
    "account": gettext_lazy("Accounts"),
    "wealth": gettext_lazy("Wealth management"),
    "loan": gettext_lazy("Loans"),
    "card": gettext_lazy("Cards"),
    "enquiry": gettext_lazy("Enquiries"),
}
WEEKDAYS = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)
SORTS = ("name", "tickets", "p50_wait", "p90_wait", "within", "walked", "p90_service")


def tier_label(tier: str) -> str:
    if tier == selectors.KEY_LAYER:
        return _("Key layer of the value pyramid (below black-gold)")
    if tier == compute.NO_TIER:
        return _("Not identified, or no published tier")
    return str(dict(AssetTier.choices).get(tier, tier))


def _month(request: StaffRequest, available: list[dt.date]) -> dt.date | None:
    """`?month=YYYY-MM` if it has tickets, else the latest; 404 for one not available."""
    text = request.GET.get("month", "")
    if not text:
        return available[0] if available else None
    try:
        month = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise Http404("No such month") from None
    if month not in available:
        raise Http404("No such month")
    return month


def _branch(request: StaffRequest) -> Branch | None:
    """`?branch=CODE` within the user's scope (404 otherwise, like a missing one)."""
    code = request.GET.get("branch", "")
    if not code:
        return None
    visible = visible_branch_codes(request.user)
    branch = Branch.objects.filter(code=code).first()
    if branch is None or (visible is not None and code not in visible):
        raise Http404("No such branch")
    return branch


def _heat(cells: list[tuple[int, int, float, int]]) -> dict[str, Any]:
    """The heat map's data: hours open on the x axis, weekdays on the y axis, average wait in minutes."""
    hours = sorted({h for _, h, _, _ in cells})
    index = {h: i for i, h in enumerate(hours)}
    return {
        "hours": [f"{h:02d}:00" for h in hours],
        "days": [str(d) for d in WEEKDAYS],
        "cells": [[index[h], d, round(w, 1), n] for d, h, w, n in cells],
        "min": int(min((w for _, _, w, _ in cells), default=0.0)),
        "max": round(max((w for _, _, w, _ in cells), default=1.0), 1),
        "unit": _("min"),
        "tickets": _("tickets"),
    }


def _trend(user, branch: Branch | None, month: dt.date) -> dict[str, Any]:
    months = []
    day = month
    for _i in range(TREND_MONTHS):
        months.append(day)
        day = (day - dt.timedelta(days=1)).replace(day=1)
    waits = selectors.trend(user, branch, months)
    keys = [k for k, v in waits.items() if v["tickets"]]
    return {
        "labels": keys,
        "name": _("Served within the target wait"),
        "values": [round(100 * waits[k]["within_target_share"], 1) for k in keys],
        "unit": "%",
    }


@requires(Perm.QUEUES_VIEW)
def queues_page(request: StaffRequest) -> HttpResponse:
    user = request.user
    available = selectors.months_available()
    month = _month(request, available)
    branch = _branch(request)
    context: dict[str, Any] = {
        "months": available,
        "month": month,
        "branch": branch,
        "branches_filter": selectors.branches_for_filter(user),
        "can_edit": has_perm(user, Perm.QUEUE_TARGET_EDIT),
    }
    if month is None:
        context["target"] = rules.active_target()
        return render(request, "queues/page.html", context)
    result, target = selectors.analysis(user, month, branch)
    rows = [_shares(r) for r in _branch_rows(result.branches)]
    sort = request.GET.get("sort", "-tickets")
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "-tickets", "tickets"
    rows.sort(key=lambda r: _sort_value(r, key), reverse=sort.startswith("-"))
    keep = {k: v for k, v in (("month", f"{month:%Y-%m}"), ("branch", branch.code if branch else "")) if v}
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context |= {
        "result": result,
        "total": _shares(result.total),
        "target": rules.active_target(),
        "target_minutes": target,
        "page": page,
        "sort": key,
        "descending": sort.startswith("-"),
        "sort_query": urlencode(keep),
        "query": urlencode(keep | {"sort": sort}),
        "heat": _heat(result.heat),
        "tiers": [_shares(r) | {"label": tier_label(r["tier"])} for r in _tier_order(result.tiers)],
        "services": [_shares(r) | {"label": SERVICE_LABELS.get(r["service_type"], "")} for r in result.services],
        "key": result.key_vs_others.get("key"),
        "others": result.key_vs_others.get("others"),
        "trend": _trend(user, branch, month),
        "keep_query": urlencode(keep),
        "long_waits": selectors.open_long_waits(user, branch),
    }
    return render(request, "queues/page.html", context)


def _shares(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its within-target and walk-away shares in % (None without tickets)."""
    tickets = row["tickets"]
    return row | {
        "within_pct": None if row["within"] is None else 100 * row["within"],
        "walked_pct": 100 * row["walked"] / tickets if tickets else None,
    }


def _branch_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = selectors.branch_names([r["branch_code"] for r in rows])
    return [r | {"branch": names.get(r["branch_code"])} for r in rows]


def _sort_value(row: dict[str, Any], key: str) -> Any:
    if key == "name":
        return row["branch"].path if row["branch"] else row["branch_code"]
    value = row[key]
    return -1 if value is None else value


def _tier_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {t: i for i, t in enumerate(selectors.TIER_ORDER)}
    return sorted(rows, key=lambda r: order.get(r["tier"], len(order)))


def _figures(row: dict[str, Any]) -> list[Any]:
    """One row's figures as the export writes them: counts, minutes to one place, shares in %."""

    def minutes(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return [
        row["tickets"],
        row["served"],
        row["walked"],
        minutes(row["p50_wait"]),
        minutes(row["p90_wait"]),
        minutes(row["avg_wait"]),
        minutes(row["p50_service"]),
        minutes(row["p90_service"]),
        None if row["within"] is None else round(100 * row["within"], 1),
    ]


def _figure_columns(target: int) -> list[str]:
    return [
        _("Tickets"),
        _("Served"),
        _("Walked away"),
        _("Median wait (minutes)"),
        _("90th percentile wait (minutes)"),
        _("Average wait (minutes)"),
        _("Median service (minutes)"),
        _("90th percentile service (minutes)"),
        _("Served within %(minutes)s minutes (%%)") % {"minutes": target},
    ]


@requires(Perm.QUEUES_VIEW)
def queues_export(request: StaffRequest) -> HttpResponse:
    """The page's tables as one workbook (names, never codes), audited `queues.export`."""
    user = request.user
    month = _month(request, selectors.months_available())
    if month is None:
        raise Http404("No queue tickets")
    branch = _branch(request)
    result, target = selectors.analysis(user, month, branch)
    columns = _figure_columns(target)
    rows = _branch_rows(result.branches)
    lines = [
        (_("Month"), f"{month:%Y-%m}"),
        (_("Branch"), branch.label if branch else _("Your scope")),
        (_("Target wait (minutes)"), target),
    ]
    sheets = [
        Sheet(
            _("By branch"),
            [_("Branch"), *columns],
            [[r["branch"].label if r["branch"] else "", *_figures(r)] for r in rows]
            + [[_("Total"), *_figures(result.total)]],
            lines,
        ),
        Sheet(
            _("By customer tier"),
            [_("Customer tier"), *columns],
            [[tier_label(r["tier"]), *_figures(r)] for r in _tier_order(result.tiers)],
        ),
        Sheet(
            _("By service"),
            [_("Service"), *columns],
            [[str(SERVICE_LABELS.get(r["service_type"], "")), *_figures(r)] for r in result.services],
        ),
        Sheet(
            _("Hour and weekday"),
            [_("Weekday"), _("Hour"), _("Average wait (minutes)"), _("Tickets")],
            [[str(WEEKDAYS[d]), f"{h:02d}:00", round(w, 1), n] for d, h, w, n in result.heat],
        ),
    ]
    audit(
        action="queues.export",
        actor=user,
        object_type="QueueTickets",
        object_id=f"{month:%Y-%m}",
        detail={"branches": len(rows), "branch": branch.code if branch else ""},
        ip_address=client_ip(request),
    )
    return xlsx_book_response(f"queues-{month:%Y-%m}", sheets)


@requires(Perm.QUEUE_TARGET_EDIT)
@require_http_methods(["GET", "POST"])
def target_edit(request: StaffRequest) -> HttpResponse:
    """Change the target wait; saving stores a new version with the reason (audited)."""
    current = rules.active_target()
    error = ""
    values = {"minutes": str(current.minutes), "note": ""}
    if request.method == "POST":
        values = {"minutes": request.POST.get("minutes", "").strip()[:6], "note": request.POST.get("note", "")[:200]}
        try:
            if not values["minutes"].isdigit():
                raise rules.TargetError("target_minutes", "")
            rules.target_save(by=request.user, minutes=int(values["minutes"]), note=values["note"])
        except rules.TargetError as exc:
            error = _target_error(exc.field)
        else:
            messages.success(request, _("Saved: the queues page counts against the new target from now on."))
            return redirect("queues:page")
    context = {
        "values": values,
        "error": error,
        "target": current,
        "max": rules.MAX_TARGET_MINUTES,
        "history": QueueTargetRules.objects.select_related("created_by")[:20],
    }
    return render(request, "queues/target.html", context, status=400 if error else 200)


def _target_error(field: str) -> str:
    """The refused field in words, with what it accepts."""
    if field == "note":
        return _("Why: say why the target changes.")
    return _("Target wait: a whole number of minutes from 1 to %(max)s.") % {"max": rules.MAX_TARGET_MINUTES}
