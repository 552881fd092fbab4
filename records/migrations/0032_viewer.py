# Issue 13: OCR by chunks of pages shared between workers (records/ingest/pipeline.py).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0031_merge_exemptions"),
    ]

    operations = [
        migrations.AddField(
            model_name="page",
            name="ocr_attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="page",
            name="ocr_claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
