"""The public answer page: hashed single-use tokens, expiry, probing, rate limit, no customer data,
and answers stored atomically exactly once."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from tenure.surveys.models import Answer, Invitation, Response
from tests.surveys.conftest import full_answers, issue


@pytest.fixture
def wave(bank, templates):
    return issue("nps-loyalty", bank.staff["service"], branches=["S0101"])


def _url(token: str) -> str:
    return f"/p/s/{token}/"


def test_only_a_hash_of_the_token_is_stored(wave):
    assert len(wave.links) == 2  # the two customers of S0101
    for invitation, token in wave.links:
        stored = Invitation.objects.get(pk=invitation.pk)
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(list(Invitation.objects.values_list()))
        assert len(token) >= 32  # 192 random bits, URL-safe


def test_the_page_shows_the_questionnaire_and_nothing_about_the_customer(client, bank, wave):
    invitation, token = wave.links[0]
    response = client.get(_url(token))
    text = response.content.decode()
    assert response.status_code == 200
    assert "客户推荐与忠诚度调查" in text and 'name="q' in text
    customer = invitation.customer
    for secret in (customer.name, customer.customer_no, customer.branch.name, "朝阳支行", customer.branch_id):
        assert secret not in text
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_english_on_request(client, wave):
    _, token = wave.links[0]
    text = client.get(_url(token) + "?lang=en").content.decode()
    assert "Recommendation and loyalty survey" in text and 'lang="en"' in text


def test_guessing_gives_the_invalid_page(client, wave):
    response = client.get(_url("x" * 32))
    assert response.status_code == 404
    assert 'data-testid="survey-invalid"' in response.content.decode()
    assert client.post(_url("x" * 32), {}).status_code == 404


def test_expired_link_looks_exactly_like_an_unknown_one(client, wave):
    invitation, token = wave.links[0]
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = client.get(_url(token))
    unknown = client.get(_url("y" * 32))
    assert expired.status_code == unknown.status_code == 404
    assert expired.content == unknown.content


def test_answer_is_stored_once_and_reuse_says_already_answered(client, wave):
    invitation, token = wave.links[0]
    survey = invitation.wave.survey
    data = full_answers(survey, nps=10)
    first = client.post(_url(token), data)
    assert first.status_code == 200 and 'data-testid="survey-thanks"' in first.content.decode()
    assert "Already answered, thank you" in client.get(_url(token) + "?lang=en").content.decode()
    again = client.post(_url(token), {**full_answers(survey, nps=0), "lang": "en"})
    assert again.status_code == 200 and "Already answered" in again.content.decode()
    response = Response.objects.get()
    assert response.nps == 10 and response.customer_id == invitation.customer_id
    assert Answer.objects.filter(response=response).count() == survey.questions.count()
    assert Invitation.objects.get(pk=invitation.pk).answered_at is not None


def test_a_second_submit_of_the_same_invitation_stores_nothing(wave):
    from tenure.surveys.answering import answer_submit

    invitation, _ = wave.links[0]
    questions = list(invitation.wave.survey.questions.all())
    values = {q.pk: 9 for q in questions if q.kind == "nps"}
    assert answer_submit(invitation=invitation, questions=questions, values=values, language="zh-hans") is not None
    assert answer_submit(invitation=invitation, questions=questions, values=values, language="zh-hans") is None
    assert Response.objects.count() == 1 and Answer.objects.count() == 1


def test_a_failure_while_storing_leaves_the_invitation_open(wave, monkeypatch):
    from tenure.surveys import answering

    invitation, _ = wave.links[0]
    questions = list(invitation.wave.survey.questions.all())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(answering.Answer.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        answering.answer_submit(invitation=invitation, questions=questions, values={questions[0].pk: 9}, language="en")
    assert Response.objects.count() == 0
    assert Invitation.objects.get(pk=invitation.pk).answered_at is None


def test_missing_required_answers_are_shown_and_nothing_is_stored(client, wave):
    _, token = wave.links[0]
    response = client.post(_url(token), {"lang": "en"})
    text = response.content.decode()
    assert response.status_code == 200 and 'data-testid="survey-errors"' in text
    assert "Please answer this question." in text
    assert Response.objects.count() == 0


def test_out_of_range_values_are_refused(client, wave):
    invitation, token = wave.links[0]
    data = full_answers(invitation.wave.survey)
    nps_q = invitation.wave.survey.questions.get(kind="nps")
    data[f"q{nps_q.pk}"] = "11"
    assert 'data-testid="survey-errors"' in client.post(_url(token), data).content.decode()
    assert Response.objects.count() == 0


def test_rate_limit_per_ip(client, wave, settings):
    settings.TENURE_SURVEY_RATE_LIMIT = "3/60"
    _, token = wave.links[0]
    codes = [client.get(_url(token)).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    limited = client.get(_url("z" * 32))
    assert limited.status_code == 429 and 'data-testid="survey-limited"' in limited.content.decode()
    other_ip = client.get(_url(token), REMOTE_ADDR="10.9.8.7")
    assert other_ip.status_code == 200
