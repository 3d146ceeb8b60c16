"""REST API for customers, accounts and competitor holdings (read-only, plus unmask).

Same scoping (`tenure.org.scoping`) and masking (`tenure.customers.display`) as the pages: the
viewsets only pick selectors and serializers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tenure.analytics.portfolio import customer_aum_series, customer_holdings, customer_tier
from tenure.core.http import client_ip
from tenure.core.masking import mask_text
from tenure.customers.display import (
    ACCOUNT_FIELDS,
    CUSTOMER_FIELDS,
    masked_account_numbers,
    masked_customer_identifiers,
)
from tenure.customers.models import CONSENT_FIELDS, Account, Customer, ExternalHolding, RevealReason
from tenure.customers.selectors import (
    VIEW_ALL,
    VIEW_BOOK,
    account_get,
    account_list,
    customer_get,
    customer_list,
    holding_list,
    search_condition,
)
from tenure.customers.services import customer_unmask
from tenure.org.models import Staff


class CustomerSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch_id", read_only=True, help_text="branch code")
    rm = serializers.CharField(source="rm_id", read_only=True, allow_null=True, help_text="RM employee number")
    mobile = serializers.SerializerMethodField(help_text="masked: 138****5678")
    id_number = serializers.SerializerMethodField(help_text="masked: first 3 + last 4")
    email = serializers.SerializerMethodField(help_text="masked: first character and the domain, e.g. a***@example.org")
    consents = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id",
            "customer_no",
            "customer_type",
            "name",
            "gender",
            "mobile",
            "id_number",
            "email",
            "city",
            "occupation",
            "risk_tolerance",
            "consents",
            "onboarded_on",
            "branch",
            "rm",
        ]

    def _masked(self, obj: Customer) -> dict[str, str]:
        # A per-request cache in the context dict DRF passes; the stubs declare the context read-only.
        cache = self.context.setdefault("_masked", {})  # type: ignore[attr-defined]
        if obj.pk not in cache:
            cache[obj.pk] = masked_customer_identifiers(obj)
        return cache[obj.pk]

    def get_mobile(self, obj: Customer) -> str:
        return self._masked(obj)["mobile"]

    def get_id_number(self, obj: Customer) -> str:
        return self._masked(obj)["id_number"]

    def get_email(self, obj: Customer) -> str:
        return self._masked(obj)["email"]

    def get_consents(self, obj: Customer) -> dict[str, bool]:
        return {name.removeprefix("consent_"): getattr(obj, name) for name in CONSENT_FIELDS}


class AccountSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer_id", read_only=True, help_text="customer number")
    product = serializers.CharField(source="product_id", read_only=True, help_text="product code")
    product_type = serializers.CharField(source="product.product_type", read_only=True)
    account_number = serializers.SerializerMethodField(help_text="masked: at most first 6 + last 4")
    card_number = serializers.SerializerMethodField(help_text="masked: at most first 6 + last 4")

    class Meta:
        model = Account
        fields = [
            "id",
            "account_id",
            "customer",
            "product",
            "product_type",
            "account_number",
            "card_number",
            "opened_on",
            "closed_on",
            "status",
        ]

    def get_account_number(self, obj: Account) -> str:
        return masked_account_numbers(obj)["account_number"]

    def get_card_number(self, obj: Account) -> str:
        return masked_account_numbers(obj)["card_number"]


class HoldingSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer_id", read_only=True)
    product = serializers.CharField(source="product_id", read_only=True)
    issuer = serializers.CharField(source="product.issuer", read_only=True)
    product_type = serializers.CharField(source="product.product_type", read_only=True)

    class Meta:
        model = ExternalHolding
        fields = [
            "id",
            "holding_id",
            "customer",
            "product",
            "issuer",
            "product_type",
            "amount",
            "bought_on",
            "maturity_date",
        ]


class UnmaskInput(serializers.Serializer):
    field = serializers.ChoiceField(choices=[*CUSTOMER_FIELDS, *ACCOUNT_FIELDS])
    reason_code = serializers.ChoiceField(
        choices=RevealReason.choices,
        default=RevealReason.OTHER,
        help_text="why: customer_call, transaction, complaint or other (then `reason` is required)",
    )
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="free text; required for other"
    )
    account = serializers.IntegerField(required=False, help_text="account id, for account/card numbers")


IDENTIFIER_BY_POST = (
    "A mobile, ID, card or account number is searched with POST /api/v1/customers/search/ "
    '{"q": "..."}, so that it never lands in a URL or an access log.'
)


class CustomerSearchInput(serializers.Serializer):
    q = serializers.CharField(max_length=64, help_text="name prefix, customer number, or exact mobile/ID/card")


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", help_text="name prefix or customer number (identifiers: POST /api/v1/customers/search/)"
    )
    branch = django_filters.CharFilter(field_name="branch_id")
    rm = django_filters.CharFilter(field_name="rm_id")
    customer_type = django_filters.ChoiceFilter(choices=Customer._meta.get_field("customer_type").choices)
    onboarded_from = django_filters.DateFilter(field_name="onboarded_on", lookup_expr="gte")
    onboarded_to = django_filters.DateFilter(field_name="onboarded_on", lookup_expr="lte")

    class Meta:
        model = Customer
        fields = ["q", "branch", "rm", "customer_type", "onboarded_from", "onboarded_to"]

    def filter_q(self, queryset, name, value):
        if self.request is not None and self.request.method == "GET" and mask_text(value) != value:
            raise ValidationError({"q": [IDENTIFIER_BY_POST]})
        condition = search_condition(value)
        return queryset if condition is None else queryset.filter(condition)


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    """Customers in the caller's scope. `?view=book` narrows to the caller's own book."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    lookup_url_kwarg = "customer_id"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        view = self.request.query_params.get("view")
        return customer_list(user=self.request.user, view=view if view in (VIEW_BOOK, VIEW_ALL) else VIEW_ALL)

    def get_object(self) -> Customer:
        return customer_get(
            user=self.request.user, customer_id=int(self.kwargs["customer_id"]), ip=client_ip(self.request)
        )

    @extend_schema(
        responses=inline_serializer(
            "CustomerAum",
            {
                "dates": serializers.ListField(child=serializers.DateField()),
                "aum": serializers.ListField(child=serializers.DecimalField(max_digits=18, decimal_places=2)),
                "tier": serializers.CharField(),
            },
        )
    )
    @action(detail=True, methods=["get"])
    def aum(self, request: Request, customer_id: str, format: str | None = None) -> Response:
        """AUM (yuan) at the latest 13 month-ends and the asset tier (as on the 360° page: the
        latest nightly's, else the active tier rules applied to the latest AUM)."""
        customer = self.get_object()
        series = customer_aum_series(customer)
        tier, _official = customer_tier(customer, series[-1][1] if series else Decimal(0))
        return Response({"dates": [d for d, _ in series], "aum": [str(v) for _, v in series], "tier": tier.value})

    @extend_schema(
        responses=inline_serializer(
            "CustomerHolding",
            {
                "product_type": serializers.CharField(),
                "amount": serializers.CharField(),
                "accounts": serializers.IntegerField(),
                "is_aum": serializers.BooleanField(),
            },
            many=True,
        )
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def holdings(self, request: Request, customer_id: str, format: str | None = None) -> Response:
        """Own-bank balances by product type at the latest month-end."""
        rows = customer_holdings(self.get_object())
        return Response(
            [
                {"product_type": h.product_type, "amount": str(h.amount), "accounts": h.accounts, "is_aum": h.is_aum}
                for h in rows
            ]
        )

    @extend_schema(
        request=UnmaskInput,
        responses=inline_serializer(
            "Revealed",
            {
                "field": serializers.CharField(),
                "value": serializers.CharField(),
                "expires_at": serializers.DateTimeField(),
            },
        ),
    )
    @extend_schema(request=CustomerSearchInput, responses=CustomerSerializer(many=True))
    @action(detail=False, methods=["post"])
    def search(self, request: Request, format: str | None = None) -> Response:
        """Search by any key, identifiers included, with the query in the body (never in the URL)."""
        data = CustomerSearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        condition = search_condition(data.validated_data["q"])
        queryset = self.get_queryset()
        queryset = queryset.none() if condition is None else queryset.filter(condition)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @action(detail=True, methods=["post"])
    def unmask(self, request: Request, customer_id: str, format: str | None = None) -> Response:
        """Reveal one identifier for 60 seconds; requires a reason and writes an audit entry."""
        customer = self.get_object()
        data = UnmaskInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = None
        if data.validated_data.get("account"):
            account = account_get(
                user=request.user, account_pk=data.validated_data["account"], customer=customer, ip=client_ip(request)
            )
        try:
            revealed = customer_unmask(
                by=cast(Staff, request.user),  # authenticated: IsAuthenticated runs first
                customer=customer,
                field=data.validated_data["field"],
                reason_code=data.validated_data["reason_code"],
                reason=data.validated_data["reason"],
                account=account,
                ip=client_ip(request),
            )
        except DjangoValidationError as exc:
            raise ValidationError({"reason": exc.messages}) from exc
        return Response({"field": revealed.field, "value": revealed.value, "expires_at": revealed.expires_at})


class AccountFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer_id", help_text="customer number")
    product_type = django_filters.CharFilter(field_name="product__product_type")
    status = django_filters.ChoiceFilter(choices=Account._meta.get_field("status").choices)

    class Meta:
        model = Account
        fields = ["customer", "product_type", "status"]


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts and cards of customers in scope; numbers masked."""

    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    lookup_url_kwarg = "account_pk"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return account_list(user=self.request.user)

    def get_object(self) -> Account:
        return account_get(
            user=self.request.user, account_pk=int(self.kwargs["account_pk"]), ip=client_ip(self.request)
        )


class HoldingFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer_id", help_text="customer number")
    matures_before = django_filters.DateFilter(field_name="maturity_date", lookup_expr="lte")

    class Meta:
        model = ExternalHolding
        fields = ["customer", "matures_before"]


class HoldingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Competitor products customers in scope are known to hold."""

    serializer_class = HoldingSerializer
    filterset_class = HoldingFilter
    lookup_url_kwarg = "holding_pk"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return holding_list(user=self.request.user)
