"""Reminder digests: each morning, each assignee gets what falls due soon and what is overdue.

Idempotent: a DigestSent row per user per day is claimed before the mail goes out, so a second run
the same day (a retried task, a second beat) sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .mail.status import failing_mailboxes_by_member
from .models import DigestSent, RecordsRequest, Team
from .search.saved import digest_alerts, mark_announced


def digest_items(today: dt.date) -> dict:
    """{user: {"overdue": [...], "due_soon": [...], "appeal_closing": [...]}} across all teams."""
    items: dict = defaultdict(lambda: {"overdue": [], "due_soon": [], "appeal_closing": []})
    for team in Team.objects.all():
        horizon = today + dt.timedelta(days=team.reminder_days)
        # Checked at send time: someone who left the team gets nothing of its, even if an assignment remained.
        requests = (
            RecordsRequest.objects.for_team(team)
            .filter(assignee__memberships__team=team)
            .select_related("agency", "assignee")
        )
        for r in requests.open().filter(due_date__isnull=False, due_date__lte=horizon).order_by("due_date"):
            items[r.assignee]["overdue" if r.due_date < today else "due_soon"].append(r)
        closing = requests.filter(appeal_window_closes__gte=today, appeal_window_closes__lte=horizon)
        for r in closing.exclude(status__in=["appealed", "appeal_decided", "litigation", "withdrawn", "closed"]):
            items[r.assignee]["appeal_closing"].append(r)
    return items


def send_reminder_digests(today: dt.date | None = None) -> int:
    """Send today's digests; returns how many were sent (0 on a second run the same day)."""
    today = today or timezone.localdate()
    sent = 0
    items = digest_items(today)
    for user, alerts in digest_alerts().items():
        items[user]["saved_searches"] = alerts  # "3 new pages mention Vigilant (ALPR 2026)"
    for user, mailboxes in failing_mailboxes_by_member().items():
        items[user]["mail_failing"] = mailboxes  # until the mailbox settings are fixed
    for user, groups in items.items():
        count = sum(len(v) for v in groups.values())
        if not count or not user.email:
            continue
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=user, day=today, item_count=count)
                body = render_to_string("records/email/digest.txt", {"user": user, "today": today, **groups})
                subject = f"Records deadlines: {len(groups['overdue'])} overdue, {len(groups['due_soon'])} due soon"
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
                mark_announced(groups.get("saved_searches", []))  # only once the digest went out
        except IntegrityError:
            continue  # already sent today
        sent += 1
    return sent
