"""PostgreSQL: keep the planner's statistics of the membership and team tables current.

Every visible_to(user) joins through records_membership. PostgreSQL's autovacuum analyzes a table
only after 50 changed rows (plus 10 % of it), and a desk has a few dozen memberships at most: the
table was never analyzed, the planner guessed how many requests a user's teams hold, and read the
20 hits of a search back by hashing every document of those teams (19 ms at 20,000 documents,
growing with the desk) instead of looking the 20 up (0.4 ms). With no threshold, autovacuum
analyzes these small tables within a minute of any change. SQLite has no such planner statistics.
"""

from django.db import migrations

TABLES = ("records_membership", "records_team")


def _on_postgres(*statements: str):
    """A migration step running each statement for each table, on PostgreSQL only."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for table in TABLES:
                for statement in statements:
                    cursor.execute(statement.format(table=table))

    return run


analyze_on_every_change = _on_postgres(
    "ALTER TABLE {table} SET (autovacuum_analyze_threshold = 0, autovacuum_analyze_scale_factor = 0)",
    "ANALYZE {table}",
)
default_thresholds = _on_postgres(
    "ALTER TABLE {table} RESET (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor)"
)


class Migration(migrations.Migration):
    dependencies = [("records", "0037_merge_search_engine")]

    operations = [migrations.RunPython(analyze_on_every_change, default_thresholds)]
