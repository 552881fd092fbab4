from django.core.management.base import BaseCommand, CommandError

from records.search import letters, rebuild_index
from records.search.engine import EngineUnavailable
from records.search.outbox import rebuild as rebuild_engine


class Command(BaseCommand):
    help = (
        "Re-create the full-text index where missing and re-derive it from every page, request and communication; "
        "then rebuild the ranking engine (SEARCH_ENGINE_DIR) from the pages, requests and communications."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument("--engine-only", action="store_true", help="Rebuild only the ranking engine.")

    def handle(self, *args, database, engine_only, **options):
        if not engine_only:
            counts = rebuild_index(using=database)
            for kind, count in counts.items():
                self.stdout.write(f"{kind}s\t{count}")
        try:
            pages = rebuild_engine()
            letter_counts = letters.rebuild()
        except EngineUnavailable as error:
            raise CommandError(f"{error} Stop the search worker, then run this again.") from None
        self.stdout.write(f"engine pages\t{pages}")
        for kind, count in letter_counts.items():
            self.stdout.write(f"engine {kind}s\t{count}")
