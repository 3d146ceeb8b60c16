"""Message templates: drafting a version (maker), approving or rejecting it (checker), rendering the
latest approved version and queueing a message from it.

A template's words change only through a new version; a version is sent only once approved by a
member of compliance who did not write it. Placeholders are `{name}` style and limited to the ones a
kind offers (`PLACEHOLDERS`), so a draft cannot reach attributes of the values or leak what the
sender did not pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tenure.core.audit import audit
from tenure.core.masking import mask_text
from tenure.customers.models import Customer
from tenure.messaging.models import (
    Channel,
    Kind,
    Language,
    Message,
    MessageTemplate,
    TemplateVersion,
    VersionState,
)
from tenure.messaging.services import Draft, MessageError, message_queue_draft
from tenure.org.permissions import Perm, has_perm

# What a text of each kind may name; the senders pass exactly these (docs/messaging.md, "Templates").
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    Kind.GREETING: ("name", "occasion"),
    Kind.REMINDER: ("name", "product", "account", "date", "amount", "rate", "term", "fees", "penalty"),
    Kind.COMPLAINT_REPLY: ("name", "reference"),
    Kind.SURVEY: ("name", "url", "expires"),
    Kind.STATEMENT: ("name", "period", "summary"),
    Kind.OFFER: ("name", "product", "rate", "term", "fees", "penalty", "minimum"),
    Kind.LOTTERY: ("name", "amount", "date"),
}
DEFAULT_PLACEHOLDERS = ("name",)
# Sample values of the preview page, in the template's language.
SAMPLES: dict[str, dict[str, str]] = {
    "zh": {
        "name": "张先生",
        "occasion": "中秋节",
        "product": "三年期定期存款",
        "account": "622848******1234",
        "date": "2027-01-12",
        "amount": "¥200,000.00",
        "reference": "TS20270105000042",
        "url": "https://bank.example/s/AbCdEf/",
        "expires": "2027-01-19",
        "period": "2026年12月",
        "rate": "2.60%",
        "term": "12个月",
        "fees": "无",
        "penalty": "提前支取按活期利率计息",
        "minimum": "¥50,000.00",
        "summary": "· 活期储蓄 622848******1234：期初余额¥50,000.00，收入¥8,000.00，支出¥3,200.00（12笔），"
        "期末余额¥54,800.00",
    },
    "en": {
        "name": "Mr Zhang",
        "occasion": "Mid-Autumn Festival",
        "product": "3-year time deposit",
        "account": "622848******1234",
        "date": "2027-01-12",
        "amount": "¥200,000.00",
        "reference": "TS20270105000042",
        "url": "https://bank.example/s/AbCdEf/",
        "expires": "2027-01-19",
        "period": "December 2026",
        "rate": "2.60%",
        "term": "12 months",
        "fees": "none",
        "penalty": "early withdrawal earns the demand-deposit rate",
        "minimum": "¥50,000.00",
        "summary": "· Current account 622848******1234: opening ¥50,000.00, in ¥8,000.00, out ¥3,200.00"
        " (12 transactions), closing ¥54,800.00",
    },
}
# Values a customer needs whole: the complaint reference they quote, the survey link they open.
# Every other value is masked like the pages mask it (account numbers, mobiles in a name field).
UNMASKED = frozenset({"reference", "url"})
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A rate typed into a text (3.5%, 3.5 ％, 2‰): rates come from the product table through {rate}.
_TYPED_RATE = re.compile(r"\d(?:[\d.,]*\d)?\s*[%％‰]")


class TemplateError(MessageError):
    """A draft, a decision or a send the template rules refuse; the message says why, in one line."""


def placeholders_of(kind: str) -> tuple[str, ...]:
    return PLACEHOLDERS.get(kind, DEFAULT_PLACEHOLDERS)


def unknown_placeholders(kind: str, *texts: str) -> list[str]:
    """Placeholders in `texts` that a message of `kind` does not offer (typos, attribute access)."""
    allowed = set(placeholders_of(kind))
    return sorted({name for text in texts for name in _PLACEHOLDER.findall(text) if name not in allowed})


def typed_terms(*texts: str) -> list[str]:
    """Rates typed into `texts` by hand: a message states rates from the product table (`{rate}`),
    so that no approved wording can quote a rate the product does not have (docs/messaging.md)."""
    return sorted({found for text in texts for found in _TYPED_RATE.findall(text)})


def render(text: str, values: dict[str, str]) -> str:
    """`text` with each `{placeholder}` replaced by its value; a missing value is an error, not a blank."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise TemplateError(_("No value for the placeholder {%(name)s}.") % {"name": name})
        return str(values[name])

    return _PLACEHOLDER.sub(value, text)


def latest_approved(template: MessageTemplate) -> TemplateVersion | None:
    return template.versions.filter(state=VersionState.APPROVED).order_by("-number").first()


def template_draft(*, template: MessageTemplate, subject: str, body: str, by, ip: str | None = None) -> TemplateVersion:
    """A new version of `template`, awaiting approval (the maker's step)."""
    if not has_perm(by, Perm.MESSAGE_TEMPLATES_EDIT):
        raise TemplateError(_("You may not draft message templates."))
    if not body.strip():
        raise TemplateError(_("A template needs a text."))
    unknown = unknown_placeholders(template.kind, subject, body)
    if unknown:
        raise TemplateError(
            _("Unknown placeholders: %(unknown)s. This kind of message offers: %(allowed)s.")
            % {
                "unknown": ", ".join(f"{{{n}}}" for n in unknown),
                "allowed": ", ".join(f"{{{n}}}" for n in placeholders_of(template.kind)),
            }
        )
    typed = typed_terms(subject, body)
    if typed:
        raise TemplateError(
            _("A rate is typed into the text (%(typed)s): state rates from the product table with {rate}.")
            % {"typed": ", ".join(typed)}
        )
    with transaction.atomic():
        MessageTemplate.objects.select_for_update().get(pk=template.pk)  # one number per version
        number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = TemplateVersion.objects.create(
            template=template,
            number=number,
            subject=subject.strip(),
            body=body.strip(),
            made_by=by,
            made_at=timezone.now(),
        )
        audit(
            action="message_template.draft",
            actor=by,
            object_type="template_version",
            object_id=version.pk,
            detail={
                "template": template.code,
                "channel": template.channel,
                "language": template.language,
                "version": number,
            },
            ip_address=ip,
        )
    return version


_CODE = re.compile(r"[a-z][a-z0-9_]{2,63}")


def template_create(
    *,
    code: str,
    name: str,
    kind: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
    by,
    ip: str | None = None,
) -> MessageTemplate:
    """A new template (code, channel, language) with its first wording as a draft, in one step (the
    maker's); it is sent only once a checker approves that draft, as every version. A code keeps one
    kind on every channel and language, so its purpose (service or marketing) is the same everywhere."""
    if not has_perm(by, Perm.MESSAGE_TEMPLATES_EDIT):
        raise TemplateError(_("You may not draft message templates."))
    code = code.strip()
    if not _CODE.fullmatch(code):
        raise TemplateError(
            _("A template code is 3 to 64 small letters, digits and underscores, starting with a letter.")
        )
    if not name.strip():
        raise TemplateError(_("A template needs a name."))
    if kind not in Kind.values or channel not in Channel.values or language not in Language.values:
        raise TemplateError(_("Choose the kind, channel and language from the lists."))
    with transaction.atomic():
        same_code = MessageTemplate.objects.filter(code=code)
        other_kind = same_code.exclude(kind=kind).first()
        if other_kind is not None:
            raise TemplateError(
                _("The code %(code)s is already used for another kind of message (%(kind)s).")
                % {"code": code, "kind": other_kind.get_kind_display()}
            )
        if same_code.filter(channel=channel, language=language).exists():
            raise TemplateError(
                _("This code already has a template on that channel in that language: draft a new version of it.")
            )
        template = MessageTemplate.objects.create(
            code=code, kind=kind, channel=channel, language=language, name=name.strip()[:100]
        )
        audit(
            action="message_template.create",
            actor=by,
            object_type="message_template",
            object_id=template.pk,
            detail={"template": code, "kind": kind, "channel": channel, "language": language},
            ip_address=ip,
        )
        template_draft(template=template, subject="" if channel == Channel.SMS else subject, body=body, by=by, ip=ip)
    return template


def template_decide(
    *, version: TemplateVersion, approve: bool, comment: str, by, ip: str | None = None
) -> TemplateVersion:
    """Approve or reject a draft (the checker's step): compliance only, never the maker; a rejection
    says why."""
    if not has_perm(by, Perm.MESSAGE_TEMPLATES_APPROVE):
        raise TemplateError(_("You may not approve message templates."))
    if not approve and not comment.strip():
        raise TemplateError(_("Say why the version is rejected."))
    with transaction.atomic():
        version = TemplateVersion.objects.select_for_update().select_related("template").get(pk=version.pk)
        if version.state != VersionState.DRAFT:
            raise TemplateError(_("This version has already been decided."))
        if version.made_by_id == by.pk:
            raise TemplateError(_("You drafted this version: another person must approve or reject it."))
        version.state = VersionState.APPROVED if approve else VersionState.REJECTED
        version.checked_by, version.checked_at, version.comment = by, timezone.now(), comment.strip()[:500]
        version.save(update_fields=["state", "checked_by", "checked_at", "comment"])
        audit(
            action=f"message_template.{'approve' if approve else 'reject'}",
            actor=by,
            object_type="template_version",
            object_id=version.pk,
            detail={"template": version.template.code, "version": version.number},
            ip_address=ip,
        )
    return version


_versions: ContextVar[dict | None] = ContextVar("approved_versions", default=None)


@contextmanager
def approved_versions() -> Iterator[None]:
    """Within this block each template's approved version is read once, not once per message: a
    daily plan or a segment send queues thousands from a handful of templates. An approval made
    meanwhile counts from the next block on."""
    token = _versions.set({})
    try:
        yield
    finally:
        _versions.reset(token)


def _approved(code: str, channel: str, language: str) -> tuple[MessageTemplate, TemplateVersion] | None:
    memo = _versions.get()
    key = (code, channel, language)
    if memo is not None and key in memo:
        return memo[key]
    template = MessageTemplate.objects.filter(code=code, channel=channel, language=language).first()
    version = latest_approved(template) if template is not None else None
    found = (template, version) if template is not None and version is not None else None
    if memo is not None:
        memo[key] = found
    return found


def rendered(
    *, code: str, channel: str, language: str, values: dict[str, str]
) -> tuple[MessageTemplate, TemplateVersion, str, str]:
    """(template, version, subject, text) of what `message_from_template` would queue: the latest
    approved version (Chinese when there is no approved one in `language`), values masked. Also what a
    confirmation shows before anything is queued."""
    found = _approved(code, channel, language)
    if found is None and language != Language.ZH:
        found = _approved(code, channel, Language.ZH)
    if found is None and not MessageTemplate.objects.filter(code=code, channel=channel).exists():
        raise TemplateError(
            _("No template %(code)s for %(channel)s in %(language)s.")
            % {"code": code, "channel": channel, "language": language}
        )
    if found is None:
        raise TemplateError(
            _("Template %(code)s (%(channel)s, %(language)s) has no approved version: it cannot be sent.")
            % {"code": code, "channel": channel, "language": language}
        )
    template, version = found
    safe = {name: value if name in UNMASKED else mask_text(str(value)) for name, value in values.items()}
    return template, version, render(version.subject, safe), render(version.body, safe)


def message_draft(
    *,
    customer: Customer,
    code: str,
    channel: str,
    values: dict[str, str],
    idempotency_key: str,
    scheduled_at: dt.datetime,
    language: str = "zh",
    not_after: dt.datetime | None = None,
    table: list[dict] | None = None,
) -> Draft:
    """What `message_from_template` would queue, as a `Draft` for `services.messages_queue_many`."""
    template, version, subject, body = rendered(code=code, channel=channel, language=language, values=values)
    return Draft(
        customer=customer,
        channel=channel,
        kind=template.kind,
        template=code,
        template_version=version.number,
        subject=subject,
        body=body,
        language=template.language,
        idempotency_key=idempotency_key,
        scheduled_at=scheduled_at,
        not_after=not_after,
        table=table or [],
    )


def message_from_template(
    *,
    customer: Customer,
    code: str,
    channel: str,
    values: dict[str, str],
    idempotency_key: str,
    language: str = "zh",
    scheduled_at: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    by=None,
    table: list[dict] | None = None,
) -> tuple[Message, bool]:
    """Queue the latest approved version of template `code` on `channel` in `language`, rendered with
    `values`; the message records the template code and version. A customer who reads English gets
    the Chinese text when the template has no approved English version (rather than nothing). Refuses
    a template with no approved version (TemplateError) rather than send words no second person has read."""
    draft = message_draft(
        customer=customer,
        code=code,
        channel=channel,
        values=values,
        idempotency_key=idempotency_key,
        scheduled_at=scheduled_at or timezone.now(),
        language=language,
        not_after=not_after,
        table=table,
    )
    return message_queue_draft(draft, by=by)
