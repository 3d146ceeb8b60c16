from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="importedfile",
            name="control_sha256",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
    ]
