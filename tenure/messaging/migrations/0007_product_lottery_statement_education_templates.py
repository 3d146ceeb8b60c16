"""The templates of product messages (the offer of a product, the maturity reminder quoting the
account's rate and term), the retention lottery (invitation, draw ticket, prize), the monthly activity
statement (e-mail), the repayment reminder of the extract's schedule (the amount due) and the first
articles of the customer-education library (fraud warning, deposit insurance), in Chinese and
English, as approved versions.

Seeded approved because they were reviewed with the senders that use them (docs/messaging.md,
"Senders"); every later wording goes through maker–checker. Rates, terms, fees and penalties are
placeholders filled from the product table, never typed. The maturity reminder gets an approved
version 2 that quotes the account's rate and term; its version 1 stays as it was. The texts are
copied here, not imported, so this migration keeps meaning what it meant when it ran.
"""

from django.db import migrations
from django.utils import timezone

OPT_OUT = {"zh": "回复TD退订", "en": " Reply TD to opt out"}
ALL = ("sms", "email", "push")
# code -> (kind, name zh, name en, channels, {language: (subject, body)})
DEFAULTS = {
    "product_offer": (
        "offer",
        "产品推荐",
        "Product offer",
        ALL,
        {
            "zh": (
                "{product}：年利率{rate}，期限{term}",
                "尊敬的{name}，本行{product}现正发售：年利率{rate}，期限{term}，起存（购）金额{minimum}，"
                "费用：{fees}；提前支取（赎回）：{penalty}。具体以产品说明书为准，详情请咨询您的客户经理。",
            ),
            "en": (
                "{product}: {rate} a year, {term}",
                "Dear {name}, our {product} is on offer: {rate} a year for {term}, from {minimum}; fees: {fees}; "
                "early withdrawal: {penalty}. The product terms prevail; your relationship manager can tell you more.",
            ),
        },
    ),
    "lottery_invitation": (
        "lottery",
        "客户回馈抽奖邀请",
        "Customer lottery invitation",
        ALL,
        {
            "zh": (
                "诚邀您参加客户回馈抽奖",
                "尊敬的{name}，诚邀您参加本行客户回馈抽奖：{date}前您在本行的资产回到{amount}及以上，即可获得一次抽奖机会。",
            ),
            "en": (
                "You are invited to our customer lottery",
                "Dear {name}, you are invited to our customer lottery: bring your assets with us back to {amount} "
                "or more by {date} and you receive a ticket for the draw.",
            ),
        },
    ),
    "lottery_eligible": (
        "lottery",
        "抽奖资格通知",
        "Lottery ticket notice",
        ALL,
        {
            "zh": (
                "您已获得抽奖资格",
                "尊敬的{name}，您在本行的资产已回到{amount}，您已获得本期客户回馈抽奖资格，开奖结果将另行通知。",
            ),
            "en": (
                "You have a ticket for the draw",
                "Dear {name}, your assets with us are back at {amount}: you have a ticket for this round of our "
                "customer lottery. We will tell you the result of the draw.",
            ),
        },
    ),
    "lottery_winner": (
        "lottery",
        "抽奖中奖通知",
        "Lottery prize notice",
        ALL,
        {
            "zh": (
                "恭喜您在客户回馈抽奖中获奖",
                "尊敬的{name}，恭喜您在本行{date}开奖的客户回馈抽奖中获奖！您的客户经理将与您联系领取奖品。",
            ),
            "en": (
                "You won a prize in our customer lottery",
                "Dear {name}, congratulations: you won a prize in our customer lottery drawn on {date}. "
                "Your relationship manager will contact you about it.",
            ),
        },
    ),
    "activity_statement": (
        "statement",
        "月度账户动态对账单",
        "Monthly activity statement",
        ("email",),
        {
            "zh": (
                "您{period}的账户动态",
                "尊敬的{name}，以下是您{period}的账户动态：\n{summary}\n"
                "完整对账单请登录手机银行或网上银行查看。如有疑问，请联系您的客户经理或本行客服。",
            ),
            "en": (
                "Your accounts in {period}",
                "Dear {name}, here is what happened in your accounts in {period}:\n{summary}\n"
                "Your full statement is in mobile and online banking. If you have questions, please contact "
                "your relationship manager or our service line.",
            ),
        },
    ),
    "repayment_instalment": (
        "reminder",
        "还款提醒（按还款计划）",
        "Repayment due notice (schedule)",
        ALL,
        {
            "zh": (
                "{product}还款提醒",
                "尊敬的{name}，您的{product}（账户{account}）本期还款日为{date}，本期应还金额{amount}。"
                "请在还款日前确保账户资金充足，以免逾期。如已还款，请忽略本提醒。",
            ),
            "en": (
                "{product}: repayment due on {date}",
                "Dear {name}, a repayment of {amount} on your {product} (account {account}) is due on {date}. "
                "Please make sure the funds are in your account by then. If you have already paid, please "
                "ignore this reminder.",
            ),
        },
    ),
    "fraud_warning": (
        "notice",
        "防诈骗提醒",
        "Fraud warning",
        ALL,
        {
            "zh": (
                "防诈骗提醒",
                "【防诈骗提醒】尊敬的{name}，本行工作人员不会以任何理由索要您的密码或短信验证码，也不会要求您向"
                "“安全账户”转账。接到可疑电话或短信，请挂断后拨打本行客服电话核实。",
            ),
            "en": (
                "Beware of fraud",
                "Dear {name}, our staff will never ask for your password or a text-message code, nor ask you to "
                "move money to a 'safe account'. If a call or message seems suspicious, hang up and call our "
                "service line.",
            ),
        },
    ),
    "deposit_insurance": (
        "notice",
        "存款保险知识",
        "Deposit insurance",
        ALL,
        {
            "zh": (
                "存款保险知识普及",
                "【金融知识普及】尊敬的{name}，本行吸收的存款依照《存款保险条例》受到保护。"
                "详情请咨询网点工作人员或查阅本行网站。",
            ),
            "en": (
                "About deposit insurance",
                "Dear {name}, deposits with us are protected under the Deposit Insurance Regulations. "
                "Ask at a branch or see our website for the details.",
            ),
        },
    ),
}
MARKETING = {"offer", "lottery"}
# Version 2 of the maturity reminder: the account's rate and term and the early-withdrawal terms.
MATURITY_V2 = {
    "zh": (
        "您的{product}即将到期",
        "尊敬的{name}，您的{product}（账户{account}，年利率{rate}，期限{term}）将于{date}到期，当前金额{amount}。"
        "提前支取：{penalty}。如需续存或转存，请联系您的客户经理或到网点办理。",
    ),
    "en": (
        "Your {product} matures soon",
        "Dear {name}, your {product} (account {account}, {rate} a year, {term}) matures on {date}; its balance "
        "is {amount}. Early withdrawal: {penalty}. To renew or move it, please contact your relationship manager "
        "or visit a branch.",
    ),
}


def seed(apps, schema_editor):
    Template = apps.get_model("messaging", "MessageTemplate")
    Version = apps.get_model("messaging", "TemplateVersion")
    now = timezone.now()

    def approved(template, number, subject, body):
        Version.objects.get_or_create(
            template=template,
            number=number,
            defaults={
                "subject": "" if template.channel == "sms" else subject,
                "body": body,
                "state": "approved",
                "made_at": now,
                "checked_at": now,
                "comment": "",
            },
        )

    for code, (kind, name_zh, name_en, channels, texts) in DEFAULTS.items():
        for channel in channels:
            for language, (subject, body) in texts.items():
                if channel == "sms" and kind in MARKETING:
                    body += OPT_OUT[language]
                template, _ = Template.objects.get_or_create(
                    code=code,
                    channel=channel,
                    language=language,
                    defaults={"kind": kind, "name": name_zh if language == "zh" else name_en},
                )
                approved(template, 1, subject, body)
    for template in Template.objects.filter(code="maturity_reminder"):
        if not Version.objects.filter(template=template, number__gt=1).exists():
            subject, body = MATURITY_V2[template.language]
            approved(template, 2, subject, body)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0006_kinds_notice_lottery")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
