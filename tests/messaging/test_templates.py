"""Message templates: versions, maker–checker approval, rendering the latest approved version."""

from __future__ import annotations

import pytest

from tenure.core.models import AuditEntry
from tenure.messaging.models import Message, MessageTemplate, TemplateVersion, VersionState
from tenure.messaging.texts import (
    TemplateError,
    message_from_template,
    template_decide,
    template_draft,
    unknown_placeholders,
)
from tenure.org.services import staff_set_roles
from tests.factories import english  # noqa: F401

pytestmark = pytest.mark.django_db
CODES = {
    "greeting",
    "maturity_reminder",
    "complaint_reply",
    "survey_invitation",
    "repayment_reminder",
    "statement_ready",
    "retention_campaign",
    "product_offer",
    "repayment_instalment",
    "lottery_invitation",
    "lottery_eligible",
    "lottery_winner",
    "fraud_warning",
    "deposit_insurance",
}
EMAIL_ONLY = {"activity_statement"}


def sms(code="complaint_reply", language="zh"):
    return MessageTemplate.objects.get(code=code, channel="sms", language=language)


def send(customer, key, code="complaint_reply", language="zh"):
    return message_from_template(
        customer=customer,
        code=code,
        channel="sms",
        language=language,
        values={"name": "王芳", "reference": "TS20270105000001"},
        idempotency_key=key,
    )


def test_the_defaults_are_seeded_approved_in_both_languages_on_every_channel(bank):
    for language in ("zh", "en"):
        for channel in ("sms", "email", "push"):
            seeded = MessageTemplate.objects.filter(language=language, channel=channel)
            assert set(seeded.values_list("code", flat=True)) == CODES | (EMAIL_ONLY if channel == "email" else set())
    assert not TemplateVersion.objects.exclude(state=VersionState.APPROVED).exists()
    for code in ("greeting", "retention_campaign", "product_offer", "lottery_invitation"):  # marketing SMS: opt-out
        assert TemplateVersion.objects.get(template=sms(code)).body.endswith("回复TD退订")
        assert TemplateVersion.objects.get(template=sms(code, "en")).body.endswith("Reply TD to opt out")
    for version in TemplateVersion.objects.select_related("template"):  # every seeded text renders
        assert not unknown_placeholders(version.template.kind, version.subject, version.body), version


def test_a_message_records_the_latest_approved_version_and_a_draft_waits(bank):
    wang = bank.customers["wang"]
    message, created = send(wang, "k1")
    assert created and message.template == "complaint_reply" and message.template_version == 1
    assert "TS20270105000001" in message.body and "王芳" in message.body
    draft = template_draft(
        template=sms(), subject="", body="{name}您好，投诉{reference}已办结。", by=bank.staff["service"]
    )
    assert draft.number == 2 and draft.state == VersionState.DRAFT
    assert send(wang, "k2")[0].template_version == 1  # the draft is not sent
    template_decide(version=draft, approve=True, comment="", by=bank.staff["compliance"])
    second = send(wang, "k3")[0]
    assert second.template_version == 2 and second.body == "王芳您好，投诉TS20270105000001已办结。"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"message_template.draft", "message_template.approve"} <= actions


def test_a_template_without_an_approved_version_is_refused(bank, english):  # noqa: F811
    template = MessageTemplate.objects.create(
        code="new_notice", kind="reminder", channel="sms", language="zh", name="新"
    )
    template_draft(template=template, subject="", body="{name}，请留意。", by=bank.staff["admin"])
    with pytest.raises(TemplateError, match="no approved version"):
        message_from_template(
            customer=bank.customers["wang"],
            code="new_notice",
            channel="sms",
            values={"name": "王芳"},
            idempotency_key="k",
        )
    with pytest.raises(TemplateError, match="No template"):
        send(bank.customers["wang"], "k", code="nothing")
    assert not Message.objects.exists()


def test_the_maker_never_approves_and_only_compliance_checks(bank, english):  # noqa: F811
    both = bank.staff["service"]
    staff_set_roles(both, ["service", "compliance"])
    draft = template_draft(template=sms(), subject="", body="{name}：{reference}", by=both)
    with pytest.raises(TemplateError, match="another person"):
        template_decide(version=draft, approve=True, comment="", by=both)
    with pytest.raises(TemplateError, match="may not approve"):
        template_decide(version=draft, approve=True, comment="", by=bank.staff["admin"])
    with pytest.raises(TemplateError, match="may not draft"):
        template_draft(template=sms(), subject="", body="{name}", by=bank.staff["compliance"])
    with pytest.raises(TemplateError, match="why"):
        template_decide(version=draft, approve=False, comment=" ", by=bank.staff["compliance"])
    rejected = template_decide(version=draft, approve=False, comment="语气不当", by=bank.staff["compliance"])
    assert rejected.state == VersionState.REJECTED and rejected.checked_by == bank.staff["compliance"]
    with pytest.raises(TemplateError, match="already"):
        template_decide(version=draft, approve=True, comment="", by=bank.staff["compliance"])
    assert send(bank.customers["wang"], "k")[0].template_version == 1


def test_unknown_placeholders_are_refused_at_drafting(bank):
    with pytest.raises(TemplateError, match=r"\{name.__class__\}"):
        template_draft(template=sms(), subject="", body="{name.__class__} {reference}", by=bank.staff["service"])
    with pytest.raises(TemplateError, match=r"\{amount\}"):
        template_draft(template=sms(), subject="", body="{name} {amount}", by=bank.staff["service"])


def test_the_pages_draft_preview_and_approve(bank, login, english):  # noqa: F811
    template = sms()
    assert login(bank.staff["rm_a"]).get("/messages/templates/").status_code == 403
    client = login(bank.staff["service"])
    listing = client.get("/messages/templates/").content.decode()
    assert "Complaint resolution notice" in listing or "投诉处理结果通知" in listing
    page = client.get(f"/messages/templates/{template.pk}/").content.decode()
    assert "TS20270105000042" in page  # the preview's sample reference
    response = client.post(f"/messages/templates/{template.pk}/draft/", {"body": "{name}，投诉{reference}已处理完毕。"})
    assert response.status_code == 302
    draft = template.versions.get(number=2)
    bad = client.post(f"/messages/templates/{template.pk}/draft/", {"body": "{nom}"}).content.decode()
    assert "Unknown placeholders" in bad and template.versions.count() == 2
    assert client.post(f"/messages/templates/versions/{draft.pk}/decide/", {"action": "approve"}).status_code == 403
    checker = login(bank.staff["compliance"])
    shown = checker.get(f"/messages/templates/{template.pk}/").content.decode()
    assert "Approve" in shown and "张先生，投诉TS20270105000042已处理完毕。" in shown
    checker.post(f"/messages/templates/versions/{draft.pk}/decide/", {"action": "reject"})
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT  # a rejection needs a comment
    checker.post(f"/messages/templates/versions/{draft.pk}/decide/", {"action": "approve", "comment": "ok"})
    draft.refresh_from_db()
    assert draft.state == VersionState.APPROVED and draft.checked_by == bank.staff["compliance"]


def test_a_new_template_code_is_made_from_the_pages_and_sent_only_once_approved(bank, login, english):  # noqa: F811
    form = {
        "code": "spring_offer",
        "name": "春季存款活动",
        "kind": "campaign",
        "channel": "sms",
        "language": "zh",
        "subject": "ignored on SMS",
        "body": "尊敬的{name}，春季存款活动开始了。回复TD退订",
    }
    assert login(bank.staff["compliance"]).post("/messages/templates/new/", form).status_code == 403
    client = login(bank.staff["service"])
    assert "New template" in client.get("/messages/templates/").content.decode()
    assert "Campaign · Marketing" in client.get("/messages/templates/new/").content.decode()
    bad = client.post("/messages/templates/new/", form | {"body": "{name} {amount}"}).content.decode()
    assert "Unknown placeholders" in bad and not MessageTemplate.objects.filter(code="spring_offer").exists()
    clash = client.post("/messages/templates/new/", form | {"code": "greeting"}).content.decode()
    assert "another kind" in clash
    assert "small letters" in client.post("/messages/templates/new/", form | {"code": "Spring Offer"}).content.decode()
    assert client.post("/messages/templates/new/", form).status_code == 302
    template = MessageTemplate.objects.get(code="spring_offer")
    draft = template.versions.get()
    assert (template.kind, draft.number, draft.state, draft.subject) == ("campaign", 1, VersionState.DRAFT, "")
    again = client.post("/messages/templates/new/", form).content.decode()
    assert "draft a new version" in again and MessageTemplate.objects.filter(code="spring_offer").count() == 1

    def offer(key: str):
        return message_from_template(
            customer=bank.customers["wang"],
            code="spring_offer",
            channel="sms",
            values={"name": "王芳"},
            idempotency_key=key,
        )

    with pytest.raises(TemplateError, match="no approved version"):
        offer("o1")
    template_decide(version=draft, approve=True, comment="", by=bank.staff["compliance"])
    message, _ = offer("o2")
    assert message.purpose == "marketing" and message.body == "尊敬的王芳，春季存款活动开始了。回复TD退订"
    assert AuditEntry.objects.filter(action="message_template.create").count() == 1
