import json
from datetime import date

from django.core.management.base import BaseCommand

from records.deadlines import DEFAULT_RULES
from records.ingest.errors import IngestError
from records.letter_reader import read_letter
from records.letter_reader.files import letter_text


class Command(BaseCommand):
    help = (
        "Read an agency letter or message (PDF with OCR where needed, .eml, .msg, .docx, text) and print the "
        "events it proposes: kind<TAB>date or -<TAB>citation or -<TAB>supporting sentence. What could not be "
        "read goes to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH")
        parser.add_argument("--statute", default="", help="The request's statute code (CPRA, FOIA, IL-FOIA…).")
        parser.add_argument("--date", default="", help="The letter's date (YYYY-MM-DD) where the text has none.")
        parser.add_argument("--received", default="", help="When the agency received the request (YYYY-MM-DD).")
        parser.add_argument("--json", action="store_true", help="Print a JSON list of proposals.")

    def handle(self, *args, path, statute, json: bool, **options):
        statute = statute.upper()
        if statute and statute not in DEFAULT_RULES:
            self._fail(f"Unknown statute {statute!r}. Known: {', '.join(sorted(DEFAULT_RULES))}.")
        letter_date, received = self._date(options["date"], "--date"), self._date(options["received"], "--received")
        try:
            letter = letter_text(path)
        except IngestError as error:
            self._fail(error.message)
        reading = read_letter(
            letter.text, letter_date=letter_date or letter.date, statute=statute, received=received,
            scanned=letter.scanned,
        )  # fmt: skip
        if json:
            self.stdout.write(_json([p.to_dict() for p in reading.proposals]))
        else:
            for p in reading.proposals:
                shown = p.shown_date.isoformat() if p.shown_date else "-"
                self.stdout.write(f"{p.kind}\t{shown}\t{'; '.join(p.citations) or '-'}\t{p.evidence}")
                if p.statute_note:
                    self.stdout.write(f"\t\t\t{p.statute_note}")
        for note in reading.unread:
            self.stderr.write(f"Not read: {note}")

    def _date(self, value: str, option: str) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self._fail(f"{option} must be a date written YYYY-MM-DD, not {value!r}.")

    def _fail(self, message: str):
        self.stderr.write(message)
        raise SystemExit(2)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
