from django.db import migrations


def rebuild_letter_vectors(apps, schema_editor):
    """PostgreSQL's vector of a request (title, body) and a communication (subject, body) gained a
    gap between the two columns, so a phrase or NEAR no longer joins them: re-derive those two.
    Pages have one column (unchanged); SQLite's FTS5 columns never joined."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from records.search import postgres
    from records.search.sources import COMMUNICATIONS, REQUESTS

    with schema_editor.connection.cursor() as cursor:
        postgres.rebuild(cursor, sources=(REQUESTS, COMMUNICATIONS))


class Migration(migrations.Migration):
    dependencies = [("records", "0039_letters_engine")]

    operations = [migrations.RunPython(rebuild_letter_vectors, migrations.RunPython.noop, elidable=False)]
