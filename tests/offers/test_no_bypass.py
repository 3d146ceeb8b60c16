"""No product reaches a customer without `suitable`: the places that read our product catalogue are
listed here, each classified, and every one that proposes products is shown to call the gate.

A new function that reads our products (`OWN_BANK`, `Product.objects`, the offers selectors) makes
`test_every_place_that_reads_our_products_is_classified` fail until it is added below: to PROPOSERS
(and then it must call `suitable`, `suitable_products` or `offers_for`), or to READERS with the
reason it proposes nothing to a customer.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

from tenure.offers.selectors import offers_for
from tenure.offers.suitability import suitable
from tenure.retention.playbooks import counter_offer, loan_products
from tests.offers.helpers import assessed, product

ROOT = Path(__file__).resolve().parents[2]
TOKENS = re.compile(
    r"\bOWN_BANK(_ISSUER)?\b|\bProduct\.objects\b|\bProductTerms\.objects\b|\bown_products\(|\b_comparable\("
)
GATES = {"suitable", "suitable_products", "offers_for"}

# (file, function): proposes products to one customer; must call a gate.
PROPOSERS = {
    ("tenure/retention/playbooks.py", "counter_offer"): "the churn counter-offer on the playbook",
    ("tenure/retention/playbooks.py", "loan_products"): "the loan folder on the playbook",
    ("tenure/offers/selectors.py", "offers_for"): "the 360° offers partial and GET /api/v1/customers/{id}/offers/",
    ("tenure/offers/book.py", "BookOffers._offers"): "the book's best open offers (/offers/book/ and its export)",
    ("tenure/offers/campaigns.py", "offer_campaign_create"): "offer campaigns: the treated group is offered the type",
    ("tenure/messaging/senders.py", "_offer"): "the offer of a product by SMS, e-mail or app push (and its preview)",
}
# (file, function or module-level name): reads products but proposes nothing to a customer.
READERS = {
    ("tenure/analytics/features.py", "_competitors"): "features from competitor holdings",
    ("tenure/customers/models.py", "OWN_BANK"): "the constant",
    ("tenure/customers/models.py", "Product.issuer"): "the model",
    ("tenure/customers/models.py", "Product.is_competitor"): "the model",
    ("tenure/customers/selectors.py", "maturities_between"): "accounts the customer already holds",
    ("tenure/messaging/senders.py", "repayments_queue"): "reminders for loans and cards the customer already holds",
    ("tenure/messaging/views.py", "offer_send"): "finds the posted product; the offer itself passes senders._offer",
    ("tenure/messaging/senders.py", "statements_queue"): "statement notices for accounts the customer already holds",
    ("tenure/messaging/senders.py", "_statement_activity"): "the statement's activity of accounts already held",
    ("tenure/ingest/dimensions.py", "product_types"): "import",
    ("tenure/ingest/generator/products.py", "Products.arrays"): "the synthetic bank",
    ("tenure/ingest/generator/products.py", "build_products"): "the synthetic bank",
    ("tenure/ingest/schema.py", "OWN_BANK_ISSUER"): "the extract's constant",
    ("tenure/ingest/schema.py", "TABLES"): "the extract's columns",
    ("tenure/offers/selectors.py", "catalogue"): "the catalogue page (no customer)",
    ("tenure/offers/selectors.py", "own_products"): "the candidates `offers_for` passes through the gate",
    ("tenure/offers/recommender.py", "adoptions"): "training labels: accounts already opened, from the lake",
    ("tenure/offers/recommender.py", "holdings"): "model inputs: accounts the customer already holds",
    ("tenure/offers/recommender.py", "type_suitability"): "product types the nightly ranks and the evaluation"
    " judges; the product shown to a customer passes `suitable` (`BookOffers._offers`)",
    ("tenure/offers/services.py", "product_terms_save"): "editing sales terms",
    ("tenure/offers/suitability.py", "suitable"): "the gate itself",
    ("tenure/offers/views.py", "response_create"): "records an answer: the service refuses all but a decline"
    " of an unsuitable product (`suitable`)",
    ("tenure/offers/views.py", "terms_edit"): "editing sales terms",
    ("tenure/retention/forms.py", "CompetitorProductForm.clean_issuer"): "competitor product form",
    ("tenure/retention/playbooks.py", "_comparable"): "candidates `counter_offer` passes through the gate",
    ("tenure/retention/playbooks.py", "_why_none"): "why no counter-offer: runs `suitable` on each candidate",
    ("tenure/retention/playbooks.py", "_ours"): "rated products: candidates of the competitor table, counter-offers",
    ("tenure/retention/selectors.py", "competitor_products"): "competitor products",
    ("tenure/performance/competitors.py", "comparison"): "ours beside theirs on the competitor page: no customer",
    ("tenure/performance/competitors.py", "competitor_offering_retire"): "retiring a competitor offering",
    ("tenure/performance/forms.py", "OfferingForm.clean_issuer"): "competitor offering form",
}


def _name(node: ast.stmt) -> str:
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return ",".join(t.id for t in targets if isinstance(t, ast.Name)) or type(node).__name__
    return getattr(node, "name", type(node).__name__)


def product_readers() -> dict[tuple[str, str], ast.AST]:
    """(file, top-level name or Class.member) -> its node, for every definition mentioning TOKENS."""
    found: dict[tuple[str, str], ast.AST] = {}
    for path in sorted((ROOT / "tenure").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if not TOKENS.search(source):
            continue
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.parse(source).body:
            if isinstance(node, ast.Import | ast.ImportFrom) or not TOKENS.search(
                ast.get_source_segment(source, node) or ""
            ):
                continue
            if isinstance(node, ast.ClassDef):
                for sub in node.body:
                    if TOKENS.search(ast.get_source_segment(source, sub) or ""):
                        found[(rel, f"{node.name}.{_name(sub)}")] = sub
            else:
                found[(rel, _name(node))] = node
    return found


def calls(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            names.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


def test_every_place_that_reads_our_products_is_classified():
    found = set(product_readers())
    unknown = found - set(PROPOSERS) - set(READERS)
    assert not unknown, (
        f"new places read our products: {sorted(unknown)}. If one proposes a product to a customer, make it "
        "call tenure.offers.suitability.suitable (or suitable_products / offers_for) and list it in PROPOSERS; "
        "otherwise list it in READERS with the reason"
    )
    gone = (set(PROPOSERS) | set(READERS)) - found
    assert not gone, f"listed but no longer found (update the lists): {sorted(gone)}"


def test_every_proposer_calls_the_gate():
    readers = product_readers()
    for place, what in PROPOSERS.items():
        assert calls(readers[place]) & GATES, f"{place} ({what}) proposes products without suitable()"


def test_the_gate_is_the_only_judge_of_the_proposers(bank):
    """Behaviour, not only source: a C2 customer is never proposed an R4 product by any proposer, and an
    expired assessment leaves no investment product anywhere."""
    day = dt.date(2026, 7, 31)
    wang = bank.customers["wang"]
    wang.birth_date = dt.date(1990, 3, 7)
    wang.save()
    competitor = bank.holdings["H-wang"].product
    competitor.rate, competitor.term_months = 3.11, 12
    competitor.save()
    safe = product("W-SAFE", risk="R2", rate="2.90", term_months=12)
    product("W-EQ", risk="R4", rate="4.50", term_months=12)  # the 权益增强 4.50 %
    product("CARD-R4", kind="credit_card", risk="R4")  # the age rule reaches loans and cards too
    assessed(wang, "C2")
    assert counter_offer(competitor, wang, day) == safe  # not the R4 one paying more
    offers = offers_for(wang, day)
    proposed = [v.product for v in offers.offers] + loan_products(wang, day)
    assert proposed and all(suitable(wang, p, day).ok for p in proposed)
    assert "W-EQ" not in {p.code for p in proposed}

    later = dt.date(2027, 2, 1)  # the assessment has expired
    assert counter_offer(competitor, wang, later) is None
    investment = {"wealth", "fund", "insurance"}
    assert not [v for v in offers_for(wang, later).offers if v.product.product_type in investment]


def test_no_customer_of_the_bank_is_proposed_an_unsuitable_product(bank):
    """Every customer, every proposer: whatever is proposed passes `suitable` (zero unsuitable offers)."""
    day = dt.date(2026, 7, 31)
    for risk in ("R1", "R3", "R5"):
        product(f"W-{risk}", risk=risk, rate="3.00", term_months=12)
        product(f"L-{risk}", kind="loan", risk=risk)
    for i, customer in enumerate(bank.customers.values()):
        assessed(customer, ("C1", "C2", "C3", "C4")[i % 4])
    competitor = bank.holdings["H-wang"].product
    for customer in bank.customers.values():
        proposed = [v.product for v in offers_for(customer, day).offers] + loan_products(customer, day)
        offer = counter_offer(competitor, customer, day)
        proposed += [offer] if offer else []
        bad = [p.code for p in proposed if not suitable(customer, p, day).ok]
        assert not bad, f"{customer}: {bad}"
