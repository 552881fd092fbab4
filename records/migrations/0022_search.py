import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rebuild_postgres_vectors(apps, schema_editor):
    """The generated tsvector gained a gap between its stemmed and unstemmed halves (for NEAR/n):
    re-derive it. SQLite's FTS5 tables are unchanged."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from records.search import postgres

    with schema_editor.connection.cursor() as cursor:
        postgres.rebuild(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0021_merge_pipeline"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedSearch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120)),
                ("query", models.CharField(max_length=500)),
                ("filters", models.TextField(blank=True, default="")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("alerted_through", models.BigIntegerField(default=0)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="saved_searches", to="records.team"
                    ),
                ),
            ],
            options={
                "ordering": ["name", "id"],
            },
        ),
        migrations.RunPython(rebuild_postgres_vectors, migrations.RunPython.noop, elidable=False),
    ]
