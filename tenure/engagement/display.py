"""A task's line as staff read it, in the reader's language: worked out from the task's source and
`params` when shown (a title stored at generation would stay in the language of the daily run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tenure.churn.models import CAUSES
from tenure.engagement.greetings import Kind
from tenure.engagement.models import Source, Task
from tenure.org.models import Branch
from tenure.retention.models import Handoff


def _date(text: str) -> str:
    return date_format(dt.date.fromisoformat(text), "SHORT_DATE_FORMAT")


def _planned(p: dict[str, Any]) -> str:
    if p.get("first"):
        return _("First contact under the plan (every %(days)s days)") % {"days": p["days"]}
    return _("Every %(days)s days by the contact plan") % {"days": p["days"]}


def _matures(p: dict[str, Any]) -> str:
    return _("%(product)s matures on %(date)s") % {"product": p["product"], "date": _date(p["date"])}


SUMMARIES: dict[str, Callable[[dict[str, Any]], str]] = {
    Source.PLAN_VISIT: _planned,
    Source.PLAN_CALL: _planned,
    Source.FOLLOW_UP: lambda p: _("Follow up on the last contact"),
    Source.CHURN_ALERT: lambda p: str(CAUSES.get(p.get("cause", ""), p.get("cause", ""))),
    Source.COMPLAINT: lambda p: _("Call about the open complaint %(reference)s") % {"reference": p["reference"]},
    Source.CALLBACK: lambda p: _("Call back after the branch's satisfaction fell"),
    Source.DETRACTOR: lambda p: _("Unhappy survey answer with a comment (%(nps)s of 10)") % {"nps": p["nps"]},
    Source.HANDOFF: lambda p: str(dict(Handoff.Topic.choices).get(p.get("topic", ""), "")),
    Source.MATURITY: _matures,
    Source.COMPETITOR_MATURITY: _matures,
    Source.GREETING: lambda p: str(dict(Kind.choices).get(p.get("kind", ""), "")),
    Source.CAMPAIGN: lambda p: _("Retention campaign “%(campaign)s”: churn risk %(probability)s")
    % {"campaign": p["campaign"], "probability": f"{p['probability']:.0%}"},
}


def _long_wait(p: dict[str, Any]) -> str:
    branch = Branch.objects.filter(code=p["branch"]).first()
    where = branch.label if branch else ""
    if p.get("walked_away"):
        return _("Left the queue at %(branch)s without being served") % {"branch": where}
    return _("Waited %(minutes)s minutes at %(branch)s (target %(target)s min)") % {
        "minutes": p["minutes"],
        "branch": where,
        "target": p["target"],
    }


SUMMARIES[Source.LONG_WAIT] = _long_wait


SUMMARIES[Source.OFFER_FOLLOW_UP] = lambda p: _("The customer is thinking about “%(product)s”: follow up") % {
    "product": p["product"]
}
SUMMARIES[Source.OFFER_CAMPAIGN] = lambda p: _("Offer campaign “%(campaign)s”: present “%(product)s”") % {
    "campaign": p["campaign"],
    "product": p["product"],
}


def task_summary(task: Task) -> str:
    """Staff's own words when they wrote some (a next step, an own task), else the source's line."""
    if task.title:
        return task.title
    describe = SUMMARIES.get(task.source)
    try:
        return describe(task.params) if describe else ""
    except (KeyError, ValueError):  # params of an older shape: the source's name says enough
        return ""
