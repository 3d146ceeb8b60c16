"""Scorecard, drill-down and service-star pages, their XLSX exports and the star rules editor.
Thin: every read is a scoped selector (`selectors.py`), every write a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tenure.core.audit import audit
from tenure.core.downloads import xlsx_response
from tenure.core.http import client_ip
from tenure.org.http import StaffRequest
from tenure.org.models import Branch
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import visible_branch_codes
from tenure.performance import selectors, stars
from tenure.performance.compute import Month
from tenure.performance.figures import DRILLS, Totals

PER_PAGE = 50
# sort key of the RM table -> how to sort a card (descending unless the key starts with "-": ascending)
SORTS: dict[str, Any] = {
    "name": lambda c: str(c.staff) if c.staff else "\uffff" + c.key,
    "book": lambda c: c.totals.book,
    "aum": lambda c: c.totals.aum,
    "aum_change": lambda c: c.totals.aum_change,
    "net_new": lambda c: c.totals.net_new,
    "retention": lambda c: c.totals.retention if c.totals.retention is not None else -1,
    "alerts": lambda c: c.totals.alerts_on_time_pct if c.totals.alerts_on_time_pct is not None else -1,
    "coverage": lambda c: c.totals.coverage_pct if c.totals.coverage_pct is not None else -1,
    "overdue": lambda c: c.totals.tasks_overdue,
    "complaints": lambda c: c.totals.complaints,
    "satisfaction": lambda c: c.totals.satisfaction if c.totals.satisfaction is not None else -1,
    "products": lambda c: c.totals.products_sold,
}


def _month(request: StaffRequest, available: list[dt.date]) -> dt.date | None:
    """The month asked for (`?month=YYYY-MM`) if stored and visible, else the latest; 404 for a bad one."""
    text = request.GET.get("month", "")
    if not text:
        return available[0] if available else None
    try:
        month = Month.parse(text).start
    except ValueError:
        raise Http404("No such month") from None
    if month not in available:
        raise Http404("No such month")
    return month


def branch_asked(request: StaffRequest) -> Branch | None:
    """`?branch=CODE` within the user's scope (404 otherwise, like a missing one)."""
    code = request.GET.get("branch", "")
    if not code:
        return None
    visible = visible_branch_codes(request.user)
    if visible is not None and code not in visible:
        raise Http404("No such branch")
    branch = Branch.objects.filter(code=code).first()
    if branch is None:
        raise Http404("No such branch")
    return branch


def _chart(series: list[tuple[dt.date, Totals]]) -> dict:
    return {
        "labels": [f"{m:%Y-%m}" for m, _ in series],
        "name": _("AUM at month-end"),
        "values": [float(t.aum) for _, t in series],
    }


@requires(Perm.SCORECARDS_VIEW)
def scorecard(request: StaffRequest) -> HttpResponse:
    user = request.user
    available = selectors.months(user)
    month = _month(request, available)
    branch = None if selectors.own_only(user) else branch_asked(request)
    context: dict[str, Any] = {"months": available, "month": month, "branch": branch, "own": selectors.own_only(user)}
    if month is not None:
        rows = selectors.rows_of(user, month, branch.code if branch else "")
        context["totals"] = Totals.of(rows)
        head_office = visible_branch_codes(user) is None
        if not context["own"]:
            cards = selectors.by_rm(rows)
            sort = request.GET.get("sort", "-aum")
            key = sort.lstrip("-")
            if key not in SORTS:
                sort, key = "-aum", "aum"
            cards.sort(key=SORTS[key], reverse=sort.startswith("-"))
            keep = {k: v for k, v in (("month", f"{month:%Y-%m}"), ("branch", branch.code if branch else "")) if v}
            page = Paginator(cards, PER_PAGE).get_page(request.GET.get("page"))  # a bank has thousands of RMs
            context |= {
                "cards": page.object_list,
                "page": page,
                "query": urlencode(keep | {"sort": sort}),
                "sort": key,
                "descending": sort.startswith("-"),
                "sort_query": urlencode(keep),
            }
            if head_office or branch is not None:
                context["branches"] = selectors.by_branch(user, rows, parent=branch.code if branch else "")
        context["chart"] = _chart(selectors.trend(user, branch=branch.code if branch else ""))
        context["drills"] = DRILLS
        context["month_key"] = f"{month:%Y-%m}"
        context["drill_q"] = urlencode({"month": f"{month:%Y-%m}"} | ({"branch": branch.code} if branch else {}))
    return render(request, "performance/scorecard.html", context)


@requires(Perm.SCORECARDS_VIEW)
def drill(request: StaffRequest) -> HttpResponse:
    """The customers behind one figure (scoped; an RM sees their own customers only)."""
    user = request.user
    available = selectors.months(user)
    month = _month(request, available)
    figure = request.GET.get("figure", "")
    if month is None or figure not in DRILLS:
        raise Http404("No such figure")
    branch = branch_asked(request)
    rm = request.GET.get("rm", "")[:32]
    lines = selectors.drill_lines(user, month=month, figure=figure, rm=rm, branch=branch.code if branch else "")
    page = Paginator(lines, PER_PAGE).get_page(request.GET.get("page"))
    who = selectors.staff_names([rm]).get(rm) if rm and rm != "pool" else None
    context = {
        "month": month,
        "figure": figure,
        "label": DRILLS[figure][0],
        "field": DRILLS[figure][1],
        "page": page,
        "branch": branch,
        "rm": rm,
        "who": who,
        "branch_names": selectors.branch_names(sorted({line.branch_code for line in page.object_list})),
        "query": urlencode(
            {
                k: v
                for k, v in (
                    ("month", f"{month:%Y-%m}"),
                    ("figure", figure),
                    ("rm", rm),
                    ("branch", branch.code if branch else ""),
                )
                if v
            }
        ),
    }
    return render(request, "performance/drill.html", context)


def _rm_columns() -> list[str]:
    return [
        _("Relationship manager"),
        _("Branch"),
        _("Customers in the book"),
        _("Change in the book"),
        _("AUM at month-end (yuan)"),
        _("AUM change (yuan)"),
        _("New customers"),
        _("Customers lost"),
        _("Retention rate (%)"),
        _("Churn alerts due"),
        _("Acted on in time"),
        _("Planned contacts"),
        _("Planned contacts up to date"),
        _("Tasks due"),
        _("Tasks overdue"),
        _("Complaints"),
        _("Average hours to resolve"),
        _("Satisfaction (0–10)"),
        _("Net promoter score"),
        _("Accounts opened"),
        _("Offers accepted"),
    ]


@requires(Perm.SCORECARDS_VIEW)
def scorecard_export(request: StaffRequest) -> HttpResponse:
    """The RM table of the page (names, never codes), audited `scorecards.export`."""
    user = request.user
    month = _month(request, selectors.months(user))
    if month is None:
        raise Http404("No scorecards")
    branch = None if selectors.own_only(user) else branch_asked(request)
    cards = selectors.by_rm(selectors.rows_of(user, month, branch.code if branch else ""))
    rows = []
    for c in cards:
        t = c.totals
        name = str(c.staff) if c.staff else _("Unassigned pool")
        rows.append(
            [
                name,
                c.branch.label if c.branch else "",
                t.book,
                t.book_change,
                t.aum,
                t.aum_change,
                t.new,
                t.lost,
                t.retention,
                t.alerts_due,
                t.alerts_on_time,
                t.contacts_required,
                t.contacts_done,
                t.tasks_due,
                t.tasks_overdue,
                t.complaints,
                t.resolve_hours_avg,
                t.satisfaction,
                t.nps,
                t.products_sold,
                t.offers_accepted,
            ]
        )
    audit(
        action="scorecards.export",
        actor=user,
        object_type="Scorecard",
        object_id=f"{month:%Y-%m}",
        detail={"rows": len(rows), "branch": branch.code if branch else ""},
        ip_address=client_ip(request),
    )
    lines = [(_("Month"), f"{month:%Y-%m}"), (_("Branch"), branch.label if branch else _("Your scope"))]
    return xlsx_response(f"scorecards-{month:%Y-%m}", _rm_columns(), rows, lines=lines, sheet=_("Scorecards"))


def _award_view(award, metric_labels: dict[str, str]) -> dict[str, Any]:
    """An award with its winner's inputs laid out as the formula: weight × percentile per figure."""
    detail = award.detail
    weights = {k: float(v) for k, v in detail["rules"]["weights"].items() if v}
    ranking = detail.get("ranking", [])
    top = ranking[0] if ranking else {"inputs": {}, "percentiles": {}}
    total_weight = sum(weights.values()) or 1
    parts = [
        {
            "label": metric_labels[k],
            "unit": stars.METRICS[k].unit,
            "value": top["inputs"].get(k),
            "percentile": top["percentiles"].get(k),
            "weight": weights[k],
            "points": round(weights[k] * (top["percentiles"].get(k) or 0) / total_weight, 2),
        }
        for k in weights
        if k in stars.METRICS
    ]
    names = selectors.staff_names([r["employee_no"] for r in ranking[:5]])
    runners = [{"staff": names.get(r["employee_no"]), "score": r["score"], "book": r["book"]} for r in ranking[:5]]
    return {"award": award, "parts": parts, "runners": runners, "min_book": detail["rules"]["min_book"]}


@requires(Perm.SCORECARDS_VIEW)
def star_page(request: StaffRequest) -> HttpResponse:
    user = request.user
    all_awards = list(selectors.awards(user))
    available = sorted({a.month for a in all_awards}, reverse=True)
    month = _month(request, available) if available else None
    labels = {k: str(m.label) for k, m in stars.METRICS.items()}
    current = [_award_view(a, labels) for a in all_awards if a.month == month]
    branch_names = selectors.branch_names(sorted({a.branch_code for a in all_awards if a.branch_code}))
    context = {
        "months": available,
        "month": month,
        "current": current,
        "history": all_awards[:60],
        "branch_names": branch_names,
        "rules": stars.active_rules(),
        "metric_labels": labels,
        "can_edit": has_perm(user, Perm.STAR_RULES_EDIT),
    }
    return render(request, "performance/stars.html", context)


@requires(Perm.SCORECARDS_VIEW)
def stars_export(request: StaffRequest) -> HttpResponse:
    """Every award the user may see, newest first, names not codes; audited `stars.export`."""
    awards = list(selectors.awards(request.user))
    branches = selectors.branch_names(sorted({a.branch_code for a in awards if a.branch_code}))
    rows = [
        [
            f"{a.month:%Y-%m}",
            branches[a.branch_code].label if a.branch_code in branches else _("Whole bank"),
            str(a.winner),
            a.winner.home_branch.label if a.winner.home_branch else "",
            a.score,
            a.candidates,
            a.rules_version,
        ]
        for a in awards
    ]
    audit(
        action="stars.export",
        actor=request.user,
        object_type="StarAward",
        detail={"rows": len(rows)},
        ip_address=client_ip(request),
    )
    columns = [
        _("Month"),
        _("Award for"),
        _("Service star"),
        _("Branch of the winner"),
        _("Score (0–100)"),
        _("Eligible candidates"),
        _("Rules version"),
    ]
    return xlsx_response("service-stars", columns, rows, sheet=_("Service stars"))


@requires(Perm.STAR_RULES_EDIT)
@require_http_methods(["GET", "POST"])
def star_rules(request: StaffRequest) -> HttpResponse:
    """Edit the weights and the eligibility minimums; saving stores a new version (audited)."""
    current = stars.active_rules()
    error = ""
    values: dict[str, Any] = {
        "weights": {k: current.rules["weights"].get(k, 0) for k in stars.METRICS},
        "min_book": current.rules["min_book"],
        "min_answers": current.rules["min_answers"],
        "note": "",
    }
    if request.method == "POST":
        rules, error = _rules_from(request.POST)
        values = {**rules, "note": request.POST.get("note", "")[:200]} if rules else values
        if not error:
            try:
                stars.star_rules_save(by=request.user, rules=rules, note=values["note"])
            except stars.StarRulesError as exc:
                error = str(exc)
            else:
                messages.success(request, _("Saved: the next computed month uses the new weighting."))
                return redirect("performance:stars")
    context = {
        "values": values,
        "metrics": [(k, str(m.label), values["weights"].get(k, 0)) for k, m in stars.METRICS.items()],
        "error": error,
        "rules": current,
        "history": stars.StarRules.objects.select_related("created_by")[:20],
    }
    return render(request, "performance/star_rules.html", context, status=400 if error else 200)


def _rules_from(data) -> tuple[dict[str, Any], str]:
    """Rules from the form; an error naming the field when a number is not a number."""
    weights: dict[str, float | int] = {}
    for key in stars.METRICS:
        text = (data.get(f"w_{key}") or "0").strip()
        try:
            number = float(text)
        except ValueError:
            return {}, f"weights.{key}: " + _("a number from 0 to 100")
        weights[key] = int(number) if number.is_integer() else number
    rules: dict[str, Any] = {"weights": weights}
    for key in ("min_book", "min_answers"):
        text = (data.get(key) or "").strip()
        if not text.isdigit():
            return {}, f"{key}: " + _("a whole number")
        rules[key] = int(text)
    return rules, ""
