from django.core.management.base import BaseCommand

from records.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create a demo team, users, California and federal agencies, and about 30 ALPR requests."

    def handle(self, *args, **options):
        team = seed_demo()
        self.stdout.write(
            f"Demo team “{team.name}”: {team.requests.count()} requests. "
            f"Sign in as demo / reporter / reader with password {DEMO_PASSWORD}"
        )
