"""Raise, route, deduplicate and escalate churn alerts (writes `Alert` rows).

Signals are evaluated set-based over the signal frame; the DB work is one bulk insert. Each alert
goes to the customer's RM; key customers (asset tier in `key_tiers` or value level key/important)
also to the head of their branch. One open alert per customer and cause (a DB constraint backs
this). The SLA is `sla_working_days` working days (Chinese calendar) from the business date;
overdue open alerts are escalated.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pyarrow.parquet as pq
from django.db import transaction
from django.utils import timezone

from tenure import lake
from tenure.analytics.dates import month_end_back
from tenure.analytics.engine import as_of, lake_table
from tenure.analytics.models import CustomerValue
from tenure.churn.dataset import complaint_features, features_frame
from tenure.churn.models import Alert, ChurnScore
from tenure.churn.policy import let_go_policy
from tenure.churn.rules import active_policy
from tenure.churn.severity import value_at_risk
from tenure.churn.signals import evaluate_signals
from tenure.complaints.selectors import complaints_for_signals
from tenure.core.audit import audit
from tenure.core.calendar import add_working_days
from tenure.customers.models import Customer
from tenure.lake import connect
from tenure.org.models import Staff
from tenure.org.selectors import branch_heads
from tenure.surveys.selectors import survey_scores_for_signals

SURVEY_COLUMNS = {"customer_no": "str", "answered_on": "datetime64[ns]", "score": "float64"}
KEY_LEVELS = ("key", "important")
RATED = ["probability", "contribution", "value_at_risk", "severity"]  # what follows the customer's latest score


def _cities(con: ibis.BaseBackend, day: dt.date) -> pd.Series:
    customers = lake_table(con, "customers", ("customer_no", "city"), upto=day)
    return as_of(customers, "customer_no").to_pandas().set_index("customer_no").city


def signal_frame(con: ibis.BaseBackend, day: dt.date, relocation_days: int) -> pd.DataFrame:
    """Features, this month's activity, tier warning, last month's time deposits, the city move and
    the complaints (open, or resolved late lately)."""
    f = features_frame(con, day).set_index("customer_no")
    columns = [
        "aum",
        "aum_1m",
        "bal_time_deposit",
        "outflow_1m",
        "outflow_prev3",
        "max_outflow_1m",
        "card_1m",
        "card_prev3",
        "payroll_1m",
        "payroll_months_prev",
        "next_competitor_maturity",
    ]
    frame = f[columns].copy()
    tiers_path = lake.output_path("tiers", day)
    if tiers_path.exists():
        tiers = pq.read_table(tiers_path, columns=["customer_no", "asset_tier", "downgrade_warning"]).to_pandas()
        frame = frame.join(tiers.set_index("customer_no"), how="left")
    else:
        frame["asset_tier"], frame["downgrade_warning"] = None, False
    previous = features_frame(con, month_end_back(day, 1)).set_index("customer_no")
    frame["bal_time_deposit_1m"] = previous.bal_time_deposit.reindex(frame.index)
    frame["city"] = _cities(con, day).reindex(frame.index)
    frame["city_prev"] = _cities(con, day - dt.timedelta(days=relocation_days)).reindex(frame.index)
    for name, values in complaint_features(complaints_for_signals(day), frame.index).items():
        frame[name] = values
    return frame.fillna({"bal_time_deposit_1m": 0})


def _routing(customer_nos: list[str], key_tiers: list[str]) -> pd.DataFrame:
    """customer id, RM staff id, branch-head staff id (key customers only), contribution."""
    customers = pd.DataFrame(
        Customer.objects.filter(customer_no__in=customer_nos).values_list(
            "customer_no", "id", "rm_id", "branch_id", "onboarded_on"
        ),
        columns=["customer_no", "customer_id", "rm_id", "branch_id", "onboarded_on"],
    )
    staff = dict(Staff.objects.filter(employee_no__isnull=False).values_list("employee_no", "id"))
    heads = {code: head.pk for code, head in branch_heads().items()}
    values = pd.DataFrame(
        CustomerValue.objects.filter(customer__customer_no__in=customer_nos).values_list(
            "customer__customer_no", "contribution", "asset_tier", "value_level"
        ),
        columns=["customer_no", "contribution", "asset_tier", "value_level"],
    )
    c = customers.merge(values, on="customer_no", how="left")
    c["owner_id"] = c.rm_id.map(staff)
    head = c.branch_id.map(heads)
    key = c.asset_tier.isin(key_tiers) | c.value_level.isin(KEY_LEVELS)
    c["branch_head_id"] = head.where(key)
    c["contribution"] = c.contribution.astype("float64").fillna(0.0)
    return c.set_index("customer_no")


def raise_alerts(*, day: dt.date, surveys: pd.DataFrame | None = None) -> dict:
    """Evaluate every signal at `day`, create the alerts not already open, escalate overdue ones."""
    config = active_policy().rules  # signals, routing, deadline and let-go policy in force
    con = connect()
    frame = signal_frame(con, day, config["signals"]["relocation"]["days"])
    surveys = pd.DataFrame({k: pd.Series(dtype=v) for k, v in SURVEY_COLUMNS.items()}) if surveys is None else surveys
    hits = evaluate_signals(frame, surveys, config["signals"], day)
    routing = _routing(sorted(set(hits.customer_no)), config["alerts"]["key_tiers"])
    hits = hits[hits.customer_no.isin(routing.index)].join(routing, on="customer_no")
    scores = ChurnScore.objects.filter(customer_id__in=hits.customer_id.tolist(), customer__consent_profiling=True)
    probability, band = {}, {}
    for customer_id, p, b in scores.values_list("customer_id", "probability", "band"):
        probability[customer_id], band[customer_id] = p, b
    hits["probability"] = hits.customer_id.map(probability).fillna(0.0)
    # One severity: a scored customer's alert has the customer's band (tenure.churn.severity); the
    # rule's own severity stands only where there is no score (no model yet, profiling refused).
    hits["severity"] = hits.customer_id.map(band).fillna(hits.severity)
    hits["value_at_risk"] = value_at_risk(hits.probability, hits.contribution)
    hits["policy"] = let_go_policy(hits, config["policy"], day)
    open_alerts = {
        (a.customer_id, a.cause): a
        for a in Alert.objects.exclude(status=Alert.Status.CLOSED).only("id", "customer_id", "cause", *RATED)
    }
    still_open = [(c, k) in open_alerts for c, k in zip(hits.customer_id, hits.cause, strict=True)]
    fresh = hits[[not o for o in still_open]]
    refreshed = _refreshed(open_alerts, hits[still_open])
    due = add_working_days(day, config["alerts"]["sla_working_days"])
    alerts = [
        Alert(
            customer_id=r.customer_id,
            cause=r.cause,
            severity=r.severity,
            detail=str(r.detail)[:200],
            business_date=day,
            owner_id=None if pd.isna(r.owner_id) else int(r.owner_id),
            branch_head_id=None if pd.isna(r.branch_head_id) else int(r.branch_head_id),
            probability=float(r.probability),
            contribution=round(r.contribution, 2),
            value_at_risk=float(r.value_at_risk),
            due_on=due,
            policy=r.policy,
        )
        for r in fresh.itertuples()
    ]
    with transaction.atomic():
        Alert.objects.bulk_create(alerts, batch_size=2000)
        Alert.objects.bulk_update(refreshed, RATED, batch_size=2000)
        escalated = escalate_overdue(today=day)
        audit(
            action="churn.alerts.raise",
            object_type="churn_alert",
            detail={"business_date": day.isoformat(), "created": len(alerts), "escalated": escalated},
        )
    return {
        "business_date": day.isoformat(),
        "signals": hits.cause.value_counts().to_dict(),
        "created": len(alerts),
        "already_open": len(hits) - len(fresh),
        "refreshed": len(refreshed),
        "escalated": escalated,
    }


def raise_alerts_with_surveys(*, day: dt.date) -> dict:
    """`raise_alerts` with every survey score answered up to `day`, so the satisfaction signal sees
    them: what `tenure churn alerts` and the daily run do."""
    return raise_alerts(day=day, surveys=survey_scores_for_signals(day))


def _rate(alert: Alert, probability: float, contribution: float, value: float, severity: str) -> bool:
    """Give `alert` these figures; whether anything changed."""
    today = (float(probability), round(float(contribution), 2), round(float(value), 2), str(severity))
    if (alert.probability, float(alert.contribution), alert.value_at_risk, alert.severity) == today:
        return False
    alert.probability, alert.contribution, alert.value_at_risk, alert.severity = today
    return True


def _refreshed(open_alerts: dict[tuple[int, str], Alert], hits: pd.DataFrame) -> list[Alert]:
    """The open alerts whose signal fired again, with today's probability, contribution, value at
    risk and severity where they changed: the queue ranks by value at risk, and an alert raised
    before the customer was first scored (or before a new model) would otherwise keep 0 and sink."""
    changed = []
    for r in hits.itertuples():
        alert = open_alerts[(r.customer_id, r.cause)]
        if _rate(alert, r.probability, r.contribution, r.value_at_risk, r.severity):
            changed.append(alert)
    return changed


def follow_scores(scored: pd.DataFrame) -> int:
    """Open alerts of the customers just scored take their probability and band as severity, and the
    value at risk that follows (`scored`: customer_id, probability, band), so the queue never rates
    a customer differently from the 360° page. Returns the alerts changed."""
    rows = dict(zip(scored.customer_id, zip(scored.probability, scored.band, strict=True), strict=True))
    open_alerts = Alert.objects.exclude(status=Alert.Status.CLOSED).only("id", "customer_id", *RATED)  # not 1M ids
    changed = []
    for alert in open_alerts:
        if alert.customer_id in rows:
            probability, band = rows[alert.customer_id]
            at_risk = float(value_at_risk(probability, float(alert.contribution)))
            if _rate(alert, probability, float(alert.contribution), at_risk, band):
                changed.append(alert)
    Alert.objects.bulk_update(changed, RATED, batch_size=2000)
    return len(changed)


def escalate_overdue(*, today: dt.date) -> int:
    """Open alerts past their SLA become escalated (they then show to the branch head too)."""
    return Alert.objects.filter(status=Alert.Status.OPEN, due_on__lt=today).update(status=Alert.Status.ESCALATED)


def alert_act(*, alert: Alert, by, outcome: str, note: str) -> Alert:
    """Record what the RM did and how it ended; closes the alert unless only contacted (audited)."""
    if outcome not in Alert.Outcome.values:
        raise ValueError(f"unknown outcome {outcome!r}")
    with transaction.atomic():
        alert.outcome, alert.note, alert.acted_by, alert.acted_at = outcome, note[:500], by, timezone.now()
        if outcome != Alert.Outcome.CONTACTED:
            alert.status = Alert.Status.CLOSED
        alert.save()
        audit(
            action="churn.alert.act",
            actor=by,
            object_type="churn_alert",
            object_id=alert.pk,
            customer_no=alert.customer.customer_no,
            detail={"outcome": outcome},
        )
    return alert


def alerts_assign(*, alerts: list[Alert], owner, by) -> int:
    """Hand alerts to another RM (bulk, from the queue); one audit entry per alert."""
    with transaction.atomic():
        for alert in alerts:
            previous = alert.owner_id
            alert.owner = owner
            alert.save(update_fields=["owner"])
            audit(
                action="churn.alert.assign",
                actor=by,
                object_type="churn_alert",
                object_id=alert.pk,
                customer_no=alert.customer.customer_no,
                detail={"from": previous, "to": owner.pk},
            )
    return len(alerts)
