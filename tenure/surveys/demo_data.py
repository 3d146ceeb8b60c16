"""Synthetic answers for the demo (`tenure surveys generate`): deterministic for a seed.

Waves are drawn through the real sampling (consent, frequency cap) at back-dated times, then a
share of the invited answer. Answers follow planted truths so the results pages show something
to read: importance/performance gaps per seed-001 attribute (waiting times and paperwork fall
short, premises and equipment are "possible overkill"), NPS around 30, and one branch whose
satisfaction drops in the latest relationship wave, which raises callback tasks.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from tenure.ingest.selectors import latest_business_date
from tenure.surveys import catalog
from tenure.surveys.answering import answer_row, response_score
from tenure.surveys.models import Answer, Aspect, Invitation, Question, QuestionKind, Response, Survey, Wave
from tenure.surveys.sampling import SampleRule
from tenure.surveys.selectors import reported_total_assets
from tenure.surveys.services import callbacks_for_decline, wave_issue

# attribute -> (true mean importance, true mean performance) on 1–5.
TRUTH = {
    "sound_reputation": (4.6, 4.4),
    "modern_equipment": (3.5, 4.0),
    "fast_service": (4.5, 3.2),
    "accurate_simple": (4.3, 3.7),
    "staff_courtesy": (4.2, 4.1),
    "little_paperwork": (4.0, 3.3),
    "comfortable_premises": (3.2, 4.0),
    "low_cost_access": (3.8, 3.5),
    "confidentiality": (4.7, 4.5),
    "complete_services": (3.4, 3.6),
    "preferential_treatment": (3.7, 3.1),
    "tp_counter": (4.0, 3.5),
    "tp_lobby": (3.3, 3.9),
    "tp_atm": (3.6, 3.8),
    "tp_mobile": (4.6, 3.9),
    "tp_online": (3.5, 3.7),
    "tp_phone": (3.1, 3.3),
    "tp_rm": (4.2, 4.1),
    "tp_wechat": (3.0, 3.6),
}
COMMENTS = [
    "排队时间太长，希望多开几个窗口。",
    "客户经理很专业，谢谢。",
    "手机银行转账很方便。",
    "理财产品收益不如别的银行。",
    "希望减少需要填写的单据。",
    "The app is good but the branch is always busy.",
]
# (template, days before the anchor date, response share)
PLAN = [("relationship", 100, 0.45), ("touchpoints", 70, 0.40), ("nps-loyalty", 40, 0.50), ("relationship", 10, 0.45)]
TIER_BAND = {"standard": 0, "gold": 1, "platinum": 2, "black_gold": 3, "diamond": 4}


def _clip(value: float, low: int, high: int) -> int:
    return int(min(high, max(low, round(value))))


def _values(q: Question, rng: random.Random, mood: float, drop: float, tier: str) -> object | None:
    """One answer to `q` for a respondent of latent `mood` (about N(0, 0.6)); None = skipped."""
    if q.kind == QuestionKind.RATING:
        if q.attribute in TRUTH:
            imp, perf = TRUTH[q.attribute]
            if q.aspect == Aspect.IMPORTANCE:
                return _clip(imp + rng.gauss(0, 0.7), 1, q.scale)
            return _clip(perf + mood - drop + rng.gauss(0, 0.7), 1, q.scale)
        base = 3.3 if q.aspect == Aspect.COMPETITOR else 3.9
        return _clip(base + mood - drop + rng.gauss(0, 0.7), 1, q.scale)
    if q.kind == QuestionKind.NPS:
        return _clip(8.4 + 2.6 * mood - 1.5 * drop + rng.gauss(0, 1.2), 0, 10)
    codes = [c["code"] for c in q.choices]
    if q.kind == QuestionKind.MULTI:
        return sorted(rng.sample(codes, rng.randint(1, min(4, len(codes)))))
    if q.kind == QuestionKind.SINGLE:
        if q.tag == "total_financial_assets":
            if rng.random() > 0.7:
                return None
            return codes[min(len(codes) - 1, TIER_BAND.get(tier, 0) + rng.choice((0, 0, 1)))]
        return None if not q.required and rng.random() < 0.2 else rng.choice(codes)
    return rng.choice(COMMENTS) if rng.random() < 0.12 else None


def _answer_wave(wave: Wave, share: float, rng: random.Random, declining_branch: str | None) -> int:
    questions = list(wave.survey.questions.all())
    invitations = list(wave.invitations.order_by("id"))
    responses, answers, answered = [], [], []
    start = timezone.localtime(wave.created_at)
    for inv in invitations:
        if rng.random() >= share:
            continue
        drop = 0.9 if inv.branch_code == declining_branch else 0.0
        mood = rng.gauss(0, 0.6)
        values = {}
        for q in questions:
            if q.attribute.startswith("tp_") and rng.random() < 0.3:
                continue  # touchpoints the respondent does not use are left blank
            v = _values(q, rng, mood, drop, inv.asset_tier)
            if v is not None:
                values[q.pk] = v
        score, nps = response_score(questions, values)
        inv.answered_at = start + dt.timedelta(days=rng.randint(0, 6), minutes=rng.randint(0, 600))
        answered.append(inv)
        responses.append(
            (
                Response(
                    invitation=inv,
                    wave=wave,
                    customer_id=inv.customer_id,
                    submitted_at=inv.answered_at,
                    language="zh-hans",
                    score=score,
                    nps=nps,
                ),
                values,
            )
        )
    by_id = {q.pk: q for q in questions}
    with transaction.atomic():
        Invitation.objects.bulk_update(answered, ["answered_at"], batch_size=1000)
        Response.objects.bulk_create([r for r, _ in responses], batch_size=1000)
        for response, values in responses:
            answers += [answer_row(Answer, response, by_id[qid], v) for qid, v in values.items()]
        Answer.objects.bulk_create(answers, batch_size=2000)
    return len(responses)


def generate(*, seed: int = 7, size: int = 500) -> dict:
    """Create the demo waves and answers once (a second run finds them and changes nothing)."""
    catalog.templates_install()
    # Waves issued by the system (no member of staff) of the plan's surveys: made by an earlier run.
    made = Wave.objects.filter(created_by=None, survey__code__in={code for code, _, _ in PLAN})
    if made.exists():
        return {"created": False, "waves": made.count()}
    anchor = latest_business_date() or timezone.localdate()
    rng = random.Random(seed)
    summary = {"created": True, "waves": 0, "invited": 0, "responses": 0}
    last = None
    for n, (code, days_back, share) in enumerate(PLAN):
        survey = Survey.objects.get(code=code)
        when = timezone.make_aware(dt.datetime.combine(anchor - dt.timedelta(days=days_back), dt.time(9, 0)))
        label = f"{survey.title_zh} {when:%Y-%m}"
        issued = wave_issue(
            survey=survey, by=None, name=label, rule=SampleRule(size=size, seed=seed + n), now=when, system=True
        )
        declining = None
        if n == len(PLAN) - 1:  # the latest relationship wave: one branch gets worse
            branches = sorted({i.branch_code for i, _ in issued.links})
            declining = branches[0] if branches else None
        summary["waves"] += 1
        summary["invited"] += len(issued.links)
        summary["responses"] += _answer_wave(issued.wave, share, rng, declining)
        last = issued.wave
    if last is not None:
        summary["callbacks"] = callbacks_for_decline(wave=last)["created"]
    summary["survey_assets"] = len(reported_total_assets())  # customers with a reported total
    return summary
