"""The learned recommender: which product type will a customer open next month, and why.

One LightGBM classifier per product type of ours, trained on the lake: the churn model's matrix of a
month-end (`tenure.churn.dataset.month_matrix`, the nightly features) against "opened an account of
that type in the following month" (`adoptions`). Months are split by time, never at random: the
backtest trains on the months before the held-out one. Reasons are the features that raised the
type's score most (LightGBM per-feature contributions), read as sentences: the churn model's
(`churn.reasons.sentence`: "他行产品 12 天后到期", "AUM up 20% (last 3 months)") and, for the holdings
features added here, "A deposit or term product of ours matures in 6 days", "Holds no credit card".

The recommender only *ranks*: the products it ranks are the suitable ones (`selectors.offers_for`
runs `suitable` first), so no score can bring back a product suitability refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import lightgbm as lgb
import numpy as np
import pandas as pd
import pyarrow as pa
from django.conf import settings

from tenure import lake
from tenure.analytics.engine import as_of, lake_table
from tenure.churn.dataset import customers_matrix, month_matrix
from tenure.churn.labels import balance_dates
from tenure.churn.model import fit_booster
from tenure.churn.reasons import sentence
from tenure.core.audit import audit
from tenure.ingest.schema import OWN_BANK_ISSUER, PRODUCT_TYPES
from tenure.lake import connect
from tenure.offers.config import TOP_K, offers_config

REASONS_PER_OFFER = 2
MIN_POSITIVES = 5  # a type opened fewer times in training gets no model (its score is 0)
PARAMS = {"n_estimators": 100, "learning_rate": 0.05, "num_leaves": 7, "min_child_samples": 40}


def _sentence(feature: str, value: float) -> dict[str, str]:
    """A reason in words: the holdings features here, every other feature as the churn model says it."""
    if feature == "age" and not np.isnan(value):
        zh, en = f"年龄 {int(value)} 岁", f"Aged {int(value)}"
    elif feature == "risk_level" and not np.isnan(value):
        zh, en = f"风险评估 C{int(value)}", f"Risk assessment C{int(value)}"
    elif feature == "assessment_current" and not np.isnan(value):
        current = ("风险评估在有效期内", "Risk assessment current")
        zh, en = current if value else ("风险评估已过期", "Risk assessment expired")
    elif feature == OWN_MATURITY and not np.isnan(value):
        zh, en = (
            f"本行定期/理财 {int(value)} 天后到期",
            f"A deposit or term product of ours matures in {int(value)} days",
        )
    elif feature.startswith("holds_") and not np.isnan(value):
        kind = feature.removeprefix("holds_")
        zh_kind, en_kind = TYPE_WORDS.get(kind, (kind, kind))
        zh, en = (
            (f"已持有{zh_kind} {int(value)} 个", f"Holds {int(value)} {en_kind}")
            if value
            else (f"未持有{zh_kind}", f"Holds no {en_kind}")
        )
    else:
        return sentence(feature, value)
    return {"feature": feature, "zh": zh, "en": en}


TYPE_WORDS = {
    "current": ("活期账户", "current account(s)"),
    "savings": ("储蓄账户", "savings account(s)"),
    "time_deposit": ("定期存款", "time deposit(s)"),
    "wealth": ("理财产品", "wealth product(s)"),
    "fund": ("基金", "fund(s)"),
    "insurance": ("保险", "insurance policy(ies)"),
    "loan": ("贷款", "loan(s)"),
    "credit_card": ("信用卡", "credit card(s)"),
}


class NotEnoughHistory(ValueError):
    """The lake holds too few month-ends to train or to hold one out."""


def model_path() -> Path:
    return Path(settings.LAKE_DIR).parent / "offers" / "recommender.pkl"


@dataclass
class Recommender:
    """One booster per product type, the column order they expect, and what they were trained on."""

    boosters: dict[str, lgb.LGBMClassifier]
    columns: list[str]
    base_rates: dict[str, float]  # share of customer-months opening the type: the score without a booster
    metrics: dict = field(default_factory=dict)

    def _matrix(self, x: pd.DataFrame) -> pd.DataFrame:
        """`x` in the trained column order (as is when it already is: no copy of a million rows)."""
        return x if list(x.columns) == self.columns else x.reindex(columns=self.columns)

    def scores(self, x: pd.DataFrame) -> pd.DataFrame:
        """P(opens a product of the type next month): customers × product types (a type too rarely
        opened to learn from scores its base rate, the same for everybody)."""
        m = self._matrix(x)
        out = pd.DataFrame({kind: self.base_rates.get(kind, 0.0) for kind in PRODUCT_TYPES}, index=x.index)
        for kind, booster in self.boosters.items():
            out[kind] = np.asarray(booster.predict_proba(m))[:, 1]
        return out

    def reasons(self, x: pd.DataFrame, kind: str) -> list[list[dict]]:
        """Per customer (rows of `x`), the features that raised the score of `kind` most, as sentences."""
        booster = self.boosters.get(kind)
        if booster is None or not len(x):
            return [[] for _ in range(len(x))]
        m = self._matrix(x)
        contributions = np.asarray(booster.predict_proba(m, pred_contrib=True))[:, :-1]
        values = m.apply(lambda c: c.cat.codes if isinstance(c.dtype, pd.CategoricalDtype) else c).to_numpy(float)
        out = []
        for row, top in enumerate(np.argsort(-contributions, axis=1)[:, :REASONS_PER_OFFER]):
            out.append([_sentence(self.columns[j], values[row, j]) for j in top if contributions[row, j] > 0])
        return out


def adoptions(con: ibis.BaseBackend, day: dt.date, next_day: dt.date) -> pd.DataFrame:
    """(customer_no, product_type) of our products opened after `day` up to `next_day`, from the lake."""
    accounts = as_of(
        lake_table(con, "accounts", ("account_id", "customer_no", "product_code", "opened_on"), upto=next_day),
        "account_id",
    )
    products = lake_table(con, "products", ("product_code", "product_type", "issuer"), upto=next_day)
    products = as_of(products, "product_code")
    opened = accounts.join(products.select("product_code", "product_type", "issuer"), "product_code")
    opened = opened.filter(opened.issuer == OWN_BANK_ISSUER, opened.opened_on > day, opened.opened_on <= next_day)
    return opened.select("customer_no", "product_type").distinct().to_pandas()


HOLDS = tuple(f"holds_{kind}" for kind in PRODUCT_TYPES)
OWN_MATURITY = "days_to_own_maturity"


def holdings(con: ibis.BaseBackend, day: dt.date, customer_nos: list[str] | None = None) -> pd.DataFrame:
    """Per customer at `day`: open accounts of ours by product type (`holds_<type>`), and the days
    until their next own time deposit or term product matures (`days_to_own_maturity`, NaN: none)
    — what a customer holds and what frees up next are the strongest hints of what they open."""
    rows = lake_table(
        con, "accounts", ("account_id", "customer_no", "product_code", "status", "maturity_date"), upto=day
    )
    if customer_nos is not None:  # a page's few customers, before the latest-row window: an account
        rows = rows.filter(rows.customer_no.isin(customer_nos))  # keeps its customer (core banking's key)
    accounts = as_of(rows, "account_id")
    products = as_of(lake_table(con, "products", ("product_code", "product_type", "issuer"), upto=day), "product_code")
    a = accounts.join(products.select("product_code", "product_type", "issuer"), "product_code")
    a = a.filter(a.issuer == OWN_BANK_ISSUER, a.status != "closed")
    later = a.maturity_date > day
    frame = (
        a.group_by("customer_no")
        .agg(
            **{f"holds_{kind}": (a.product_type == kind).sum() for kind in PRODUCT_TYPES},
            next_maturity=a.maturity_date.min(where=later),
        )
        .to_pyarrow()
        .to_pandas(date_as_object=False)  # Arrow's conversion: Ibis's own doubled the peak (1M: ~1 GB)
        .set_index("customer_no")
    )
    frame[OWN_MATURITY] = (pd.to_datetime(frame.pop("next_maturity")) - pd.Timestamp(day)).dt.days
    return frame.astype("float32")


PROFILE = ("age", "risk_level", "assessment_current")


def profile(con: ibis.BaseBackend, day: dt.date, customer_nos: list[str] | None = None) -> pd.DataFrame:
    """Per customer at `day`: age in years, assessed risk level (1–5 for C1–C5, NaN: none) and
    whether that assessment is current (dated less than `ASSESSMENT_VALID_MONTHS` before `day`) —
    who a customer is drives what they open (a young salaried customer a card, a 50-year-old a policy)."""
    rows = lake_table(con, "customers", ("customer_no", "birth_date", "risk_tolerance", "risk_assessed_on"), upto=day)
    if customer_nos is not None:  # before the latest-row window, whose key it is: the same rows, far fewer read
        rows = rows.filter(rows.customer_no.isin(customer_nos))
    customers = as_of(rows, "customer_no")
    frame = customers.to_pyarrow().to_pandas(date_as_object=False).set_index("customer_no")
    born = pd.to_datetime(frame["birth_date"])
    assessed = pd.to_datetime(frame["risk_assessed_on"])
    months = int(offers_config()["ASSESSMENT_VALID_MONTHS"])
    return pd.DataFrame(
        {
            "age": (pd.Timestamp(day) - born).dt.days / 365.25,
            "risk_level": pd.to_numeric(frame["risk_tolerance"].str[1:], errors="coerce"),
            "assessment_current": (assessed > pd.Timestamp(day) - pd.DateOffset(months=months)).astype(float),
        },
        index=frame.index,
    ).astype("float32")


def offer_inputs(con: ibis.BaseBackend, day: dt.date, customer_nos: list[str] | None = None) -> pd.DataFrame:
    """The recommender's own columns at `day`: holdings and profile, one row per customer (a few
    customers' from the copy the nightly scoring kept, when it is still current)."""
    if customer_nos is not None:
        kept = _kept_inputs(day, customer_nos)
        if kept is not None:
            return kept
    return holdings(con, day, customer_nos).join(profile(con, day, customer_nos), how="outer")


INPUTS_STEP = "offer_inputs"
INPUT_TABLES = ("accounts", "customers", "products")  # what `holdings` and `profile` read


def _inputs_key(day: dt.date) -> str:
    """The lake partitions (up to `day`) the offer inputs of `day` are computed from."""
    parts = [(t, d.isoformat(), digest) for t in INPUT_TABLES for d, digest in lake.vouched_partitions(t) if d <= day]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def inputs_keep(day: dt.date, inputs: pd.DataFrame) -> None:
    """Keep the bank's offer inputs of `day` (the nightly scoring has them) sorted by customer in
    small row groups: the 360° page's offers panel then reads one customer's in milliseconds
    instead of scanning the lake's accounts (0.2 s a view at a million customers)."""
    table = pa.Table.from_pandas(inputs.rename_axis("customer_no").sort_index().reset_index(), preserve_index=False)
    lake.write_output(INPUTS_STEP, day, table, run_key=_inputs_key(day), config_version=1)


def _kept_inputs(day: dt.date, customer_nos: list[str]) -> pd.DataFrame | None:
    """`customer_nos`' rows of the kept inputs of `day`; None when there are none or the lake
    partitions they were computed from have changed since."""
    wanted = [("customer_no", "in", list(customer_nos))]
    table = lake.read_output(INPUTS_STEP, day, run_key=_inputs_key(day), filters=wanted)
    return None if table is None else table.to_pandas().set_index("customer_no")


def with_holdings(x: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """The churn model matrix `x` with the holdings columns (0 accounts for a customer without any)."""
    joined = x.join(held, how="left")
    joined[list(HOLDS)] = joined[list(HOLDS)].fillna(0.0)
    return joined


def month_pairs(upto: dt.date | None = None) -> list[tuple[dt.date, dt.date]]:
    """(month-end, next month-end) pairs of the lake: features at the first, adoptions up to the second."""
    days = balance_dates(upto=upto)
    return list(zip(days[:-1], days[1:], strict=False))


def labelled(con: ibis.BaseBackend, day: dt.date, next_day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(X, Y) of one month: the model matrix at `day`, and per product type whether it was opened next."""
    x = with_holdings(month_matrix(con, day), offer_inputs(con, day))
    opened = adoptions(con, day, next_day)
    y = pd.DataFrame(False, index=x.index, columns=list(PRODUCT_TYPES))
    for kind, rows in opened.groupby("product_type"):
        y.loc[y.index.intersection(rows.customer_no), kind] = True
    return x, y


def fit(months: list[tuple[pd.DataFrame, pd.DataFrame]], seed: int = 0) -> Recommender:
    """One booster per type with at least `MIN_POSITIVES` adoptions over the training months."""
    x = pd.concat([m[0] for m in months])
    y = pd.concat([m[1] for m in months])
    boosters = {}
    for kind in PRODUCT_TYPES:
        if int(y[kind].sum()) >= MIN_POSITIVES:
            boosters[kind] = fit_booster(x, y[kind].astype(np.int8), PARAMS, seed)
    positives = {kind: int(y[kind].sum()) for kind in PRODUCT_TYPES}
    rates = {kind: count / max(len(y), 1) for kind, count in positives.items()}
    return Recommender(boosters, list(x.columns), rates, {"rows": len(x), "positives": positives})


def popularity(months: list[tuple[pd.DataFrame, pd.DataFrame]]) -> list[str]:
    """Product types by how many customers opened one over the training months (the baseline)."""
    counts = pd.concat([m[1] for m in months]).sum()
    return [str(k) for k in counts.sort_values(ascending=False, kind="stable").index]


def precision_at_k(ranked: pd.DataFrame, truth: pd.DataFrame, k: int = TOP_K) -> dict:
    """Over customers who opened at least one product type: hits in the top k ÷ k (precision@k),
    and the share with at least one hit (hit rate@k). `ranked`: one row per customer, k type columns."""
    openers = truth.index[truth.any(axis=1)]
    if not len(openers):
        return {"customers": 0, "precision_at_k": None, "hit_rate_at_k": None}
    hits = np.zeros(len(openers))
    top = ranked.loc[openers].to_numpy()
    opened = truth.loc[openers]
    for j in range(k):
        hits += opened.to_numpy()[np.arange(len(openers)), [opened.columns.get_loc(t) for t in top[:, j]]]
    return {
        "customers": len(openers),
        "precision_at_k": round(float(hits.sum() / (k * len(openers))), 4),
        "hit_rate_at_k": round(float((hits > 0).mean()), 4),
    }


def top_pairs_precision(scores: pd.DataFrame, truth: pd.DataFrame) -> float | None:
    """Of the bank's best-scored (customer, product type) pairs, as many as there were adoptions,
    the share that were opened: how well a list of the book's best offers would have been aimed
    (the popularity baseline scores every customer alike, so its list is the top type for anybody)."""
    k = int(truth.to_numpy().sum())
    if not k:
        return None
    flat = scores.loc[truth.index, truth.columns].to_numpy().ravel()
    best = np.argsort(-flat, kind="stable")[:k]
    return round(float(truth.to_numpy().ravel()[best].mean()), 4)


def top_types(scores: pd.DataFrame, k: int = TOP_K) -> pd.DataFrame:
    """The k best-scored product types per customer (ties: the order of PRODUCT_TYPES)."""
    order = np.argsort(-scores.to_numpy(), axis=1, kind="stable")[:, :k]
    return pd.DataFrame(np.asarray(scores.columns)[order], index=scores.index)


def dump(model: Recommender, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(model))
    tmp.rename(path)


_LOADED: dict[Path, tuple[float, Recommender]] = {}


def load() -> Recommender | None:
    """The trained recommender, or None before `tenure offers train` (read again when the file changes)."""
    path = model_path()
    if not path.exists():
        return None
    mtime = path.stat().st_mtime
    cached = _LOADED.get(path)
    if cached is None or cached[0] != mtime:
        model = pickle.loads(path.read_bytes())  # noqa: S301 - our own file under TENURE_HOME, written by train
        _LOADED[path] = cached = (mtime, model)
    return cached[1]


def _page_matrix(customer_nos: list[str]) -> tuple[dt.date, pd.DataFrame] | None:
    """(features date, model rows) of a few customers at the latest month-end (no row: no features)."""
    days = balance_dates()
    if not days:
        return None
    x = customers_matrix(days[-1], customer_nos)
    if not len(x):
        return days[-1], x
    return days[-1], with_holdings(x, offer_inputs(connect(), days[-1], customer_nos))


def customer_scores(model: Recommender, customer_no: str) -> tuple[dt.date, pd.Series, pd.DataFrame] | None:
    """(features date, score per type, the customer's model row) at the latest month-end, or None
    when the lake has no features for the customer."""
    found = _page_matrix([customer_no])
    if found is None or not len(found[1]):
        return None
    day, x = found
    return day, model.scores(x).iloc[0], x


def offer_reasons(model: Recommender, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], list[dict]]:
    """(customer number, product type) -> the top reasons of that offer, as on the 360° page: one
    matrix for a page's customers, one contribution pass per type (a pair without features: none)."""
    found = _page_matrix(sorted({number for number, _ in pairs}))
    if found is None or not len(found[1]):
        return {}
    x = found[1]
    out: dict[tuple[str, str], list[dict]] = {}
    for kind in {kind for _, kind in pairs}:
        numbers = [n for n, k in pairs if k == kind and n in x.index]
        for number, reasons in zip(numbers, model.reasons(x.loc[numbers], kind), strict=True):
            out[(number, kind)] = reasons
    return out


def _history(upto: dt.date | None) -> list[tuple[dt.date, dt.date]]:
    pairs = month_pairs(upto)
    if not pairs:
        raise NotEnoughHistory("the lake needs two month-ends to learn who opened what next month")
    return pairs


def train(*, as_of: dt.date | None = None, by=None) -> dict:
    """Train on every (month-end, next month-end) pair up to `as_of` and store the model (audited)."""
    pairs = _history(as_of)
    con = connect()
    model = fit([labelled(con, d, n) for d, n in pairs])
    model.metrics["train_months"] = [d.isoformat() for d, _ in pairs]
    model.metrics["types"] = sorted(model.boosters)
    dump(model, model_path())
    audit(action="offers.recommender.train", actor=by, object_type="recommender", detail=model.metrics)
    return {"path": str(model_path()), **model.metrics}


def type_suitability(con: ibis.BaseBackend, day: dt.date, x: pd.DataFrame) -> pd.DataFrame:
    """Customers (rows of `x`, with the `profile` columns) × product types: could a product of the
    type have been proposed at `day`? The evaluation's view of `suitable` on a past day, by type
    (the lake knows neither the sale windows nor the assessments recorded in Tenure): a type needs a
    product of ours not matured; an investment type a current assessment at or above its lowest
    risk level, and a customer 65 or over (or of unknown age) a level below the senior levels."""
    config = offers_config()
    columns = ("product_code", "product_type", "risk_rating", "issuer", "maturity_date")
    products = as_of(lake_table(con, "products", columns, upto=day), "product_code")
    products = products.filter(
        (products.issuer == OWN_BANK_ISSUER) & (products.maturity_date.isnull() | (products.maturity_date > day))
    )
    catalogue = products.select("product_type", "risk_rating").to_pandas()
    catalogue["level"] = catalogue.risk_rating.str[1:].astype(int)
    senior_ok = ~catalogue.risk_rating.isin(config["SENIOR_RISK_LEVELS"])
    lowest = catalogue.groupby("product_type")["level"].min()
    lowest_senior = catalogue[senior_ok].groupby("product_type")["level"].min()
    senior = ~(x["age"] < config["SENIOR_AGE"]).to_numpy()
    out = pd.DataFrame(False, index=x.index, columns=list(PRODUCT_TYPES))
    for kind in PRODUCT_TYPES:
        if kind not in lowest:
            continue
        if kind not in config["INVESTMENT_TYPES"]:
            out[kind] = True
            continue
        need = np.where(senior, lowest_senior.get(kind, np.inf), lowest[kind])
        out[kind] = (x["assessment_current"].to_numpy() == 1) & (x["risk_level"].to_numpy() >= need)
    return out


def evaluate(*, as_of: dt.date | None = None) -> dict:
    """Hit rate of the top-3 offers made at a month-end against the product types opened in the
    next month, for a model trained on the months before it only (time split), next to the
    baseline: the most popular types of those training months among the customer's suitable ones.

    `as_of`: the month-end whose offers are judged (the latest one on or before it that has a next
    month-end; default: the latest such). Over the customers who opened something of ours then."""
    pairs = _history(None)
    held = [p for p in pairs if as_of is None or p[0] <= as_of]
    if not held:
        raise NotEnoughHistory(f"no month-end on or before {as_of} is followed by another one")
    month, next_month = held[-1]
    before = [p for p in pairs if p[1] <= month]
    if not before:
        raise NotEnoughHistory(f"no month before {month} to train on: judge a later month")
    con = connect()
    training = [labelled(con, d, n) for d, n in before]
    model = fit(training)
    x, truth = labelled(con, month, next_month)
    allowed = type_suitability(con, month, x)
    scores = model.scores(x).where(allowed, -1.0)
    order = popularity(training)
    popular = pd.DataFrame({kind: float(len(order) - order.index(kind)) for kind in order}, index=x.index)
    popular = popular[list(PRODUCT_TYPES)].where(allowed, -1.0)
    learned, baseline = precision_at_k(top_types(scores), truth), precision_at_k(top_types(popular), truth)
    rates = pd.DataFrame({kind: [model.base_rates[kind]] * len(x) for kind in PRODUCT_TYPES}, index=x.index)
    return {
        "as_of": month.isoformat(),
        "opened_up_to": next_month.isoformat(),
        "train_months": [d.isoformat() for d, _ in before],
        "customers": learned["customers"],
        "hit_rate_at_3": learned["hit_rate_at_k"],
        "baseline_hit_rate_at_3": baseline["hit_rate_at_k"],
        "precision_at_3": learned["precision_at_k"],
        "baseline_precision_at_3": baseline["precision_at_k"],
        "baseline_order": order[:TOP_K],
        "adoptions": int(truth.to_numpy().sum()),
        "adoptions_by_type": {k: int(v) for k, v in truth.sum().items() if v},
        "top_pairs_precision": top_pairs_precision(scores, truth),
        "baseline_top_pairs_precision": top_pairs_precision(rates.where(allowed, -1.0), truth),
        "note": "product types, not products; suitability by type from the lake (docs/offers.md)",
    }
