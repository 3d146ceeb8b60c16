"""REST API: surveys (list) and survey responses (list, scoped to the caller's branch subtree).

Responses carry the customer number (as the customer API does), never a name or identifier;
free-text answers go through `mask_text` so a number typed into a comment is not exposed.
"""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission

from tenure.core.masking import mask_text
from tenure.org.permissions import Perm, has_perm
from tenure.surveys.models import Answer, Response, Survey
from tenure.surveys.selectors import responses_for, survey_list


class CanViewResults(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_perm(request.user, Perm.SURVEYS_RESULTS)


class SurveySerializer(serializers.ModelSerializer):
    questions = serializers.IntegerField(source="questions.count", read_only=True)
    waves = serializers.IntegerField(source="wave_count", read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "code", "kind", "title_zh", "title_en", "is_template", "questions", "waves"]


class AnswerSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.code", read_only=True)
    # Not the default `get_value`: that name is Serializer's own (reading a field from input data).
    value = serializers.SerializerMethodField(method_name="answer_value")

    class Meta:
        model = Answer
        fields = ["question", "value"]

    def answer_value(self, obj: Answer) -> float | str | list[str] | None:
        if obj.number is not None:
            return obj.number
        if obj.choice:
            return obj.choice
        if obj.choices:
            return obj.choices
        return mask_text(obj.text) if obj.text else None


class SurveyResponseSerializer(serializers.ModelSerializer):
    survey = serializers.CharField(source="wave.survey.code", read_only=True)
    wave = serializers.CharField(source="wave.name", read_only=True)
    customer = serializers.CharField(source="customer.customer_no", read_only=True, help_text="customer number")
    branch = serializers.CharField(source="invitation.branch_code", read_only=True, help_text="branch when invited")
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = ["id", "survey", "wave", "customer", "branch", "submitted_at", "language", "score", "nps", "answers"]


class SurveyResponseFilter(django_filters.FilterSet):
    survey = django_filters.CharFilter(field_name="wave__survey__code")
    wave = django_filters.NumberFilter(field_name="wave_id", min_value=1, max_value=2**63 - 1)  # else SQLite overflows
    customer = django_filters.CharFilter(field_name="customer__customer_no")
    submitted_from = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_to = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte")

    class Meta:
        model = Response
        fields: list[str] = []


class SurveyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Surveys and shipped templates with their question and wave counts."""

    serializer_class = SurveySerializer
    permission_classes = [CanViewResults]
    filter_backends: list = []

    def get_queryset(self):
        return survey_list(self.request.user)


class SurveyResponseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Submitted responses of customers in the caller's branch subtree, with their answers."""

    serializer_class = SurveyResponseSerializer
    permission_classes = [CanViewResults]
    filterset_class = SurveyResponseFilter

    def get_queryset(self):
        return (
            responses_for(self.request.user)
            .select_related("wave__survey", "customer", "invitation")
            .prefetch_related("answers__question")
            .order_by("-submitted_at", "-id")
        )
