"""The task pages: the list (filters, pages), one task (finish it by logging the contact, reassign
it), and the contact plan editor with its workload preview. The RM's home (web/home.py) shows the
same tasks as the workbench."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenure.analytics.cache import cached
from tenure.core.http import client_ip
from tenure.customers.selectors import customer_get
from tenure.engagement import plans, selectors
from tenure.engagement.forms import (
    ContactPlanForm,
    TaskCompleteForm,
    TaskCreateForm,
    TaskFilterForm,
    TaskReassignForm,
    TeamMemberForm,
)
from tenure.engagement.models import Source, Task, TaskStatus, TeamMember
from tenure.engagement.tasks import TaskError, task_complete, task_create, task_reassign
from tenure.engagement.teams import dedicated_team, is_key_customer, team_member_add, team_member_remove
from tenure.org.http import StaffRequest
from tenure.org.models import Role, Staff
from tenure.org.permissions import Perm, has_perm, requires
from tenure.org.scoping import customers_for, get_scoped_or_404, scope_key, scoped

PER_PAGE = 50


def source_link(task: Task) -> str:
    """Where the task came from, as a page the user can open (the customer's 360° page by default)."""
    customer_page = reverse("customers:detail", args=[task.customer.pk])
    links = {
        Source.COMPLAINT: lambda: reverse("complaints:detail", args=[int(task.source_id)]),
        Source.CALLBACK: lambda: reverse("surveys:callbacks"),
        Source.HANDOFF: lambda: reverse("retention:handoffs"),
        Source.CHURN_ALERT: lambda: reverse("churn:queue"),
    }
    maker = links.get(Source(task.source))
    return maker() if maker is not None else customer_page


def _task_get(request: StaffRequest, task_id: int) -> Task:
    return get_scoped_or_404(
        Task.objects.select_related("customer", "owner"), request.user, ip=client_ip(request), pk=task_id
    )


def _may_act(user: Staff, task: Task) -> bool:
    """The owner, the branch head it was escalated to, and branch heads of the subtree may finish it."""
    return has_perm(user, Perm.TASKS_WORK) and (
        task.owner_id == user.pk or task.escalated_to_id == user.pk or has_perm(user, Perm.TASKS_REASSIGN)
    )


def _reassignable_staff(user: Staff) -> QuerySet[Staff]:
    return scoped(Staff.objects.filter(groups__name=Role.RM, is_active=True), user).order_by("full_name", "username")


def _filtered(request: StaffRequest, form: TaskFilterForm, today: dt.date) -> QuerySet[Task]:
    user = request.user
    tasks = selectors.visible_tasks(user).select_related("customer", "owner", "escalated_to")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("mine") or not has_perm(user, Perm.TASKS_REASSIGN):
        tasks = tasks.filter(owner=user) | tasks.filter(escalated_to=user)
    status = data.get("status") or TaskStatus.OPEN
    if status != "all":
        tasks = tasks.filter(status=status)
    if data.get("source"):
        tasks = tasks.filter(source=data["source"])
    due = data.get("due")
    if due == "overdue":
        tasks = tasks.filter(due_on__lt=today)
    elif due == "today":
        tasks = tasks.filter(due_on=today)
    elif due == "week":
        tasks = tasks.filter(due_on__range=(today, today + dt.timedelta(days=6)))
    return tasks.order_by("-value_at_risk", "-priority", "due_on", "pk")


@requires(Perm.TASKS_WORK)
@require_GET
def task_list(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    form = TaskFilterForm(request.GET or None)
    page = Paginator(_filtered(request, form, today), PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page"])
    return render(request, "engagement/task_list.html", {"form": form, "page": page, "query": query, "today": today})


@requires(Perm.TASKS_WORK)
@require_http_methods(["GET", "POST"])
def task_new(request: StaffRequest) -> HttpResponse:
    """Write a task for oneself: customer number (looked up in scope), what to do, when."""
    user, ip = request.user, client_ip(request)
    initial = {"form_key": uuid.uuid4(), "due_on": timezone.localdate()}
    form = TaskCreateForm(
        request.POST or None, initial=initial, lookup=lambda number: selectors.customer_in_scope(user, number, ip=ip)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        task = task_create(
            by=user,
            customer=data["customer_no"],
            title=data["title"],
            due_on=data["due_on"],
            form_key=str(data["form_key"]),
        )
        messages.success(request, _("Task added for %(name)s.") % {"name": task.customer.name})
        return redirect("engagement:task_list")
    return render(request, "engagement/task_new.html", {"form": form}, status=400 if form.errors else 200)


@requires(Perm.TASKS_WORK)
@require_GET
def task_detail(request: StaffRequest, task_id: int) -> HttpResponse:
    task = _task_get(request, task_id)
    return _detail(request, task, TaskCompleteForm(task=task), None)


def _detail(
    request: StaffRequest, task: Task, complete: TaskCompleteForm, reassign: TaskReassignForm | None
) -> HttpResponse:
    user = request.user
    can_reassign = has_perm(user, Perm.TASKS_REASSIGN) and task.is_open
    if reassign is None and can_reassign:
        reassign = TaskReassignForm(staff=_reassignable_staff(user))
    context = {
        "task": task,
        "source_url": source_link(task),
        "complete_form": complete,
        "reassign_form": reassign,
        "can_act": _may_act(user, task) and task.is_open,
        "today": timezone.localdate(),
    }
    return render(
        request,
        "engagement/task_detail.html",
        context,
        status=400 if complete.errors or (reassign and reassign.errors) else 200,
    )


@requires(Perm.TASKS_WORK)
@require_POST
def task_complete_view(request: StaffRequest, task_id: int) -> HttpResponse:
    task = _task_get(request, task_id)
    if not _may_act(request.user, task):
        raise PermissionDenied
    form = TaskCompleteForm(request.POST, task=task)
    if form.is_valid():
        try:
            task_complete(by=request.user, task=task, **form.cleaned_data)
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Task done; the contact is on the customer's record."))
            return redirect("engagement:task_list" if request.POST.get("back") == "list" else "home")
    return _detail(request, task, form, None)


@requires(Perm.TASKS_REASSIGN)
@require_POST
def task_reassign_view(request: StaffRequest, task_id: int) -> HttpResponse:
    task = _task_get(request, task_id)
    form = TaskReassignForm(request.POST, staff=_reassignable_staff(request.user))
    if form.is_valid():
        try:
            task_reassign(by=request.user, task=task, to=form.cleaned_data["to"], reason=form.cleaned_data["reason"])
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Task given to %(name)s.") % {"name": form.cleaned_data["to"]})
            return redirect("engagement:task_list")
    return _detail(request, task, TaskCompleteForm(task=task), form)


@requires(Perm.CONTACT_PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def plan_edit(request: StaffRequest) -> HttpResponse:
    """Edit the contact plan: "preview" shows the monthly workload it would create (writes nothing);
    "save" stores a version, after a confirmation when an RM would be over the limit."""
    plan = plans.active_plan()
    form = ContactPlanForm(request.POST or None, rules=plan.rules)
    customers = customers_for(request.user)
    # The plan in force's workload over the whole scope (seconds at a million customers): once per
    # plan version and data version (tiers, books) for each scope.
    current = cached(
        "engagement.workload", (plan.version, scope_key(request.user)), lambda: plans.workload(plan.rules, customers)
    )
    context: dict = {"form": form, "plan": plan, "history": plans.plan_history()[:20]}
    if request.method == "POST" and form.is_valid():
        rules = form.rules()
        preview = plans.workload(rules, customers)
        if request.POST.get("action") == "save" and (not preview["over_limit"] or form.cleaned_data["confirm"]):
            saved = plans.plan_save(by=request.user, rules=rules, note=form.cleaned_data["note"])
            messages.success(request, _("Contact plan saved as version %(version)s.") % {"version": saved.version})
            return redirect("engagement:plan")
        context["preview"] = _preview_context(preview, current)
        context["needs_confirm"] = bool(preview["over_limit"])
    else:
        context["preview"] = _preview_context(current, None)
    return render(request, "engagement/plan.html", context)


def _preview_context(preview: dict, current: dict | None) -> dict:
    """Per RM (by name, heaviest first) the planned visits and calls a month, and the totals per kind."""
    names = {s.employee_no: s for s in Staff.objects.filter(employee_no__in=[k for k in preview["per_rm"] if k])}
    rows = sorted(
        (
            (names.get(rm) if rm else None, load, (current or {}).get("per_rm", {}).get(rm))
            for rm, load in preview["per_rm"].items()
        ),
        key=lambda row: -row[1],
    )
    return {
        "rows": rows[:30],
        "rm_count": len(rows),
        "per_kind": preview["per_kind"],
        "over_limit": len(preview["over_limit"]),
        "limit": preview["limit"],
        "unassigned": preview["per_rm"].get(None, 0),
    }


@login_required
@require_http_methods(["GET", "POST"])
def customer_team(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° page's dedicated-team card (htmx partial); branch heads add and remove colleagues."""
    user = request.user
    customer = customer_get(user=user, customer_id=customer_id, ip=client_ip(request))
    can_edit = has_perm(user, Perm.CUSTOMER_TEAM_EDIT)
    colleagues = scoped(Staff.objects.filter(is_active=True), user).order_by("full_name", "username")
    form = TeamMemberForm(staff=colleagues)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if request.POST.get("remove"):
            member = TeamMember.objects.filter(customer_id=customer.customer_no, pk=request.POST["remove"]).first()
            if member is None:
                raise Http404("No such team member")
            team_member_remove(by=user, member=member)
        else:
            form = TeamMemberForm(request.POST, staff=colleagues)
            if form.is_valid():
                team_member_add(by=user, customer=customer, **form.cleaned_data)
                form = TeamMemberForm(staff=colleagues)
    context = {
        "c": customer,
        "seats": dedicated_team(customer),
        "key": is_key_customer(customer),
        "can_edit": can_edit,
        "form": form,
    }
    return render(request, "engagement/_team.html", context)


@login_required
@require_GET
def customer_next_task(request: StaffRequest, customer_id: int) -> HttpResponse:
    """The 360° snapshot's "next task due" tile (htmx): the customer's open task due soonest."""
    customer = customer_get(user=request.user, customer_id=customer_id, ip=client_ip(request))
    task = selectors.next_task_for(customer)
    return render(
        request,
        "engagement/_next_task.html",
        {"task": task, "can_open": task is not None and _may_act(request.user, task)},
    )
