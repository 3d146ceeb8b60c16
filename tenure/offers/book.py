"""The book's best open offers: the nightly scores (`scoring.offers_score`) of the customers the
caller may see, ranked by expected value, one page at a time.

Scoped like every customer list (`customers_for`; "mine" narrows to the caller's RM book with
`my_book`); the scores are read from the Parquet output with DuckDB, filtered to those customers,
and an offer the customer already answered (accepted or declined within `ANSWERED_DAYS`) is not
open any more. The product shown for a type is the first of our products of that type that
`suitable` lets through on the day; a type with none says why ("not offered": the reasons), so this
list proposes nothing the gate refuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, overload

import pyarrow as pa

from tenure import lake
from tenure.analytics.cache import cached
from tenure.analytics.portfolio import customers_aum
from tenure.customers.models import Customer, Product
from tenure.offers.models import OfferResponse, Outcome
from tenure.offers.scoring import STEP, scored_dates
from tenure.offers.selectors import own_products, reason_texts
from tenure.offers.suitability import CustomerFacts, customer_facts, suitable
from tenure.org.scoping import customers_for, my_book, scope_key, sees_all

ANSWERED_DAYS = 90  # an accepted or declined offer of a type stays closed this long
SORTS = {"value": "expected_value", "chance": "score", "type": "product_type", "customer": "customer_no"}
EXPORT_LIMIT = 5_000


@dataclass
class BookOffer:
    """One open offer of the list: the customer, the type, its chance and expected value, and the
    product `suitable` lets through today (None: the reasons why none of the type is)."""

    customer: Customer
    product_type: str
    rank: int
    score: float
    expected_value: float  # yuan a year
    product: Product | None = None
    refused: tuple[str, ...] = ()
    reasons: list[dict] = field(default_factory=list)  # the 360° page's sentences, {"zh", "en"}

    @property
    def chance(self) -> float:
        return self.score * 100

    @property
    def reason_texts(self) -> list[str]:
        return reason_texts(self.reasons)

    @property
    def type_label(self) -> str:
        labels = dict(Product._meta.get_field("product_type").choices or [])
        return str(labels.get(self.product_type, self.product_type))


class BookOffers(Sequence):
    """The open offers of a scope as a lazy sequence (a `Paginator` counts it once and slices a page)."""

    def __init__(self, user, *, mine: bool, sort: str, descending: bool, on: dt.date) -> None:
        self.user, self.mine, self.on = user, mine, on
        self.column = SORTS.get(sort, "expected_value")
        self.descending = descending
        days = scored_dates()
        self.scored_on: dt.date | None = days[-1] if days else None

    def _customers(self):
        customers = customers_for(self.user)
        return my_book(customers, self.user) if self.mine else customers

    def _query(self, select: str, tail: str = "") -> list[tuple]:
        assert self.scored_on is not None
        path = lake.output_path(STEP, self.scored_on)
        con = lake.duckdb_connect(threads=1)
        try:
            where = ["NOT EXISTS (SELECT 1 FROM answered a WHERE a.customer_no = o.customer_no"]
            where[0] += " AND a.product_type = CAST(o.product_type AS VARCHAR))"
            pairs = self._answered
            con.register(
                "answered",
                pa.table(
                    {
                        "customer_no": pa.array([p[0] for p in pairs], pa.string()),
                        "product_type": pa.array([p[1] for p in pairs], pa.string()),
                    }
                ),
            )
            if self._scope is not None:
                con.register("scope", pa.table({"customer_no": pa.array(self._scope, pa.string())}))
                where.append("o.customer_no IN (SELECT customer_no FROM scope)")
            sql = f"SELECT {select} FROM read_parquet(?) o WHERE {' AND '.join(where)} {tail}"
            return con.execute(sql, [str(path)]).fetchall()
        finally:
            con.close()

    @cached_property
    def _answered(self) -> list[tuple[str, str]]:
        """(customer number, product type) of the offers accepted or declined lately: not open."""
        since = self.on - dt.timedelta(days=ANSWERED_DAYS)
        answered = OfferResponse.objects.filter(
            outcome__in=(Outcome.ACCEPTED, Outcome.DECLINED), responded_on__gte=since
        ).order_by("customer_id", "product__product_type")
        return [(str(number), kind) for number, kind in answered.values_list("customer_id", "product__product_type")]

    @cached_property
    def _scope(self) -> list[str] | None:
        """The numbers of the customers the list may show (None: every customer), kept per data
        version and scope: listing a branch's 150,000 numbers took half a second at a million."""
        if not self.mine and sees_all(self.user):
            return None
        key = ("mine", self.user.pk) if self.mine else ("scope", scope_key(self.user))
        return cached("offers.book_scope", key, lambda: list(self._customers().values_list("customer_no", flat=True)))

    @cached_property
    def _count(self) -> int:
        if self.scored_on is None:
            return 0
        # The same count for every page of the list: kept per data version, scope, scores file (a new
        # model scores the same date again) and answers.
        scores = lake.output_path(STEP, self.scored_on).stat().st_mtime_ns
        key = (self.mine and self.user.pk, scope_key(self.user), self.scored_on, scores, tuple(self._answered))
        return cached("offers.book_count", key, lambda: int(self._query("count(*)")[0][0]))

    def __len__(self) -> int:
        return self._count

    def count(self, value: Any = None) -> int:  # Paginator calls count()
        return self._count

    @overload
    def __getitem__(self, index: int) -> BookOffer: ...
    @overload
    def __getitem__(self, index: slice) -> list[BookOffer]: ...
    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else len(self)
        if self.scored_on is None or stop <= start:
            return []
        direction = "DESC" if self.descending else "ASC"
        rows = self._query(
            "customer_no, CAST(product_type AS VARCHAR), rank, score, expected_value",
            f"ORDER BY {self.column} {direction}, customer_no, rank LIMIT {int(stop - start)} OFFSET {int(start)}",
        )
        return self._offers(rows)

    def _offers(self, rows: list[tuple]) -> list[BookOffer]:
        """The page's rows with the product `suitable` lets through today, per customer and type."""
        customers = {c.customer_no: c for c in self._customers().filter(customer_no__in={r[0] for r in rows})}
        products: dict[str, list[Product]] = {}
        for p in own_products(self.on):
            products.setdefault(p.product_type, []).append(p)
        aums = customers_aum(list(customers.values()))
        out: list[BookOffer] = []
        facts: dict[str, CustomerFacts] = {}
        for number, kind, rank, score, value in rows:
            customer = customers.get(number)
            if customer is None:  # left the scope since the scores were written
                continue
            offer = BookOffer(customer, kind, int(rank), float(score), float(value))
            if number not in facts:
                facts[number] = customer_facts(customer, self.on, aum=aums[number])
            verdicts = [suitable(customer, p, self.on, facts=facts[number]) for p in products.get(kind, [])]
            offer.product = next((v.product for v in verdicts if v.ok), None)
            if offer.product is None and verdicts:
                offer.refused = tuple(verdicts[0].labels)
            out.append(offer)
        self._explain(out)
        return out

    @staticmethod
    def _explain(offers: list[BookOffer]) -> None:
        """Each offer's top reasons, the sentences of the 360° page (none without a trained model)."""
        # Loaded here: LightGBM costs seconds of start-up to commands that never show this list.
        from tenure.offers import recommender

        model = recommender.load()
        if model is None or not offers:
            return
        pairs = [(o.customer.customer_no, o.product_type) for o in offers]
        # Half a second at a million customers (the lake read of the page's customers): kept per data
        # version and model file, so paging back and forth pays it once.
        trained = recommender.model_path().stat().st_mtime_ns
        reasons = cached("offers.reasons", (trained, tuple(pairs)), lambda: recommender.offer_reasons(model, pairs))
        for offer in offers:
            offer.reasons = reasons.get((offer.customer.customer_no, offer.product_type), [])
