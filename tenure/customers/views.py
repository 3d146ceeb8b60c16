"""Customer pages: search and list, the 360° page's transactions and channels tabs, unmasking and
CSV export (the 360° page itself is the page layer's: `web/customer_page.py`).

Thin: each view parses input, calls one selector or service, renders. Scope is applied by the
selectors; a foreign or missing customer is a 404 in every view.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure import lake
from tenure.core.audit import audit
from tenure.core.downloads import csv_response, xlsx_response
from tenure.core.http import client_ip, record_id
from tenure.core.masking import mask_text
from tenure.customers.display import masked_account_numbers, masked_customer_identifiers
from tenure.customers.forms import UnmaskForm
from tenure.customers.selectors import (
    CUSTOMER_SORTS,
    VIEW_ALL,
    VIEW_BOOK,
    account_get,
    account_list,
    customer_get,
    customer_search,
    default_view,
)
from tenure.customers.services import REVEAL_SECONDS, customer_unmask
from tenure.org.http import StaffRequest
from tenure.org.permissions import Perm, has_perm

PER_PAGE = 25
TXNS_PER_PAGE = 20
EXPORT_LIMIT = 50_000


def _list_params(request: StaffRequest) -> dict:
    """The search, view and sort of the list and its export. A mobile, ID or card number is searched
    only by POST (the search box): in a URL it would reach the access log and the browser history."""
    data = request.POST if request.method == "POST" else request.GET
    if request.method != "POST" and mask_text(data.get("q", "")) != data.get("q", ""):
        raise BadRequest("identifier search by GET")
    sort = data.get("sort", "name")
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    view = data.get("view") or default_view(request.user)
    return {
        "q": data.get("q", "").strip()[:64],
        "view": view if view in (VIEW_BOOK, VIEW_ALL) else VIEW_ALL,
        "sort": sort if sort in CUSTOMER_SORTS else "name",
        "descending": descending,
    }


@login_required
@require_http_methods(["GET", "POST"])
def customer_list(request: StaffRequest) -> HttpResponse:
    """The search box and the paginated, scoped, masked results (a partial for htmx requests).

    The search form posts, so a mobile or ID number typed into it never lands in a URL, an access
    log or the browser history; an identifier is never echoed back in clear either.
    """
    params = _list_params(request)
    queryset = customer_search(user=request.user, **params)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(c, masked_customer_identifiers(c)) for c in page.object_list]
    q_shown = mask_text(params["q"])
    q_is_identifier = q_shown != params["q"]
    base = {"q": "" if q_is_identifier else params["q"], "view": params["view"]}
    sort = ("-" if params["descending"] else "") + params["sort"]
    context = {
        "page": page,
        "rows": rows,
        **params,
        "sort_query": urlencode(base),
        "query": urlencode({**base, "sort": sort}),
        "q": base["q"],
        "q_shown": q_shown,
        "q_is_identifier": q_is_identifier,
    }
    template = "customers/_results.html" if request.htmx else "customers/list.html"
    return render(request, template, context)


def _require_full(user) -> None:
    """Balances, transactions and channels are not the lobby's: 403 (audited by the 403 handler), asked
    after the customer lookup so that a foreign customer stays a 404 for every role."""
    if not has_perm(user, Perm.CUSTOMER_360_FULL):
        raise PermissionDenied


@login_required
@require_GET
def customer_transactions(request: StaffRequest, customer_id: int) -> HttpResponse:
    """Recent transactions from the lake, newest first, one page (htmx partial)."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    _require_full(request.user)
    page = max(record_id(request.GET.get("page")) or 1, 1)
    accounts = list(account_list(user=request.user, customer=customer))
    # Named as the accounts table names them (product and masked number), never by the internal key.
    labels = {a.account_id: (a.product.name, masked_account_numbers(a)["account_number"]) for a in accounts}
    txns, has_next = lake.transactions_page(list(labels), page, TXNS_PER_PAGE)
    rows = [(t, *labels.get(t.account_id, ("", ""))) for t in txns]
    context = {"c": customer, "txns": txns, "rows": rows, "page": page, "has_next": has_next}
    return render(request, "customers/_transactions.html", context)


@login_required
@require_GET
def customer_channels(request: StaffRequest, customer_id: int) -> HttpResponse:
    """Channels used over the last 3 months (htmx partial: a transactions scan, kept off the page itself)."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    _require_full(request.user)
    ids = list(account_list(user=request.user, customer=customer).values_list("account_id", flat=True))
    return render(request, "customers/_channels.html", {"channels": lake.channel_usage(ids)})


@login_required
@require_POST
def customer_unmask_view(request: StaffRequest, customer_id: int) -> HttpResponse:
    """Reveal one identifier for 60 s after a reason is given; the audit entry is the price."""
    ip = client_ip(request)
    customer = customer_get(user=request.user, customer_id=customer_id, ip=ip)
    form = UnmaskForm(request.POST)
    form.is_valid()
    field, account_pk = form.cleaned_data.get("field"), form.cleaned_data.get("account")
    if field is None or "account" in form.errors:
        return HttpResponseBadRequest()
    account = account_get(user=request.user, account_pk=account_pk, customer=customer, ip=ip) if account_pk else None
    masked = (masked_account_numbers(account) if account else masked_customer_identifiers(customer)).get(field)
    if masked is None:
        return HttpResponseBadRequest()
    context: dict = {"c": customer, "form": form, "field": field, "account": account_pk, "masked": masked}
    if not form.errors:
        try:
            context["revealed"] = customer_unmask(
                by=request.user,
                customer=customer,
                field=field,
                reason_code=form.cleaned_data["reason_code"],
                reason=form.cleaned_data["reason"],
                account=account,
                ip=ip,
            )
        except ValidationError as exc:
            form.add_error("reason", exc)
    context["reveal_seconds"] = REVEAL_SECONDS
    # htmx swaps 2xx answers only; a form error is still shown in place, with the reason field.
    return render(
        request, "customers/_unmask.html", context, status=200 if request.htmx or "revealed" in context else 400
    )


EXPORT_COLUMNS = (
    gettext_lazy("Customer number"),
    gettext_lazy("Name"),
    gettext_lazy("Type"),
    gettext_lazy("Branch"),
    gettext_lazy("Relationship manager"),
    gettext_lazy("Mobile"),
    gettext_lazy("Resident ID"),
    gettext_lazy("E-mail"),
    gettext_lazy("Onboarding date"),
)


@login_required
@require_GET
def customer_export(request: StaffRequest, fmt: str = "csv") -> HttpResponseBase:
    """The current search as CSV or XLSX (masked identifiers, labels and names rather than codes),
    capped, and audited like any bulk read."""
    params = _list_params(request)
    queryset = customer_search(user=request.user, **params).select_related("branch", "rm")[:EXPORT_LIMIT]
    audit(
        action="customer.export",
        actor=request.user,
        object_type="customer",
        detail={"q": mask_text(params["q"]), "view": params["view"], "format": fmt},
        ip_address=client_ip(request),
    )
    rows = (
        [
            c.customer_no,
            c.name,
            c.get_customer_type_display(),
            c.branch.label,
            str(c.rm) if c.rm else "",
            m["mobile"],
            m["id_number"],
            m["email"],
            c.onboarded_on,
        ]
        for c in queryset.iterator(chunk_size=2000)
        for m in (masked_customer_identifiers(c),)
    )
    if fmt == "xlsx":
        return xlsx_response("customers", EXPORT_COLUMNS, rows, sheet=str(_("Customers")))
    return csv_response("customers", EXPORT_COLUMNS, rows)
