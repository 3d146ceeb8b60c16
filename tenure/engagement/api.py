"""`GET /api/v1/greetings/?from=D&to=D`: the greetings due to customers in the caller's scope, and
`GET /api/v1/tasks/`: the tasks of customers in the caller's scope (RMs: their own)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from tenure.core.festivals import LAST_LUNAR_YEAR
from tenure.engagement.display import task_summary
from tenure.engagement.greetings import Festival, Kind, greetings_between
from tenure.engagement.models import Source, Task, TaskStatus
from tenure.engagement.selectors import visible_tasks
from tenure.org.permissions import Perm, has_perm
from tenure.org.scoping import customers_for

MAX_DAYS = 92  # a quarter: the list is worked out on request
DEFAULT_DAYS = 30


class GreetingSerializer(serializers.Serializer):
    customer = serializers.CharField(help_text="customer number")
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    festival = serializers.ChoiceField(choices=[("", "—"), *Festival.choices], help_text="for kind=festival")


def _day(request: Request, name: str, default: dt.date) -> dt.date:
    text = request.query_params.get(name)
    if text in (None, ""):
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: f"not a date (YYYY-MM-DD): {text[:40]!r}"}) from None


class GreetingViewSet(viewsets.GenericViewSet):
    """Birthdays (solar or lunar), bank anniversaries and festivals, one per customer per week at
    most, only for customers with marketing consent; by customer, then date."""

    serializer_class = GreetingSerializer
    filter_backends: list = []  # `from` and `to` are read by `list` itself

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="first day (default today)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description=f"last day (default from + {DEFAULT_DAYS} days)"),
        ]
    )
    def list(self, request: Request) -> Response:
        start = _day(request, "from", timezone.localdate())
        end = _day(request, "to", start + dt.timedelta(days=DEFAULT_DAYS))
        if end < start:
            raise ValidationError({"to": "before from"})
        if (end - start).days >= MAX_DAYS:
            raise ValidationError({"to": f"at most {MAX_DAYS} days from 'from'"})
        if start.year <= 1900 or end.year > LAST_LUNAR_YEAR:
            raise ValidationError({"from": f"dates must lie in 1901–{LAST_LUNAR_YEAR}"})
        greetings = list(greetings_between(customers_for(request.user), start, end))
        page = self.paginate_queryset(greetings)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class TaskSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.customer_no", read_only=True, help_text="customer number")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner = serializers.CharField(source="owner.employee_no", read_only=True, allow_null=True, default=None)
    escalated_to = serializers.CharField(
        source="escalated_to.employee_no", read_only=True, allow_null=True, default=None
    )
    summary = serializers.SerializerMethodField(help_text="the task's line in the request's language")

    class Meta:
        model = Task
        fields = [
            "id",
            "source",
            "source_id",
            "customer",
            "customer_name",
            "owner",
            "summary",
            "params",
            "due_on",
            "priority",
            "value_at_risk",
            "status",
            "escalated_to",
            "escalated_on",
            "done_at",
        ]

    def get_summary(self, task: Task) -> str:
        return task_summary(task)


class TaskFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__customer_no", help_text="customer number")
    source = django_filters.ChoiceFilter(choices=Source.choices)
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", help_text="due on or before")

    class Meta:
        model = Task
        fields = ["customer", "source", "status", "due_before"]


class CanWorkTasks(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_perm(request.user, Perm.TASKS_WORK)


class TaskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Tasks of customers in the caller's scope, most valuable first; an RM sees the tasks they own
    or that were escalated to them, a branch head every task of the subtree."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    permission_classes = [CanWorkTasks]
    queryset = Task.objects.none()  # the schema's model; get_queryset() answers the requests

    def get_queryset(self):
        user = self.request.user
        tasks = visible_tasks(user).select_related("customer", "owner", "escalated_to")
        if not has_perm(user, Perm.TASKS_REASSIGN):
            tasks = tasks.filter(owner=user) | tasks.filter(escalated_to=user)
        return tasks.order_by("-value_at_risk", "-priority", "due_on", "pk")
