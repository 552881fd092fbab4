from django.core.management.base import BaseCommand, CommandError

from records.ingest.intake import (
    ImportProblem,
    files_to_import,
    import_file,
    members_of,
    request_for_import,
    result_line,
)
from records.search.outbox import drain_now
from records.tasks import submit_document


class Command(BaseCommand):
    help = (
        "Store released files on a request and extract their text (queued for the worker, or now with --sync). "
        "Prints one line a file: document_id, state, pages, original name, error or -."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files (PDF, image, ZIP, .eml) or folders.")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--request", type=int, metavar="ID", help="Add the files to this request.")
        target.add_argument("--new-request", metavar="TITLE", help="Create a request (agency unknown) for them.")
        parser.add_argument("--team", metavar="SLUG", help="The team of the new request (default: the only team).")
        parser.add_argument("--sync", action="store_true", help="Extract and OCR before returning, without a worker.")

    def handle(self, *args, **options):
        try:
            request = request_for_import(
                request_id=options["request"], new_title=options["new_request"], team_slug=options["team"]
            )
        except ImportProblem as problem:
            raise CommandError(str(problem), returncode=2) from None
        unrecorded = 0
        for path in files_to_import(options["paths"]):
            try:
                document, created = import_file(request, path, sync=options["sync"], submit=submit_document)
            except OSError as exc:
                self.stderr.write(f"{path}: cannot read it ({exc.strerror or exc}); skipped.")
                unrecorded += 1
                continue
            self.stdout.write(result_line(document))
            if not created:
                self.stderr.write(f"{path}: already on request {request.pk} as document {document.pk}.")
            if options["sync"]:
                for member in members_of(document):
                    self.stdout.write(result_line(member))
        if options["sync"]:
            drain_now()  # issue 15: searchable by the engine when we return, worker or not
        if unrecorded:
            raise CommandError(f"{unrecorded} file(s) could not be read.", returncode=1)
