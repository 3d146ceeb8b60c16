"""The default staff-satisfaction questionnaire (seed 000, 内部顾客: every employee is an internal
customer whose service level decides the service external customers get), in Chinese and English.

A survey for staff: its waves invite staff by branch and role, answers are anonymous and shown per
branch from five answers on (docs/surveys.md, "Staff surveys"). Its attributes are labelled by
`catalog.STAFF_ATTRIBUTES`. The texts are copied here, not imported, so this migration keeps meaning
what it meant when it ran; `seed` is also called by the tests (tests/conftest.py).
"""

from django.db import migrations

CODE = "staff-satisfaction"
INTRO_ZH = (
    "本问卷为匿名调查：结果只按网点汇总，回答少于 5 份的网点不单独显示，任何页面都不会显示答卷人的姓名。约需 3 分钟。"
)
INTRO_EN = (
    "This survey is anonymous: results are shown per branch only, a branch with fewer than 5 answers is not shown"
    " on its own, and no page ever shows who answered. About 3 minutes."
)
# (code, text zh, text en, attribute)
RATINGS = [
    (
        "tools",
        "您对完成工作所需的系统、设备和工具满意吗？",
        "How satisfied are you with the systems, equipment and tools you need for your work?",
        "staff_tools",
    ),
    (
        "support",
        "您对后台和上级部门响应您服务顾客需要的速度满意吗？",
        "How satisfied are you with how fast the back office and head office respond when you serve a customer?",
        "staff_support",
    ),
    (
        "training",
        "您对得到的业务培训满意吗？",
        "How satisfied are you with the training you get for your job?",
        "staff_training",
    ),
    (
        "recognition",
        "您对出色服务得到的认可和奖励满意吗？",
        "How satisfied are you with how good service is recognised and rewarded?",
        "staff_recognition",
    ),
    (
        "workload",
        "您对工作量和排班安排满意吗？",
        "How satisfied are you with your workload and rota?",
        "staff_workload",
    ),
    (
        "teamwork",
        "您对同事之间的支持与配合满意吗？",
        "How satisfied are you with the support and cooperation between colleagues?",
        "staff_teamwork",
    ),
    (
        "empowerment",
        "您对自己为顾客解决问题、不被流程卡住的权限满意吗？",
        "How satisfied are you with your freedom to solve customers' problems without being blocked by procedures?",
        "staff_empowerment",
    ),
]
OBSTACLES = [
    ("systems", "系统或设备不好用", "Systems or equipment"),
    ("procedures", "流程和手续繁琐", "Procedures and paperwork"),
    ("staffing", "人手不足、排队过长", "Too few staff, long queues"),
    ("training", "培训不足", "Not enough training"),
    ("support", "其他部门支持不够", "Too little support from other departments"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor) -> None:
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    survey, fresh = Survey.objects.get_or_create(
        code=CODE,
        defaults={
            "kind": "staff",
            "audience": "staff",
            "is_template": True,
            "title_zh": "员工满意度调查（内部顾客）",
            "title_en": "Staff satisfaction survey (internal customers)",
            "intro_zh": INTRO_ZH,
            "intro_en": INTRO_EN,
        },
    )
    if not fresh:
        return
    questions = [
        {
            "code": "enps",
            "kind": "nps",
            "text_zh": "您有多大可能向亲友推荐本行作为工作单位？（0 = 完全不可能，10 = 非常可能）",
            "text_en": "How likely are you to recommend us to a friend as a place to work?"
            " (0 = not at all, 10 = extremely)",
            "tag": "nps",
        }
    ]
    questions += [
        {"code": code, "kind": "rating", "text_zh": zh, "text_en": en, "attribute": attribute, "aspect": "performance"}
        for code, zh, en, attribute in RATINGS
    ]
    questions += [
        {
            "code": "overall",
            "kind": "rating",
            "text_zh": "总体而言，您对在本行工作满意吗？",
            "text_en": "Overall, how satisfied are you with working here?",
            "tag": "overall_satisfaction",
        },
        {
            "code": "obstacle",
            "kind": "single",
            "text_zh": "妨碍您为顾客提供好服务的最大障碍是什么？",
            "text_en": "What most gets in the way of serving customers well?",
            "choices": [{"code": c, "zh": zh, "en": en} for c, zh, en in OBSTACLES],
            "required": False,
        },
        {
            "code": "comment",
            "kind": "text",
            "text_zh": "有什么建议能帮助您更好地服务顾客？（请勿填写姓名或客户信息）",
            "text_en": "What would help you serve customers better? (Please leave out names and customer details.)",
            "required": False,
        },
    ]
    Question.objects.bulk_create([Question(survey=survey, position=n, **q) for n, q in enumerate(questions, start=1)])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_staff_surveys")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
