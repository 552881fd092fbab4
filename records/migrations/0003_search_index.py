# Placeholder: the full-text index (SQLite FTS5 / PostgreSQL tsvector + GIN).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("records", "0002_seed_statutes")]
    operations = []
