"""Writes: the survey builder, issuing waves, callbacks after a satisfaction decline.

Every service that changes data takes the acting staff member (None for the system), runs in one
transaction and writes its audit row inside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tenure.analytics.models import CustomerValue
from tenure.core.audit import audit
from tenure.customers.models import Customer
from tenure.org.models import Branch, Staff
from tenure.org.scoping import customers_for
from tenure.org.selectors import branch_heads
from tenure.surveys.forms import QuestionForm
from tenure.surveys.models import (
    Audience,
    CallbackTask,
    Channel,
    Invitation,
    Question,
    Response,
    StaffInvitation,
    Survey,
    SurveyKind,
    Wave,
)
from tenure.surveys.sampling import Candidate, SampleRule, StaffRule, draw, eligible, staff_for_rule
from tenure.surveys.tokens import new_token, token_hash

if TYPE_CHECKING:
    import pandas as pd

KEY_TIERS = ("platinum", "black_gold", "diamond")
KEY_LEVELS = ("key", "important")
DECLINE_THRESHOLD = 0.5  # points of the 0–10 satisfaction score


# Sent inside the issuing transaction with `issued` (the only moment the tokens exist): messaging
# queues one invitation message per customer with the link.
WAVE_ISSUED = Signal()


@dataclass
class Issued:
    """Tokens exist only here, once: the caller exports them for the SMS system and drops them."""

    wave: Wave
    links: list[tuple[Invitation, str]]


def _invite(wave: Wave, chosen: list[Candidate], now: dt.datetime) -> list[tuple[Invitation, str]]:
    links = []
    for c in chosen:
        token = new_token()
        invitation = Invitation(
            wave=wave,
            customer_id=c.customer_id,
            token_hash=token_hash(token),
            branch_code=c.branch_code,
            asset_tier=c.asset_tier,
            touchpoint=c.touchpoint,
            created_at=now,
            expires_at=wave.expires_at,
        )
        links.append((invitation, token))
    Invitation.objects.bulk_create([i for i, _ in links], batch_size=1000)
    return links


def wave_issue(
    *,
    survey: Survey,
    by: Staff | None,
    name: str,
    rule: SampleRule,
    channel: str = "sms",
    cap_days: int = 90,
    valid_days: int = 14,
    now: dt.datetime | None = None,
    system: bool = False,
) -> Issued:
    """Draw the sample (from `by`'s scope, or every customer for a `system` run from the command
    line; consent and frequency cap always apply) and create one invitation each."""
    now = now or timezone.now()
    customers = Customer.objects.all() if system else customers_for(by)
    with transaction.atomic():
        # The builder's lock: no question changes while the wave is drawn (see _locked_editable).
        Survey.objects.select_for_update().get(pk=survey.pk)
        chosen = draw(rule, eligible(rule, customers=customers, channel=channel, cap_days=cap_days, as_of=now))
        wave = Wave.objects.create(
            survey=survey,
            name=name[:100],
            channel=channel,
            rule=rule.as_dict(),
            frequency_cap_days=cap_days,
            opened_on=timezone.localdate(now),
            expires_at=now + dt.timedelta(days=valid_days),
            created_by=by if getattr(by, "pk", None) else None,
        )
        Wave.objects.filter(pk=wave.pk).update(created_at=now)
        wave.created_at = now
        issued = Issued(wave, _invite(wave, chosen, now))
        WAVE_ISSUED.send(sender=Wave, issued=issued)
        detail = {"survey": survey.code, "invited": len(issued.links), "rule": rule.as_dict(), "channel": channel}
        audit(action="survey.wave.issue", actor=by, object_type="survey_wave", object_id=wave.pk, detail=detail)
    return issued


@dataclass
class StaffLink:
    """One invited member of staff and their link; `emailed` when it went to their e-mail address,
    otherwise their branch head hands it out from the list made at issue."""

    invitation: StaffInvitation
    staff: Staff
    url: str
    emailed: bool


@dataclass
class StaffIssued:
    """The links exist only here, once (like `Issued`)."""

    wave: Wave
    links: list[StaffLink]


def staff_link(token: str) -> str:
    """The public answer link of a staff member's token, on the bank's public address (as the SMS and
    e-mail invitations to customers are)."""
    return settings.MESSAGING_PUBLIC_URL + reverse("survey_public:answer", args=[token])


def _staff_invitation_mail(link: StaffLink, survey: Survey) -> EmailMessage:
    with translation.override(link.staff.language or "zh-hans"):
        subject = _("Staff survey: %(title)s") % {"title": survey.title}
        body = _(
            "Hello %(name)s,\n\nPlease answer our staff survey. It is anonymous: results are shown per branch"
            " only, never with your name.\n\n%(url)s\n\nThe link works once, until %(expires)s."
        ) % {
            "name": link.staff.full_name or link.staff.username,
            "url": link.url,
            "expires": timezone.localtime(link.invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
        }
    return EmailMessage(subject, body, to=[link.staff.email])


def staff_wave_issue(
    *, survey: Survey, by: Staff, name: str, rule: StaffRule, valid_days: int = 14, now: dt.datetime | None = None
) -> StaffIssued:
    """Invite every member of staff `rule` names in `by`'s scope to a staff survey: one single-use link
    each, e-mailed (Django's mail framework) to those with an e-mail address; the others' links are
    in the list the caller hands to their branch heads. The e-mails are sent inside the transaction,
    so a failure to send issues nothing (links already sent then lead nowhere)."""
    if not survey.for_staff:
        raise ValueError("a customer survey is issued with wave_issue")
    now = now or timezone.now()
    with transaction.atomic():
        Survey.objects.select_for_update().get(pk=survey.pk)  # the builder's lock, as wave_issue
        wave = Wave.objects.create(
            survey=survey,
            name=name[:100],
            channel=Channel.EMAIL,
            rule=rule.as_dict(),
            frequency_cap_days=0,
            opened_on=timezone.localdate(now),
            expires_at=now + dt.timedelta(days=valid_days),
            created_by=by if getattr(by, "pk", None) else None,
        )
        links = []
        for member in staff_for_rule(rule, by):
            token = new_token()
            invitation = StaffInvitation(
                wave=wave,
                staff=member,
                token_hash=token_hash(token),
                branch_code=member.home_branch_id,
                created_at=now,
                expires_at=wave.expires_at,
            )
            links.append(StaffLink(invitation, member, staff_link(token), bool(member.email)))
        StaffInvitation.objects.bulk_create([link.invitation for link in links], batch_size=1000)
        mails = [_staff_invitation_mail(link, survey) for link in links if link.emailed]
        if mails:
            get_connection().send_messages(mails)
        detail = {
            "survey": survey.code,
            "invited": len(links),
            "emailed": len(mails),
            "rule": rule.as_dict(),
            "audience": "staff",
        }
        audit(action="survey.wave.issue", actor=by, object_type="survey_wave", object_id=wave.pk, detail=detail)
    return StaffIssued(wave, links)


def wave_reissue(*, wave: Wave, by: Staff, now: dt.datetime | None = None) -> Issued:
    """New tokens for the open invitations of `wave` (the old links stop working): for a lost export."""
    now = now or timezone.now()
    links = []
    with transaction.atomic():
        for invitation in wave.invitations.filter(answered_at__isnull=True, expires_at__gt=now):
            token = new_token()
            invitation.token_hash = token_hash(token)
            invitation.save(update_fields=["token_hash"])
            links.append((invitation, token))
        audit(
            action="survey.wave.reissue",
            actor=by,
            object_type="survey_wave",
            object_id=wave.pk,
            detail={"reissued": len(links)},
        )
    return Issued(wave, links)


def wave_scores(wave: Wave) -> pd.DataFrame:
    """customer_id, branch_code, score for the responses of `wave` (branch as at sampling)."""
    # Loaded here: pandas costs every process a tenth of a second of set-up (issue 27).
    import pandas as pd

    rows = Response.objects.filter(wave=wave, score__isnull=False).values_list(
        "customer_id", "invitation__branch_code", "score"
    )
    return pd.DataFrame(list(rows), columns=["customer_id", "branch_code", "score"])


def callbacks_for_decline(
    *, wave: Wave, by: Staff | None = None, threshold: float = DECLINE_THRESHOLD, min_responses: int = 3
) -> dict:
    """docs/surveys.md: when a branch's mean satisfaction in `wave` fell by at least `threshold` points
    (0–10) from the previous wave of the same survey, its branch head calls the key customers
    (value level key/important or tier ≥ Platinum) who answered `wave`, lowest score first.
    Idempotent: one task per customer and wave."""
    previous = (
        Wave.objects.filter(survey=wave.survey, opened_on__lt=wave.opened_on).order_by("-opened_on", "-id").first()
    )
    if previous is None:
        return {"branches": [], "created": 0}
    now_scores, before = wave_scores(wave), wave_scores(previous)
    if now_scores.empty or before.empty:
        return {"branches": [], "created": 0}
    mean_now = now_scores.groupby("branch_code").score.agg(["mean", "count"])
    mean_before = before.groupby("branch_code").score.agg(["mean", "count"])
    both = mean_now.merge(mean_before, left_index=True, right_index=True, suffixes=("_now", "_before"))
    both = both[(both.count_now >= min_responses) & (both.count_before >= min_responses)]
    declined = both[both.mean_before - both.mean_now >= threshold]
    if declined.empty:
        return {"branches": [], "created": 0}
    candidates = now_scores[now_scores.branch_code.isin(declined.index)]
    nos = dict(Customer.objects.filter(pk__in=candidates.customer_id.tolist()).values_list("pk", "customer_no"))
    key = set(
        CustomerValue.objects.filter(customer_id__in=list(nos.values()))
        .filter(asset_tier__in=KEY_TIERS)
        .values_list("customer_id", flat=True)
    ) | set(
        CustomerValue.objects.filter(customer_id__in=list(nos.values()), value_level__in=KEY_LEVELS).values_list(
            "customer_id", flat=True
        )
    )
    heads = branch_heads()
    branch_names = dict(Branch.objects.filter(code__in=list(declined.index)).values_list("code", "name"))
    created = 0
    with transaction.atomic():
        for row in candidates.sort_values("score").itertuples():
            if nos.get(row.customer_id) not in key:
                continue
            drop = declined.loc[row.branch_code]
            branch = branch_names.get(row.branch_code, row.branch_code)
            reason = (f"{branch}: {drop.mean_before:.1f} → {drop.mean_now:.1f}; {previous.name} → {wave.name}")[:200]
            _, fresh = CallbackTask.objects.get_or_create(
                customer_id=row.customer_id,
                wave=wave,
                defaults={
                    "branch_code": row.branch_code,
                    "score": round(row.score, 2),
                    "reason": reason,
                    "assigned_to": heads.get(row.branch_code),
                },
            )
            created += fresh
        audit(
            action="survey.callbacks.raise",
            actor=by,
            object_type="survey_wave",
            object_id=wave.pk,
            detail={"branches": sorted(declined.index), "created": created, "threshold": threshold},
        )
    return {"branches": sorted(declined.index), "created": created}


def callback_done(*, task: CallbackTask, by: Staff, note: str) -> CallbackTask:
    """The branch head called the customer: close the task with what they learnt (audited)."""
    with transaction.atomic():
        task.status, task.note, task.done_at = CallbackTask.Status.DONE, note[:500], timezone.now()
        task.save(update_fields=["status", "note", "done_at"])
        audit(
            action="survey.callback.done",
            actor=by,
            object_type="survey_callback",
            object_id=task.pk,
            customer_no=task.customer.customer_no,
        )
    return task


class QuestionsFixed(Exception):
    """The survey has issued a wave: its questions are what respondents were asked and stay as they are."""


def questions_editable(survey: Survey) -> bool:
    return not survey.waves.exists()


def _locked_editable(survey_id: int) -> Survey:
    """The survey, locked for this transaction; QuestionsFixed once a wave is issued. Every write to
    a survey's questions takes this lock first (and `wave_issue` takes it too), so a question cannot
    change while, or after, a wave is issued."""
    survey = Survey.objects.select_for_update().get(pk=survey_id)
    if not questions_editable(survey):
        raise QuestionsFixed
    return survey


def survey_create(
    *,
    by: Staff,
    code: str,
    title_zh: str,
    title_en: str = "",
    intro_zh: str = "",
    intro_en: str = "",
    audience: str = Audience.CUSTOMERS,
) -> Survey:
    """A new survey without questions (audited); a staff survey's kind is staff satisfaction."""
    kind = SurveyKind.STAFF if audience == Audience.STAFF else SurveyKind.CUSTOM
    with transaction.atomic():
        survey = Survey.objects.create(
            code=code,
            title_zh=title_zh,
            title_en=title_en,
            intro_zh=intro_zh,
            intro_en=intro_en,
            audience=audience,
            kind=kind,
            created_by=by,
        )
        audit(action="survey.create", actor=by, object_type="survey", object_id=survey.pk)
    return survey


@transaction.atomic
def question_add(*, form: QuestionForm, by: Staff) -> Question:
    """Add the question of a valid new-question `QuestionForm` as the last of `form.survey` (audited);
    QuestionsFixed once the survey has issued a wave."""
    _locked_editable(form.survey.pk)
    question = form.save()  # its position is taken under the lock
    detail = {"question": question.code, "kind": question.kind}
    audit(action="survey.question.add", actor=by, object_type="survey", object_id=question.survey_id, detail=detail)
    return question


@transaction.atomic
def question_save(*, form: QuestionForm, by: Staff) -> Question:
    """Save an edited question (a valid `QuestionForm` bound to it), audited with the changed fields."""
    _locked_editable(form.instance.survey_id)
    question = form.save()
    audit(
        action="survey.question.edit",
        actor=by,
        object_type="survey",
        object_id=question.survey_id,
        detail={"question": question.code, "fields": form.changed_data},
    )
    return question


@transaction.atomic
def question_move(*, question: Question, by: Staff, step: int) -> bool:
    """Swap `question` with its neighbour above (step −1) or below (+1); False at either end."""
    survey = _locked_editable(question.survey_id)
    ordered = list(survey.questions.all())
    at = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    if not 0 <= at + step < len(ordered):
        return False
    ordered[at], ordered[at + step] = ordered[at + step], ordered[at]
    for position, q in enumerate(ordered, start=1):
        q.position = position  # renumbered: positions may repeat or have gaps
    Question.objects.bulk_update(ordered, ["position"])
    audit(
        action="survey.question.move",
        actor=by,
        object_type="survey",
        object_id=survey.pk,
        detail={"question": question.code, "position": at + step + 1},
    )
    return True


@transaction.atomic
def question_remove(*, question: Question, by: Staff) -> None:
    survey = _locked_editable(question.survey_id)
    question.delete()
    audit(
        action="survey.question.remove",
        actor=by,
        object_type="survey",
        object_id=survey.pk,
        detail={"question": question.code},
    )
