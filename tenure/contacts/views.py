"""The 360° page's interactions section (htmx partial): newest notes first and a form to add one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tenure.contacts.forms import InteractionForm
from tenure.contacts.selectors import interactions_for
from tenure.contacts.services import interaction_record
from tenure.core.http import client_ip
from tenure.customers.selectors import customer_get
from tenure.org.http import StaffRequest
from tenure.org.permissions import Perm, has_perm

PER_PAGE = 5


@login_required
@require_http_methods(["GET", "POST"])
def customer_interactions(request: StaffRequest, customer_id: int) -> HttpResponse:
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    form = InteractionForm()
    if request.method == "POST":
        if not has_perm(request.user, Perm.INTERACTION_RECORD):
            raise PermissionDenied
        form = InteractionForm(request.POST)
        if form.is_valid():
            interaction_record(by=request.user, customer=customer, **form.cleaned_data)
            form = InteractionForm()
    page = Paginator(interactions_for(user=request.user, customer=customer), PER_PAGE).get_page(request.GET.get("page"))
    context = {"c": customer, "page": page, "form": form, "can_record": has_perm(request.user, Perm.INTERACTION_RECORD)}
    return render(request, "contacts/_interactions.html", context)
