"""Keeping the SQLite index whole across migrations."""

from django.db.migrations.recorder import MigrationRecorder

INDEX_MIGRATION = ("records", "0003_search_index")
LETTERS_MIGRATION = ("records", "0039_letters_engine")


def repair_after_migrate(sender, using, verbosity=1, **kwargs):
    """On SQLite a later migration that adds or alters a column of pages, requests or
    communications rebuilds the table, which drops our triggers: put them back (and re-read
    that table into the index) after every `migrate`. Connected in RecordsConfig.ready().
    """
    if sender.name != "records":
        return
    from django.db import connections

    from records.search import letter_triggers, repair_index

    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    if INDEX_MIGRATION not in applied:
        return  # not installed yet, or migrated back below this on purpose
    repaired = repair_index(using)
    if LETTERS_MIGRATION in applied:
        with connection.cursor() as cursor:
            request_column = letter_triggers.REQUEST_COLUMN_MIGRATION in applied
            if letter_triggers.repair(cursor, connection.vendor, request_column=request_column):
                repaired.append("the letters' engine triggers")
    if repaired and verbosity:
        print(f"  Rebuilt the search index for: {', '.join(repaired)} (a migration had dropped part of it)")
