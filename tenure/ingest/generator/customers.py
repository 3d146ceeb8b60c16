"""Customers: who they are, where they bank, how rich they are and how they behave.

Wealth is drawn by stratum so that all five asset tiers of MISSION.md S2 exist even in a
2,000-customer bank: personal customers are split 0.15 % / 1.6 % / 4.5 % / 11 % / rest into
Diamond / Black-gold / Platinum / Gold / Standard and get a Pareto-tailed AUM inside their band.
That gives the 80/20 shape (the top fifth holds ~90 % of AUM) real banks report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import people, vocab
from .arrays import dates, flags, null_where, padded, pick, trunc_pareto
from .bank import Branches
from .calendar import Calendar
from .places import CITIES

PERSONAL, CORPORATE, MERCHANT = 0, 1, 2
TYPE_NAMES = ("personal", "corporate", "merchant")
TIER_SHARES = (0.0, 0.11, 0.045, 0.016, 0.0015)  # Standard (rest), Gold, Platinum, Black-gold, Diamond
TIER_BANDS = ((100.0, 95_000.0), (102_000.0, 295_000.0), (310_000.0, 980_000.0), (1.05e6, 9.5e6), (1.2e7, 3e8))
TIER_ALPHA = (0.0, 1.5, 1.4, 1.3, 1.6)
CITY_NAMES = [c.name for c in CITIES]
ASSESS_EVERY_DAYS = 365  # a diligent customer re-takes the questionnaire a little before the year is out
ASSESS_LAPSED_PER_MILLE = 120  # ~12 % let their assessment lapse (docs/generator.md)
CONSENT_RATES = {"sms": 0.93, "email": 0.78, "phone": 0.86, "push": 0.72, "marketing": 0.62}


@dataclass
class Customers:
    n: int
    ctype: np.ndarray
    sub: np.ndarray  # sub-branch index (Branches.sub order)
    city: np.ndarray  # current city index; relocations update it
    onboard: np.ndarray  # day number
    onboard_m: np.ndarray  # folder the customer first appears in
    stratum: np.ndarray  # 0 Standard … 4 Diamond (personal); wealth band at onboarding
    aum0: np.ndarray  # yuan, the level the balances start from
    fake_big: np.ndarray  # large, idle demand deposits, little else
    male: np.ndarray
    born: np.ndarray
    age: np.ndarray  # years on the end date (0 for firms)
    payroll: np.ndarray  # yuan per month; 0 when none (pension counts as payroll)
    payday: np.ndarray  # day of month (31 = month-end)
    activity: np.ndarray  # transaction-rate multiplier, heavy-tailed, mean ~1
    risk: np.ndarray  # 0..4 = C1..C5, -1 not assessed
    # Risk assessment: re-assessed every year on the day number `assess_anchor` (mod 365), except the
    # lapsed, whose last assessment (`assess_anchor` itself) lies 13–24 months before the first folder.
    assess_anchor: np.ndarray
    assess_lapsed: np.ndarray
    rm: np.ndarray  # staff row, -1 none
    number: pa.Array
    name: pa.Array
    id_number: pa.Array
    mobile: pa.Array
    email: pa.Array
    address: pa.Array
    occupation: pa.Array
    lunar: np.ndarray
    consents: dict[str, np.ndarray]
    consent_null: np.ndarray
    profiling_refused: np.ndarray

    def relocate(self, rows: np.ndarray, new_city: np.ndarray, rng: np.random.Generator) -> None:
        """Move customers to a new city (or a new address in the same city)."""
        mask = np.zeros(self.n, dtype=bool)
        mask[rows] = True
        self.city[rows] = new_city
        fresh = people.addresses(rng, new_city, self.ctype[rows] != PERSONAL)
        self.address = pc.replace_with_mask(self.address, pa.array(mask), fresh)

    def assessed_on(self, day: int) -> np.ndarray:
        """Every customer's latest risk-assessment day on or before `day` (-1: never assessed).

        Not before onboarding: a customer who joined since the anchor was assessed on joining."""
        yearly = day - (day - self.assess_anchor) % ASSESS_EVERY_DAYS
        latest = np.maximum(np.where(self.assess_lapsed, self.assess_anchor, yearly), self.onboard)
        return np.where(self.risk >= 0, latest, -1)

    def reassessed(self, before: int, day: int) -> np.ndarray:
        """Rows whose assessment changed between two business dates (the extract re-sends them)."""
        return np.flatnonzero((self.assessed_on(day) != self.assessed_on(before)) & (self.onboard <= before))

    def table(self, rows: np.ndarray, branches: Branches, staff_no: pa.Array, day: int) -> pa.Table:
        """Customer rows as they stand on business day `day` (current address, city and assessment)."""
        idx = pa.array(rows)
        personal = self.ctype[rows] == PERSONAL
        rm = self.rm[rows]
        consent_null = self.consent_null[rows]
        columns = {
            "customer_no": self.number.take(idx),
            "customer_type": pick(TYPE_NAMES, self.ctype[rows]),
            "name": self.name.take(idx),
            "gender": pick(("F", "M"), np.where(personal, self.male[rows], -1)),
            "birth_date": dates(self.born[rows], null=~personal),
            "lunar_birthday": flags(self.lunar[rows], null=~personal),
            "id_number": self.id_number.take(idx),
            "mobile": self.mobile.take(idx),
            "email": self.email.take(idx),
            "address": self.address.take(idx),
            "city": pick(CITY_NAMES, self.city[rows]),
            "occupation": self.occupation.take(idx),
            "risk_tolerance": pick(("C1", "C2", "C3", "C4", "C5"), self.risk[rows]),
        }
        assessed = self.assessed_on(day)[rows]
        columns["risk_assessed_on"] = dates(np.maximum(assessed, 0), null=assessed < 0)
        for channel in CONSENT_RATES:
            columns[f"consent_{channel}"] = flags(self.consents[channel][rows], null=consent_null)
        columns["consent_profiling"] = flags(~self.profiling_refused[rows])
        columns["onboarded_on"] = dates(self.onboard[rows])
        columns["branch_code"] = pick(branches.code, branches.sub[self.sub[rows]])
        columns["rm_employee_no"] = null_where(staff_no.take(pa.array(np.maximum(rm, 0))), rm < 0)
        columns["language"] = pick(("en",), np.where(english_readers(rows) & personal, 0, -1))
        return pa.table(columns)


def english_readers(rows: np.ndarray) -> np.ndarray:
    """About 3 % of customers read the bank's messages in English (the rest: empty, i.e. Chinese).
    Chosen by a hash of the row rather than drawn, so the rest of the bank's random draws stay as they were."""
    return (rows.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(100) < 3


def _strata(rng: np.random.Generator, personal: np.ndarray) -> np.ndarray:
    """Exact stratum counts (at least two customers each) shuffled over the personal customers."""
    rows = rng.permutation(np.flatnonzero(personal))
    stratum = np.zeros(len(personal), dtype=np.int8)
    start = 0
    for s in (4, 3, 2, 1):
        count = max(2, round(TIER_SHARES[s] * len(rows)))
        stratum[rows[start : start + count]] = s
        start += count
    return stratum


def _aum(rng: np.random.Generator, ctype: np.ndarray, stratum: np.ndarray) -> np.ndarray:
    n = len(ctype)
    aum = np.exp(rng.normal(np.log(9_000.0), 1.35, n))
    aum = np.where(aum > 95_000.0, rng.uniform(40_000.0, 95_000.0, n), np.maximum(aum, 50.0))
    for s in (1, 2, 3, 4):
        rows = np.flatnonzero(stratum == s)
        aum[rows] = trunc_pareto(rng, len(rows), *TIER_BANDS[s], TIER_ALPHA[s])
    firms = ctype == CORPORATE
    aum[firms] = np.exp(rng.normal(np.log(600_000.0), 1.5, int(firms.sum())))
    shops = ctype == MERCHANT
    aum[shops] = np.exp(rng.normal(np.log(80_000.0), 1.1, int(shops.sum())))
    return aum


def _onboarding(rng: np.random.Generator, cal: Calendar, n: int, born: np.ndarray, personal: np.ndarray):
    """Most customers joined years ago; ~0.6 % per month of the window are new."""
    first = cal.first_start
    years = rng.exponential(6.0, n)
    tenure_days = np.where(years > 25.0, rng.uniform(12.0, 25.0, n), years) * 365.25
    onboard = (first - 1 - tenure_days).astype(np.int64)
    adult = born + int(18.1 * 365.25)
    onboard = np.where(personal, np.maximum(onboard, np.minimum(adult, first - 1)), onboard)
    if cal.months > 1:
        new = rng.random(n) < min(0.08, 0.006 * (cal.months - 1))
        new &= adult < cal.starts[1]
        onboard[new] = rng.integers(cal.starts[1], cal.ends[-1] + 1, int(new.sum()))
        onboard[new] = np.maximum(onboard[new], np.where(personal[new], adult[new], 0))
    return onboard, np.maximum(cal.month_of(onboard), 0)


def _occupations(rng: np.random.Generator, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(age)
    occ = rng.choice(len(vocab.OCCUPATIONS), size=n, p=vocab.OCCUPATION_WEIGHTS)
    names = [o for o, _ in vocab.OCCUPATIONS]
    retired, student = names.index("退休人员"), names.index("学生")
    occ = np.where((age >= 62) & (rng.random(n) < 0.85), retired, occ)
    occ = np.where((occ == retired) & (age < 50), 0, occ)
    occ = np.where((age < 23) & (rng.random(n) < 0.5), student, occ)
    occ = np.where((occ == student) & (age > 30), 0, occ)
    paid = np.array([p for _, p in vocab.OCCUPATIONS])[occ] | ((occ == retired) & (rng.random(n) < 0.9))
    return occ, paid


def build_customers(rng: np.random.Generator, n: int, cal: Calendar, branches: Branches) -> Customers:
    """Draw every customer's static attributes (names, IDs, wealth, behaviour)."""
    ctype = rng.choice(3, size=n, p=[0.93, 0.03, 0.04]).astype(np.int8)
    personal = ctype == PERSONAL
    sub = rng.choice(len(branches.sub), size=n, p=branches.sub_weight)
    home = branches.sub_city[sub]
    city = np.where(personal & (rng.random(n) < 0.15), rng.integers(0, len(CITIES), n), home)
    stratum = _strata(rng, personal)
    aum0 = _aum(rng, ctype, stratum)
    male = rng.random(n) < 0.5
    end = int(cal.ends[-1])
    born = people.birth_days(rng, n, end, 38.0 + 5.0 * stratum)
    age = np.where(personal, (end - born) / 365.25, 0.0)
    onboard, onboard_m = _onboarding(rng, cal, n, born, personal)
    occ, paid = _occupations(rng, age)
    paid &= personal
    salary = np.exp(rng.normal(np.log(7_000.0), 0.5, n)) * (1.0 + 0.6 * stratum)
    payday = rng.choice([10, 15, 25, 28, 31], size=n, p=[0.15, 0.2, 0.2, 0.15, 0.3])
    activity = rng.lognormal(-0.6, 1.1, n) * np.where(age > 65, 0.6, 1.0) * np.where(personal, 1.0, 2.5)
    risk = rng.choice(5, size=n, p=[0.14, 0.3, 0.34, 0.16, 0.06]) + (stratum >= 3) * (rng.random(n) < 0.5)
    risk = np.minimum(risk, 4).astype(np.int8)
    risk[(stratum == 0) & (rng.random(n) < 0.08)] = -1
    fake_big = (stratum >= 2) & (rng.random(n) < 0.12)

    firm = ~personal
    name = pc.if_else(pa.array(personal), people.person_names(rng, male), people.company_names(rng, city))
    id_number = null_where(people.id_numbers(rng, people.id_areas(rng, city), born, male), firm)
    mobile = null_where(people.mobiles(rng, n), firm & (rng.random(n) < 0.15))
    email_missing = rng.random(n) < np.where(personal, np.where(age > 60, 0.6, 0.25), 0.2)
    email = null_where(people.emails(rng, n, born), email_missing)
    occupation = null_where(pick([o for o, _ in vocab.OCCUPATIONS], occ), firm)
    old = age > 65
    consents = {
        ch: (rng.random(n) < rate * np.where(old & (ch == "push"), 0.55, 1.0)).astype(np.int8)
        for ch, rate in CONSENT_RATES.items()
    }
    consents["email"] &= ~email_missing
    order = np.argsort(onboard, kind="stable")
    serial = np.empty(n, dtype=np.int64)
    serial[order] = np.arange(n)
    # Hashes of the serial, not `rng`: the other columns keep their draws.
    lapsed = (serial * 40503) % 1000 < ASSESS_LAPSED_PER_MILLE
    phase = (serial * 7919) % ASSESS_EVERY_DAYS
    return Customers(
        n=n,
        ctype=ctype,
        sub=sub,
        city=city,
        onboard=onboard,
        onboard_m=onboard_m,
        stratum=stratum,
        aum0=aum0,
        fake_big=fake_big,
        male=male,
        born=born,
        age=age,
        payroll=np.where(paid, salary, 0.0),
        payday=payday,
        activity=activity,
        risk=risk,
        assess_anchor=np.where(lapsed, cal.first_start - 395 - phase % 330, cal.first_start - phase),
        assess_lapsed=lapsed,
        rm=np.full(n, -1),
        number=padded(10_000_001 + serial, 9, "C"),
        name=name,
        id_number=id_number,
        mobile=mobile,
        email=email,
        address=people.addresses(rng, city, firm),
        occupation=occupation,
        lunar=(rng.random(n) < np.where(age > 50, 0.38, 0.15)) & personal,
        consents=consents,
        consent_null=personal & (rng.random(n) < 0.015),
        # ~3% refuse profiling (PIPL art. 24). A hash of the serial, not `rng`: the other columns keep their draws.
        profiling_refused=personal & ((serial * 2654435761) % 1000 < 30),
    )


def assign_rms(rng: np.random.Generator, c: Customers, branches: Branches, rms_of_sub: list[np.ndarray]) -> None:
    """Most customers get an RM of their own sub-branch; a few are looked after from a sibling
    outlet; many mass-market (Standard) customers have none."""
    coverage = np.where(c.ctype == PERSONAL, np.where(c.stratum >= 1, 0.99, 0.8), 0.95)
    has = rng.random(c.n) < coverage
    sibling = rng.random(c.n) < 0.04
    sub = c.sub.copy()
    for k in range(len(branches.sub)):
        rows = np.flatnonzero(sibling & (sub == k))
        peers = np.flatnonzero(branches.sub_parent == branches.sub_parent[k])
        sub[rows] = peers[rng.integers(0, len(peers), len(rows))]
    for k, rms in enumerate(rms_of_sub):
        rows = np.flatnonzero(has & (sub == k))
        c.rm[rows] = rms[rng.integers(0, len(rms), len(rows))]
