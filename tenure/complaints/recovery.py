"""Recovery analytics as plain functions of a complaints frame (no database, no lake: testable by hand).

The frame has one row per complaint with columns: id, customer_no, branch, product_type, cause,
severity, channel, status, owner, received_at, ack_due_at, acknowledged_at, resolve_due_at,
resolved_at (aware timestamps, NaT when not yet), escalation_level, and — for the retention
analysis — `retained` (True / False / NaN when not yet observable), see `retained`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# Resolution time histogram bins, in calendar days from receipt to (final) resolution.
DAY_EDGES = (0, 1, 2, 3, 5, 7, 10, 15, 30, np.inf)
SPEEDS = ("within_1_day", "within_sla", "late", "unresolved")
# The industry figures of docs/complaints.md, shown beside the bank's own: repurchase after a complaint is resolved.
SEED_000 = {"major_resolved": 0.04, "minor_resolved": 0.53, "resolved_quickly_low": 0.52, "resolved_quickly_high": 0.95}
# Repurchase after a problem: the complaints by resolution speed, then the customers with a problem
# signal who did not complain (the comparison group, docs/complaints.md § Repurchase).
GROUPS = (*SPEEDS, "no_complaint")
PROBLEMS = ("major", "minor")
MAJOR_SEVERITIES = ("high", "critical")


def per_10k(count: int, customers: int) -> float | None:
    """Complaints per 10,000 customers (None when there are no customers)."""
    return round(count / customers * 10_000, 2) if customers else None


def resolution_days(frame: pd.DataFrame) -> pd.Series:
    """Calendar days from receipt to resolution, for resolved complaints."""
    done = frame[frame.resolved_at.notna()]
    return (done.resolved_at - done.received_at).dt.total_seconds() / 86_400


def histogram(days: pd.Series, edges: tuple = DAY_EDGES) -> dict[str, list]:
    """Counts per bin [a, b) with readable labels ("0–1", …, "30+")."""
    labels = [f"{a:g}–{b:g}" if np.isfinite(b) else f"{a:g}+" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    counts = pd.cut(days, bins=list(edges), right=False, labels=labels).value_counts().reindex(labels, fill_value=0)
    return {"labels": labels, "values": [int(v) for v in counts]}


def sla_compliance(frame: pd.DataFrame, now: pd.Timestamp) -> dict[str, float | int | None]:
    """Shares on time: acknowledged by the deadline, resolved by the deadline; open and overdue now."""
    acked = frame[frame.acknowledged_at.notna()]
    resolved = frame[frame.resolved_at.notna()]
    open_ = frame[frame.resolved_at.isna()]
    return {
        "ack_on_time": _share((acked.acknowledged_at <= acked.ack_due_at).sum(), len(acked)),
        "resolved_on_time": _share((resolved.resolved_at <= resolved.resolve_due_at).sum(), len(resolved)),
        "resolved": len(resolved),
        "open": len(open_),
        "open_overdue": int((open_.resolve_due_at < now).sum()),
    }


def _share(part, whole: int) -> float | None:
    return round(float(part) / whole, 4) if whole else None


def pareto(frame: pd.DataFrame, labels: dict[str, str]) -> dict[str, list]:
    """Complaints per root cause, most frequent first, with the cumulative share (unclassified last)."""
    counts = frame.cause.fillna("").value_counts()
    counts = pd.concat([counts.drop("", errors="ignore"), counts.reindex([""]).dropna()])
    total = int(counts.sum())
    cumulative = (counts.cumsum() / total).round(4) if total else counts * 0.0
    return {
        "codes": list(counts.index),
        "labels": [labels.get(code, code) if code else "—" for code in counts.index],
        "values": [int(v) for v in counts],
        "cumulative": [float(v) for v in cumulative],
    }


def repeat_complainers(frame: pd.DataFrame, minimum: int = 2) -> pd.DataFrame:
    """Customers with at least `minimum` complaints: customer_no, complaints, last received, still open."""
    known = frame[frame.customer_no.notna() & (frame.customer_no != "")]
    g = known.groupby("customer_no")
    out = pd.DataFrame(
        {
            "complaints": g.size(),
            "last_received_at": g.received_at.max(),
            "open": g.resolved_at.apply(lambda s: int(s.isna().sum())),
        }
    )
    out = out[out.complaints >= minimum].sort_values(["complaints", "last_received_at"], ascending=False)
    return out.reset_index()


def speed(frame: pd.DataFrame, horizon_days: int | None = None) -> pd.Series:
    """How fast each complaint was resolved: within 1 day, within the SLA, late, or not (yet) — where
    "not" includes a resolution after `horizon_days`, when retention is observed."""
    hours = (frame.resolved_at - frame.received_at).dt.total_seconds() / 3600
    unresolved = frame.resolved_at.isna()
    if horizon_days is not None:
        unresolved |= hours > 24 * horizon_days
    return pd.Series(
        np.select(
            [unresolved, hours <= 24, frame.resolved_at <= frame.resolve_due_at],
            ["unresolved", "within_1_day", "within_sla"],
            "late",
        ),
        index=frame.index,
    )


def retained(baseline_aum: pd.Series, observed_aum: pd.Series, all_closed: pd.Series, share: float) -> pd.Series:
    """Still a customer N days later: not every account closed and AUM at least `share` of the
    baseline (the month-end before the complaint); with no baseline AUM only the accounts count.
    NaN where the observation month-end is not in the lake yet."""
    keeps_money = observed_aum.fillna(0) >= share * baseline_aum
    result = (~all_closed.fillna(False).astype(bool)) & (keeps_money | ~(baseline_aum > 0))
    return result.astype("object").where(observed_aum.notna() | all_closed.fillna(False).astype(bool), np.nan)


def retention_by_speed(frame: pd.DataFrame, by: str | None = None, horizon_days: int | None = None) -> pd.DataFrame:
    """Per speed (and per `by` group): complaints observed, retained, share retained.

    Complaints whose outcome is not yet observable are left out of both counts.
    """
    observed = frame.assign(speed=speed(frame, horizon_days))
    observed = observed[observed.retained.notna()].assign(kept=lambda f: f.retained.astype(bool))
    keys = [by, "speed"] if by else ["speed"]
    if observed.empty:
        return pd.DataFrame(columns=[*keys, "observed", "retained", "share"])
    g = observed.groupby(keys).kept
    out = pd.DataFrame({"observed": g.size(), "retained": g.sum().astype(int)}).reset_index()
    out["share"] = (out.retained / out.observed).round(4)
    out["speed"] = pd.Categorical(out.speed, categories=SPEEDS, ordered=True)
    return out.sort_values(keys).reset_index(drop=True)


def service_kpis(frame: pd.DataFrame, by: str, now: pd.Timestamp) -> pd.DataFrame:
    """Per branch or handler: complaints, resolved, share resolved on time, median days, escalated, open overdue."""
    f = frame.assign(
        days=(frame.resolved_at - frame.received_at).dt.total_seconds() / 86_400,
        on_time=(frame.resolved_at <= frame.resolve_due_at).where(frame.resolved_at.notna()),
        overdue=frame.resolved_at.isna() & (frame.resolve_due_at < now),
        escalated=frame.escalation_level > 0,
    )
    g = f.groupby(f[by].fillna("—"))
    out = pd.DataFrame(
        {
            "complaints": g.size(),
            "resolved": g.resolved_at.count(),
            "on_time": g.on_time.apply(lambda s: round(float(s.dropna().mean()), 4) if s.notna().any() else None),
            "median_days": g.days.median().round(1),
            "escalated": g.escalated.sum().astype(int),
            "open_overdue": g.overdue.sum().astype(int),
        }
    )
    return out.sort_values("complaints", ascending=False).rename_axis(by).reset_index()


def _days(values: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.Series(values)).dt.normalize()


def repurchased_within(
    problems: pd.DataFrame, purchases: pd.DataFrame, horizon_days: int, last_day: dt.date | None
) -> pd.Series:
    """For each problem (customer_no, day): True when the customer bought something (`purchases`:
    customer_no, day) on a day in (day, day + horizon_days]; NaN when that window ends after
    `last_day`, the latest day the lake covers (not observable yet)."""
    out = pd.Series(np.nan, index=problems.index, dtype="object")
    if problems.empty or last_day is None:
        return out
    day = _days(problems.day.reset_index(drop=True))
    end = day + pd.Timedelta(days=horizon_days)
    window = pd.DataFrame(
        {"row": range(len(problems)), "customer_no": problems.customer_no.to_numpy(), "day": day, "end": end}
    )
    bought = window.merge(
        pd.DataFrame({"customer_no": purchases.customer_no, "bought": _days(purchases.day)}), on="customer_no"
    )
    hit = np.zeros(len(problems), dtype=bool)
    hit[bought.row[(bought.bought > bought.day) & (bought.bought <= bought.end)].to_numpy()] = True
    observable = (end <= pd.Timestamp(last_day)).to_numpy()
    out[observable] = [bool(v) for v in hit[observable]]
    return out


def without_complaint(signals: pd.DataFrame, complaints: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """The problem signals (customer_no, day, …) of customers who made no complaint (`complaints`:
    customer_no, day) from the signal's day to horizon_days after it."""
    if signals.empty or complaints.empty:
        return signals
    filed = pd.DataFrame({"customer_no": complaints.customer_no, "filed": _days(complaints.day)})
    pairs = signals.reset_index().merge(filed, on="customer_no")
    day = _days(pairs.day)
    spoke = pairs["index"][(pairs.filed >= day) & (pairs.filed <= day + pd.Timedelta(days=horizon_days))]
    return signals.drop(index=set(spoke))


def repurchase_by_group(complaints: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """Per group (GROUPS: resolution speed of a complaint, or no complaint) and problem (major,
    minor): problems observed, followed by a repurchase, share. `complaints` has speed, major and
    repurchased; `signals` major and repurchased; problems not observable yet (NaN) are left out."""
    parts = [
        complaints[["speed", "major", "repurchased"]].rename(columns={"speed": "group"}),
        signals[["major", "repurchased"]].assign(group="no_complaint"),
    ]
    both = pd.concat([p for p in parts if not p.empty]) if any(not p.empty for p in parts) else parts[0]
    both = both[both.repurchased.notna()]
    rows = []
    for group in GROUPS:
        for problem in PROBLEMS:
            chosen = both[(both.group == group) & (both.major.astype(bool) == (problem == "major"))]
            bought = int(chosen.repurchased.astype(bool).sum())
            share = round(bought / len(chosen), 4) if len(chosen) else None
            rows.append((group, problem, len(chosen), bought, share))
    return pd.DataFrame(rows, columns=["group", "problem", "observed", "repurchased", "share"])
