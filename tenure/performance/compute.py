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
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.db import connection
from django.db.models import Case, Q, QuerySet, Value, When
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
from tenure.org.models import Branch, Staff
from tenure.performance.figures import FLOATS
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


def _fetch(rows: QuerySet, columns: dict[str, pa.DataType]) -> pa.Table:
    """The rows of a `values_list` queryset as an Arrow table of `columns` (names and types, in the
    queryset's order), read with the DB cursor in one go: at a million rows Django's own row
    iteration costs several times the query. The queries given here select text and whole numbers
    only, which SQLite and PostgreSQL hand over alike."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = cursor.fetchall()
    values = list(zip(*data, strict=True)) if data else [() for _ in columns]
    return pa.table({name: pa.array(v, kind) for (name, kind), v in zip(columns.items(), values, strict=True)})


def _customers(month: Month) -> pa.Table:
    """Customers onboarded by the month-end: customer_no, branch_code, assigned (the RM's employee
    no. in the extract, before the book rule), new (onboarded in the month, 1/0), joined_before (by
    the previous month-end). `_base_sql` applies the book rule with `_book_inputs`."""
    rows = (
        Customer.objects.filter(onboarded_on__lte=month.end)
        .annotate(
            joined=Case(When(onboarded_on__gte=month.start, then=Value(1)), default=Value(0)),
            before=Case(When(onboarded_on__lte=month.back(1).end, then=Value(1)), default=Value(0)),
        )
        .order_by()
        .values_list("customer_no", "branch_id", "rm_id", "joined", "before")
    )
    text, flag = pa.string(), pa.int8()
    return _fetch(
        rows, {"customer_no": text, "branch_code": text, "assigned": text, "new": flag, "joined_before": flag}
    )


def _book_inputs() -> dict[str, pa.Table]:
    """The book rule's inputs, small tables: every branch's path, and each active RM's home-branch
    path. `org.scoping.in_their_rm_book` is the rule (a customer is in their RM's book when they sit
    in the RM's home-branch subtree); `_base_sql` applies it per customer in DuckDB, which at a
    million customers is four times quicker than the same condition in the database
    (tests/performance/test_scorecards.py checks the two agree)."""
    text = pa.string()
    homes = Staff.objects.filter(is_active=True, home_branch__isnull=False).exclude(employee_no=None)
    return {
        "branch_paths": _fetch(Branch.objects.order_by().values_list("code", "path"), {"code": text, "path": text}),
        "rm_homes": _fetch(
            homes.order_by().values_list("employee_no", "home_branch__path"), {"rm": text, "home_path": text}
        ),
    }


def _accounts(month: Month) -> pa.Table:
    """Every account in one scan, as flags (0/1): account_id, customer_no, aum (a deposit or
    investment: the nightly `aum` rule), opened (by the month-end), shut (closed by then: a closed
    account without a closing date counts as closed), and the same two at the previous month-end.
    `_base_sql` makes the closed-customer and AUM tables of them."""
    end, before = month.end, month.back(1).end

    def flag(condition: Q) -> Case:
        return Case(When(condition, then=Value(1)), default=Value(0))

    def shut(day: dt.date) -> Q:
        return Q(opened_on__lte=day, status=AccountStatus.CLOSED) & (Q(closed_on=None) | Q(closed_on__lte=day))

    rows = (
        Account.objects.annotate(
            aum=flag(Q(product__product_type__in=AUM_PRODUCT_TYPES)),
            opened=flag(Q(opened_on__lte=end)),
            shut=flag(shut(end)),
            opened_before=flag(Q(opened_on__lte=before)),
            shut_before=flag(shut(before)),
        )
        .order_by()
        .values_list("account_id", "customer_id", "aum", "opened", "shut", "opened_before", "shut_before")
    )
    text, bit = pa.string(), pa.int8()
    names = ("aum", "opened", "shut", "opened_before", "shut_before")
    return _fetch(rows, {"account_id": text, "customer_no": text} | dict.fromkeys(names, bit))


def _table(rows: list[tuple], columns: dict[str, pa.DataType]) -> pa.Table:
    """Python rows as an Arrow table of `columns` (names and types)."""
    return pa.table({name: pa.array([row[i] for row in rows], kind) for i, (name, kind) in enumerate(columns.items())})


def _plan_inputs(as_of: dt.date) -> dict[str, pa.Table]:
    """The contact plan as tables to join (engagement's plan and rule: docs/workbench.md):
    `plan_values` each customer's published tier and level; `plan_kinds` per (tier, level) the RM
    kinds of contact planned and their interval in days (`Plan.intervals`, asked once per pair);
    `plan_last` the day of each customer's last contact of each kind made by `as_of`."""
    plan = plans.active_plan()
    text = pa.string()
    values = _fetch(
        CustomerValue.objects.order_by().values_list("customer_id", "asset_tier", "value_level"),
        {"customer_no": text, "tier": text, "level": text},
    )
    distinct = values.group_by(["tier", "level"]).aggregate([])
    pairs = sorted(zip(distinct["tier"].to_pylist(), distinct["level"].to_pylist(), strict=True), key=str)
    kinds = [
        (tier, level, kind, days)
        for tier, level in pairs
        for kind, days in plan.intervals(tier, level).items()
        if kind in plans.RM_KINDS
    ]
    last = plans.last_contacts(upto=as_of)
    return {
        "plan_values": values,
        "plan_kinds": _table(kinds, {"tier": text, "level": text, "kind": text, "days": pa.int32()}),
        "plan_last": _table(
            [(*key, day) for key, day in last.items()], {"customer_no": text, "kind": text, "day": pa.date32()}
        ),
    }


def _events(month: Month, as_of: dt.date) -> pa.Table:
    """customer_no, figure, value: one row per customer's part in a figure counted from the month's
    alerts, tasks, complaints, survey answers, accounts opened and offers accepted."""
    start, end = _aware(month.start), _aware(month.end, end=True)
    rows: list[tuple[str, str, float]] = []

    def add(figure: str, numbers: Iterable[Any], value: float = 1.0) -> None:
        rows.extend((str(number), figure, value) for number in numbers)

    for number, due_on, acted_at in Alert.objects.filter(due_on__range=(month.start, month.end)).values_list(
        "customer__customer_no", "due_on", "acted_at"
    ):
        add("alerts_due", [number])
        if acted_at is not None and timezone.localdate(acted_at) <= due_on:
            add("alerts_on_time", [number])

    tasks = (
        Task.objects.filter(due_on__range=(month.start, month.end))
        .exclude(status=TaskStatus.CLOSED_AT_SOURCE)
        .values_list("customer_id", "due_on", "status", "done_at")
    )
    for owner_no, due_on, status, done_at in tasks.iterator(chunk_size=20000):
        add("tasks_due", [owner_no])
        late_done = done_at is not None and timezone.localdate(done_at) > due_on
        if (status == TaskStatus.OPEN and due_on < as_of) or late_done:
            add("tasks_overdue", [owner_no])

    matched = Complaint.objects.exclude(customer=None)
    received = matched.filter(received_at__gte=start, received_at__lt=end)
    add("complaints", received.values_list("customer__customer_no", flat=True))
    resolved = matched.filter(resolved_at__gte=start, resolved_at__lt=end)
    for number, received_at, resolved_at in resolved.values_list("customer__customer_no", "received_at", "resolved_at"):
        add("complaints_resolved", [number])
        if resolved_at is not None:
            rows.append((number, "resolve_hours", max((resolved_at - received_at).total_seconds(), 0) / 3600))

    answers = Response.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    for number, score, recommend in answers.values_list("customer__customer_no", "score", "nps"):
        if score is not None:
            add("survey_answers", [number])
            rows.append((number, "satisfaction_sum", float(score)))
        if recommend is not None:
            add("nps_answers", [number])
            if recommend >= 9:
                add("promoters", [number])
            if recommend <= 6:
                add("detractors", [number])

    add(
        "products_sold",
        Account.objects.filter(opened_on__range=(month.start, month.end)).values_list("customer_id", flat=True),
    )
    for row in accepted_by_rm_and_month(month.start, month.end):  # counted for the customer's RM at month-end
        rows.append((row["customer_no"], "offers_accepted", float(row["accepted"])))
    return _table(rows, {"customer_no": pa.string(), "figure": pa.string(), "value": pa.float64()})


@dataclass(frozen=True)
class MonthLines:
    """One month's lines and the check set beside their sums."""

    lines: pa.Table  # one row per customer: customer_no, branch_code, rm and models.ADDITIVE (money in fen)
    # Branch code → (customers whose accounts are not all closed at month-end, their AUM in yuan),
    # counted from the customers and the lake, not from the lines (the `--json` check).
    branches: dict[str, tuple[int, float]]


# Figures counted from the month's events (`_events`), summed per customer.
EVENT_FIGURES = tuple(f for f in ADDITIVE[ADDITIVE.index("alerts_due") :] if not f.startswith("contacts_"))


def _base_sql(ks: list[int]) -> str:
    """Per customer onboarded by the month-end: the customer's row, closed flags and AUM in fen at
    each month-end held (`aum_<k>`, k months back; 0 without a balance)."""
    scan = " UNION ALL ".join(
        f"SELECT {k} AS k, account_id, balance FROM read_parquet($file{k}, hive_partitioning=false)" for k in ks
    )
    pivot = ", ".join(f"sum(fen) FILTER (WHERE k = {k}) AS aum_{k}" for k in ks)
    held = ", ".join(f"coalesce(a.aum_{k}, 0)::BIGINT AS aum_{k}" for k in ks)
    return f"""
    CREATE TEMP TABLE base AS
    WITH closed AS (  -- customers every one of whose accounts was closed at either month-end
        SELECT customer_no, sum(opened) AS n, sum(shut) AS shut,
            sum(opened_before) AS n_before, sum(shut_before) AS shut_before
        FROM accounts WHERE opened = 1 GROUP BY customer_no
        HAVING sum(opened) = sum(shut) OR (sum(opened_before) > 0 AND sum(opened_before) = sum(shut_before))
    ), bal AS (
        SELECT a.customer_no, b.k, (sum(b.balance) * 100)::BIGINT AS fen
        FROM ({scan}) b JOIN (SELECT account_id, customer_no FROM accounts WHERE aum = 1) a USING (account_id)
        GROUP BY ALL
    ), aum AS (SELECT customer_no, {pivot} FROM bal GROUP BY customer_no)
    SELECT c.customer_no, c.branch_code,
        CASE WHEN starts_with(bp.path, h.home_path) THEN c.assigned END AS rm,  -- in_their_rm_book
        c.new, c.joined_before,
        coalesce(s.n = s.shut, false) AS closed_now,
        coalesce(s.n_before > 0 AND s.n_before = s.shut_before, false) AS closed_before,
        {held}
    FROM customers c LEFT JOIN closed s USING (customer_no) LEFT JOIN aum a USING (customer_no)
    LEFT JOIN branch_paths bp ON bp.code = c.branch_code LEFT JOIN rm_homes h ON h.rm = c.assigned
    """


def _lines_sql(ks: list[int], lookback: int) -> str:
    """The lines from `base`, the events and the contact plan (see `scorecard_lines`)."""
    if 1 in ks:
        # The churn label's rule (docs/churn.md) over a one-month horizon. In the population at the
        # previous month-end: average over the `lookback` month-ends ending there (those held; to the
        # fen, half to even as the label rounds the yuan average) at least the floor, and AUM then not
        # already below the share of it. Lost when this month-end's AUM is below the share of that
        # average, or every account is closed; else retained.
        history = [k for k in range(1, lookback + 1) if k in ks]
        average = f"round_even(({' + '.join(f'b.aum_{k}' for k in history)})::DOUBLE / {len(history)}, 0)"
        population = f"(b.joined_before = 1 AND {average} >= $floor AND b.aum_1 >= $share * {average})"
        fell = f"(b.aum_0 < $share * {average} OR b.closed_now)"
        lost, retained, previous = f"{population} AND {fell}", f"{population} AND NOT {fell}", "b.aum_1"
    else:
        lost = retained = "false"
        previous = "0"
    events = ", ".join(f"sum(value) FILTER (WHERE figure = '{f}') AS {f}" for f in EVENT_FIGURES)
    figures = {
        "book": "(NOT b.closed_now)",
        "book_previous": "(b.joined_before = 1 AND NOT b.closed_before)",
        "aum": "b.aum_0",
        "aum_previous": previous,
        "new": "b.new",
        "lost": f"({lost})",
        "retained": f"({retained})",
        "contacts_required": "coalesce(p.required, 0)",
        "contacts_done": "coalesce(p.done, 0)",
    } | {f: f"coalesce(e.{f}, 0)" for f in EVENT_FIGURES}
    columns = ", ".join(f"{figures[f]}::{'DOUBLE' if f in FLOATS else 'BIGINT'} AS {f}" for f in ADDITIVE)
    return f"""
    WITH ev AS (SELECT customer_no, {events} FROM events GROUP BY customer_no
    ), planned AS (
        SELECT v.customer_no, count(*) AS required, count(*) FILTER (WHERE l.day + p.days > $as_of) AS done
        FROM plan_values v JOIN plan_kinds p USING (tier, level)
        LEFT JOIN plan_last l ON l.customer_no = v.customer_no AND l.kind = p.kind
        GROUP BY v.customer_no
    )
    SELECT b.customer_no, b.branch_code, b.rm, {columns}
    FROM base b LEFT JOIN ev e USING (customer_no) LEFT JOIN planned p USING (customer_no)
    ORDER BY b.customer_no
    """


def scorecard_lines(month: Month, *, today: dt.date | None = None) -> MonthLines:
    """One row per customer onboarded by the month-end, by customer number: `customer_no`,
    `branch_code`, `rm` (None: the pool) and every field of `models.ADDITIVE` in that order (see
    docs/performance.md); money (`aum`, `aum_previous`) in whole fen, so sums are exact.

    Set-based: a few bulk reads of the DB (customers, closed accounts, AUM accounts, the month's
    events, the contact plan's inputs) and one DuckDB pass over them and the month-end balance
    partitions; no Python loop over customers. Raises ScorecardUnavailable without month 0."""
    rules = churn_config()["label"]
    lookback = int(rules["lookback_months"])
    files = month_end_files(month, lookback)
    if 0 not in files:
        raise ScorecardUnavailable(f"the lake holds no balances for {month.label}")
    as_of = min(today or timezone.localdate(), month.end)
    ks = sorted(files)
    con = lake.duckdb_connect()
    try:
        tables = {
            "customers": _customers(month),
            **_book_inputs(),
            "accounts": _accounts(month),
            "events": _events(month, as_of),
            **_plan_inputs(as_of),
        }
        for name, table in tables.items():
            con.register(name, table)
        con.execute(_base_sql(ks), {f"file{k}": files[k] for k in ks})
        params: dict[str, Any] = {"as_of": as_of}
        if 1 in ks:
            params |= {"floor": float(rules["min_avg_aum"]) * 100, "share": float(rules["aum_share"])}
        lines = con.sql(_lines_sql(ks, lookback), params=params).to_arrow_table()
        branches = {
            code: (int(book), float(Decimal(int(fen)).scaleb(-2)))
            for code, book, fen in con.execute(
                "SELECT branch_code, count(*) FILTER (WHERE NOT closed_now), sum(aum_0) FROM base GROUP BY 1"
            ).fetchall()
        }
    finally:
        con.close()
    return MonthLines(lines=lines, branches=branches)
