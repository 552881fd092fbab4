from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from records.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create a demo team, users, California and federal agencies, and about 30 ALPR requests."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (the demo users share a published password)."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this looks like a production site: seed_demo would add users whose password "
                "is published in the README. Run it with --force if you really mean to.",
                returncode=2,
            )
        team = seed_demo()
        self.stdout.write(
            f"Demo team “{team.name}”: {team.requests.count()} requests. "
            f"Sign in as demo / reporter / reader with password {DEMO_PASSWORD}"
        )
