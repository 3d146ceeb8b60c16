"""Reads: the scoped results of a survey, and survey scores for the churn signal.

Every read of responses or invitations goes through `scoped(...)`, so a branch head's results
cover their branch subtree only (aggregates included).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tenure.org.models import Branch
from tenure.org.scoping import scoped
from tenure.surveys import catalog
from tenure.surveys.metrics import MIN_STAFF_ANSWERS, Ipa, Nps, ipa, nps
from tenure.surveys.models import (
    Answer,
    Aspect,
    CallbackTask,
    Invitation,
    Question,
    QuestionKind,
    Response,
    StaffAnswer,
    StaffInvitation,
    StaffResponse,
    Survey,
    Wave,
    _bilingual,
)


def survey_list(user) -> QuerySet:
    """Surveys with their wave count; response counts are added per page from the scoped responses."""
    return Survey.objects.annotate(wave_count=Count("waves")).order_by("-is_template", "code")


def customer_responses(user, customer, limit: int = 5) -> list[Response]:
    """The customer's latest answers, newest first, with their free-text comments attached."""
    rows = list(
        scoped(Response.objects.filter(customer=customer), user)
        .select_related("wave__survey")
        .prefetch_related("answers__question")[:limit]
    )
    for response in rows:
        response.comments = [a.text for a in response.answers.all() if a.text]
    return rows


def responses_for(user, survey: Survey | None = None) -> QuerySet:
    responses = scoped(Response.objects.all(), user)
    return responses.filter(wave__survey=survey) if survey is not None else responses


def callbacks_for(user, *, status: str = CallbackTask.Status.OPEN) -> QuerySet:
    """Callback tasks in scope; a branch head sees theirs and those of their subtree."""
    tasks = scoped(CallbackTask.objects.select_related("customer__branch", "wave", "assigned_to"), user)
    return tasks.filter(status=status) if status else tasks


def attribute_labels() -> dict[str, str]:
    labels = {code: _bilingual(zh, en) for code, zh, en in catalog.REQUIREMENTS}
    labels.update({f"tp_{code}": _bilingual(zh, en) for code, zh, en in catalog.TOUCHPOINTS})
    labels.update({code: _bilingual(zh, en) for code, zh, en in catalog.STAFF_ATTRIBUTES})
    return labels


@dataclass
class Results:
    survey: Survey
    wave: Wave | None
    invited: int = 0
    responses: int = 0
    nps: Nps = field(default_factory=lambda: nps([]))
    mean_score: float | None = None
    ipa: Ipa = field(default_factory=lambda: ipa({}))
    waves: list[dict] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)
    breakdowns: dict[str, list[dict]] = field(default_factory=dict)
    ratings: list[dict] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.responses / self.invited, 1) if self.invited else None

    def chart_data(self) -> dict:
        labels = attribute_labels()
        return {
            "ipa": {
                "points": [
                    {
                        "name": labels.get(p.attribute, p.attribute),
                        "x": p.performance,
                        "y": p.importance,
                        "quadrant": p.quadrant,
                    }
                    for p in self.ipa.points
                ],
                "x_threshold": self.ipa.performance_threshold,
                "y_threshold": self.ipa.importance_threshold,
            },
            "waves": {
                "labels": [w["name"] for w in self.waves],
                "nps": [w["nps"].score for w in self.waves],
                "score": [w["score"] for w in self.waves],
            },
            "months": {
                "labels": [m["month"] for m in self.months],
                "nps": [m["nps"].score for m in self.months],
                "score": [m["score"] for m in self.months],
            },
        }


def _group_stats(frame: pd.DataFrame, column: str, names: Mapping[str, object] | None = None) -> list[dict]:
    """Per value of `column`: its label (from `names`, lazy translations too), count, NPS, mean score."""
    out = []
    for key, g in frame.groupby(column, dropna=False, sort=True):
        label = (names or {}).get(key, key) if key else "—"
        scores = g.score.dropna()
        out.append(
            {
                "key": key or "",
                "label": label,
                "n": len(g),
                "nps": nps(g.nps.dropna().tolist()),
                "score": round(float(scores.mean()), 2) if len(scores) else None,
            }
        )
    return out


def results(survey: Survey, user, *, wave: Wave | None = None) -> Results:
    """Everything the results page and its export show, for `user`'s scope (optionally one wave)."""
    out = Results(survey=survey, wave=wave)
    invitations = scoped(Invitation.objects.filter(wave__survey=survey), user)
    responses = responses_for(user, survey)
    if wave is not None:
        invitations, responses = invitations.filter(wave=wave), responses.filter(wave=wave)
    rows = list(
        responses.values_list(
            "id",
            "wave_id",
            "submitted_at",
            "invitation__branch_code",
            "invitation__asset_tier",
            "invitation__touchpoint",
            "score",
            "nps",
        )
    )
    columns = ["id", "wave_id", "submitted_at", "branch", "tier", "touchpoint", "score", "nps"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["score"] = pd.to_numeric(frame.score, errors="coerce")
    frame["nps"] = pd.to_numeric(frame.nps, errors="coerce")
    out.invited, out.responses = invitations.count(), len(frame)
    out.nps = nps(frame.nps.dropna().tolist())
    out.mean_score = round(float(frame.score.mean()), 2) if frame.score.notna().any() else None
    invited_per_wave = dict(invitations.values_list("wave_id").annotate(n=Count("id")).order_by())
    waves = Wave.objects.filter(pk__in=invited_per_wave).order_by("opened_on", "id")
    for w in waves:
        g = frame[frame.wave_id == w.pk]
        out.waves.append(
            {
                "wave": w,
                "name": w.name,
                "opened_on": w.opened_on,
                "invited": invited_per_wave[w.pk],
                "responses": len(g),
                "rate": round(100 * len(g) / invited_per_wave[w.pk], 1),
                "nps": nps(g.nps.dropna().tolist()),
                "score": round(float(g.score.mean()), 2) if g.score.notna().any() else None,
            }
        )
    if len(frame):
        local = pd.to_datetime(frame.submitted_at, utc=True).dt.tz_convert(timezone.get_current_timezone_name())
        frame["month"] = local.dt.strftime("%Y-%m")
        out.months = [{"month": r["key"], **r} for r in _group_stats(frame, "month")]
        branches = dict(Branch.objects.values_list("code", "name"))
        from tenure.analytics.models import AssetTier
        from tenure.customers.display import CHANNEL_LABELS

        out.breakdowns = {
            "branch": _group_stats(frame, "branch", branches),
            "tier": _group_stats(frame, "tier", dict(AssetTier.choices)),
            "touchpoint": _group_stats(frame, "touchpoint", CHANNEL_LABELS),
        }
    _question_results(out, survey, responses)
    return out


def _question_results(out: Results, survey: Survey, responses: QuerySet) -> None:
    questions = list(survey.questions.all())
    answers = pd.DataFrame(
        list(Answer.objects.filter(response__in=responses).values_list("question_id", "number", "choice", "choices")),
        columns=["question_id", "number", "choice", "choices"],
    )
    by_q = {qid: g for qid, g in answers.groupby("question_id")} if len(answers) else {}
    means: dict[str, dict[str, float]] = {}
    for q in questions:
        g = by_q.get(q.pk)
        if g is None:
            continue
        if q.kind == QuestionKind.RATING:
            values = g.number.dropna()
            mean = round(float(values.mean()), 3)
            if q.attribute and q.aspect in (Aspect.IMPORTANCE, Aspect.PERFORMANCE):
                means.setdefault(q.attribute, {})[q.aspect] = mean
            out.ratings.append(
                {
                    "question": q,
                    "n": len(values),
                    "mean": mean,
                    "distribution": [int((values == p).sum()) for p in q.points],
                }
            )
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            picked = g.choice[g.choice != ""].tolist() if q.kind == QuestionKind.SINGLE else sum(g.choices, [])
            total = len(g)
            counts = [
                (label, n, round(100 * n / total, 1) if total else 0)
                for label, n in ((label, picked.count(code)) for code, label in q.choice_labels())
            ]
            out.choices.append({"question": q, "n": total, "counts": counts})
    out.ipa = ipa({a: (m.get("importance"), m.get("performance")) for a, m in means.items()})
    text_ids = [q.pk for q in questions if q.kind == QuestionKind.TEXT]
    from tenure.core.masking import mask_text

    out.comments = [
        mask_text(t)
        for t in Answer.objects.filter(response__in=responses, question_id__in=text_ids)
        .exclude(text="")
        .order_by("-response__submitted_at")
        .values_list("text", flat=True)[:50]
    ]


def survey_scores_for_signals(day: dt.date) -> pd.DataFrame:
    """Every scored response submitted up to the end of `day` (local time), in the columns of
    `tenure.churn.alerts.SURVEY_COLUMNS`: customer_no, answered_on (the local date, at midnight, so
    the signal's `answered_on <= day` counts answers given on `day`) and score, 0–10 rounded to
    whole points (the signal reports the change as an integer)."""
    tz = timezone.get_current_timezone()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = list(
        Response.objects.filter(submitted_at__lt=end, score__isnull=False)
        .order_by("submitted_at", "id")
        .values_list("customer__customer_no", "submitted_at", "score")
    )
    frame = pd.DataFrame(rows, columns=["customer_no", "answered_on", "score"])
    answered = pd.to_datetime(frame.answered_on, utc=True).dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    return pd.DataFrame(
        {
            "customer_no": frame.customer_no.astype(str),
            "answered_on": answered.astype("datetime64[ns]"),
            "score": frame.score.astype("float64").round(0),
        }
    )


def reported_total_assets() -> pd.DataFrame:
    """customer_no and total_financial_assets (yuan) of every customer who answered a question
    tagged `total_financial_assets`: the latest such answer with a value (the chosen band's
    midpoint), one row per customer, by customer number. Every customer's, unscoped: share of wallet
    (`tenure.loyalty.wallet`) picks the customers of its own frame."""
    answers = (
        Answer.objects.filter(question__tag="total_financial_assets")
        .exclude(choice="")
        .order_by("response__submitted_at", "id")
        .values_list("response__customer__customer_no", "choice", "question__choices")
    )
    latest: dict[str, float] = {}
    for customer_no, choice, choices in answers.iterator():
        value = next((c.get("value") for c in choices if c["code"] == choice), None)
        if value is not None:
            latest[customer_no] = float(value)
    return pd.DataFrame(
        {
            "customer_no": pd.Series(sorted(latest), dtype=str),
            "total_financial_assets": pd.Series([latest[no] for no in sorted(latest)], dtype="float64"),
        }
    )


def question_list(survey: Survey) -> list[Question]:
    """The questions in order, each with `attribute_label`: the seed attribute or touchpoint in words
    (a survey's own attribute, e.g. complaint_speed, as it was typed), and `tag_label`: what results
    use the answer as, in words."""
    labels = attribute_labels()
    questions = list(survey.questions.all())
    for question in questions:
        question.attribute_label = labels.get(question.attribute, question.attribute)
        question.tag_label = str(catalog.TAG_LABELS.get(question.tag, question.tag))
    return questions


def open_waves(survey: Survey) -> QuerySet:
    if survey.for_staff:
        return survey.waves.annotate(
            invited=Count("staff_invitations"),
            answered=Count("staff_invitations", filter=Q(staff_invitations__answered=True)),
        )
    return survey.waves.annotate(
        invited=Count("invitations"), answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False))
    )


@dataclass
class BranchStaffResults:
    """One branch of a staff survey: invitations and answers always; figures and comments only when
    `shown` (at least MIN_STAFF_ANSWERS answers)."""

    code: str
    label: str
    invited: int
    answered: int
    shown: bool
    enps: Nps | None = None
    score: float | None = None
    attributes: list[tuple[str, float | None]] = field(default_factory=list)  # (label, mean 1–5), as StaffResults'
    comments: list[str] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None


@dataclass
class StaffResults:
    """A staff survey's results in the viewer's scope. Every figure is computed over the answers of
    the branches shown (those with at least `min_answers`); the answers of the other branches are
    counted in `hidden_answers` and in no figure, so no subtraction of two figures isolates them."""

    survey: Survey
    wave: Wave | None
    min_answers: int = MIN_STAFF_ANSWERS
    invited: int = 0
    answered: int = 0
    counted: int = 0
    hidden_answers: int = 0
    enps: Nps = field(default_factory=lambda: nps([]))
    mean_score: float | None = None
    branches: list[BranchStaffResults] = field(default_factory=list)
    attributes: list[tuple[str, str]] = field(default_factory=list)  # (attribute, label) in question order
    ratings: list[dict] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None

    def chart_data(self) -> dict:
        """eNPS and satisfaction of the branches shown (the shape of `Results.chart_data`'s trends)."""
        shown = [b for b in self.branches if b.shown]
        return {
            "branches": {
                "labels": [b.label for b in shown],
                "nps": [b.enps.score if b.enps else None for b in shown],
                "score": [b.score for b in shown],
            }
        }


def staff_results(survey: Survey, user, *, wave: Wave | None = None) -> StaffResults:
    """Anonymous results of a staff survey per branch (the branch at issue) for `user`'s scope: a branch
    with fewer than MIN_STAFF_ANSWERS answers shows its counts only. Nothing here reads who answered."""
    from tenure.core.masking import mask_text

    out = StaffResults(survey=survey, wave=wave)
    invitations = scoped(StaffInvitation.objects.filter(wave__survey=survey), user)
    responses = scoped(StaffResponse.objects.filter(wave__survey=survey), user)
    if wave is not None:
        invitations, responses = invitations.filter(wave=wave), responses.filter(wave=wave)
    invited = dict(invitations.values_list("branch_code").annotate(n=Count("id")).order_by())
    answered = dict(responses.values_list("branch_code").annotate(n=Count("id")).order_by())
    out.invited, out.answered = sum(invited.values()), sum(answered.values())
    shown_codes = sorted(code for code, n in answered.items() if n >= out.min_answers)
    out.counted = sum(answered[code] for code in shown_codes)
    out.hidden_answers = out.answered - out.counted
    counted = responses.filter(branch_code__in=shown_codes)
    frame = pd.DataFrame(list(counted.values_list("branch_code", "score", "nps")), columns=["branch", "score", "nps"])
    frame["score"] = pd.to_numeric(frame.score, errors="coerce")
    frame["nps"] = pd.to_numeric(frame.nps, errors="coerce")
    out.enps = nps(frame.nps.dropna().tolist())
    out.mean_score = round(float(frame.score.mean()), 2) if frame.score.notna().any() else None
    questions = list(survey.questions.all())
    labels = attribute_labels()
    out.attributes = list(
        dict.fromkeys((q.attribute, labels.get(q.attribute, q.attribute)) for q in questions if q.attribute)
    )
    answers = pd.DataFrame(
        list(
            StaffAnswer.objects.filter(response__in=counted).values_list(
                "response__branch_code", "question_id", "number", "choice", "choices", "text"
            )
        ),
        columns=["branch", "question_id", "number", "choice", "choices", "text"],
    )
    attribute_of = {q.pk: q.attribute for q in questions if q.kind == QuestionKind.RATING and q.attribute}
    answers["attribute"] = answers.question_id.map(attribute_of)
    text_ids = {q.pk for q in questions if q.kind == QuestionKind.TEXT}
    tree = {b.code: (b.path, b.label) for b in Branch.objects.filter(code__in=set(invited) | set(answered))}
    names = {code: label for code, (_path, label) in tree.items()}
    for code in sorted(set(invited) | set(answered), key=lambda c: tree.get(c, (c, c))[0]):  # head office first
        branch = BranchStaffResults(
            code, names.get(code, code), invited.get(code, 0), answered.get(code, 0), code in shown_codes
        )
        if branch.shown:
            g, a = frame[frame.branch == code], answers[answers.branch == code]
            branch.enps = nps(g.nps.dropna().tolist())
            branch.score = round(float(g.score.mean()), 2) if g.score.notna().any() else None
            rated = a.dropna(subset=["attribute", "number"])
            means = rated.groupby("attribute").number.mean()
            branch.attributes = [
                (label, round(float(means[a]), 2) if a in means.index else None) for a, label in out.attributes
            ]
            # Sorted by their text, not by when they came: the order says nothing about who wrote them.
            texts = a[a.question_id.isin(text_ids) & (a.text != "")].text.tolist()
            branch.comments = sorted(mask_text(t) for t in texts)
        out.branches.append(branch)
    by_q = {qid: g for qid, g in answers.groupby("question_id")} if len(answers) else {}
    for q in questions:
        g = by_q.get(q.pk)
        if g is None:
            continue
        if q.kind in (QuestionKind.RATING, QuestionKind.NPS):
            values = g.number.dropna()
            out.ratings.append({"question": q, "n": len(values), "mean": round(float(values.mean()), 2)})
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            picked = g.choice[g.choice != ""].tolist() if q.kind == QuestionKind.SINGLE else sum(g.choices, [])
            total = len(g)
            counts = [(label, picked.count(code)) for code, label in q.choice_labels()]
            out.choices.append(
                {"question": q, "n": total, "counts": [(lb, n, round(100 * n / total, 1)) for lb, n in counts]}
            )
    return out
