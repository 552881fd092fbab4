"""An iCalendar feed of a user's deadlines, behind a secret token URL they can revoke."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from icalendar import Calendar, Event

from .models import RecordsRequest

KINDS = [
    ("due_date", "Due"),
    ("appeal_window_closes", "Appeal window closes"),
    ("appeal_decision_due", "Appeal decision due"),
]


def deadline_calendar(user, *, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Records tracker//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Records deadlines")
    stamp = timezone.now()
    requests = RecordsRequest.objects.visible_to(user).select_related("agency")
    for r in requests.exclude(
        due_date__isnull=True, appeal_window_closes__isnull=True, appeal_decision_due__isnull=True
    ):
        for field, label in KINDS:
            day = getattr(r, field)
            if day is None or (field == "due_date" and not r.is_open):
                continue
            if field == "due_date" and r.due_is_internal:
                label = "Internal target"
            event = Event()
            event.add("uid", f"{field}-{r.pk}@records-tracker")
            event.add("summary", f"{label}: {r.title} ({r.agency})")
            event.add("dtstart", day)
            event.add("dtend", day + dt.timedelta(days=1))
            event.add("dtstamp", stamp)
            event.add("url", f"{base_url}{r.get_absolute_url()}")
            event.add(
                "description",
                "Computed from the statute's rules; not legal advice. The working is on the request page.",
            )
            cal.add_component(event)
    return cal.to_ical()
