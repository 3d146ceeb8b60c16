"""Staff pages of the console: list, create (one-time password), roles and branch, deactivate.

Thin: reads in `console.selectors` and `customers.book`, writes in `console.services` and
`org.services.staff_deactivate` (which hands the book and open tasks to the successor)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tenure.console import selectors
from tenure.console.forms import StaffChangeForm, StaffCreateForm, StaffFilterForm
from tenure.console.services import NewStaff, staff_change, staff_create
from tenure.core.http import client_ip, record_id
from tenure.customers import book
from tenure.org.http import StaffRequest
from tenure.org.models import Staff
from tenure.org.permissions import Perm, requires
from tenure.org.services import deactivatable_staff, staff_deactivate

PER_PAGE = 50


@requires(Perm.ADMIN_CONSOLE)
@require_GET
def staff_list(request: StaffRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.staff_rows(
        role=filters.get("role", ""), branch=filters.get("branch"), active=filters.get("active", "")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(request, "console/staff_list.html", {"form": form, "page": page, "query": query, "tab": "staff"})


@requires(Perm.ADMIN_CONSOLE)
@require_http_methods(["GET", "POST"])
@never_cache
def staff_new(request: StaffRequest) -> HttpResponse:
    """The form; on success the one-time password, shown on this response only (never stored)."""
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new = NewStaff(
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            employee_no=data["employee_no"],
            branch=data["branch"],
            roles=tuple(data["roles"]),
        )
        try:
            staff, password = staff_create(by=request.user, new=new, ip=client_ip(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(request, "console/staff_created.html", {"staff": staff, "password": password, "tab": "staff"})
    return render(request, "console/staff_new.html", {"form": form, "tab": "staff"}, status=400 if form.errors else 200)


@requires(Perm.ADMIN_CONSOLE)
@require_http_methods(["GET", "POST"])
def staff_edit(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = get_object_or_404(Staff.objects.select_related("home_branch"), pk=staff_id)
    initial = {"branch": staff.home_branch, "roles": sorted(staff.role_codes)}
    form = StaffChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            written = staff_change(
                by=request.user,
                staff=staff,
                roles=data["roles"],
                branch=data["branch"],
                reason=data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if written:
                messages.success(request, _("Changes to %(name)s saved.") % {"name": staff})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("console:staff_edit", staff_id=staff.pk)
    context = {
        "staff": staff,
        "form": form,
        "can_deactivate": deactivatable_staff(request.user).filter(pk=staff.pk).exists(),
        "tab": "staff",
    }
    return render(request, "console/staff_edit.html", context, status=400 if form.errors else 200)


@requires(Perm.ADMIN_CONSOLE)
@require_http_methods(["GET", "POST"])
def staff_deactivate_page(request: StaffRequest, staff_id: int) -> HttpResponse:
    """Choose the successor and give a reason (GET), review what moves (POST), confirm (POST, confirm=1)."""
    user = request.user
    leaver = get_object_or_404(deactivatable_staff(user), pk=staff_id)
    data = request.POST if request.method == "POST" else request.GET
    successor_id = record_id(data.get("successor"))
    context: dict = {
        "leaver": leaver,
        "successor_groups": book.successor_groups(user),
        "successor_id": successor_id,
        "reason": data.get("reason", ""),
        "step": "choose",
        "tab": "staff",
    }
    if request.method == "GET":
        return render(request, "console/staff_deactivate.html", context)
    successor = next((s for _label, group in context["successor_groups"] for s in group if s.pk == successor_id), None)
    if successor is None or successor.pk == leaver.pk:
        context["errors"] = [_("Choose an active colleague as the successor.")]
        return render(request, "console/staff_deactivate.html", context, status=400)
    context["successor"] = successor
    try:
        if request.POST.get("confirm") != "1":
            context.update(book.hand_over_preview(leaver, successor))
            context["step"] = "review"
            return render(request, "console/staff_deactivate.html", context)
        handed = staff_deactivate(
            by=user, staff=leaver, successor=successor, reason=context["reason"], ip=client_ip(request)
        )
    except ValidationError as exc:
        context["errors"] = exc.messages
        return render(request, "console/staff_deactivate.html", context, status=400)
    messages.success(
        request,
        _("%(name)s is deactivated; %(n)d customers handed to %(successor)s, %(pool)d to the unassigned pool.")
        % {"name": leaver, "n": handed.get("customers", 0), "successor": successor, "pool": handed.get("to_pool", 0)},
    )
    return redirect("console:staff_edit", staff_id=leaver.pk)
