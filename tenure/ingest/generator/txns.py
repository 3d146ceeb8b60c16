"""Transaction plumbing: the month's accumulator, counterparty words, channels and times of day.

A transaction is a row of parallel numpy arrays (account, time, cents, direction, channel, type,
counterparty word, merchant); generators append whole arrays at once, never single rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..schema import CHANNELS, TXN_TYPES
from . import vocab

CH = {name: i for i, name in enumerate(CHANNELS)}
TT = {name: i for i, name in enumerate(TXN_TYPES)}
FIELDS = ("acc", "time", "cents", "credit", "channel", "ttype", "cp", "merchant")


def _hours(spec: str) -> np.ndarray:
    """'9-16:3 12:5' → cumulative distribution over the 24 hours of the day."""
    weight = np.zeros(24)
    for item in spec.split():
        span, w = item.split(":")
        a, _, b = span.partition("-")
        weight[int(a) : int(b or a) + 1] = float(w)
    return np.cumsum(weight) / weight.sum()


_HOUR_CDF = np.stack(
    [
        _hours("9-16:4 10:5 15:5"),  # counter
        _hours("0-6:0.2 7-22:3 11-13:4 17-20:5 23:0.5"),  # atm
        _hours("0-6:0.3 7-23:3 12:5 19-22:6"),  # mobile
        _hours("0-6:1 7-23:3 20-23:5"),  # online
        _hours("8-9:1 10-22:3 12:5 18-20:6"),  # pos
        _hours("1-8:3 2-5:6"),  # agent: batch postings (payroll, direct debits, interest, fees)
    ]
)
# Hour of day by (channel, u × 4096): one gather instead of a search per transaction.
HOURS = np.stack([np.searchsorted(cdf, (np.arange(4096) + 0.5) / 4096, side="right") for cdf in _HOUR_CDF])


@dataclass
class Month:
    """One business month: index, first and last day, seasonal flags and the random stream."""

    m: int
    lo: int
    hi: int
    season: dict[str, bool]
    rng: np.random.Generator

    @property
    def days(self) -> int:
        return self.hi - self.lo + 1

    def day_of_month(self, dom: np.ndarray) -> np.ndarray:
        """Day number of day-of-month `dom` (31 means the month's last day)."""
        return self.lo + np.minimum(dom, self.days) - 1

    def days_in(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """A uniform day in [lo, hi] for each row."""
        return lo + (self.rng.random(len(lo)) * (hi - lo + 1)).astype(np.int64)

    def times(self, day: np.ndarray, channel: np.ndarray, credit: bool = False) -> np.ndarray:
        """Seconds since the epoch (Beijing time) at an hour typical of the channel. Credits are
        kept before 23:00 so that a transfer placed at 23:xx is after every credit of its day."""
        hour = HOURS[channel, self.rng.integers(0, 4096, len(day))]
        hour = np.minimum(hour, 22 if credit else 23)
        return day * 86_400 + hour * 3_600 + self.rng.integers(0, 3_600, len(day))

    def late(self, day: np.ndarray) -> np.ndarray:
        """23:00–23:59 on `day`: after every credit of that day."""
        return day * 86_400 + 23 * 3_600 + self.rng.integers(0, 3_600, len(day))

    def channels(self, n: int, probs: dict[str, float], older: np.ndarray | None = None) -> np.ndarray:
        """Channel codes drawn from `probs`; older customers (a mask) use the counter more."""
        names = list(probs)
        p = np.array([probs[k] for k in names])
        out = np.array([CH[k] for k in names])[self.rng.choice(len(names), size=n, p=p / p.sum())]
        if older is not None:
            out = np.where(older & (self.rng.random(n) < 0.35), CH["counter"], out)
        return out


class Txns:
    """The month's transactions, appended as arrays. Memory matters at a million customers: each
    column is concatenated (and its parts freed) one at a time, zero amounts dropped once."""

    DTYPES = (np.int32, np.int64, np.int64, bool, np.int8, np.int8, np.int32, np.int32)

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {name: [] for name in FIELDS}

    def add(self, acc, time, cents, credit, channel, ttype, cp=-1, merchant=-1) -> None:
        n = len(acc)
        values = (acc, time, cents, credit, channel, ttype, cp, merchant)
        for name, value, dtype in zip(FIELDS, values, self.DTYPES, strict=True):
            value = np.asarray(value, dtype=dtype)
            self.parts[name].append(value if value.ndim else np.full(n, value))

    def extend(self, t: dict[str, np.ndarray]) -> None:
        """Append another batch of columns (no copy)."""
        for name in FIELDS:
            self.parts[name].append(t[name])

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns, rows with a positive amount only; the accumulator is emptied."""
        cents = np.concatenate(self.parts.pop("cents")) if self.parts["acc"] else np.zeros(0, np.int64)
        keep = cents > 0
        out = {"cents": cents[keep]}
        del cents
        for name, dtype in zip(FIELDS, self.DTYPES, strict=True):
            if name != "cents":
                parts = self.parts.pop(name)
                out[name] = np.concatenate(parts)[keep] if parts else np.zeros(0, dtype)
        self.parts = {name: [] for name in FIELDS}
        return {name: out[name] for name in FIELDS}


class Words:
    """Counterparty texts: fixed words, masked person names, other banks, competitor issuers and
    this bank's merchants, each group a contiguous range of one list."""

    def __init__(self, masked: list[str], merchant_names: list[str]) -> None:
        self.words: list[str] = []
        self.ranges: dict[str, tuple[int, int]] = {}
        groups = {
            "online": vocab.SHOPS_ONLINE,
            "pos": vocab.SHOPS_POS,
            "utility": vocab.UTILITIES,
            "payroll": vocab.PAYROLL_PAYERS,
            "pension": ("社保中心养老金",),
            "red_packet": (vocab.RED_PACKET,),
            "settlement": (vocab.SETTLEMENT,),
            "own_transfer": (vocab.OWN_TRANSFER,),
            "own_redeem": ("理财赎回转活期",),
            "fee": vocab.FEE_TEXT,
            "interest": ("结息",),
            "loan_out": ("贷款发放",),
            "loan_in": ("贷款自动还款",),
            "card_in": ("信用卡还款",),
            "wallet": ("支付宝-余额充值", "财付通-零钱充值"),
            "staff_pay": ("代发工资",),
            "person": tuple(masked),
            "bank_out": tuple(f"他行账户-{b}" for b in vocab.COMPETITORS),
            "bank_in": tuple(f"他行转入-{b}" for b in vocab.COMPETITORS),
            "buy": tuple(f"{b}-产品购买" for b in vocab.COMPETITORS),
            "merchant": tuple(merchant_names),
        }
        for name, words in groups.items():
            self.ranges[name] = (len(self.words), len(words))
            self.words.extend(words)

    def draw(self, rng: np.random.Generator, group: str, n: int) -> np.ndarray:
        start, size = self.ranges[group]
        return start + rng.integers(0, size, n)

    def at(self, group: str, index: np.ndarray | int) -> np.ndarray:
        return self.ranges[group][0] + np.asarray(index)
