"""The retention lottery page: who holds a ticket, the draws made and (branch heads, head office) the
draw of a month's winners, reviewed before it is made."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenure.core.http import client_ip
from tenure.core.masking import mask_name
from tenure.org.http import StaffRequest
from tenure.org.permissions import Perm, has_perm, requires
from tenure.retention import selectors
from tenure.retention.forms import LotteryDrawForm
from tenure.retention.lottery import DrawRefused, draw_branch, draw_periods, lottery_draw, ticket_holders
from tenure.retention.models import LotteryEntry

PER_PAGE = 50
DRAWS_SHOWN = 12


def _draw_form(request: StaffRequest, data=None) -> LotteryDrawForm | None:
    """The draw form for those who may draw (None otherwise), offering the months not drawn yet."""
    if not has_perm(request.user, Perm.LOTTERY_DRAW):
        return None
    branch = draw_branch(request.user)
    periods = draw_periods(branch=branch, today=timezone.localdate()) if branch is not None else []
    return LotteryDrawForm(data, periods=periods)


def _winners(draw) -> list[dict]:
    """A draw's winners as pages show them: names masked (the list is read out and shown around)."""
    return [{"rank": w.rank, "name": mask_name(w.entry.customer.name), "entry": w.entry} for w in draw.winners.all()]


@login_required
@require_GET
def lottery(request: StaffRequest) -> HttpResponse:
    """Ticket holders and invited customers of the caller's scope, the draws and the draw form."""
    status = request.GET.get("status", LotteryEntry.Status.ELIGIBLE)
    status = status if status in LotteryEntry.Status.values else ""
    entries = selectors.lottery_entries(user=request.user, status=status)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    draws = [(d, _winners(d)) for d in selectors.lottery_draws(user=request.user)[:DRAWS_SHOWN]]
    context = {
        "page": page,
        "status": status,
        "statuses": LotteryEntry.Status.choices,
        "draws": draws,
        "opened": request.GET.get("draw", ""),
        "form": _draw_form(request),
    }
    return render(request, "retention/lottery.html", context)


@requires(Perm.LOTTERY_DRAW)
@require_POST
def lottery_draw_view(request: StaffRequest) -> HttpResponse:
    """Review (month, scope, ticket holders, prizes), then draw on confirmation."""
    form = _draw_form(request, request.POST)
    if form is None or not form.is_valid():
        messages.error(request, _("Choose a month to draw and a number of prizes."))
        return redirect("retention:lottery")
    period, prizes = form.cleaned_data["period"], form.cleaned_data["prizes"]
    branch = draw_branch(request.user)
    if branch is None:  # no home branch: the form offered no month either
        return redirect("retention:lottery")
    if request.POST.get("confirm") != "1":
        tickets = ticket_holders(branch=branch, period=period).count()
        context = {"period": period, "prizes": prizes, "branch": branch, "tickets": tickets}
        return render(request, "retention/lottery_draw_confirm.html", context)
    try:
        draw, created = lottery_draw(period=period, prizes=prizes, by=request.user, ip=client_ip(request))
    except DrawRefused as exc:
        messages.error(request, str(exc))
        return redirect("retention:lottery")
    if created:
        messages.success(
            request,
            _("%(n)d winners drawn among %(tickets)d ticket holders; their prize notices are queued.")
            % {"n": draw.winners.count(), "tickets": draw.tickets},
        )
    else:
        messages.info(request, _("This month was drawn already; nothing changed."))
    return redirect(f"{reverse('retention:lottery')}?draw={draw.pk}#draw-{draw.pk}")
