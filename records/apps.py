from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Records tracker"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .search.migrations_hook import repair_after_migrate

        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="records.search.repair_after_migrate")
