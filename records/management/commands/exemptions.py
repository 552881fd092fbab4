import json

from django.core.management.base import BaseCommand

from records.ingest.errors import IngestError
from records.review.files import citations_in_file


class Command(BaseCommand):
    help = "Print the exemption citations on each page of each file (PDF, TIFF, JPEG, PNG; OCR where needed)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--json", action="store_true", help="Print a JSON list, one item per page.")

    def handle(self, *args, paths, **options):
        pages, failed = [], False
        for path in paths:
            try:
                for page in citations_in_file(path):
                    pages.append(page)
                    if not options["json"]:
                        self.stdout.write(page.as_line())
            except IngestError as error:
                self.stderr.write(f"{path}: {error.message}")
                failed = True
        if options["json"]:
            self.stdout.write(json.dumps([page.as_json() for page in pages], ensure_ascii=False, indent=2))
        if failed:
            raise SystemExit(2)
