"""Reading a submitted questionnaire (plain form POST) and storing it exactly once.

`parse_answers` validates every question against its type; `answer_submit` stores the response
and its answers in one transaction after claiming the invitation with a conditional UPDATE
(`answered_at IS NULL`), so two simultaneous submits of the same link store one response and the
loser is told it was already answered. Nothing about the customer is read or shown here.

A staff member's link (`StaffInvitation`) is claimed the same way, but its answers are stored as a
`StaffResponse` that keeps the branch and the day only: nothing joins them to the invitation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.surveys.metrics import rescale
from tenure.surveys.models import (
    Answer,
    AnswerValue,
    Aspect,
    Invitation,
    Question,
    QuestionKind,
    Response,
    StaffAnswer,
    StaffInvitation,
    StaffResponse,
)
from tenure.surveys.tokens import token_hash

MAX_TEXT = 2000


@dataclass
class Parsed:
    values: dict[int, object]  # question id -> int | str | list[str]
    errors: dict[int, str]


def parse_answers(questions: list[Question], data) -> Parsed:
    """Values and per-question errors from a QueryDict (fields named q<question id>)."""
    values: dict[int, object] = {}
    errors: dict[int, str] = {}
    for q in questions:
        name = f"q{q.pk}"
        if q.kind == QuestionKind.MULTI:
            allowed = {c["code"] for c in q.choices}
            picked = [v for v in data.getlist(name) if v in allowed]
            if picked:
                values[q.pk] = sorted(set(picked))
            elif q.required:
                errors[q.pk] = _("Please choose at least one.")
            continue
        raw = (data.get(name) or "").strip()
        if not raw:
            if q.required:
                errors[q.pk] = _("Please answer this question.")
            continue
        if q.kind in (QuestionKind.RATING, QuestionKind.NPS):
            if not (raw.isascii() and raw.isdigit()) or int(raw) not in q.points:
                errors[q.pk] = _("Please pick one of the values shown.")
            else:
                values[q.pk] = int(raw)
        elif q.kind == QuestionKind.SINGLE:
            if raw not in {c["code"] for c in q.choices}:
                errors[q.pk] = _("Please pick one of the options shown.")
            else:
                values[q.pk] = raw
        else:
            values[q.pk] = raw[:MAX_TEXT]
    return Parsed(values, errors)


def response_score(questions: list[Question], values: Mapping[int, object]) -> tuple[float | None, int | None]:
    """(satisfaction on 0–10, NPS answer). Satisfaction is the mean of the performance and overall
    ratings rescaled to 0–10; a questionnaire without any takes its NPS answer instead."""
    # Rating and NPS answers are ints (`parse_answers` stores them so); the checks tell the type checker.
    ratings = [
        rescale(value, q.scale)
        for q in questions
        if q.kind == QuestionKind.RATING
        and isinstance(value := values.get(q.pk), int)
        and (q.aspect == Aspect.PERFORMANCE or q.tag == "overall_satisfaction")
    ]
    nps = next(
        (value for q in questions if q.kind == QuestionKind.NPS and isinstance(value := values.get(q.pk), int)), None
    )
    if ratings:
        return round(sum(ratings) / len(ratings), 3), nps
    return (float(nps) if nps is not None else None), nps


def invitation_for(token: str, *, now: dt.datetime | None = None) -> tuple[Invitation | StaffInvitation | None, str]:
    """(invitation, state) with state "open", "answered" or "invalid" (unknown and expired alike); the
    invitation is a customer's or a staff member's, whichever the token belongs to."""
    if not token or len(token) > 64:
        return None, "invalid"
    digest = token_hash(token)
    invitation: Invitation | StaffInvitation | None = (
        Invitation.objects.select_related("wave__survey").filter(token_hash=digest).first()
        or StaffInvitation.objects.select_related("wave__survey").filter(token_hash=digest).first()
    )
    if invitation is None:
        return None, "invalid"
    if invitation.answered_at is not None if isinstance(invitation, Invitation) else invitation.answered:
        return invitation, "answered"
    if invitation.expires_at <= (now or timezone.now()):
        return None, "invalid"
    return invitation, "open"


_Row = TypeVar("_Row", bound=AnswerValue)


def answer_row(model: type[_Row], response: Response | StaffResponse, question: Question, value) -> _Row:
    """An unsaved answer row (`Answer` for a customer's response, `StaffAnswer` for a staff member's)
    with `value` in the field of the question's type."""
    answer = model(response=response, question=question)
    if question.kind in (QuestionKind.RATING, QuestionKind.NPS):
        answer.number = float(value)
    elif question.kind == QuestionKind.SINGLE:
        answer.choice = value
    elif question.kind == QuestionKind.MULTI:
        answer.choices = value
    else:
        answer.text = value
    return answer


def answer_submit(
    *,
    invitation: Invitation,
    questions: list[Question],
    values: dict[int, object],
    language: str,
    now: dt.datetime | None = None,
) -> Response | None:
    """Store the answers once; None when the invitation was already answered (or is answered now)."""
    now = now or timezone.now()
    score, nps = response_score(questions, values)
    by_id = {q.pk: q for q in questions}
    try:
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(answered_at=now)
            if not claimed:
                return None
            response = Response.objects.create(
                invitation=invitation,
                wave_id=invitation.wave_id,
                customer_id=invitation.customer_id,
                submitted_at=now,
                language=language[:10],
                score=score,
                nps=nps,
            )
            Answer.objects.bulk_create([answer_row(Answer, response, by_id[qid], v) for qid, v in values.items()])
    except IntegrityError:  # the one-to-one key caught a concurrent submit
        return None
    return response


def staff_answer_submit(
    *,
    invitation: StaffInvitation,
    questions: list[Question],
    values: dict[int, object],
    now: dt.datetime | None = None,
) -> StaffResponse | None:
    """Store a staff member's answers once, anonymously; None when the link was already used. The
    response keeps the branch and the local date, not the time, the language or the invitation."""
    now = now or timezone.now()
    score, nps = response_score(questions, values)
    by_id = {q.pk: q for q in questions}
    with transaction.atomic():
        if not StaffInvitation.objects.filter(pk=invitation.pk, answered=False).update(answered=True):
            return None
        response = StaffResponse.objects.create(
            wave_id=invitation.wave_id,
            branch_code=invitation.branch_code,
            submitted_on=timezone.localdate(now),
            score=score,
            nps=nps,
        )
        StaffAnswer.objects.bulk_create([answer_row(StaffAnswer, response, by_id[q], v) for q, v in values.items()])
    return response
