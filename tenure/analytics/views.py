"""Analytics pages: the analyst overview, the tier-rules editor, the 360° page's value panel. Thin views.

Numbers come from the nightly aggregates kept in the DB (`selectors`), scoped to the branches the
user may see; only the rules preview reads the lake (one DuckDB scan of the published features).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tenure.analytics import charts, selectors
from tenure.analytics.config import LEVEL_ORDER, TIER_ORDER, config_save
from tenure.analytics.forms import TierRulesForm
from tenure.analytics.models import NightlyRun
from tenure.analytics.permissions import can_edit_rules, can_view_analytics
from tenure.customers.selectors import customer_get
from tenure.org.models import Branch
from tenure.org.scoping import scoped, visible_branch_codes
from tenure.web.security import client_ip


def _business_dates() -> list[dt.date]:
    runs = NightlyRun.objects.filter(step="tiers", status=NightlyRun.Status.DONE)
    return list(runs.order_by("-business_date").values_list("business_date", flat=True))


def _chosen_date(request: HttpRequest, dates: list[dt.date]) -> dt.date | None:
    try:
        wanted = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        wanted = None
    return wanted if wanted in dates else (dates[0] if dates else None)


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Pyramid, month-over-month tier migration, the 80/20 curve and tier counts per branch."""
    if not can_view_analytics(request.user):
        raise PermissionDenied
    dates = _business_dates()
    day = _chosen_date(request, dates)
    codes = visible_branch_codes(request.user)
    tiers = selectors.tier_summary(day=day, branch_codes=codes) if day else None
    pyramid = selectors.pyramid_summary(day=day, branch_codes=codes) if day else None
    bank_wide = codes is None
    names = dict(scoped(Branch.objects.all(), request.user).values_list("code", "name"))
    rows = charts.branch_rows(tiers["by_branch"], names) if tiers else []
    context = {
        "dates": dates,
        "day": day,
        "bank_wide": bank_wide,
        "tiers": tiers,
        "pyramid": pyramid,
        "tier_labels": [charts.tier_label(t) for t in TIER_ORDER],
        "tier_counts": [(charts.tier_label(t), (tiers or {}).get("counts", {}).get(t, 0)) for t in TIER_ORDER],
        "level_counts": [(charts.LEVEL_LABELS[v], (pyramid or {}).get("counts", {}).get(v, 0)) for v in LEVEL_ORDER],
        "branch_rows": rows,
        "pyramid_chart": charts.pyramid_chart(pyramid["counts"]) if pyramid else None,
        "branch_chart": charts.branch_chart(rows),
    }
    if day and bank_wide:
        context["migration_rows"] = charts.migration_matrix(tiers["migration"])
        context["migration_chart"] = charts.migration_chart(tiers["migration"])
        context["pareto"] = pyramid["pareto"]
        context["top20_percent"] = charts.percent((pyramid["pareto"] or {}).get("top20_share"))
        context["pareto_chart"] = charts.pareto_chart(pyramid["pareto"])
    return render(request, "analytics/overview.html", context)


def _current_counts() -> dict[str, dict[str, int]]:
    day = selectors.published_date()
    if day is None:
        return {"tiers": {}, "pyramid": {}}
    return {"tiers": selectors.tier_summary(day=day)["counts"], "pyramid": selectors.pyramid_summary(day=day)["counts"]}


def _comparison(current: dict[str, int], preview: dict[str, int], order: tuple[str, ...], label) -> list[tuple]:
    """(label, customers now, customers with the edited rules, difference) per tier or level."""
    return [(label(k), current.get(k, 0), preview.get(k, 0), preview.get(k, 0) - current.get(k, 0)) for k in order]


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    """Edit tier rules: "preview" shows the counts the change would give (writes nothing); "save" stores a version.

    Saving is audited by `config_save`; the new version applies from the next nightly run.
    """
    if not can_edit_rules(request.user):
        raise PermissionDenied
    config = selectors.active_config()
    form = TierRulesForm(request.POST or None, rules=config.rules)
    context = {"form": form, "config": config, "published_date": selectors.published_date()}
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save":
            saved = config_save(rules=form.cleaned_data["rules"], by=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Rules saved as version %(version)s; they apply from the next nightly run.")
                             % {"version": saved.version})  # fmt: skip
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
def customer_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The 360° page's value section (htmx partial): tier, value level, contribution, potential, tier history."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    context = {
        "value": selectors.customer_value(customer_no=customer.customer_no),
        "history": selectors.tier_history(customer_no=customer.customer_no),
    }
    return render(request, "analytics/_customer_panel.html", context)
