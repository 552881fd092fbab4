from django.db import migrations


def rebuild_postgres_vectors(apps, schema_editor):
    """The generated tsvector gained a gap between its stemmed and unstemmed halves (for NEAR/n):
    re-derive it. SQLite's FTS5 tables are unchanged."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from records.search import postgres

    with schema_editor.connection.cursor() as cursor:
        postgres.rebuild(cursor)


class Migration(migrations.Migration):
    dependencies = [("records", "0021_merge_pipeline")]

    operations = [
        migrations.RunPython(rebuild_postgres_vectors, migrations.RunPython.noop, elidable=False),
    ]
