"""The ranking engine's second index, for requests and communications (records/search/letters.py).

Triggers on both tables queue every insert, text change and delete in SearchOutbox (its two new
targets), and every row there is now queued once, so the search worker fills the new index from
the outbox it already drains (or `rebuild_search_index --engine-only` does it at once). Until
the index holds anything, search_requests ranks in the database as before.
"""

from django.db import migrations, models

from records.search import letter_triggers

QUEUE_EVERY_ROW = """
    INSERT INTO records_searchoutbox (target, target_id, queued_at)
    SELECT %s, id, CURRENT_TIMESTAMP FROM {table} ORDER BY id
"""


def install(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        letter_triggers.install(cursor, connection.vendor, request_column=False)  # 0041 adds the column
        for table, (target, _) in letter_triggers.WATCHED.items():
            cursor.execute(QUEUE_EVERY_ROW.format(table=table), [target])


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        letter_triggers.uninstall(cursor, connection.vendor)
        cursor.execute("DELETE FROM records_searchoutbox WHERE target IN ('req_text', 'letter')")


class Migration(migrations.Migration):
    dependencies = [("records", "0038_membership_statistics")]

    operations = [
        migrations.AlterField(
            model_name="searchoutbox",
            name="target",
            field=models.CharField(
                choices=[
                    ("document", "Document (re-index its pages)"),
                    ("request", "Request (drop its pages)"),
                    ("team", "Team (drop its pages)"),
                    ("req_text", "Request (re-index its title and text)"),
                    ("letter", "Communication (re-index)"),
                ],
                max_length=10,
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
