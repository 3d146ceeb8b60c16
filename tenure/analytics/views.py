"""Analytics pages: the analyst overview, the upgrade-potential list, the tier-rules editor, the 360°
page's value panel. Thin views.

Numbers come from the nightly aggregates kept in the DB (`selectors`), scoped to the branches the
user may see; only the rules preview reads the lake (one DuckDB scan of the published features).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tenure.analytics import charts, selectors
from tenure.analytics.cache import CountedPaginator
from tenure.analytics.config import LEVEL_ORDER, TIER_ORDER, config_save
from tenure.analytics.forms import BASIS_CHOICES, TierRulesForm
from tenure.analytics.models import NightlyRun, Suggestion
from tenure.core.audit import audit
from tenure.core.downloads import xlsx_response
from tenure.core.figures import Percent
from tenure.core.http import client_ip
from tenure.customers.selectors import customer_get
from tenure.org.http import StaffRequest
from tenure.org.models import Branch
from tenure.org.permissions import Perm, requires
from tenure.org.scoping import is_book_owner_default, scope_key, scoped, visible_branch_codes


def _business_dates() -> list[dt.date]:
    runs = NightlyRun.objects.filter(step="tiers", status=NightlyRun.Status.DONE)
    return list(runs.order_by("-business_date").values_list("business_date", flat=True))


def _chosen_date(request: StaffRequest, dates: list[dt.date]) -> dt.date | None:
    try:
        wanted = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        wanted = None
    return wanted if wanted in dates else (dates[0] if dates else None)


@requires(Perm.ANALYTICS_VIEW)
@require_GET
def overview(request: StaffRequest) -> HttpResponse:
    """Pyramid, month-over-month tier migration, the 80/20 curve and tier counts per branch."""
    dates = _business_dates()
    day = _chosen_date(request, dates)
    codes = visible_branch_codes(request.user)
    tiers = selectors.tier_summary(day=day, branch_codes=codes) if day else None
    pyramid = selectors.pyramid_summary(day=day, branch_codes=codes) if day else None
    bank_wide = codes is None
    names = dict(scoped(Branch.objects.all(), request.user).values_list("code", "name"))
    rows = charts.branch_rows(tiers["by_branch"], names) if tiers else []
    level_counts = [(charts.LEVEL_LABELS[v], (pyramid or {}).get("counts", {}).get(v, 0)) for v in LEVEL_ORDER]
    context: dict[str, Any] = {
        "dates": dates,
        "day": day,
        "bank_wide": bank_wide,
        "tiers": tiers,
        "pyramid": pyramid,
        "tier_labels": [charts.tier_label(t) for t in TIER_ORDER],
        "tier_counts": [(charts.tier_label(t), (tiers or {}).get("counts", {}).get(t, 0)) for t in TIER_ORDER],
        "level_counts": level_counts,
        "branch_rows": rows,
        # Each branch's own pyramid (customers ranked within the branch, `branch_value_level`).
        "level_rows": charts.branch_rows(pyramid["by_branch"], names, LEVEL_ORDER) if pyramid else [],
        "level_labels": [label for label, _ in level_counts],
        "pyramid_chart": charts.pyramid_chart(pyramid["counts"]) if pyramid else None,
        "branch_chart": charts.branch_chart(rows),
    }
    if tiers is not None and pyramid is not None and bank_wide:  # both are there for a chosen day
        context["migration_rows"] = charts.migration_matrix(tiers["migration"])
        context["migration_chart"] = charts.migration_chart(tiers["migration"])
        context["pareto"] = pyramid["pareto"]
        context["top20_percent"] = charts.percent((pyramid["pareto"] or {}).get("top20_share"))
        context["pareto_chart"] = charts.pareto_chart(pyramid["pareto"])
    return render(request, "analytics/overview.html", context)


POTENTIAL_PER_PAGE = 50
EXPORT_LIMIT = 50_000
POTENTIAL_KIND_LABELS = {
    "risers": gettext_lazy("Likely to rise (tier or level)"),
    "tier": gettext_lazy("Likely to reach the next tier"),
    "level": gettext_lazy("Likely to reach the next value level"),
    "all": gettext_lazy("All customers"),
}
POTENTIAL_SORT_LABELS = {
    "score": gettext_lazy("Potential score"),
    "aum": gettext_lazy("AUM"),
    "contribution": gettext_lazy("Contribution"),
}


def _potential_filters(request: StaffRequest) -> dict:
    """The list's filters from the query string; an unknown value (a branch out of scope included)
    falls back to its default."""
    g = request.GET
    mine_default = "1" if is_book_owner_default(request.user) else "0"
    branch = scoped(Branch.objects.all(), request.user).filter(code=g.get("branch", "")).first()
    return {
        "branch": branch,
        "kind": g.get("kind") if g.get("kind") in selectors.POTENTIAL_KINDS else "risers",
        "suggestion": g.get("suggestion") if g.get("suggestion") in Suggestion.values else "",
        "tier": g.get("tier") if g.get("tier") in TIER_ORDER else "",
        "mine": g.get("mine", mine_default) == "1",
        "sort": g.get("sort") if g.get("sort") in selectors.POTENTIAL_SORTS else "score",
    }


def _plain(filters: dict) -> dict:
    """The filters with the branch as its code: for the audit entry and the query string."""
    return {**filters, "branch": getattr(filters["branch"], "code", "")}


def _query(filters: dict) -> str:
    """The filters as a query string, for the pager and the export link."""
    return urlencode({**_plain(filters), "mine": int(filters["mine"])})


@requires(Perm.POTENTIAL_VIEW)
@require_GET
def potential(request: StaffRequest) -> HttpResponse:
    """Who can move up (docs/features.md): likely tier and value-level risers in the user's scope, with the
    gap to the next tier, the cultivation suggestion, and how precise the rule was on a past month."""
    filters = _potential_filters(request)
    counted = {k: v for k, v in _plain(filters).items() if k != "sort"}
    key = (scope_key(request.user), filters["mine"] and request.user.pk, tuple(sorted(counted.items())))
    candidates = selectors.upgrade_candidates(user=request.user, **filters)
    pages = CountedPaginator(candidates, POTENTIAL_PER_PAGE, namespace="analytics.potential", key_parts=key)
    page = pages.get_page(request.GET.get("page"))
    selectors.next_tier_targets(page.object_list)
    day = selectors.published_date()
    backtest = selectors.potential_backtest(day)
    precision, base_rate = backtest.get("precision"), backtest.get("base_rate")
    context = {
        "page": page,
        "filters": filters,
        "query": _query(filters),
        "branches": scoped(Branch.objects.all(), request.user).values_list("code", "name"),
        "day": day,
        "backtest": backtest,
        "precision": charts.percent(precision),
        "recall": charts.percent(backtest.get("recall")),
        "base_rate": charts.percent(base_rate),
        "lift": f"{precision / base_rate:.1f}" if precision and base_rate else "",
        "kinds": POTENTIAL_KIND_LABELS,
        "sorts": POTENTIAL_SORT_LABELS,
        "suggestions": Suggestion.choices,
        "tier_choices": [(t, charts.tier_label(t)) for t in TIER_ORDER],
    }
    return render(request, "analytics/potential.html", context)


@requires(Perm.POTENTIAL_VIEW)
@require_GET
def potential_export(request: StaffRequest) -> HttpResponse:
    """The list as filtered (same scope), as an Excel sheet: capped and audited."""
    filters = _potential_filters(request)
    values = list(selectors.upgrade_candidates(user=request.user, **filters)[:EXPORT_LIMIT])
    selectors.next_tier_targets(values)
    audit(
        action="analytics.potential.export",
        actor=request.user,
        object_type="customer_value",
        detail={**_plain(filters), "rows": len(values)},
        ip_address=client_ip(request),
    )
    header = [
        _("Customer number"),
        _("Name"),
        _("Branch"),
        _("Relationship manager"),
        _("Asset tier"),
        _("Next tier"),
        _("AUM"),
        _("3-month average daily AUM"),
        _("Gap to the next tier"),
        _("Value level"),
        _("Contribution (yuan/year)"),
        _("Potential score"),
        _("Likely tier riser"),
        _("Likely level riser"),
        _("Suggestion"),
        _("Advice"),
    ]
    tier = charts.tier_label
    return xlsx_response(
        "upgrade-potential",
        header,
        (
            [
                v.customer_id,
                v.customer.name,
                v.customer.branch.name,
                str(v.customer.rm or ""),
                tier(v.asset_tier),
                tier(v.next_tier) if v.next_tier else "",
                v.aum,
                v.avg_daily_aum_3m,
                v.gap,
                v.get_value_level_display(),
                v.contribution,
                Percent(v.potential_score, 0),
                _("Yes") if v.likely_tier_riser else "",
                _("Yes") if v.likely_level_riser else "",
                v.get_suggestion_display(),
                v.advice,
            ]
            for v in values
        ),
    )


def _current_counts() -> dict[str, dict[str, int]]:
    day = selectors.published_date()
    if day is None:
        return {"tiers": {}, "pyramid": {}}
    return {"tiers": selectors.tier_summary(day=day)["counts"], "pyramid": selectors.pyramid_summary(day=day)["counts"]}


def _comparison(current: dict[str, int], preview: dict[str, int], order: tuple[str, ...], label) -> list[tuple]:
    """(label, customers now, customers with the edited rules, difference) per tier or level."""
    return [(label(k), current.get(k, 0), preview.get(k, 0), preview.get(k, 0) - current.get(k, 0)) for k in order]


BASES = dict(BASIS_CHOICES)


@requires(Perm.TIER_RULES_EDIT)
@require_http_methods(["GET", "POST"])
def rules(request: StaffRequest) -> HttpResponse:
    """Edit tier rules: "preview" shows the counts the change would give (writes nothing); "save" stores a version.

    Saving is audited by `config_save`; the new version applies from the next nightly run.
    """
    config = selectors.active_config()
    form = TierRulesForm(request.POST or None, rules=config.rules)
    context = {
        "form": form,
        "config": config,
        "published_date": selectors.published_date(),
        "history": [{**v, "basis": BASES.get(v["basis"], v["basis"])} for v in selectors.config_history()],
    }
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save":
            saved = config_save(rules=form.cleaned_data["rules"], by=request.user, note=form.cleaned_data["note"])
            messages.success(
                request,
                _("Rules saved as version %(version)s; they apply from the next nightly run.")
                % {"version": saved.version},
            )
            return redirect("analytics:rules")
        preview = selectors.rules_preview(rules=form.cleaned_data["rules"])
        current = _current_counts()
        context["preview"] = {
            "business_date": preview["business_date"],
            "tiers": _comparison(current["tiers"], preview["tiers"], TIER_ORDER, charts.tier_label),
            "levels": _comparison(
                current["pyramid"], preview["pyramid"], LEVEL_ORDER, lambda v: charts.LEVEL_LABELS[v]
            ),
        }
    template = "analytics/_preview.html" if request.htmx and request.method == "POST" else "analytics/rules.html"
    return render(request, template, context)


@login_required
@require_GET
def customer_panel(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° page's value section (htmx partial): tier, value level, contribution, potential, tier history."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    context = {
        "value": selectors.customer_value(customer_no=customer.customer_no),
        "history": selectors.tier_history(customer_no=customer.customer_no),
    }
    return render(request, "analytics/_customer_panel.html", context)
