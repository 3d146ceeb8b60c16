"""Open alerts of scored customers take their customer's band as severity (one severity: issue 29).

Until now an alert kept its rule's own severity ("medium" at a 100 % probability); the queue, its
export and the 360° page now all read the band. New scores keep them in step (`follow_scores`).
"""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def severity_from_score(apps, schema_editor):
    Alert = apps.get_model("churn", "Alert")
    ChurnScore = apps.get_model("churn", "ChurnScore")
    band = ChurnScore.objects.filter(customer_id=OuterRef("customer_id")).values("band")[:1]
    Alert.objects.exclude(status="closed").filter(Exists(band)).update(severity=Subquery(band))


class Migration(migrations.Migration):
    dependencies = [("churn", "0003_score_reasons_deferred")]

    operations = [migrations.RunPython(severity_from_score, migrations.RunPython.noop)]
