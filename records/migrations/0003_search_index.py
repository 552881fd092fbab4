# The full-text index: SQLite FTS5 tables kept in step by triggers, or PostgreSQL generated
# tsvector columns with GIN indexes. The DDL lives in records/search/{sqlite,postgres}.py and is
# shared with `rebuild_search_index`; it is idempotent (IF NOT EXISTS).
from django.db import migrations


def install(apps, schema_editor):
    from records.search import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection.vendor).install(cursor)


def uninstall(apps, schema_editor):
    from records.search import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection.vendor).uninstall(cursor)


class Migration(migrations.Migration):
    dependencies = [("records", "0002_seed_statutes")]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
