"""python manage.py letter REQUEST_ID --kind initial|follow_up|appeal|fee_waiver|expedited [--pdf OUT.pdf]

Prints the letter's text (subject, then body) from the team's template for the request's statute, with
no placeholder left; --pdf also writes the printable PDF. An unknown request or kind: exit status 2.
Nothing is logged on the timeline (the request page's "Log as sent" does that).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from records.letters import KINDS, LetterError, render_letter
from records.letters.pdf import letter_pdf
from records.models import RecordsRequest

USAGE_ERROR = 2  # DESIGN.md, command-line surface


class Command(BaseCommand):
    help = "Print a letter for a request (and write its PDF with --pdf)."

    def add_arguments(self, parser):
        parser.add_argument("request_id")
        parser.add_argument("--kind", required=True, help=" | ".join(KINDS))
        parser.add_argument("--pdf", metavar="OUT.pdf")

    def handle(self, request_id, kind, pdf=None, **options):
        records_request = (
            RecordsRequest.objects.select_related("team", "agency", "statute")
            .filter(pk=int(request_id) if request_id.isdigit() else None)
            .first()
        )
        if records_request is None:
            raise CommandError(f"no request with id {request_id!r}", returncode=USAGE_ERROR)
        if kind not in KINDS:
            raise CommandError(f"unknown kind {kind!r} (known: {', '.join(KINDS)})", returncode=USAGE_ERROR)
        try:
            rendered = render_letter(records_request, kind)
        except LetterError as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(rendered.text, ending="")
        if pdf:
            Path(pdf).write_bytes(letter_pdf(rendered, records_request.team))
