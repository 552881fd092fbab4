from datetime import timedelta

from django.core.management.base import BaseCommand

from records.ingest.store import clean_abandoned_uploads


class Command(BaseCommand):
    help = (
        "Remove the temporary files that killed uploads and workers left on this machine (in MEDIA_ROOT/incoming "
        "and the temporary directory), untouched for --older-than-hours. Stored files are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would go; remove nothing")
        parser.add_argument("--older-than-hours", type=float, default=6.0)

    def handle(self, *args, dry_run, older_than_hours, **options):
        paths = clean_abandoned_uploads(timedelta(hours=older_than_hours), dry_run=dry_run)
        for path in paths:
            self.stdout.write(str(path))
        verb = "would remove" if dry_run else "removed"
        self.stderr.write(f"{verb} {len(paths)} abandoned temporary file(s)")
