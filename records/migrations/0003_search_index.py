# The full-text index: SQLite FTS5 tables kept in step by triggers, or PostgreSQL generated
# tsvector columns with GIN indexes. The DDL lives in records/search/{sqlite,postgres}.py and is
# shared with `rebuild_search_index`; it is idempotent (IF NOT EXISTS).
from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate

THIS = ("records", "0003_search_index")


def install(apps, schema_editor):
    from records.search import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection.vendor).install(cursor)


def uninstall(apps, schema_editor):
    from records.search import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection.vendor).uninstall(cursor)


def repair_after_migrate(sender, using, verbosity=1, **kwargs):
    """On SQLite a later migration that adds or alters a column of pages, requests or
    communications rebuilds the table, which drops our triggers: put them back (and re-read
    that table into the index) after every `migrate`. Connected here, where every `migrate`
    loads it, rather than in signals spread elsewhere; RecordsConfig.ready() is the other home.
    """
    if sender.name != "records":
        return
    from django.db import connections

    from records.search import repair_index

    if THIS not in MigrationRecorder(connections[using]).applied_migrations():
        return  # not installed yet, or migrated back below this on purpose
    repaired = repair_index(using)
    if repaired and verbosity:
        print(f"  Rebuilt the search index for: {', '.join(repaired)} (a migration had dropped part of it)")


post_migrate.connect(repair_after_migrate, dispatch_uid="records.search.repair_after_migrate", weak=False)


class Migration(migrations.Migration):
    dependencies = [("records", "0002_seed_statutes")]
    operations = [migrations.RunPython(install, uninstall, elidable=False)]
