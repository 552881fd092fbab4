# Placeholder: filled in with the statute seed data (shared/statutes.md).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = []
