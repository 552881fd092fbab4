from django.core.management.base import BaseCommand

from records.search import rebuild_index


class Command(BaseCommand):
    help = "Re-create the full-text index where missing and re-derive it from every page, request and communication."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        counts = rebuild_index(using=database)
        for kind, count in counts.items():
            self.stdout.write(f"{kind}s\t{count}")
