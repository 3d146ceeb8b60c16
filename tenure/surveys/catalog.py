"""The shipped survey templates (docs/surveys.md), installed by `tenure surveys templates`.

Codes are stable: results, the churn signal and share of wallet find questions by
their `attribute` and `tag`, not by wording, so a bank may reword a template without breaking them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# docs/surveys.md: the 11 customer requirements, used as service-quality attributes.
REQUIREMENTS: list[tuple[str, str, str]] = [
    ("sound_reputation", "经营稳健、信誉高", "Sound operation and a good reputation"),
    ("modern_equipment", "技术设备精良、先进、可靠", "Modern, reliable equipment and technology"),
    ("fast_service", "服务处理迅速及时、等候时间最短", "Fast service and short waiting times"),
    ("accurate_simple", "业务操作准确无误、流程短、办理简便", "Accurate operations, short and simple processes"),
    ("staff_courtesy", "临柜人员素质高、态度好、尊重顾客", "Competent, courteous counter staff who respect you"),
    ("little_paperwork", "需要顾客自己办理的手续最少且简便", "Little and simple paperwork for you to do"),
    ("comfortable_premises", "营业场所舒适、安全", "Comfortable and safe premises"),
    ("low_cost_access", "顾客获得服务的成本低、容易", "Service that is cheap and easy to get"),
    ("confidentiality", "业务全程保密程度高", "Confidentiality throughout"),
    ("complete_services", "配套服务周全", "Complete supporting services"),
    ("preferential_treatment", "能获得优惠待遇", "Preferential treatment"),
]

# docs/surveys.md (CEM): touchpoints whose importance and experience are measured.
TOUCHPOINTS: list[tuple[str, str, str]] = [
    ("counter", "网点柜台", "Branch counter"),
    ("lobby", "大堂引导与等候区", "Lobby guidance and waiting area"),
    ("atm", "自助设备（ATM）", "Self-service machines (ATM)"),
    ("mobile", "手机银行", "Mobile banking app"),
    ("online", "网上银行", "Online banking"),
    ("phone", "电话银行 / 客服热线", "Phone banking / hotline"),
    ("rm", "客户经理", "Relationship manager"),
    ("wechat", "微信 / 短信服务", "WeChat / SMS service"),
]

# Staff satisfaction (seed 000, internal customers): what the default staff questionnaire rates
# (migration 0003_staff_questionnaire), as attributes of the results page.
STAFF_ATTRIBUTES: list[tuple[str, str, str]] = [
    ("staff_tools", "系统与设备", "Systems and equipment"),
    ("staff_support", "后台与上级支持", "Back-office support"),
    ("staff_training", "培训", "Training"),
    ("staff_recognition", "认可与奖励", "Recognition and reward"),
    ("staff_workload", "工作量与排班", "Workload and rota"),
    ("staff_teamwork", "团队协作", "Teamwork"),
    ("staff_empowerment", "为顾客解决问题的授权", "Freedom to solve customers' problems"),
]

# What code reads a question's answer for (docs/surveys.md, "Question types and templates"), in words.
TAG_LABELS: dict[str, str | Promise] = {
    "nps": _("Likelihood to recommend (NPS)"),
    "overall_satisfaction": _("Overall satisfaction"),
    "repurchase_intent": _("Will buy again"),
    "trust": _("Trust"),
    "responsiveness": _("Responsiveness"),
    "vs_competitors": _("Compared with competitors"),
    "main_competitor": _("Main other bank"),
    "total_financial_assets": _("Total financial assets (share of wallet)"),
    "lost_reason": _("Why the customer left"),
    "competitor_chosen": _("Competitor chosen"),
    "would_return": _("Would come back"),
    "channel_preference": _("Preferred channel"),
    "touchpoints_used": _("Channels used"),
}

COMPETITORS: list[tuple[str, str, str]] = [
    ("icbc", "工商银行", "ICBC"),
    ("ccb", "建设银行", "CCB"),
    ("abc", "农业银行", "ABC"),
    ("boc", "中国银行", "Bank of China"),
    ("cmb", "招商银行", "China Merchants Bank"),
    ("bocom", "交通银行", "Bank of Communications"),
    ("internet", "互联网平台（如余额宝、理财通）", "Internet platform (e.g. Yu'e Bao)"),
    ("other", "其他", "Other"),
]

# docs/surveys.md and docs/churn.md: why a customer left.
LOST_REASONS: list[tuple[str, str, str]] = [
    ("service", "服务态度或服务意识不满意", "Unhappy with service or attitude"),
    ("waiting", "排队等候时间太长", "Waiting times too long"),
    ("rates", "他行利率或收益更高", "Better rates or returns elsewhere"),
    ("products", "产品不如他行", "Other banks' products are better"),
    ("digital", "网银 / 手机银行不好用", "Online or mobile banking hard to use"),
    ("fees", "收费太高", "Fees too high"),
    ("relocation", "搬家或工作地点变动，网点不方便", "Moved; no convenient branch"),
    ("complaint", "投诉没有得到妥善处理", "A complaint was not handled well"),
    ("other", "其他原因", "Other reason"),
]

# Total financial assets in bands (yuan); `value` is the band's midpoint, the reported total that
# share of wallet reads (`selectors.reported_total_assets`, tenure/loyalty/wallet.py).
ASSET_BANDS: list[tuple[str, str, str, int]] = [
    ("lt100k", "10万元以下", "Under ¥100,000", 50_000),
    ("100k_300k", "10万–30万元", "¥100,000–300,000", 200_000),
    ("300k_1m", "30万–100万元", "¥300,000–1,000,000", 650_000),
    ("1m_3m", "100万–300万元", "¥1–3 million", 2_000_000),
    ("3m_10m", "300万–1000万元", "¥3–10 million", 6_500_000),
    ("ge10m", "1000万元以上", "Over ¥10 million", 15_000_000),
]


def _choices(rows) -> list[dict]:
    return [{"code": r[0], "zh": r[1], "en": r[2], **({"value": r[3]} if len(r) > 3 else {})} for r in rows]


def _q(code, kind, zh, en, **extra) -> dict:
    return {"code": code, "kind": kind, "text_zh": zh, "text_en": en, **extra}


def _nps() -> dict:
    return _q(
        "recommend",
        "nps",
        "您有多大可能向亲友推荐本行？（0 = 完全不可能，10 = 非常可能）",
        "How likely are you to recommend us to a friend or relative? (0 = not at all, 10 = extremely)",
        tag="nps",
    )


def _comment() -> dict:
    return _q("comment", "text", "还有什么想告诉我们的吗？", "Anything else you would like to tell us?", required=False)


def _relationship() -> list[dict]:
    questions = [
        _q(
            f"imp_{code}",
            "rating",
            f"对您来说，“{zh}”有多重要？",
            f"How important to you is: {en.lower()}?",
            attribute=code,
            aspect="importance",
        )
        for code, zh, en in REQUIREMENTS
    ]
    questions += [
        _q(
            f"perf_{code}",
            "rating",
            f"本行在“{zh}”方面做得如何？",
            f"How well do we do on: {en.lower()}?",
            attribute=code,
            aspect="performance",
        )
        for code, zh, en in REQUIREMENTS
    ]
    questions += [
        _q(
            "overall",
            "rating",
            "总体而言，您对本行的服务满意吗？",
            "Overall, how satisfied are you with our service?",
            tag="overall_satisfaction",
        ),
        _nps(),
        _comment(),
    ]
    return questions


def _loyalty() -> list[dict]:
    return [
        _nps(),
        _q(
            "repurchase",
            "rating",
            "您今后再办理金融业务时，会继续选择本行吗？",
            "Will you choose us again for your next financial product?",
            tag="repurchase_intent",
        ),
        _q("trust", "rating", "您信任本行吗？", "Do you trust us?", tag="trust"),
        _q(
            "responsiveness",
            "rating",
            "本行能及时回应您，并关注您的需要吗？",
            "Do we respond to you promptly and pay attention to your needs?",
            tag="responsiveness",
        ),
        _q(
            "vs_competitors",
            "rating",
            "与您使用的其他银行相比，本行的服务（1 = 差很多，5 = 好很多）",
            "Compared with the other banks you use, our service is (1 = much worse, 5 = much better)",
            aspect="competitor",
            tag="vs_competitors",
        ),
        _q(
            "other_bank",
            "single",
            "除本行外，您主要还在哪家机构办理业务？",
            "Apart from us, where do you mainly bank?",
            choices=_choices(COMPETITORS),
            tag="main_competitor",
            required=False,
        ),
        _q(
            "assets",
            "single",
            "您在所有金融机构的金融资产合计大约是多少？（仅用于改善服务）",
            "Roughly how much are your financial assets at all institutions together?",
            choices=_choices(ASSET_BANDS),
            tag="total_financial_assets",
            required=False,
        ),
        _comment(),
    ]


def _touchpoints() -> list[dict]:
    questions = [
        _q(
            "used",
            "multi",
            "过去三个月您使用过哪些服务渠道？",
            "Which of our channels did you use in the last three months?",
            choices=_choices(TOUCHPOINTS),
            tag="touchpoints_used",
        ),
    ]
    questions += [
        _q(
            f"imp_{code}",
            "rating",
            f"“{zh}”对您有多重要？",
            f"How important is the {en.lower()} to you?",
            attribute=f"tp_{code}",
            aspect="importance",
            required=False,
        )
        for code, zh, en in TOUCHPOINTS
    ]
    questions += [
        _q(
            f"perf_{code}",
            "rating",
            f"您在“{zh}”的体验如何？",
            f"How was your experience of the {en.lower()}?",
            attribute=f"tp_{code}",
            aspect="performance",
            required=False,
        )
        for code, zh, en in TOUCHPOINTS
    ]
    questions += [
        _q(
            "pref_payments",
            "single",
            "日常转账缴费，您最喜欢用哪个渠道？",
            "Which channel do you prefer for everyday payments?",
            choices=_choices(TOUCHPOINTS),
            tag="channel_preference",
        ),
        _q(
            "pref_wealth",
            "single",
            "购买理财、基金等产品，您最喜欢用哪个渠道？",
            "Which channel do you prefer for buying wealth products and funds?",
            choices=_choices(TOUCHPOINTS),
            tag="channel_preference",
        ),
        _comment(),
    ]
    return questions


def _complaint_followup() -> list[dict]:
    yes_no = [("yes", "是", "Yes"), ("partly", "部分解决", "Partly"), ("no", "否", "No")]
    return [
        _q(
            "solved", "single", "您反映的问题解决了吗？", "Was the problem you raised solved?", choices=_choices(yes_no)
        ),
        _q(
            "speed",
            "rating",
            "您对处理速度满意吗？",
            "How satisfied are you with how quickly it was handled?",
            attribute="complaint_speed",
            aspect="performance",
        ),
        _q(
            "attitude",
            "rating",
            "您对工作人员的态度满意吗？",
            "How satisfied are you with the staff's attitude?",
            attribute="complaint_attitude",
            aspect="performance",
        ),
        _q(
            "explained",
            "rating",
            "工作人员把处理结果解释清楚了吗？",
            "Did staff explain the outcome clearly?",
            attribute="complaint_explanation",
            aspect="performance",
        ),
        _q(
            "repurchase",
            "rating",
            "您今后还会继续使用本行的服务吗？",
            "Will you keep using our services?",
            tag="repurchase_intent",
        ),
        _nps(),
        _comment(),
    ]


def _lost_customer() -> list[dict]:
    back = [("yes", "会", "Yes"), ("maybe", "看情况", "Maybe"), ("no", "不会", "No")]
    return [
        _q(
            "reasons",
            "multi",
            "您减少或停止在本行办理业务的主要原因是？（可多选）",
            "Why did you reduce or stop banking with us? (choose all that apply)",
            choices=_choices(LOST_REASONS),
            tag="lost_reason",
        ),
        _q(
            "competitor",
            "single",
            "您现在主要在哪家机构办理业务？",
            "Where do you mainly bank now?",
            choices=_choices(COMPETITORS),
            tag="competitor_chosen",
            required=False,
        ),
        _q(
            "vs_competitors",
            "rating",
            "与新选择的机构相比，本行的服务（1 = 差很多，5 = 好很多）",
            "Compared with the institution you chose, our service was (1 = much worse, 5 = much better)",
            aspect="competitor",
            tag="vs_competitors",
            required=False,
        ),
        _q(
            "win_back",
            "single",
            "如果我们改进，您愿意回来吗？",
            "Would you come back if we improved?",
            choices=_choices(back),
            tag="would_return",
        ),
        _q(
            "details",
            "text",
            "请告诉我们具体发生了什么，我们该如何改进？",
            "Please tell us what happened and how we could improve.",
            required=False,
        ),
    ]


TEMPLATES: list[dict] = [
    {
        "code": "relationship",
        "kind": "relationship",
        "title_zh": "客户关系满意度调查",
        "title_en": "Relationship satisfaction survey",
        "intro_zh": "请为以下各项打分：先评重要程度，再评本行的表现。约需 5 分钟，您的回答仅用于改进服务。",
        "intro_en": "Please rate how important each item is to you, then how well we do. About 5 minutes; "
        "your answers are used only to improve our service.",
        "questions": _relationship(),
    },
    {
        "code": "nps-loyalty",
        "kind": "nps",
        "title_zh": "客户推荐与忠诚度调查",
        "title_en": "Recommendation and loyalty survey",
        "intro_zh": "只需 1 分钟，感谢您的宝贵意见。",
        "intro_en": "One minute. Thank you for your opinion.",
        "questions": _loyalty(),
    },
    {
        "code": "touchpoints",
        "kind": "touchpoint",
        "title_zh": "服务渠道体验调查",
        "title_en": "Service channel experience survey",
        "intro_zh": "告诉我们哪些渠道对您最重要，以及您的使用体验。",
        "intro_en": "Tell us which channels matter most to you and how they work for you.",
        "questions": _touchpoints(),
    },
    {
        "code": "complaint-followup",
        "kind": "complaint_followup",
        "title_zh": "投诉处理回访",
        "title_en": "Complaint follow-up",
        "intro_zh": "感谢您此前向我们反映问题。请告诉我们处理得如何。",
        "intro_en": "Thank you for raising your concern with us. Please tell us how we handled it.",
        "questions": _complaint_followup(),
    },
    {
        "code": "lost-customer",
        "kind": "lost_customer",
        "title_zh": "客户离开原因访谈",
        "title_en": "Why you left: a short interview",
        "intro_zh": "我们很遗憾您减少了在本行的业务。您的意见将帮助我们改进。",
        "intro_en": "We are sorry to see you go. Your answers will help us improve.",
        "questions": _lost_customer(),
    },
]

MAIN_TEMPLATES = ("relationship", "nps-loyalty", "touchpoints")


def templates_install() -> dict[str, int]:
    """Create the shipped templates that are missing (idempotent: existing ones are left as edited)."""
    from tenure.surveys.models import Question, Survey

    created = 0
    with transaction.atomic():
        for spec in TEMPLATES:
            fields = {k: v for k, v in spec.items() if k not in ("code", "questions")}
            survey, fresh = Survey.objects.get_or_create(code=spec["code"], defaults={**fields, "is_template": True})
            if not fresh:
                continue
            created += 1
            Question.objects.bulk_create(
                [Question(survey=survey, position=n, **q) for n, q in enumerate(spec["questions"], start=1)]
            )
    return {"templates": len(TEMPLATES), "created": created}
