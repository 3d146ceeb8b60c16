"""The product catalogue: this bank's products of all eight types, and competitors' products.

Rates follow 2025 Chinese retail levels (deposit rates ~1–1.6 %, wealth 2–4.5 %); competitors'
time deposits and wealth products pay a little more, which is what draws rate-sensitive customers
away. Competitor products are dated issues (招银理财…第N期) with a maturity date, so that
"notify 7 days before the competitor product matures" (docs/churn.md) has something to work on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ..schema import OWN_BANK_ISSUER, PRODUCT_TYPES
from . import vocab
from .arrays import dates, decimal
from .calendar import Calendar, add_months

# code, name, type, risk, term months (0 = none), rate % (None = none), segment, minimum yuan
OWN_PRODUCTS = (
    ("CUR01", "个人活期结算账户", "current", "R1", 0, 0.10, "personal", 0),
    ("CUR02", "单位基本存款账户", "current", "R1", 0, 0.20, "corporate", 0),
    ("CUR03", "商户结算账户", "current", "R1", 0, 0.20, "merchant", 0),
    ("SAV01", "活期储蓄存折", "savings", "R1", 0, 0.05, "personal", 0),
    ("SAV02", "七天通知存款", "savings", "R1", 0, 0.45, "all", 50_000),
    ("SAV03", "零存整取", "savings", "R1", 12, 0.90, "personal", 0),
    ("TD03", "整存整取三个月", "time_deposit", "R1", 3, 0.85, "all", 0),
    ("TD06", "整存整取六个月", "time_deposit", "R1", 6, 1.05, "all", 0),
    ("TD12", "整存整取一年", "time_deposit", "R1", 12, 1.20, "all", 0),
    ("TD24", "整存整取二年", "time_deposit", "R1", 24, 1.30, "all", 0),
    ("TD36", "整存整取三年", "time_deposit", "R1", 36, 1.55, "all", 0),
    ("TD60", "整存整取五年", "time_deposit", "R1", 60, 1.60, "personal", 0),
    ("CD12", "大额存单一年期", "time_deposit", "R1", 12, 1.40, "all", 200_000),
    ("CD36", "大额存单三年期", "time_deposit", "R1", 36, 1.75, "all", 200_000),
    ("WM01", "天天利现金管理", "wealth", "R1", 0, 1.90, "all", 1),
    ("WM02", "周周享", "wealth", "R2", 0, 2.10, "personal", 1),
    ("WM03", "季季开", "wealth", "R2", 3, 2.45, "personal", 10_000),
    ("WM04", "半年盈", "wealth", "R2", 6, 2.65, "personal", 10_000),
    ("WM05", "年年丰", "wealth", "R3", 12, 3.10, "personal", 10_000),
    ("WM06", "私行尊享", "wealth", "R3", 12, 3.60, "personal", 1_000_000),
    ("WM07", "权益增强", "wealth", "R4", 12, 4.50, "personal", 50_000),
    ("FD01", "货币市场基金", "fund", "R1", 0, None, "personal", 1),
    ("FD02", "纯债基金", "fund", "R2", 0, None, "personal", 1),
    ("FD03", "偏债混合基金", "fund", "R3", 0, None, "personal", 1),
    ("FD04", "偏股混合基金", "fund", "R4", 0, None, "personal", 1),
    ("FD05", "沪深300指数基金", "fund", "R4", 0, None, "personal", 1),
    ("FD06", "全球科技QDII基金", "fund", "R5", 0, None, "personal", 1),
    ("INS01", "增额终身寿险", "insurance", "R1", 120, 2.50, "personal", 10_000),
    ("INS02", "养老年金保险", "insurance", "R1", 60, 2.75, "personal", 10_000),
    ("INS03", "投资连结保险", "insurance", "R4", 120, None, "personal", 50_000),
    ("LN01", "个人住房贷款", "loan", "R1", 360, 3.05, "personal", 0),
    ("LN02", "个人消费贷款", "loan", "R2", 36, 3.60, "personal", 0),
    ("LN03", "个人经营贷款", "loan", "R2", 36, 3.20, "merchant", 0),
    ("LN04", "个人汽车贷款", "loan", "R2", 60, 3.80, "personal", 0),
    ("LN05", "流动资金贷款", "loan", "R2", 12, 3.45, "corporate", 0),
    ("CC01", "标准信用卡", "credit_card", "R1", 0, 18.25, "personal", 0),
    ("CC02", "金卡信用卡", "credit_card", "R1", 0, 18.25, "personal", 0),
    ("CC03", "白金信用卡", "credit_card", "R1", 0, 18.25, "personal", 0),
    ("CC04", "钻石信用卡", "credit_card", "R1", 0, 18.25, "personal", 0),
)
# Monthly return (mean, sd) of a holding by (type, risk rating) — funds move, deposits do not.
RETURNS = {"wealth": ((0.0016, 0.0002), (0.0020, 0.001), (0.0025, 0.005), (0.003, 0.02), (0.003, 0.02))}
RETURNS["fund"] = ((0.0015, 0.0002), (0.0025, 0.005), (0.003, 0.02), (0.004, 0.05), (0.005, 0.06))
RETURNS["insurance"] = ((0.002, 0.0), (0.002, 0.0), (0.002, 0.0), (0.003, 0.03), (0.003, 0.03))

_KIND_NAMES = {"time_deposit": "大额存单", "wealth": "稳健理财", "fund": "定开债券基金"}


@dataclass
class Products:
    # The numeric columns are lists while `add` appends to them and numpy arrays once `arrays()`
    # froze them (every reader runs after that): Any, since neither type holds for both phases.
    code: list[str] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    ptype: Any = field(default_factory=list)  # index into PRODUCT_TYPES
    risk: Any = field(default_factory=list)  # 0 for R1 … 4 for R5
    term: Any = field(default_factory=list)  # months
    rate: list[float | None] = field(default_factory=list)
    issuer: list[str] = field(default_factory=list)
    segment: list[str] = field(default_factory=list)
    minimum: Any = field(default_factory=list)  # yuan
    launch: Any = field(default_factory=list)  # day number the product became known
    maturity: Any = field(default_factory=list)  # day number, -1 for none

    def add(self, code, name, ptype, risk, term, rate, issuer, segment, minimum, launch, maturity) -> None:
        """Append one product; `ptype` and `risk` are given as codes ("fund", "R3")."""
        values = {
            "code": code,
            "name": name,
            "ptype": PRODUCT_TYPES.index(ptype),
            "risk": int(risk[1]) - 1,
            "term": term,
            "rate": rate,
            "issuer": issuer,
            "segment": segment,
            "minimum": minimum,
            "launch": launch,
            "maturity": maturity,
        }
        for attr, value in values.items():
            getattr(self, attr).append(value)

    def arrays(self) -> None:
        """Freeze the lists into numpy arrays for vectorised look-ups."""
        for attr in ("ptype", "risk", "term", "minimum", "launch", "maturity"):
            setattr(self, attr, np.array(getattr(self, attr)))
        self.own = np.array([i == OWN_BANK_ISSUER for i in self.issuer])

    def of(self, ptype: str, segment: str = "personal") -> np.ndarray:
        """Rows of this bank's products of one type usable by one customer segment."""
        seg = np.array([s in (segment, "all") for s in self.segment])
        return np.flatnonzero(self.own & (self.ptype == PRODUCT_TYPES.index(ptype)) & seg)

    def table(self, rows: np.ndarray) -> pa.Table:
        rate = np.array([self.rate[i] if self.rate[i] is not None else 0.0 for i in rows])
        return pa.table(
            {
                "product_code": [self.code[i] for i in rows],
                "name": [self.name[i] for i in rows],
                "product_type": [PRODUCT_TYPES[self.ptype[i]] for i in rows],
                "risk_rating": [f"R{self.risk[i] + 1}" for i in rows],
                "term_months": pa.array([int(self.term[i]) if self.term[i] else None for i in rows], pa.int32()),
                "rate": decimal(np.rint(rate * 10_000), 4, null=np.array([self.rate[i] is None for i in rows])),
                "issuer": [self.issuer[i] for i in rows],
                "maturity_date": dates(self.maturity[rows], null=self.maturity[rows] < 0),
            }
        )


def _competitor_terms(rng: np.random.Generator, issuer: str) -> tuple[str, int, float | None, str]:
    """Kind, term, rate and risk of one competitor issue: banks sell deposits and wealth products,
    the internet platforms funds and wealth products, the online banks high-rate deposits."""
    online = issuer in vocab.ONLINE_COMPETITORS
    kind = ("fund", "wealth")[int(rng.random() < 0.5)] if issuer in ("蚂蚁财富", "腾讯理财通") else None
    kind = kind or ("time_deposit", "wealth", "time_deposit" if online else "fund")[rng.integers(0, 3)]
    if kind == "time_deposit":
        term = int(rng.choice([12, 24, 36, 60]))
        own = {t: r for _, _, k, _, t, r, *_ in OWN_PRODUCTS if k == "time_deposit" and r is not None}
        return kind, term, own.get(term, 1.6) + round(float(rng.uniform(0.2, 0.6)), 2), "R1"
    if kind == "wealth":
        term = int(rng.choice([3, 6, 12, 18]))
        return kind, term, round(float(rng.uniform(2.6, 3.8)), 2), ("R2", "R3")[int(rng.random() < 0.4)]
    return kind, int(rng.choice([3, 6, 12])), None, ("R2", "R3")[int(rng.random() < 0.3)]


def build_products(rng: np.random.Generator, cal: Calendar) -> Products:
    """Own catalogue (known since long before the first date) plus competitor issues: 30 still
    running on the first date, maturing during the window or within a year after it, and two new
    issues every month of the window."""
    p = Products()
    for code, name, ptype, risk, term, rate, segment, minimum in OWN_PRODUCTS:
        p.add(code, name, ptype, risk, term, rate, OWN_BANK_ISSUER, segment, minimum, 0, -1)
    first = cal.first_start
    issues = []
    for k in range(30 + 2 * cal.months):
        issuer = vocab.COMPETITORS[rng.integers(0, len(vocab.COMPETITORS))]
        kind, term, rate, risk = _competitor_terms(rng, issuer)
        if k < 30:
            due = rng.integers(first, int(cal.ends[-1]) + 366)
            day = min(int(add_months(np.array([due]), np.array([-term]))[0]), first - 1)
            if add_months(np.array([day]), np.array([term]))[0] < first:
                day = first - 1
        else:
            day = int(cal.starts[(k - 30) // 2]) + int(rng.integers(0, 25))
        issues.append((day, issuer, kind, term, rate, risk))
    issues.sort(key=lambda issue: issue[0])
    for k, (day, issuer, kind, term, rate, risk) in enumerate(issues):
        maturity = int(add_months(np.array([day]), np.array([term]))[0])
        name = f"{issuer}{_KIND_NAMES[kind]}第{k + 1}期"
        p.add(f"X{k + 1:04d}", name, kind, risk, term, rate, issuer, "all", 1, day, maturity)
    p.arrays()
    return p
