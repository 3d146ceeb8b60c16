"""Competitor comparison (issue 26 item 4, docs/performance.md § Competitor comparison): the terms
of competitors' offerings beside ours, mystery-shopping notes, and whom and why customers left for.

Competitor products stay `customers.Product` rows with the competitor as issuer (saved through
`retention.services.competitor_product_save`); this module keeps their sales terms
(`CompetitorTerms`) and the mystery-shopping notes, and reads the rest from their homes: our
products and terms from `offers.selectors.own_products`, interviews from `retention.selectors`,
lost outcomes from `churn.selectors`, competitor holdings from `customers.selectors`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.churn.models import Alert
from tenure.churn.selectors import alert_queue
from tenure.core.audit import audit
from tenure.customers.models import OWN_BANK, Product, ProductType
from tenure.customers.selectors import holding_list
from tenure.offers.selectors import own_products
from tenure.org.models import Branch, Staff
from tenure.org.permissions import Perm, has_perm
from tenure.org.scoping import scoped
from tenure.performance.models import CompetitorTerms, MysteryShop
from tenure.performance.period import Period
from tenure.retention import selectors as retention_selectors
from tenure.retention.interviews import OTHER_COMPETITOR, REASONS
from tenure.retention.services import competitor_product_save

PRODUCT_FIELDS = ("issuer", "name", "product_type", "risk_rating", "rate", "term_months")
TERMS_FIELDS = ("fees", "min_amount", "features", "valid_from", "valid_to")
SHOP_FIELDS = ("visited_on", "competitor", "their_branch", "our_branch", "observed", "score")


def _require(by: Staff) -> None:
    if not has_perm(by, Perm.COMPETITOR_PRODUCTS_EDIT):
        raise PermissionDenied


# ---- writes ---------------------------------------------------------------------------------------


def competitor_offering_save(*, by: Staff, data: dict[str, Any], product: Product | None = None) -> Product:
    """Add or change a competitor's offering: the product (through retention's service, which keeps
    competitor products) and its terms, in one transaction, audited `competitors.offering_save`."""
    _require(by)
    with transaction.atomic():
        created = product is None
        # The code only keys the row (customers' holdings point at extract codes): never shown.
        product = product or Product(code=f"CX-{secrets.token_hex(5).upper()}")
        for name in PRODUCT_FIELDS:
            setattr(product, name, data[name])
        competitor_product_save(product=product, by=by)
        terms, _created = CompetitorTerms.objects.get_or_create(product=product)
        for name in TERMS_FIELDS:
            setattr(terms, name, data[name])
        terms.updated_by = by
        terms.save()
        audit(
            action="competitors.offering_save",
            actor=by,
            object_type="product",
            object_id=product.code,
            detail={
                "created": created,
                "issuer": product.issuer,
                "rate": str(product.rate),
                "min_amount": str(terms.min_amount),
            },
        )
    return product


def competitor_offering_retire(*, by: Staff, product: Product, retire: bool = True) -> None:
    """Retire an offering (no longer sold; kept for the record and hidden from the comparison) or put
    it back; audited `competitors.offering_retire`."""
    _require(by)
    if product.issuer == OWN_BANK:
        raise ValueError("only competitor products are kept here")
    with transaction.atomic():
        terms, _created = CompetitorTerms.objects.get_or_create(product=product)
        terms.retired_at = timezone.now() if retire else None
        terms.updated_by = by
        terms.save(update_fields=["retired_at", "updated_by", "updated_at"])
        audit(
            action="competitors.offering_retire",
            actor=by,
            object_type="product",
            object_id=product.code,
            detail={"retired": retire},
        )


def mystery_shop_save(*, by: Staff, data: dict[str, Any], shop: MysteryShop | None = None) -> MysteryShop:
    """Record or correct a mystery-shopping note, audited `competitors.mystery_shop_save`."""
    _require(by)
    with transaction.atomic():
        created = shop is None
        shop = shop or MysteryShop(recorded_by=by)
        for name in SHOP_FIELDS:
            setattr(shop, name, data[name])
        shop.save()
        audit(
            action="competitors.mystery_shop_save",
            actor=by,
            object_type="mystery_shop",
            object_id=shop.pk,
            detail={"created": created, "competitor": shop.competitor, "score": str(shop.score)},
        )
    return shop


def mystery_shop_retire(*, by: Staff, shop: MysteryShop) -> None:
    """Withdraw a note (kept, no longer shown), audited `competitors.mystery_shop_retire`."""
    _require(by)
    with transaction.atomic():
        shop.retired_at = timezone.now()
        shop.save(update_fields=["retired_at", "updated_at"])
        audit(
            action="competitors.mystery_shop_retire",
            actor=by,
            object_type="mystery_shop",
            object_id=shop.pk,
            detail={"competitor": shop.competitor},
        )


# ---- reads ----------------------------------------------------------------------------------------


def competitor_products(*, retired: bool = False) -> QuerySet[Product]:
    """Competitor products with their terms; those without terms yet (from the extract) count as current."""
    rows = retention_selectors.competitor_products().select_related("competitor_terms")
    return (
        rows.filter(competitor_terms__retired_at__isnull=False)
        if retired
        else rows.exclude(competitor_terms__retired_at__isnull=False)
    )


def issuers() -> list[str]:
    """Competitors named anywhere: products' issuers and mystery-shopping notes."""
    names = set(retention_selectors.competitor_products().values_list("issuer", flat=True))
    names |= set(MysteryShop.objects.values_list("competitor", flat=True))
    return sorted(names)


@dataclass(frozen=True)
class Offering:
    """One row of the comparison: ours or a competitor's, the same fields either way."""

    product: Product
    ours: bool
    rate: Decimal | None
    fees: str
    min_amount: Decimal | None
    features: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    current: bool  # within its validity (or sale window) on the day shown

    @property
    def issuer(self) -> str:
        return _("Our bank") if self.ours else self.product.issuer


@dataclass
class TypeGroup:
    """Our offerings and theirs of one product type, best rate first on each side."""

    product_type: str
    label: str
    ours: list[Offering] = field(default_factory=list)
    theirs: list[Offering] = field(default_factory=list)

    limit: int | None = None  # rows shown per side; the rest behind "every offering of this type"

    @property
    def shown_ours(self) -> list[Offering]:
        return self.ours[: self.limit] if self.limit else self.ours

    @property
    def shown_theirs(self) -> list[Offering]:
        return self.theirs[: self.limit] if self.limit else self.theirs

    @property
    def hidden(self) -> int:
        return len(self.ours) + len(self.theirs) - len(self.shown_ours) - len(self.shown_theirs)

    @property
    def best_ours(self) -> Decimal | None:
        return max((o.rate for o in self.ours if o.rate is not None), default=None)

    @property
    def best_theirs(self) -> Decimal | None:
        return max((o.rate for o in self.theirs if o.rate is not None), default=None)

    @property
    def gap(self) -> Decimal | None:
        """Our best rate minus theirs, in percentage points (negative: they pay more)."""
        if self.best_ours is None or self.best_theirs is None:
            return None
        return self.best_ours - self.best_theirs


def _within(on: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or start <= on) and (end is None or on <= end)


def _theirs(product: Product, on: dt.date) -> Offering:
    terms = getattr(product, "competitor_terms", None)
    start, end = (terms.valid_from, terms.valid_to) if terms else (None, None)
    return Offering(
        product=product,
        ours=False,
        rate=product.rate,
        fees=terms.fees if terms else "",
        min_amount=terms.min_amount if terms else None,
        features=terms.features if terms else "",
        valid_from=start,
        valid_to=end,
        current=_within(on, start, end),
    )


def _ours(product: Product, on: dt.date) -> Offering:
    terms = getattr(product, "terms", None)
    start, end = (terms.sale_from, terms.sale_to) if terms else (None, None)
    return Offering(
        product=product,
        ours=True,
        rate=product.rate,
        fees=terms.fees if terms else "",
        min_amount=terms.min_amount if terms else None,
        features="",
        valid_from=start,
        valid_to=end,
        current=_within(on, start, end),
    )


def _by_rate(offering: Offering) -> tuple:
    return (offering.rate is None, -(offering.rate or 0), offering.product.name)


def comparison(on: dt.date, *, product_type: str = "", limit: int | None = None) -> list[TypeGroup]:
    """Per product type with a current competitor offering: theirs beside our products of that
    type on sale on `on` (matured ones left out), best rate first; `limit` rows shown per side."""
    groups: dict[str, TypeGroup] = {}
    labels = dict(ProductType.choices)
    theirs = competitor_products()
    if product_type:
        theirs = theirs.filter(product_type=product_type)
    for product in theirs:
        offering = _theirs(product, on)
        if not offering.current:
            continue
        kind = product.product_type
        groups.setdefault(kind, TypeGroup(kind, str(labels.get(kind, kind)), limit=limit)).theirs.append(offering)
    for product in own_products(on).filter(product_type__in=list(groups)):
        offering = _ours(product, on)
        if offering.current:
            groups[product.product_type].ours.append(offering)
    for group in groups.values():
        group.ours.sort(key=_by_rate)
        group.theirs.sort(key=_by_rate)
    order = list(labels)
    return sorted(groups.values(), key=lambda g: order.index(g.product_type) if g.product_type in order else 99)


def subtree_codes(branch: Branch | None) -> list[str] | None:
    """Codes of `branch`'s subtree (None: no branch filter)."""
    if branch is None:
        return None
    return list(Branch.objects.filter(path__startswith=branch.path).values_list("code", flat=True))


def mystery_shops(user: Staff, period: Period, branch: Branch | None = None) -> QuerySet[MysteryShop]:
    """Notes of the period about branches of ours in the user's scope (and `branch`'s subtree)."""
    rows = scoped(MysteryShop.objects.filter(retired_at=None), user).filter(
        visited_on__gte=period.start, visited_on__lte=period.end
    )
    codes = subtree_codes(branch)
    if codes is not None:
        rows = rows.filter(our_branch_id__in=codes)
    return rows.select_related("our_branch", "recorded_by")


@dataclass
class Departures:
    """Why and to whom customers left in a period, from what Tenure recorded."""

    interviews: int = 0
    lost_outcomes: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)
    # rows: competitor label, interviews naming it, reason counts in `reason_labels` order
    reason_labels: list[str] = field(default_factory=list)
    matrix: list[tuple[str, int, list[int]]] = field(default_factory=list)
    # rows: competitor, customers who bought a product of theirs in the period, amount (yuan)
    holdings: list[tuple[str, int, Decimal]] = field(default_factory=list)
    bought: int = 0  # distinct customers who bought a competitor product in the period


def departures(user: Staff, period: Period, branch: Branch | None = None) -> Departures:
    """Lost-customer interviews recorded in the period (per competitor × reason), churn alerts closed
    as lost in the period, and competitor products customers bought in the period (per competitor),
    all in the user's scope and `branch`'s subtree."""
    codes = subtree_codes(branch)
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    interviews = retention_selectors.interviews(user=user).filter(created_at__gte=start, created_at__lt=end)
    lost = alert_queue(user=user, status="").filter(outcome=Alert.Outcome.LOST, acted_at__gte=start, acted_at__lt=end)
    holdings = holding_list(user=user).filter(bought_on__gte=period.start, bought_on__lte=period.end)
    if codes is not None:
        interviews = interviews.filter(customer__branch_id__in=codes)
        lost = lost.filter(customer__branch_id__in=codes)
        holdings = holdings.filter(customer__branch_id__in=codes)
    reasons: Counter = Counter()
    per_competitor: dict[str, Counter] = defaultdict(Counter)
    named: Counter = Counter()
    total = 0
    for codes_given, competitor in interviews.order_by().values_list("reasons", "competitor").iterator():
        total += 1
        key = competitor or OTHER_COMPETITOR
        named[key] += 1
        reasons.update(codes_given)
        per_competitor[key].update(codes_given)
    order = [code for code, _n in reasons.most_common()]
    label_of = {code: str(label) for code, (label, _group) in REASONS.items()}
    other = _("Other or not named")
    matrix = [
        (other if key == OTHER_COMPETITOR else key, n, [per_competitor[key][code] for code in order])
        for key, n in named.most_common()
    ]
    bought = (
        holdings.order_by()
        .values("product__issuer")
        .annotate(customers=Count("customer_id", distinct=True), amount=Sum("amount"))
        .order_by("-customers", "product__issuer")
    )
    return Departures(
        interviews=total,
        lost_outcomes=lost.count(),
        reasons=[(label_of.get(code, code), n) for code, n in reasons.most_common()],
        reason_labels=[label_of.get(code, code) for code in order],
        matrix=matrix,
        holdings=[(row["product__issuer"], row["customers"], row["amount"] or Decimal(0)) for row in bought],
        bought=holdings.order_by().values("customer_id").distinct().count(),
    )
