"""The queue analysis as DuckDB queries over `queue_tickets` Parquet files (docs/queues.md).

No Django, no scoping: `Tickets` is one period's tickets of given branches, read once into a
DuckDB table; the selectors pick the files and the branches the acting staff member may see, and
the benchmark runs the same queries on ten million synthetic tickets.

Definitions (minutes): wait = called_at − issued_at, service = finished_at − called_at. Percentiles
are DuckDB's `quantile_cont` (linear between ranks) over the tickets that were called (wait) or
finished (service). A walk-away is a ticket never called; "within target" is the share of all
tickets called within the target wait, so a walk-away never counts as served in time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from tenure import lake

# Figures of one group of tickets, the same for a branch, the scope, a month or a tier. Both
# percentiles of a column come from one sort (the list form of quantile_cont).
FIGURES = """
    count(*) AS tickets,
    count(wait_s) AS served,
    quantile_cont(wait_s, [0.5, 0.9]) AS wait_q,
    quantile_cont(service_s, [0.5, 0.9]) AS service_q,
    avg(wait_s) AS avg_wait,
    count(*) FILTER (WHERE wait_s <= $target) / count(*) AS within
"""
# Per customer tier only waiting matters (does a key customer wait less?): no service sort there.
WAIT_FIGURES = FIGURES.replace("quantile_cont(service_s, [0.5, 0.9])", "NULL::DOUBLE[]")
NO_TIER = ""  # tickets without a customer number or without a published tier
_EMPTY = (
    "(SELECT NULL::VARCHAR AS branch_code, NULL::VARCHAR AS service_type, NULL::VARCHAR AS customer_no,"
    " NULL::TIMESTAMP AS issued_at, NULL::TIMESTAMP AS called_at, NULL::TIMESTAMP AS finished_at WHERE false)"
)


@dataclass
class Analysis:
    """Everything the queues page shows for one period and scope."""

    total: dict[str, Any]
    branches: list[dict[str, Any]] = field(default_factory=list)
    heat: list[tuple[int, int, float, int]] = field(default_factory=list)  # (weekday 0=Mon, hour, avg wait, tickets)
    tiers: list[dict[str, Any]] = field(default_factory=list)
    key_vs_others: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def _figures(values: Sequence[Any]) -> dict[str, Any]:
    """One row of FIGURES as minutes and counts."""
    tickets, served, wait_q, service_q, avg_wait, within = values
    wait_q, service_q = wait_q or [None, None], service_q or [None, None]
    return {
        "tickets": tickets,
        "served": served,
        "walked": tickets - served,
        "p50_wait": _minutes(wait_q[0]),
        "p90_wait": _minutes(wait_q[1]),
        "p50_service": _minutes(service_q[0]),
        "p90_service": _minutes(service_q[1]),
        "avg_wait": _minutes(avg_wait),
        "within": within,
    }


class Tickets:
    """The tickets issued in [start, end) at `branch_codes` (None: every branch), in table `t` of an
    in-memory DuckDB, with their wait and service in whole seconds."""

    def __init__(
        self,
        files: Sequence[Path],
        start: dt.datetime,
        end: dt.datetime,
        *,
        branch_codes: Collection[str] | None,
        threads: int | None = None,
    ) -> None:
        self.con = lake.duckdb_connect(threads=threads)
        where = "issued_at >= $start AND issued_at < $end"
        if branch_codes is not None:
            self.con.register("scope", pa.table({"code": pa.array(sorted(branch_codes), pa.string())}))
            where += " AND branch_code IN (SELECT code FROM scope)"
        source = "read_parquet($files)" if files else _EMPTY
        params: dict[str, Any] = {"start": start, "end": end}
        if files:
            params["files"] = [str(p) for p in files]
        self.con.execute(
            "CREATE TEMP TABLE t AS SELECT branch_code, service_type, customer_no, issued_at,"
            " CAST(datediff('second', issued_at, called_at) AS INTEGER) AS wait_s,"
            " CAST(datediff('second', called_at, finished_at) AS INTEGER) AS service_s"
            f" FROM {source} WHERE {where}",
            params,
        )

    def _grouped(self, sql: str, target_minutes: int, keys: int) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """(group keys, figures) per row of `sql`, whose first `keys` columns are the group keys."""
        rows = self.con.execute(sql, {"target": target_minutes * 60}).fetchall()
        return [(row[:keys], _figures(row[keys:])) for row in rows]

    def customers(self) -> list[str]:
        """The distinct customer numbers on the tickets (for looking up their tiers)."""
        rows = self.con.execute("SELECT DISTINCT customer_no FROM t WHERE customer_no IS NOT NULL").fetchall()
        return [row[0] for row in rows]

    def analyse(
        self, target_minutes: int, *, tiers: pa.Table | None = None, key_tiers: Collection[str] = ()
    ) -> Analysis:
        """The page's figures. `tiers` (customer_no, tier) names the tier of identified customers;
        the others are grouped as NO_TIER. `key_tiers`: the tiers counted as key customers."""
        ((_, total),) = self._grouped(f"SELECT {FIGURES} FROM t", target_minutes, 0)
        analysis = Analysis(total=total)
        if not total["tickets"]:
            return analysis
        by = self._grouped(
            f"SELECT branch_code, service_type, GROUPING(branch_code), {FIGURES} FROM t"
            " GROUP BY GROUPING SETS ((branch_code), (service_type)) ORDER BY 3, 1, 2",
            target_minutes,
            3,
        )
        analysis.branches = [{"branch_code": k[0]} | f for k, f in by if k[2] == 0]
        analysis.services = [{"service_type": k[1]} | f for k, f in by if k[2] == 1]
        analysis.heat = [
            (int(d), int(h), float(w) / 60, int(n))
            for d, h, w, n in self.con.execute(
                "SELECT isodow(issued_at) - 1 AS d, hour(issued_at) AS h, avg(wait_s), count(*)"
                " FROM t GROUP BY 1, 2 HAVING count(wait_s) > 0 ORDER BY 1, 2"
            ).fetchall()
        ]
        table = tiers if tiers is not None else pa.table({"customer_no": pa.array([], pa.string())})
        tier_column = table["tier"] if "tier" in table.column_names else pa.array([], pa.string())
        self.con.register("tiers", pa.table({"customer_no": table["customer_no"], "tier": tier_column}))
        self.con.register("key_tiers", pa.table({"tier": pa.array(sorted(key_tiers), pa.string())}))
        by_tier = self._grouped(
            f"SELECT tier, is_key, GROUPING(tier), {WAIT_FIGURES} FROM ("
            f" SELECT t.wait_s, t.service_s, coalesce(tiers.tier, '{NO_TIER}') AS tier,"
            "  CASE WHEN tiers.tier IS NULL THEN NULL ELSE tiers.tier IN (SELECT tier FROM key_tiers) END AS is_key"
            "  FROM t LEFT JOIN tiers USING (customer_no))"
            " GROUP BY GROUPING SETS ((tier), (is_key)) ORDER BY 3, 1",
            target_minutes,
            3,
        )
        analysis.tiers = [{"tier": k[0]} | f for k, f in by_tier if k[2] == 0]
        if key_tiers:
            analysis.key_vs_others = {
                "key" if k[1] else "others": f for k, f in by_tier if k[2] == 1 and k[1] is not None
            }
        return analysis

    def monthly(self, target_minutes: int) -> dict[str, dict[str, Any]]:
        """Figures per calendar month ("YYYY-MM")."""
        rows = self._grouped(
            f"SELECT strftime(issued_at, '%Y-%m'), {FIGURES} FROM t GROUP BY 1 ORDER BY 1", target_minutes, 1
        )
        return {k[0]: f for k, f in rows}

    def waited_longer(self, customer_nos: Collection[str], target_minutes: int) -> list[dict[str, Any]]:
        """Per customer of `customer_nos` who waited longer than the target or walked away: the branch of
        their longest wait, that wait (None when they only walked away) and their first ticket's time."""
        self.con.register("wanted", pa.table({"customer_no": pa.array(sorted(customer_nos), pa.string())}))
        # A walk-away was not served at all: it needs the lobby manager as much as a long wait.
        rows = self.con.execute(
            "SELECT customer_no, arg_max(branch_code, coalesce(wait_s, -1)), max(wait_s) / 60, min(issued_at)"
            " FROM t WHERE customer_no IN (SELECT customer_no FROM wanted) AND (wait_s > $target OR wait_s IS NULL)"
            " GROUP BY customer_no ORDER BY customer_no",
            {"target": target_minutes * 60},
        ).fetchall()
        return [{"customer_no": c, "branch_code": b, "wait_minutes": w, "issued_at": at} for c, b, w, at in rows]


def analyse(
    files: Sequence[Path],
    start: dt.datetime,
    end: dt.datetime,
    *,
    branch_codes: Collection[str] | None,
    target_minutes: int,
    tiers: pa.Table | None = None,
    key_tiers: Collection[str] = (),
    threads: int | None = None,
) -> Analysis:
    """`Tickets(...).analyse(...)` in one call (the benchmark's and the tests' entry)."""
    tickets = Tickets(files, start, end, branch_codes=branch_codes, threads=threads)
    return tickets.analyse(target_minutes, tiers=tiers, key_tiers=key_tiers)


def monthly(
    files: Sequence[Path],
    start: dt.datetime,
    end: dt.datetime,
    *,
    branch_codes: Collection[str] | None,
    target_minutes: int,
) -> dict[str, dict[str, Any]]:
    """Figures per calendar month ("YYYY-MM") of the tickets issued in [start, end)."""
    return Tickets(files, start, end, branch_codes=branch_codes).monthly(target_minutes)
