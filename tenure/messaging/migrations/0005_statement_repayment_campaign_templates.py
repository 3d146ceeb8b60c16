"""The templates of the statement notice, the loan and credit-card repayment reminder and the retention
campaign message, on SMS, e-mail and app push, in Chinese and English, as approved version 1.

Seeded approved because they were reviewed with the senders that use them (docs/messaging.md,
"Senders"); every later wording goes through maker–checker. The texts are copied here, not imported,
so this migration keeps meaning what it meant when it ran. They state no rate, fee or penalty.
"""

from django.db import migrations
from django.utils import timezone

OPT_OUT = {"zh": "回复TD退订", "en": " Reply TD to opt out"}
# code -> (kind, name zh, name en, {language: (subject, body)})
DEFAULTS = {
    "repayment_reminder": (
        "reminder",
        "还款提醒",
        "Repayment due notice",
        {
            "zh": (
                "{product}还款提醒",
                "尊敬的{name}，您的{product}（账户{account}）本期还款日为{date}，当前欠款余额{amount}。"
                "请在还款日前确保账户资金充足，以免逾期。如已还款，请忽略本提醒。",
            ),
            "en": (
                "{product}: repayment due on {date}",
                "Dear {name}, the repayment of your {product} (account {account}) is due on {date}; "
                "the balance outstanding is {amount}. Please make sure the funds are in your account by then. "
                "If you have already paid, please ignore this reminder.",
            ),
        },
    ),
    "statement_ready": (
        "statement",
        "对账单通知",
        "Statement notice",
        {
            "zh": (
                "您{period}的对账单已生成",
                "尊敬的{name}，您{period}的账户对账单已生成，请登录手机银行或网上银行查看。"
                "如有疑问，请联系您的客户经理或本行客服。",
            ),
            "en": (
                "Your statement for {period} is ready",
                "Dear {name}, your account statement for {period} is ready in mobile and online banking. "
                "If you have questions, please contact your relationship manager or our service line.",
            ),
        },
    ),
    "retention_campaign": (
        "campaign",
        "客户关怀活动",
        "Customer care thank-you",
        {
            "zh": (
                "感谢您一路相伴",
                "尊敬的{name}，感谢您长期以来对本行的信任。您的客户经理将为您提供一对一的理财建议与专属服务，"
                "欢迎到网点或通过手机银行联系我们。",
            ),
            "en": (
                "Thank you for banking with us",
                "Dear {name}, thank you for your trust over the years. Your relationship manager would be glad "
                "to offer you personal advice and services: visit a branch or reach us in mobile banking.",
            ),
        },
    ),
}
MARKETING = {"campaign"}


def seed(apps, schema_editor):
    Template = apps.get_model("messaging", "MessageTemplate")
    Version = apps.get_model("messaging", "TemplateVersion")
    now = timezone.now()
    for code, (kind, name_zh, name_en, texts) in DEFAULTS.items():
        for channel in ("sms", "email", "push"):
            for language, (subject, body) in texts.items():
                if channel == "sms" and kind in MARKETING:
                    body += OPT_OUT[language]
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
    dependencies = [("messaging", "0004_customer_language")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
