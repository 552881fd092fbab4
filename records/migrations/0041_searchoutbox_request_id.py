"""The letters' outbox rows name their request, so a search waits for the worker only when its
own scope has rows queued (letters.waiting): one team's mail import no longer sends every team's
letter search to the database. The triggers are re-created to fill the column; rows queued
before it keep a null request, which every scope waits for until the worker drains them."""

from django.db import migrations, models

from records.search import letter_triggers


def _triggers(request_column: bool):
    def reinstall(apps, schema_editor):
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            letter_triggers.uninstall(cursor, connection.vendor)
            letter_triggers.install(cursor, connection.vendor, request_column=request_column)

    return reinstall


class Migration(migrations.Migration):
    dependencies = [("records", "0040_postgres_letter_column_gap")]

    operations = [
        migrations.AddField(
            model_name="searchoutbox",
            name="request_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(_triggers(request_column=True), _triggers(request_column=False)),
    ]
