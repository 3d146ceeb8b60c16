"""The default message templates (greetings, maturity reminder, complaint reply, survey invitation),
on SMS, e-mail and app push, in Chinese and English, as approved version 1.

They are seeded approved because they were reviewed with this change (docs/messaging.md,
"Templates"); every later wording goes through maker–checker. The texts are copied here, not
imported, so this migration keeps meaning what it meant when it ran.
"""

from django.db import migrations
from django.utils import timezone

OPT_OUT = {"zh": "回复TD退订", "en": "Reply TD to opt out"}
# code -> (kind, name zh, name en, {language: (subject, body)})
DEFAULTS = {
    "greeting": (
        "greeting",
        "节日与生日问候",
        "Festival and birthday greeting",
        {
            "zh": ("{occasion}快乐", "尊敬的{name}，祝您{occasion}快乐！感谢您一直以来对本行的信任与支持。"),
            "en": ("Happy {occasion}", "Dear {name}, happy {occasion}! Thank you for your trust in our bank."),
        },
    ),
    "maturity_reminder": (
        "reminder",
        "到期提醒",
        "Maturity reminder",
        {
            "zh": (
                "您的{product}即将到期",
                "尊敬的{name}，您的{product}（账户{account}）将于{date}到期，当前金额{amount}。"
                "如需续存或转存，请联系您的客户经理或到网点办理。",
            ),
            "en": (
                "Your {product} matures soon",
                "Dear {name}, your {product} (account {account}) matures on {date}; its balance is {amount}. "
                "To renew or move it, please contact your relationship manager or visit a branch.",
            ),
        },
    ),
    "complaint_reply": (
        "complaint_reply",
        "投诉处理结果通知",
        "Complaint resolution notice",
        {
            "zh": (
                "您的投诉{reference}已处理",
                "尊敬的{name}，您的投诉（编号{reference}）已处理完毕。如对处理结果有疑问，请联系本行客服或您的客户经理。",
            ),
            "en": (
                "Your complaint {reference} has been resolved",
                "Dear {name}, your complaint (reference {reference}) has been resolved. "
                "If you have questions about the outcome, please contact our service line or your relationship manager.",
            ),
        },
    ),
    "survey_invitation": (
        "survey",
        "满意度调查邀请",
        "Survey invitation",
        {
            "zh": ("服务满意度调查", "尊敬的{name}，诚邀您参与本行服务满意度调查：{url} （{expires}前有效）"),
            "en": ("How did we do?", "Dear {name}, please tell us how we did: {url} (valid until {expires})"),
        },
    ),
}
MARKETING = {"greeting"}


def seed(apps, schema_editor):
    Template = apps.get_model("messaging", "MessageTemplate")
    Version = apps.get_model("messaging", "TemplateVersion")
    now = timezone.now()
    for code, (kind, name_zh, name_en, texts) in DEFAULTS.items():
        for channel in ("sms", "email", "push"):
            for language, (subject, body) in texts.items():
                if channel == "sms" and kind in MARKETING:
                    body = f"{body}{OPT_OUT[language] if language == 'zh' else ' ' + OPT_OUT[language]}"
                template, created = Template.objects.get_or_create(
                    code=code,
                    channel=channel,
                    language=language,
                    defaults={"kind": kind, "name": name_zh if language == "zh" else name_en},
                )
                if created:
                    Version.objects.create(
                        template=template,
                        number=1,
                        subject="" if channel == "sms" else subject,
                        body=body,
                        state="approved",
                        made_at=now,
                        checked_at=now,
                        comment="",
                    )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_templates_and_bounces")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
