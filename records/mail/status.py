"""Who must hear that a mailbox stopped working (the reminder digest lists it until it is fixed)."""

from collections import defaultdict

from records.models import Mailbox, Membership


def failing_mailboxes_by_member() -> dict:
    """{user: [mailbox, …]}: every member of a team whose mailbox is failing."""
    found: dict = defaultdict(list)
    for mailbox in Mailbox.objects.filter(failing_since__isnull=False).select_related("team"):
        for membership in Membership.objects.filter(team=mailbox.team).select_related("user"):
            found[membership.user].append(mailbox)
    return found
