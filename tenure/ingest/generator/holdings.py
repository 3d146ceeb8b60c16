"""Which of this bank's products each customer holds, and how their AUM is spread over them.

Richer customers hold more time deposits, wealth, fund and insurance (contribution grows with
tier); "fake big" customers keep large sums idle in demand deposits and nothing else. Wealth,
fund and insurance products never exceed the customer's risk tolerance (suitability rule), and
customers whose risk tolerance was never assessed hold none.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..schema import PRODUCT_TYPES
from .calendar import Calendar, add_months
from .customers import CORPORATE, MERCHANT, PERSONAL, Customers
from .products import Products

T = {name: i for i, name in enumerate(PRODUCT_TYPES)}
NEVER = 1 << 30
AUM_TYPES = np.array([T[t] for t in ("current", "savings", "time_deposit", "wealth", "fund", "insurance")])

# Per stratum (Standard … Diamond): probability of holding / expected count, and AUM weight.
HOLD = {
    "savings": (0.30, 0.45, 0.5, 0.5, 0.5),
    "wealth": (0.04, 0.30, 0.5, 0.7, 0.85),
    "fund": (0.05, 0.20, 0.35, 0.5, 0.6),
    "insurance": (0.02, 0.10, 0.2, 0.35, 0.5),
    "loan": (0.08, 0.15, 0.18, 0.15, 0.10),
    "credit_card": (0.30, 0.50, 0.6, 0.7, 0.75),
}
TD_COUNT = (0.25, 0.8, 1.2, 1.6, 2.0)
WEIGHT = {
    "current": (0.7, 0.35, 0.25, 0.15, 0.10),
    "savings": (0.3, 0.20, 0.15, 0.10, 0.05),
    "time_deposit": (0.5, 0.45, 0.35, 0.30, 0.25),
    "wealth": (0.3, 0.40, 0.40, 0.40, 0.40),
    "fund": (0.2, 0.20, 0.25, 0.30, 0.30),
    "insurance": (0.2, 0.20, 0.20, 0.20, 0.20),
}
TD_TERMS = (3, 6, 12, 24, 36, 60)
TD_TERM_P = (0.1, 0.15, 0.35, 0.1, 0.2, 0.1)


class Rows:
    """Accumulates account chunks; every chunk names the same fields."""

    FIELDS = ("cust", "product", "open_day", "close_day", "amount", "monthly", "primary", "card")

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = defaultdict(list)

    def add(self, cust, product, open_day, amount, close_day=NEVER, monthly=0.0, primary=False, card=0) -> None:
        n = len(cust)
        values = (cust, product, open_day, close_day, amount, monthly, primary, card)
        for name, value in zip(self.FIELDS, values, strict=True):
            self.parts[name].append(np.broadcast_to(np.asarray(value), (n,)).copy())

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate(self.parts[name]) for name in self.FIELDS}


def choose_product(rng: np.random.Generator, candidates: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """One product per row among `candidates` where `ok` (rows × candidates) allows, at random;
    the first candidate when none is allowed."""
    score = np.where(ok, rng.random(ok.shape), -1.0)
    return candidates[np.argmax(score, axis=1)]


def suitable(p: Products, candidates: np.ndarray, risk: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Suitability: product risk ≤ customer risk tolerance, and the amount meets the minimum."""
    return (p.risk[candidates][None, :] <= risk[:, None]) & (p.minimum[candidates][None, :] <= amount[:, None])


def term_dates(rng: np.random.Generator, onboard: np.ndarray, first: int, term: np.ndarray):
    """Open and maturity days of a term product still running on the first date: the remaining
    term is uniform, and it was not opened before the customer joined."""
    target = first + (rng.random(len(term)) * term * 30.4).astype(np.int64)
    opened = np.minimum(np.maximum(add_months(target, -term), onboard), first - 1)
    maturity = add_months(opened, term)
    late = maturity < first
    opened[late] = np.minimum(opened[late] + 5, first - 1)
    return opened, np.maximum(add_months(opened, term), first)


def _open_day(rng: np.random.Generator, c: Customers, rows: np.ndarray, cal: Calendar) -> np.ndarray:
    """Existing customers opened their holdings some time since joining; new ones within 3 weeks."""
    onboard, first = c.onboard[rows], cal.first_start
    past = onboard + (rng.random(len(rows)) * np.maximum(first - 1 - onboard, 0)).astype(np.int64)
    fresh = np.minimum(onboard + rng.integers(0, 21, len(rows)), cal.ends[-1])
    return np.where(onboard < first, past, np.maximum(fresh, onboard))


def base_holdings(rng: np.random.Generator, c: Customers, p: Products, cal: Calendar, out: Rows) -> None:
    """Holdings at the first date (or at onboarding for customers who join during the window)."""
    first, s = cal.first_start, c.stratum
    personal, firm = c.ctype == PERSONAL, c.ctype != PERSONAL
    invest = personal & ~c.fake_big & (c.risk >= 0)
    held: dict[str, np.ndarray] = {}
    for kind, probs in HOLD.items():
        prob = np.asarray(probs)[s]
        if kind in ("wealth", "fund", "insurance"):
            prob = np.where(invest, prob, np.where(c.ctype == CORPORATE, 0.3 * (kind == "wealth"), 0.0))
        if kind == "savings":
            prob = np.where(firm, 0.2, prob)
        if kind == "loan":
            prob = np.where(c.ctype == CORPORATE, 0.3, np.where(c.ctype == MERCHANT, 0.25, prob))
        if kind == "credit_card":
            prob = np.where(personal, prob, 0.0)
        held[kind] = rng.random(c.n) < prob
    td_n = rng.poisson(np.asarray(TD_COUNT)[s] * np.where(firm, 0.6, 1.0)) * ~c.fake_big
    second = personal & (rng.random(c.n) < 0.08)

    # AUM holdings: (customer rows, type) with a random weight, normalised per customer.
    everyone = np.arange(c.n)
    cust = [everyone, np.flatnonzero(second), np.flatnonzero(held["savings"]), np.repeat(everyone, td_n)]
    kinds = ["current", "current", "savings", "time_deposit"]
    for kind in ("wealth", "fund", "insurance"):
        cust.append(np.flatnonzero(held[kind]))
        kinds.append(kind)
    ptype = np.concatenate([np.full(len(r), T[k]) for r, k in zip(cust, kinds, strict=True)])
    owner = np.concatenate(cust)
    weight_table = np.array([WEIGHT.get(t, (0,) * 5) for t in PRODUCT_TYPES])
    weight = weight_table[ptype, s[owner]] * rng.lognormal(0.0, 0.5, len(owner))
    weight[len(everyone) : len(everyone) + len(cust[1])] *= 0.3  # a second current account is minor
    amount = c.aum0[owner] * weight / np.bincount(owner, weights=weight, minlength=c.n)[owner]
    amount = np.round(np.maximum(amount, 1.0), 2)
    primary = np.zeros(len(owner), dtype=bool)
    primary[: c.n] = True

    product = np.empty(len(owner), dtype=np.int64)
    for kind in ("current", "savings", "time_deposit", "wealth", "fund", "insurance"):
        rows = np.flatnonzero(ptype == T[kind])
        product[rows] = _products_for(rng, p, kind, c, owner[rows], amount[rows])
    open_day = _open_day(rng, c, owner, cal)
    open_day[primary] = c.onboard
    close = np.full(len(owner), NEVER, dtype=np.int64)
    term = p.term[product]
    td = ptype == T["time_deposit"]
    pre = td & (c.onboard[owner] < first)
    open_day[pre], close[pre] = term_dates(rng, c.onboard[owner[pre]], first, term[pre])
    new = td & ~pre
    close[new] = add_months(open_day[new], term[new])
    card = np.where(personal[owner] & (primary | (ptype == T["current"])), 1, 0)
    card = np.where((ptype == T["savings"]) & personal[owner] & (rng.random(len(owner)) < 0.4), 1, card)
    out.add(owner, product, open_day, amount, close, primary=primary, card=card)
    _credit(rng, c, p, cal, np.flatnonzero(held["credit_card"]), out)
    _loans(rng, c, p, cal, np.flatnonzero(held["loan"]), out)


def _products_for(rng, p: Products, kind: str, c: Customers, owner: np.ndarray, amount: np.ndarray) -> np.ndarray:
    segment = np.array(["personal", "corporate", "merchant"])[c.ctype[owner]]
    if kind == "current":
        return np.array([p.of("current", seg)[0] for seg in ("personal", "corporate", "merchant")])[c.ctype[owner]]
    if kind == "time_deposit":
        term = np.asarray(TD_TERMS)[rng.choice(len(TD_TERMS), size=len(owner), p=TD_TERM_P)]
        term = np.where((segment != "personal") & (term == 60), 36, term)
        code = {t: p.code.index(f"TD{t:02d}") for t in TD_TERMS}
        chosen = np.array([code[t] for t in TD_TERMS])[np.searchsorted(TD_TERMS, term)]
        big = (amount >= 200_000) & (rng.random(len(owner)) < 0.6)
        cd = np.where(term >= 24, p.code.index("CD36"), p.code.index("CD12"))
        return np.where(big, cd, chosen)
    chosen = np.empty(len(owner), dtype=np.int64)
    for seg in ("personal", "corporate", "merchant"):
        rows = np.flatnonzero(segment == seg)
        candidates = p.of(kind, seg)
        if len(candidates) == 0:
            candidates = p.of(kind, "personal")
        risk = np.where(c.risk[owner[rows]] < 0, 4, c.risk[owner[rows]])
        chosen[rows] = choose_product(rng, candidates, suitable(p, candidates, risk, amount[rows]))
    return chosen


def _credit(rng, c: Customers, p: Products, cal: Calendar, rows: np.ndarray, out: Rows) -> None:
    """Credit cards: the card grade follows the tier; outstanding is this month's spending."""
    grade = np.minimum(c.stratum[rows], 3) + (rng.random(len(rows)) < 0.2)
    products = p.of("credit_card")[np.minimum(grade, 3)]
    owed = np.where(rng.random(len(rows)) < 0.7, rng.lognormal(np.log(2_500.0), 1.0, len(rows)), 0.0)
    owed *= 1 + c.stratum[rows]
    out.add(rows, products, _open_day(rng, c, rows, cal), np.round(owed, 2), card=2)


def _loans(rng, c: Customers, p: Products, cal: Calendar, rows: np.ndarray, out: Rows) -> None:
    """Loans repaid in equal principal instalments (等额本金); outstanding shrinks monthly."""
    ctype = c.ctype[rows]
    personal_codes = np.array([p.code.index(k) for k in ("LN01", "LN02", "LN04")])
    pick = personal_codes[rng.choice(3, size=len(rows), p=[0.4, 0.35, 0.25])]
    product = np.where(
        ctype == CORPORATE, p.code.index("LN05"), np.where(ctype == MERCHANT, p.code.index("LN03"), pick)
    )
    size = {"LN01": 900_000.0, "LN02": 80_000.0, "LN03": 300_000.0, "LN04": 120_000.0, "LN05": 2_000_000.0}
    median = np.array([size[p.code[k]] for k in product])
    principal = np.round(median * rng.lognormal(0.0, 0.5, len(rows)), -2)
    term = p.term[product]
    first = cal.first_start
    pre = c.onboard[rows] < first
    opened = np.empty(len(rows), dtype=np.int64)
    maturity = np.empty(len(rows), dtype=np.int64)
    opened[pre], maturity[pre] = term_dates(rng, c.onboard[rows[pre]], first, term[pre])
    opened[~pre] = _open_day(rng, c, rows[~pre], cal)
    maturity[~pre] = add_months(opened[~pre], term[~pre])
    remaining = np.clip((maturity - np.maximum(opened, first - 1)) / np.maximum(maturity - opened, 1), 0.0, 1.0)
    outstanding = np.round(principal * remaining, 2)
    monthly = np.round(principal / term, 2)
    close = np.where(maturity <= cal.ends[-1], maturity, NEVER)
    out.add(rows, product, opened, np.maximum(outstanding, monthly), close, monthly=monthly)
