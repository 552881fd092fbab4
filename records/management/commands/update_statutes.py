"""python manage.py update_statutes [--apply] [--force CODE ...] [--recompute] [--json]

Compares the shipped statute data (records/statute_data.py) with the seeded Statute rows and prints the
difference field by field. Writes it only with --apply; a row edited locally is skipped unless named with
--force. With --recompute, every open request's stored deadlines are derived again (after a release that
changes the engine or a holiday calendar). An unknown code: a message on stderr, exit status 2.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from records import statute_data
from records.statute_updates import UnknownStatute, apply_updates, check_codes, describe, plan_updates
from records.timeline import recompute_open_requests

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Show (and with --apply, write) the corrections in the shipped statute data."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="write the changes (default: only show them)")
        parser.add_argument(
            "--force", nargs="+", default=[], metavar="CODE", help="replace these statutes even if edited locally"
        )
        parser.add_argument(
            "--recompute", action="store_true", help="also recompute every open request (after an engine release)"
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of lines")

    def handle(self, *args, **options):
        force = [code.upper() for code in options["force"]]
        try:
            check_codes(force)
        except UnknownStatute as error:
            raise CommandError(str(error), returncode=USAGE_ERROR)
        plan = plan_updates()
        if options["apply"]:
            apply_updates(plan, force=force)
        recomputed = recompute_open_requests() if options["recompute"] else None
        if options["json"]:
            self.stdout.write(json.dumps([update.to_dict() for update in plan], indent=2, default=str))
            return
        self.stdout.write(f"Shipped statute data, version {statute_data.DATA_VERSION}.")
        if not plan:
            self.stdout.write("Every seeded statute matches the shipped data: nothing to update.")
        for update in plan:
            self.stdout.write("\n".join(describe(update)))
        if plan and not options["apply"]:
            self.stdout.write("Nothing written: run again with --apply to write these changes.")
        if recomputed is not None:
            self.stdout.write(f"Recomputed {recomputed} open requests.")
