"""The synthetic bank: format contract, realism and the planted churn, checked from the files.

One bank of 2,500 customers × 4 months (Dec 2025 – Mar 2026: a quarter-end, the bonus month, the
Spring Festival month) is generated once per module and read back as text, the way the importer
will see it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from tenure.core.checkdigits import is_valid_luhn, is_valid_resident_id
from tenure.ingest.generator import generate_bank
from tenure.ingest.generator.calendar import last_month_end_before
from tenure.ingest.generator.places import CITIES, all_area_codes
from tenure.ingest.schema import TABLE_BY_NAME, TABLES

END = dt.date(2026, 3, 31)
DATES = ["2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31"]
AUM_TYPES = ("current", "savings", "time_deposit", "wealth", "fund", "insurance")
TIERS = (0, 100_000, 300_000, 1_000_000, 10_000_000)


class Bank:
    """All folders of one generated bank, as strings (exactly what is in the files)."""

    def __init__(self, out: Path, summary: dict) -> None:
        self.out, self.summary = out, summary
        self.parts = {
            t.name: {d: pd.read_csv(out / d / f"{t.name}.csv", dtype=str, keep_default_na=False) for d in DATES}
            for t in TABLES
        }

    def all(self, table: str) -> pd.DataFrame:
        return pd.concat([df.assign(_date=d) for d, df in self.parts[table].items()], ignore_index=True)

    def latest(self, table: str, key: str) -> pd.DataFrame:
        return self.all(table).drop_duplicates(key, keep="last").set_index(key)

    def accounts(self) -> pd.DataFrame:
        products = self.all("products").set_index("product_code")
        acc = self.latest("accounts", "account_id")
        acc["product_type"] = products.loc[acc.product_code, "product_type"].to_numpy()
        return acc

    def balances(self) -> pd.DataFrame:
        acc = self.accounts()
        bal = self.all("balances")
        bal["customer_no"] = acc.loc[bal.account_id, "customer_no"].to_numpy()
        bal["product_type"] = acc.loc[bal.account_id, "product_type"].to_numpy()
        bal["value"] = bal.balance.astype(float)
        return bal

    def aum(self) -> pd.DataFrame:
        """AUM per customer (rows) and business date (columns); 0 when nothing is held."""
        bal = self.balances()
        bal = bal[bal.product_type.isin(AUM_TYPES)]
        return bal.pivot_table(index="customer_no", columns="_date", values="value", aggfunc="sum", fill_value=0.0)

    def txns(self) -> pd.DataFrame:
        acc = self.accounts()
        tx = self.all("transactions")
        tx["customer_no"] = acc.loc[tx.account_id, "customer_no"].to_numpy()
        tx["product_type"] = acc.loc[tx.account_id, "product_type"].to_numpy()
        tx["value"] = tx.amount.astype(float)
        return tx


@pytest.fixture(scope="module")
def bank(tmp_path_factory) -> Bank:
    out = tmp_path_factory.mktemp("bank")
    summary = generate_bank(customers=2500, months=4, seed=7, out=out, end_date=END)
    return Bank(out, summary)


def test_folders_files_and_headers(bank):
    folders = sorted(p.name for p in bank.out.iterdir())
    assert folders == [*DATES, "truth"]
    assert bank.summary["business_dates"] == DATES
    for d in DATES:
        assert sorted(p.name for p in (bank.out / d).iterdir()) == sorted(
            ["_control.csv", *(f"{t.name}.csv" for t in TABLES)]
        )
        for t in TABLES:
            raw = (bank.out / d / f"{t.name}.csv").read_bytes()
            text = raw.decode("utf-8")
            assert text.split("\n", 1)[0] == ",".join(t.column_names)
            assert "\r" not in text and '"' not in text and raw.endswith(b"\n")
    manifest = json.loads((bank.out / "truth" / "manifest.json").read_text())
    assert (manifest["customers"], manifest["months"], manifest["seed"]) == (2500, 4, 7)
    assert manifest["rows"] == bank.summary["rows"]
    assert sum(len(bank.parts["transactions"][d]) for d in DATES) == manifest["rows"]["transactions"]


DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PATTERNS = {
    "int": re.compile(r"^-?\d+$"),
    "bool": re.compile(r"^[01]$"),
    "date": DATE_RE,
    "datetime": re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"),
}


def test_every_value_matches_the_schema(bank):
    for t in TABLES:
        df = bank.all(t.name)
        for col in t.columns:
            values = df[col.name]
            present = values[values != ""]
            if col.required:
                assert len(present) == len(values), f"{t.name}.{col.name} has empty required values"
            assert present.str.len().max() <= col.max_length if len(present) else True, f"{t.name}.{col.name}"
            if col.type == "code":
                assert set(present) <= set(col.codes), f"{t.name}.{col.name}: {set(present) - set(col.codes)}"
            elif col.type == "decimal":
                scale = 4 if col.scale == 4 else 2
                assert present.str.fullmatch(rf"-?\d+\.\d{{{scale}}}").all(), f"{t.name}.{col.name}"
            elif col.type in PATTERNS:
                assert present.str.fullmatch(PATTERNS[col.type]).all(), f"{t.name}.{col.name}"
            if col.type == "date" and len(present):
                pd.to_datetime(present, format="%Y-%m-%d")  # raises on impossible dates
            if col.check == "positive":
                assert (present.astype(float) > 0).all(), f"{t.name}.{col.name}"
            if col.check == "digits":
                assert present.str.fullmatch(r"\d+").all()


def test_keys_unique_and_references_resolve(bank):
    seen: dict[str, set[str]] = {}
    for d in DATES:
        for t in TABLES:
            df = bank.parts[t.name][d]
            keys = df[list(t.key)].astype(str).sum(axis=1) if len(t.key) > 1 else df[t.key[0]]
            assert keys.is_unique, f"{d}/{t.name} has duplicate keys"
            seen.setdefault(f"{t.name}.{t.key[0]}", set()).update(keys)
        for t in TABLES:
            df = bank.parts[t.name][d]
            for col in t.columns:
                if col.references:
                    values = set(df[col.name][df[col.name] != ""])
                    missing = values - seen[col.references]
                    assert not missing, f"{d}/{t.name}.{col.name} → {col.references}: {sorted(missing)[:3]}"
    txn_ids = bank.all("transactions").txn_id
    assert txn_ids.is_unique


def test_nothing_is_dated_after_its_business_date(bank):
    previous = "2025-11-30"
    for d in DATES:
        p = bank.parts
        for table, col in [
            ("customers", "onboarded_on"),
            ("customers", "birth_date"),
            ("accounts", "opened_on"),
            ("accounts", "closed_on"),
            ("merchants", "opened_on"),
            ("external_holdings", "bought_on"),
        ]:
            values = p[table][d][col]
            assert (values[values != ""] <= d).all(), f"{d}/{table}.{col}"
        times = p["transactions"][d].txn_time.str[:10]
        assert (times <= d).all() and (times > previous).all()
        previous = d


def test_people_look_real(bank):
    cust = bank.latest("customers", "customer_no")
    personal = cust[cust.customer_type == "personal"]
    assert 0.85 < len(personal) / len(cust) < 0.97
    assert {"corporate", "merchant"} <= set(cust.customer_type)
    ids = personal.id_number
    assert ids.map(is_valid_resident_id).all() and ids.is_unique
    assert (ids.str[6:14] == personal.birth_date.str.replace("-", "")).all()
    male = ids.str[16].astype(int) % 2 == 1
    assert ((personal.gender == "M") == male).all()
    assert ids.str[:6].astype(int).isin(set(all_area_codes().tolist())).all()
    assert (cust[cust.customer_type != "personal"][["id_number", "gender", "birth_date"]] == "").all().all()
    mobiles = cust.mobile[cust.mobile != ""]
    assert mobiles.str.fullmatch(r"1[3-9]\d{9}").all() and mobiles.is_unique
    emails = cust.email[cust.email != ""]
    assert emails.str.fullmatch(r"[a-z0-9._]+@[a-z0-9]+\.[a-z]+").all() and 0.4 < len(emails) / len(cust) < 0.95
    assert personal.name.str.fullmatch(r"[\u4e00-\u9fff]{2,4}").all()
    assert set(cust.city) <= {c.name for c in CITIES}
    assert all(city in address for city, address in zip(cust.city, cust.address, strict=True))
    assert personal.occupation.ne("").all() and personal.occupation.nunique() > 10
    assert set(personal.risk_tolerance) - {""} == {"C1", "C2", "C3", "C4", "C5"}
    assert 0.1 < (personal.lunar_birthday == "1").mean() < 0.32
    for channel in ("sms", "email", "phone", "push", "marketing"):
        consent = personal[f"consent_{channel}"]
        assert 0.5 < (consent == "1").mean() < 0.97 and (consent == "0").any()


def test_risk_assessments_are_mostly_current_some_lapsed_and_renewals_are_resent(bank):
    """docs/generator.md: ~88 % re-assess every year (the extract re-sends the row), ~12 % lapse."""
    rows = bank.all("customers")
    assessed = rows[rows.risk_tolerance != ""]
    assert (rows[rows.risk_tolerance == ""].risk_assessed_on == "").all()
    assert (assessed.risk_assessed_on != "").all() and (assessed.risk_assessed_on <= assessed._date).all()
    latest = bank.latest("customers", "customer_no")
    latest = latest[latest.risk_tolerance != ""]
    age = (pd.Timestamp(END) - pd.to_datetime(latest.risk_assessed_on)).dt.days
    assert 0.8 < (age < 365).mean() < 0.95  # current at the end date
    assert 0.05 < (age >= 365).mean() < 0.2  # expired: re-assess first
    later = rows[rows._date > DATES[0]]
    renewed = later[later.customer_no.isin(rows[rows._date == DATES[0]].customer_no)]
    assert len(renewed) > 0.05 * len(assessed[assessed._date == DATES[0]])  # about 1/12 a month
    assert (renewed.risk_assessed_on > DATES[0]).mean() > 0.9


def test_branch_tree_staff_and_rms(bank):
    branches = bank.parts["branches"][DATES[0]].set_index("branch_code")
    assert branches.loc["HO", "level"] == "head_office" and branches.loc["HO", "parent_code"] == ""
    cities = branches[branches.level == "branch"]
    assert 8 <= len(cities) <= 10 and (cities.parent_code == "HO").all()
    subs = branches[branches.level == "sub_branch"]
    assert subs.parent_code.value_counts().min() >= 2 and set(subs.parent_code) == set(cities.index)
    staff = bank.parts["staff"][DATES[0]].set_index("employee_no")
    rms = staff[staff.role == "rm"]
    assert set(rms.branch_code) <= set(subs.index) and len(set(staff.role)) >= 5
    cust = bank.latest("customers", "customer_no")
    # One RM per ~320 customers, but every sub-branch has one (so small banks have a few more).
    assert set(rms.branch_code) == set(subs.index)
    assert len(rms) <= max(len(subs), len(cust) / 250) + 1
    assert cust.branch_code.isin(subs.index).all()
    with_rm = cust[cust.rm_employee_no != ""]
    assert len(with_rm) / len(cust) > 0.75
    assert (staff.loc[with_rm.rm_employee_no, "branch_code"].to_numpy() == with_rm.branch_code.to_numpy()).mean() > 0.9


def test_products_competitors_and_external_holdings(bank):
    products = bank.latest("products", "product_code")
    own = products[products.issuer == "BANK"]
    assert set(own.product_type) == set(TABLE_BY_NAME["products"].column("product_type").codes)
    assert set(own.risk_rating) == {"R1", "R2", "R3", "R4", "R5"}
    theirs = products[products.issuer != "BANK"]
    assert set(theirs.product_type) == {"time_deposit", "wealth", "fund"}
    assert (theirs.maturity_date != "").all() and theirs.issuer.nunique() >= 6
    assert len(bank.parts["products"][DATES[-1]]) >= 1  # new competitor issues arrive monthly
    holdings = bank.latest("external_holdings", "holding_id")
    cust = bank.latest("customers", "customer_no")
    assert 0.01 < holdings.customer_no.nunique() / len(cust) < 0.12
    assert holdings.product_code.isin(theirs.index).all()
    maturing = holdings.maturity_date[(holdings.maturity_date > DATES[0]) & (holdings.maturity_date <= DATES[-1])]
    assert len(maturing) > 0


def test_merchants_follow_seed_002(bank):
    merchants = bank.latest("merchants", "merchant_no")
    assert set(merchants.category) == {"general", "wholesale", "dining", "auto_realty", "livelihood"}
    rate = merchants.discount_rate.astype(float)
    assert rate.between(0.04, 0.61).all() and ((rate > 0.3) & (rate < 0.61)).mean() > 0.7
    assert (rate < 0.08).any() and ((rate > 0.08) & (rate < 0.2)).any()
    capped = merchants[merchants.capped == "1"]
    assert set(capped.cap_amount.astype(float)) <= {26.0, 30.0, 35.0, 40.0} and len(capped) > 0
    assert (merchants[merchants.capped == "0"].cap_amount == "").all()
    assert (capped.category.isin({"wholesale", "auto_realty"})).all()
    pos = bank.txns()
    pos = pos[pos.merchant_no != ""]
    # at the bank's own terminal, or the shop's QR code it acquires
    assert len(pos) > 100 and pos.channel.isin({"pos", "mobile"}).all() and (pos.txn_type == "purchase").all()
    assert pos.merchant_no.isin(merchants.index).all()
    # Volumes the points of docs/points.md can run on (¥10,000–25,000 of card volume a point): the
    # typical merchant takes several thousand yuan a month from the bank's customers, the busy ones
    # tens of thousands (before the acquiring payments of flows.py, ≈ ¥1,000 and ¥6,000).
    monthly = pos[pos.direction == "D"].groupby(["merchant_no", pos.txn_time.str[:7]]).value.sum()
    assert monthly.median() > 3_000 and monthly.quantile(0.9) > 15_000


def test_accounts_cards_and_numbers(bank):
    acc = bank.accounts()
    cards = acc[acc.card_number != ""]
    assert cards.card_number.map(is_valid_luhn).all() and cards.card_number.is_unique
    assert cards.card_number.str.startswith("999999").all()
    assert set(cards.product_type) == {"current", "savings", "credit_card"}
    credit = cards[cards.product_type == "credit_card"]
    assert (credit.card_number.str.len() == 16).all()
    assert (cards[cards.product_type != "credit_card"].card_number.str.len() == 19).all()
    assert (acc[acc.product_type == "credit_card"].card_number != "").all()
    assert acc.account_number.str.fullmatch(r"\d{17}").all() and acc.account_number.is_unique
    closed = acc[acc.status == "closed"]
    assert len(closed) > 0 and (closed.closed_on != "").all() and (acc[acc.status != "closed"].closed_on == "").all()
    assert {"active", "dormant", "closed"} <= set(acc.status)


def test_aum_is_heavy_tailed_and_fills_every_tier(bank):
    aum = bank.aum()
    for d in (DATES[0], DATES[-1]):
        values = aum[d][aum[d] > 0]
        tier = np.searchsorted(TIERS, values.to_numpy(), side="right")
        assert set(tier) == {1, 2, 3, 4, 5}, f"{d}: tiers {np.bincount(tier)}"
        top = np.sort(values.to_numpy())[::-1]
        assert top[: len(top) // 5].sum() / top.sum() >= 0.75
    # Investment products are more common the richer the customer.
    bal = bank.balances()
    first = bal[bal._date == DATES[0]]
    invests = set(first.customer_no[first.product_type.isin(["wealth", "fund", "insurance"])])
    cust = bank.latest("customers", "customer_no")
    personal = aum[DATES[0]][cust.loc[aum.index, "customer_type"].to_numpy() == "personal"]
    tier = pd.Series(np.searchsorted(TIERS, personal.to_numpy(), side="right"), index=personal.index)
    by_tier = pd.Series(tier.index.isin(list(invests)), index=tier.index).groupby(tier).mean()
    assert by_tier[1] < by_tier[2] < by_tier[4]


def test_balances_reconcile_with_transactions(bank):
    bal = bank.balances()
    tx = bank.txns()
    deposit = tx[tx.product_type.isin(["current", "savings", "time_deposit"])]
    signed = np.where(deposit.direction == "C", 1, -1) * deposit.value
    flows = deposit.assign(signed=signed).groupby(["_date", "account_id"]).signed.sum()
    wide = bal[bal.product_type.isin(["current", "savings", "time_deposit"])].pivot(
        index="account_id", columns="_date", values="value"
    )
    for before, after in zip(DATES, DATES[1:], strict=False):
        flow = flows.xs(after, level="_date").reindex(wide.index, fill_value=0.0)
        expected = wide[before].fillna(0.0) + flow
        actual = wide[after].fillna(0.0)  # closed accounts: no row, balance 0
        assert np.allclose(expected, actual, atol=0.005), (expected - actual).abs().max()
    assert (bal.value[bal.product_type != "credit_card"] >= 0).all()
    assert (bal.avg_daily_balance[bal.product_type.isin(AUM_TYPES)].astype(float) >= 0).all()


def test_seasonality(bank):
    tx = bank.txns()
    month = tx._date
    red = tx[tx.counterparty == "财付通-微信红包"]
    assert len(red) > 100 and (red._date == "2026-02-28").mean() > 0.95  # Spring Festival 2026-02-17
    withdrawals = tx[tx.txn_type == "withdrawal"].groupby(month).size()
    assert withdrawals["2026-02-28"] > 1.5 * withdrawals["2026-03-31"]
    payroll = tx[tx.txn_type == "payroll"]
    day = payroll.txn_time.str[8:10].astype(int)
    assert (day >= 25).mean() > 0.5
    mean_pay = payroll.groupby(payroll._date).value.mean()
    assert mean_pay["2026-01-31"] > 1.2 * mean_pay["2026-03-31"]  # year-end bonuses before the festival
    spend = tx[tx.txn_type == "purchase"].groupby(month).size()
    assert spend["2026-02-28"] > spend["2026-03-31"]


def test_channels_and_volume(bank):
    tx = bank.txns()
    share = tx.channel.value_counts(normalize=True)
    assert share.index[0] == "mobile" and set(share.index) == set(TABLE_BY_NAME["transactions"].column("channel").codes)
    cust = bank.latest("customers", "customer_no")
    age = (2026 - cust.birth_date.str[:4].replace("", "0").astype(int)).where(cust.customer_type == "personal")
    tx["age"] = age.loc[tx.customer_no].to_numpy()
    counter = tx[tx.txn_type.isin(["withdrawal", "transfer_out", "transfer_in", "deposit"])]
    old, young = counter[counter.age >= 65], counter[counter.age < 40]
    assert (old.channel == "counter").mean() > 2 * (young.channel == "counter").mean()
    per = tx.groupby("customer_no").size() / len(DATES)
    # ≈ 0.5 of them a month are payments at the bank's own acquiring merchants (flows.acquiring_purchases)
    assert 4 <= len(tx) / len(cust) / len(DATES) <= 9
    top = np.sort(per.to_numpy())[::-1]
    assert top[: len(top) // 10].sum() / top.sum() > 0.22  # heavy-tailed: equal rates would give ~0.14
    assert set(tx.direction) == {"D", "C"} and tx.txn_type.nunique() >= 10


def test_planted_churn_leaves_traces(bank):
    truth = pd.read_csv(bank.out / "truth" / "churn.csv", dtype=str, keep_default_na=False).set_index("customer_no")
    assert list(truth.columns) == ["cause", "drain_start", "left_on"]
    assert set(truth.cause) == {"competitor_product", "relocation", "rate_sensitive", "bad_service"}
    cust = bank.latest("customers", "customer_no")
    assert 0.005 < len(truth) / len(cust) < 0.05
    assert not any("churn" in p.name for d in DATES for p in (bank.out / d).iterdir())
    left = truth[truth.left_on <= DATES[-1]]
    assert len(left) >= 5
    acc = bank.accounts()
    for no, row in left.iterrows():
        mine = acc[acc.customer_no == no]
        assert (mine.status == "closed").all() and (mine.closed_on <= row.left_on).all(), no
    aum = bank.aum()
    drained = truth[(truth.drain_start >= DATES[0]) & (truth.drain_start <= "2026-02-01")]
    before = aum.loc[aum.index.isin(drained.index), DATES[0]]
    later = aum.loc[before.index, DATES[-1]]
    assert len(before) >= 10 and (later < 0.7 * before).mean() > 0.75  # a few hold mostly fixed deposits
    stayers = aum[~aum.index.isin(truth.index) & (aum[DATES[0]] > 1000)]
    dips = (stayers[DATES[-1]] < 0.7 * stayers[DATES[0]]).mean()
    assert 0.01 < dips < 0.25  # non-churners drop too: the signal is not trivial

    holdings = bank.latest("external_holdings", "holding_id")
    competitor = truth[truth.cause == "competitor_product"]
    assert competitor.index.isin(holdings.customer_no).all()
    tx = bank.txns()
    out = tx[(tx.direction == "D") & tx.counterparty.str.contains("-产品购买|他行账户-", regex=True)]
    share = out.groupby("customer_no").value.sum() / aum[DATES[0]]
    leavers = share.reindex(drained.index, fill_value=0.0)
    assert leavers.median() > 0.5 and leavers.median() > 2 * share.reindex(stayers.index, fill_value=0.0).median()

    moved = bank.all("customers")
    moved = moved[moved._date > DATES[0]].drop_duplicates("customer_no")
    reloc = truth[(truth.cause == "relocation") & (truth.left_on <= DATES[-1]) & (truth.drain_start >= DATES[0])]
    first = bank.parts["customers"][DATES[0]].set_index("customer_no")
    for no in reloc.index:
        assert no in set(moved.customer_no) and moved.set_index("customer_no").loc[no, "city"] != first.loc[no, "city"]
    assert (~moved.customer_no.isin(truth.index)).sum() > 0  # ordinary people move too


def test_same_arguments_give_identical_files(tmp_path):
    one, two, other = tmp_path / "one", tmp_path / "two", tmp_path / "other"
    for path, seed in ((one, 3), (two, 3), (other, 4)):
        generate_bank(customers=600, months=2, seed=seed, out=path, end_date=END)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)
    assert (one / "2026-03-31" / "transactions.csv").read_bytes() != (
        other / "2026-03-31" / "transactions.csv"
    ).read_bytes()


def test_command_prints_a_json_summary(tmp_path):
    stdout = io.StringIO()
    args = ["--customers", "300", "--months", "2", "--seed", "1", "--out", str(tmp_path), "--end-date", "2026-01-31"]
    call_command("generate", *args, "--json", stdout=stdout)
    summary = json.loads(stdout.getvalue().strip().splitlines()[-1])
    assert summary["out"] == str(tmp_path) and summary["business_dates"] == ["2025-12-31", "2026-01-31"]
    assert summary["rows"]["customers"] > 250 and summary["rows"]["transactions"] > 1000 and summary["seconds"] >= 0
    assert (tmp_path / "truth" / "churn.csv").exists()


def test_end_date_must_be_a_month_end_and_defaults_to_the_last_one(tmp_path):
    assert last_month_end_before(dt.date(2026, 3, 31)) == dt.date(2026, 2, 28)
    assert last_month_end_before(dt.date(2026, 1, 1)) == dt.date(2025, 12, 31)
    with pytest.raises(ValueError, match="month-end"):
        generate_bank(customers=300, months=1, seed=1, out=tmp_path, end_date=dt.date(2026, 3, 15))
