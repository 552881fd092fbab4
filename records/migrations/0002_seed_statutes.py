"""Seed one Statute row per statute in the deadline engine's seed data (records.deadlines.DEFAULT_RULES)."""

from dataclasses import asdict

from django.db import migrations


def seed_statutes(apps, schema_editor):
    from records.deadlines import DEFAULT_RULES, Rule

    Statute = apps.get_model("records", "Statute")
    columns = {field.name for field in Statute._meta.get_fields()}
    for data in DEFAULT_RULES.values():
        values = {name: value for name, value in asdict(Rule(**data)).items() if name in columns}
        Statute.objects.get_or_create(code=values.pop("code"), defaults=values)


def unseed_statutes(apps, schema_editor):
    from records.deadlines import DEFAULT_RULES

    apps.get_model("records", "Statute").objects.filter(code__in=list(DEFAULT_RULES)).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(seed_statutes, unseed_statutes)]
