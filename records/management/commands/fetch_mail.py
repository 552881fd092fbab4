"""Fetch and file new mail now: what the beat task does every minute, for one team or all."""

from django.core.management.base import BaseCommand, CommandError

from records.mail.fetch import fetch_mailbox
from records.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new mail from the teams' mailboxes and file it on requests (or into triage)."

    def add_arguments(self, parser):
        parser.add_argument("--team", help="Only this team's mailbox (its slug).")
        parser.add_argument(
            "--batch", type=int, help="At most this many messages per mailbox (default MAIL_FETCH_BATCH)."
        )

    def handle(self, *args, team=None, batch=None, **options):
        mailboxes = Mailbox.objects.filter(active=True).select_related("team").order_by("pk")
        if team:
            mailboxes = mailboxes.filter(team__slug=team)
            if not mailboxes.exists():
                raise CommandError(f"Team {team!r} has no active mailbox.")
        for mailbox in mailboxes:
            result = fetch_mailbox(mailbox.pk, batch=batch)
            if result.busy:
                line = "busy: another fetch is running"
            else:
                line = f"downloaded {result.downloaded}, filed {result.filed}, triage {result.triaged}"
                if result.error:
                    line += f"; {result.error}"
            self.stdout.write(f"{mailbox.team.slug}\t{line}")
