"""Seed 001's six root causes of complaints (客户抱怨的主要原因); administrators may edit or add more."""

from django.db import migrations

CAUSES = [
    ("product_mismatch", "金融产品和服务本身质量不符合客户的预期需要",
     "Product or service did not meet the customer's expectations"),
    ("staff_knowledge", "服务人员对金融产品和服务的知识不够", "Staff lacked knowledge of the product or service"),
    ("unclear_explanation", "对客户的说明不够清楚", "Explanation to the customer was unclear"),
    ("manners", "服务礼貌不周或讲话方式不当", "Impolite service or inappropriate way of speaking"),
    ("promise_broken", "服务承诺未兑现", "A service promise was not kept"),
    ("first_complaint_mishandled", "对客户第一次抱怨处理不当", "The customer's first complaint was handled badly"),
]


def seed(apps, schema_editor):
    RootCause = apps.get_model("complaints", "RootCause")
    for position, (code, zh, en) in enumerate(CAUSES, start=1):
        RootCause.objects.get_or_create(code=code, defaults={"label_zh": zh, "label_en": en, "position": position})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
