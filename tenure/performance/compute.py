"""The set-based computation of one month's scorecard lines (docs/performance.md): one row per
customer onboarded by the month-end, with their part in every figure and whom they count for.

Sources: customers, accounts, alerts, tasks, interactions, complaints and survey answers from the
operational DB (read in bulk, a few columns each); month-end AUM from the lake's balance partitions
(DuckDB, through `tenure.lake`), with the same rule as the nightly `aum` feature: Σ balance of the
customer's deposit and investment accounts at the month's last balance partition. Nothing here
writes; `services.scorecards_compute` stores the result.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import timezone

from tenure import lake
from tenure.analytics.config import AUM_PRODUCT_TYPES
from tenure.analytics.models import CustomerValue
from tenure.churn.config import churn_config
from tenure.churn.models import Alert
from tenure.complaints.models import Complaint
from tenure.customers.models import Account, AccountStatus, Customer
from tenure.engagement import plans
from tenure.engagement.models import Task, TaskStatus
from tenure.offers.selectors import accepted_by_rm_and_month
from tenure.org.scoping import in_their_rm_book
from tenure.performance.models import ADDITIVE
from tenure.surveys.models import Response


class ScorecardUnavailable(ValueError):
    """The lake holds no balances for the month asked (the month-end AUM cannot be known)."""


@dataclass(frozen=True)
class Month:
    """A calendar month: its first and last day."""

    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM` → the month; ValueError naming the format otherwise."""
        try:
            first = dt.datetime.strptime(text.strip(), "%Y-%m").date()
        except (ValueError, AttributeError):
            raise ValueError(f"not a month (YYYY-MM): {str(text)[:20]!r}") from None
        return cls.of(first)

    @classmethod
    def of(cls, day: dt.date) -> Month:
        first = day.replace(day=1)
        return cls(first, first.replace(day=calendar.monthrange(first.year, first.month)[1]))

    def back(self, k: int) -> Month:
        """The month `k` months before this one."""
        index = self.start.year * 12 + self.start.month - 1 - k
        return Month.of(dt.date(index // 12, index % 12 + 1, 1))

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"


def _aware(day: dt.date, end: bool = False) -> dt.datetime:
    """The first instant of `day` (or of the next day, when `end`) in the bank's time zone."""
    moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
    return timezone.make_aware(moment)


def month_end_files(month: Month, lookback: int) -> dict[int, str]:
    """k → the last balance partition of the month k months before `month` (k = 0 … lookback),
    for the months the lake holds."""
    files = [p for p in lake.current_partitions("balances") if lake.partition_date(p) <= month.end]
    found: dict[int, str] = {}
    for path in lake.month_end_partitions(files, lookback + 1):
        day = lake.partition_date(path)
        k = (month.start.year - day.year) * 12 + month.start.month - day.month
        if 0 <= k <= lookback:
            found[k] = str(path)
    return found


def _customers(month: Month) -> pd.DataFrame:
    """customer_no, branch_code, rm (employee no.; None: the branch's pool), onboarded_on."""
    in_book = in_their_rm_book() & Q(rm__is_active=True)
    rows = (
        Customer.objects.filter(onboarded_on__lte=month.end)
        .annotate(owner=Case(When(in_book, then=F("rm_id")), default=Value(None), output_field=CharField()))
        .order_by()
        .values_list("customer_no", "branch_id", "owner", "onboarded_on")
    )
    columns = ["customer_no", "branch_code", "rm", "onboarded_on"]
    frame = pd.DataFrame(list(rows.iterator(chunk_size=20000)), columns=columns)
    return frame.set_index("customer_no")


def _closed_all(day: dt.date) -> set[str]:
    """Customers every one of whose accounts was closed by `day` (a closed account without a
    closing date counts as closed)."""
    closed = Q(status=AccountStatus.CLOSED) & (Q(closed_on=None) | Q(closed_on__lte=day))
    rows = (
        Account.objects.filter(opened_on__lte=day)
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"), shut=Count("pk", filter=closed))
        .filter(n=F("shut"))
        .values_list("customer_id", flat=True)
    )
    return {str(number) for number in rows}


def aum_by_month(month: Month, lookback: int) -> dict[int, pd.Series]:
    """k → month-end AUM in fen (integer, exact) per customer number at the month k months back (customers
    without an AUM balance row are absent: AUM 0). Raises ScorecardUnavailable without month 0."""
    files = month_end_files(month, lookback)
    if 0 not in files:
        raise ScorecardUnavailable(f"the lake holds no balances for {month.label}")
    pairs = Account.objects.filter(product__product_type__in=AUM_PRODUCT_TYPES).order_by()
    ids, owners = [], []
    for account_id, customer_no in pairs.values_list("account_id", "customer_id").iterator(chunk_size=50000):
        ids.append(account_id)
        owners.append(customer_no)
    con = lake.duckdb_connect()
    con.register("aum_accounts", pa.table({"account_id": ids, "customer_no": owners}))
    result: dict[int, pd.Series] = {}
    for k, path in sorted(files.items()):
        frame = con.execute(
            "SELECT a.customer_no, (sum(b.balance) * 100)::BIGINT AS aum "
            "FROM read_parquet(?, hive_partitioning=false) b JOIN aum_accounts a USING (account_id) GROUP BY 1",
            [path],
        ).df()
        result[k] = frame.set_index("customer_no")["aum"]
    con.close()
    return result


def branch_totals(month: Month) -> dict[str, tuple[int, float]]:
    """Branch code → (customers in a book at month-end, AUM at month-end in yuan) of the customers
    *sitting in* that branch, counted straight from customers and the lake (not from the lines):
    the check the `--json` summary sets beside the sums of the scorecards."""
    files = month_end_files(month, 0)
    closed = _closed_all(month.end)
    counts: dict[str, int] = defaultdict(int)
    for number, branch in (
        Customer.objects.filter(onboarded_on__lte=month.end).order_by().values_list("customer_no", "branch_id")
    ):
        if number not in closed:
            counts[str(branch)] += 1
    aum: dict[str, float] = {}
    if 0 in files:
        pairs = Account.objects.filter(
            product__product_type__in=AUM_PRODUCT_TYPES, customer__onboarded_on__lte=month.end
        ).order_by()
        rows = list(pairs.values_list("account_id", "customer__branch_id"))
        con = lake.duckdb_connect()
        con.register("branch_accounts", pa.table({"account_id": [r[0] for r in rows], "branch": [r[1] for r in rows]}))
        for branch, total in con.execute(
            "SELECT a.branch, sum(b.balance)::DECIMAL(20,2) FROM read_parquet(?, hive_partitioning=false) b "
            "JOIN branch_accounts a USING (account_id) GROUP BY 1",
            [files[0]],
        ).fetchall():
            aum[branch] = float(total)
        con.close()
    return {code: (counts.get(code, 0), aum.get(code, 0.0)) for code in set(counts) | set(aum)}


def _count_into(frame: pd.DataFrame, column: str, numbers: list[str]) -> None:
    """Add 1 to `column` of each customer in `numbers` (repeats add up; unknown numbers are ignored)."""
    if numbers:
        counts = pd.Series(numbers).value_counts()
        frame[column] = frame[column].add(counts.reindex(frame.index, fill_value=0), fill_value=0)


def _sum_into(frame: pd.DataFrame, column: str, pairs: list[tuple[str, float]]) -> None:
    if pairs:
        sums = pd.DataFrame(pairs, columns=["customer_no", "v"]).groupby("customer_no")["v"].sum()
        frame[column] = frame[column].add(sums.reindex(frame.index, fill_value=0), fill_value=0)


def _contacts(frame: pd.DataFrame, as_of: dt.date) -> None:
    """Planned RM contacts (visits, calls) of each customer as at `as_of` and how many are up to
    date (engagement's plan and rule: docs/workbench.md), counting contacts made by that day only."""
    plan = plans.active_plan()
    planned = []
    for number, tier, level in CustomerValue.objects.order_by().values_list("customer_id", "asset_tier", "value_level"):
        if number in frame.index and any(kind in plans.RM_KINDS for kind in plan.intervals(tier, level)):
            planned.append((number, tier, level))
    if not planned:
        return
    last = plans.last_contacts(upto=as_of)
    required: list[str] = []
    done: list[str] = []
    for due in plans.due_contacts(planned, plan, as_of, last):
        if due.kind in plans.RM_KINDS:
            required.append(due.customer_no)
            if due.covered:
                done.append(due.customer_no)
    _count_into(frame, "contacts_required", required)
    _count_into(frame, "contacts_done", done)


def _events(frame: pd.DataFrame, month: Month, as_of: dt.date) -> None:
    """Alerts, tasks, complaints, survey answers and accounts opened of the month, per customer."""
    start, end = _aware(month.start), _aware(month.end, end=True)
    due, on_time = [], []
    for number, due_on, acted_at in Alert.objects.filter(due_on__range=(month.start, month.end)).values_list(
        "customer__customer_no", "due_on", "acted_at"
    ):
        due.append(number)
        if acted_at is not None and timezone.localdate(acted_at) <= due_on:
            on_time.append(number)
    _count_into(frame, "alerts_due", due)
    _count_into(frame, "alerts_on_time", on_time)

    tasks_due, overdue = [], []
    rows = (
        Task.objects.filter(due_on__range=(month.start, month.end))
        .exclude(status=TaskStatus.CLOSED_AT_SOURCE)
        .values_list("customer_id", "due_on", "status", "done_at")
    )
    for owner_no, due_on, status, done_at in rows.iterator(chunk_size=20000):
        tasks_due.append(str(owner_no))
        late_done = done_at is not None and timezone.localdate(done_at) > due_on
        if (status == TaskStatus.OPEN and due_on < as_of) or late_done:
            overdue.append(str(owner_no))
    _count_into(frame, "tasks_due", tasks_due)
    _count_into(frame, "tasks_overdue", overdue)

    matched = Complaint.objects.exclude(customer=None)
    received = matched.filter(received_at__gte=start, received_at__lt=end)
    _count_into(frame, "complaints", list(received.values_list("customer__customer_no", flat=True)))
    resolved = list(
        matched.filter(resolved_at__gte=start, resolved_at__lt=end).values_list(
            "customer__customer_no", "received_at", "resolved_at"
        )
    )
    _count_into(frame, "complaints_resolved", [r[0] for r in resolved])
    hours = [(r[0], max((r[2] - r[1]).total_seconds(), 0) / 3600) for r in resolved if r[2] is not None]
    _sum_into(frame, "resolve_hours", hours)

    answers = list(
        Response.objects.filter(submitted_at__gte=start, submitted_at__lt=end).values_list(
            "customer__customer_no", "score", "nps"
        )
    )
    scored = [(n, s) for n, s, _ in answers if s is not None]
    _count_into(frame, "survey_answers", [n for n, _ in scored])
    _sum_into(frame, "satisfaction_sum", scored)
    recommends = [(n, r) for n, _, r in answers if r is not None]
    _count_into(frame, "nps_answers", [n for n, _ in recommends])
    _count_into(frame, "promoters", [n for n, r in recommends if r >= 9])
    _count_into(frame, "detractors", [n for n, r in recommends if r <= 6])

    opened = Account.objects.filter(opened_on__range=(month.start, month.end)).values_list("customer_id", flat=True)
    _count_into(frame, "products_sold", [str(number) for number in opened])
    accepted = accepted_by_rm_and_month(month.start, month.end)  # counted for the customer's RM at month-end
    _sum_into(frame, "offers_accepted", [(row["customer_no"], row["accepted"]) for row in accepted])


def scorecard_lines(month: Month, *, today: dt.date | None = None) -> pd.DataFrame:
    """One row per customer onboarded by the month-end, indexed by customer number: `branch_code`,
    `rm` (None: the pool) and every field of `models.ADDITIVE` (see docs/performance.md); money
    (`aum`, `aum_previous`) in whole fen, so sums are exact."""
    rules = churn_config()["label"]
    lookback = int(rules["lookback_months"])
    share, floor = float(rules["aum_share"]), float(rules["min_avg_aum"])
    today = today or timezone.localdate()
    as_of = min(today, month.end)
    aum = aum_by_month(month, lookback)
    previous = month.back(1)

    frame = _customers(month)
    for column in ADDITIVE:
        frame[column] = 0.0
    index = frame.index
    aum_now = aum[0].reindex(index, fill_value=0).astype("int64")
    aum_before = aum[1].reindex(index, fill_value=0).astype("int64") if 1 in aum else pd.Series(0, index=index)
    closed_now = index.isin(list(_closed_all(month.end)))
    closed_before = index.isin(list(_closed_all(previous.end)))
    joined_before = (frame["onboarded_on"] <= previous.end).to_numpy()

    frame["aum"] = aum_now  # fen until stored
    frame["aum_previous"] = aum_before
    frame["book"] = (~closed_now).astype(int)
    frame["book_previous"] = (joined_before & ~closed_before).astype(int)
    frame["new"] = (frame["onboarded_on"] >= month.start).astype(int)

    # Lost and retained: the churn label's rule (docs/churn.md) over a one-month horizon. In the
    # population at the previous month-end (average over the `lookback` month-ends ending there,
    # at least the floor, and not already below the share of it); lost when this month-end's AUM
    # is below the share of that average, or every account is closed.
    history = [k for k in range(1, lookback + 1) if k in aum]
    if 1 in aum:
        total = sum((aum[k].reindex(index, fill_value=0) for k in history), pd.Series(0, index=index))
        average = (total / len(history)).round(0)  # fen, as the label rounds the yuan average to 2 places
        population = joined_before & (average >= floor * 100).to_numpy() & (aum_before >= share * average).to_numpy()
        fell = (aum_now < share * average).to_numpy() | closed_now
        frame["lost"] = (population & fell).astype(int)
        frame["retained"] = (population & ~fell).astype(int)

    _events(frame, month, as_of)
    _contacts(frame, as_of)
    counts = [c for c in ADDITIVE if c not in ("resolve_hours", "satisfaction_sum")]
    frame[counts] = frame[counts].astype("int64")
    return frame.drop(columns=["onboarded_on"])
