from django.core.management.base import BaseCommand, CommandError

from records.models import Document, RecordsRequest
from records.review.citations import backfill


class Command(BaseCommand):
    help = "Find the exemption citations on pages already stored (pages written before issue 14, or after a pattern change)."

    def add_arguments(self, parser):
        parser.add_argument("--request", type=int, metavar="ID", help="Only this request's documents.")

    def handle(self, *args, request, **options):
        documents = Document.objects.order_by("pk")
        if request is not None:
            if not RecordsRequest.objects.filter(pk=request).exists():
                raise CommandError(f"No request with the id {request}.", returncode=2)
            documents = documents.filter(request_id=request)
        pages, citations = backfill(documents)
        self.stdout.write(f"Read {pages:,} pages: {citations:,} citations found.")
