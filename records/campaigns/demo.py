"""The demo desk's campaign: the same ALPR questions to ICE and the dozen California departments,
in varied states, so a newcomer opens a living board."""

from __future__ import annotations

import datetime as dt
import random

from .. import timeline_writes
from ..models import Agency, Campaign, Event
from . import plan

TITLE = "ALPR sharing: who sees California's plate reads (campaign)"
TEXT = (
    "To the {{ agency.records_officer }}, {{ agency.name }}:\n\n"
    "Under the {{ statute.name }} ({{ statute.citation }}), I request:\n"
    "1. Every agreement, MOU or contract under which {{ agency.abbreviation }} shares automated license plate "
    "reader (ALPR) data with any other agency, including federal agencies;\n"
    "2. The list of agencies with access to {{ agency.abbreviation }}'s ALPR data, and audit logs of their "
    "searches since January 2024."
)
# (days before today it was sent or None for not sent, [(days after sending, kind, outcome)])
STATES = [
    (None, []),
    (3, []),
    (40, []),  # overdue: no answer at all
    (25, [(2, "acknowledged", "")]),
    (30, [(3, "acknowledged", ""), (9, "extension", "")]),
    (45, [(4, "acknowledged", ""), (20, "final_response", "granted")]),
    (50, [(5, "acknowledged", ""), (28, "final_response", "partly_granted")]),
    (35, [(10, "final_response", "denied")]),
    (33, [(8, "final_response", "no_records")]),
    (60, [(12, "final_response", "denied"), (20, "appeal_filed", "")]),
    (20, [(6, "clarification_asked", "")]),
    (28, [(4, "fee_estimate", "")]),
    (55, []),  # overdue too
]


def seed_demo_campaign(team, user, agencies: list[Agency], today: dt.date, rng: random.Random) -> Campaign:
    """Safe to run twice: an existing demo campaign is left as it is."""
    existing = Campaign.objects.filter(team=team, title=TITLE).first()
    if existing is not None:
        return existing
    draft = plan.create_draft(
        plan.build_plan(title=TITLE, request_text=TEXT, filtered_agencies=agencies), team=team, user=user
    )
    campaign, _ = plan.confirm_draft(draft, plan.choices_from_post(draft.plan, {}), user=user)
    requests = list(campaign.requests.select_related("agency", "statute", "team").order_by("agency__name"))
    for records_request, (sent_ago, history) in zip(requests, STATES, strict=False):
        if sent_ago is None:
            continue
        sent = today - dt.timedelta(days=sent_ago)
        agency = records_request.agency
        filed = timeline_writes.log_event(records_request, user=user, kind=Event.Kind.FILED, date=sent, channel="email")
        timeline_writes.log_communication(
            records_request, user=user, direction="out", channel="email", date=sent, sender=team.name,
            recipient=agency.email or agency.name, subject=f"Public records request: {campaign.title}",
            body=records_request.body, event=filed,
        )  # fmt: skip
        for offset, kind, outcome in history:
            date = sent + dt.timedelta(days=offset + rng.randint(0, 1))
            event = timeline_writes.log_event(records_request, user=user, kind=kind, date=date, outcome=outcome)
            timeline_writes.log_communication(
                records_request, user=user, direction="in", channel="email", date=date,
                sender=agency.email or agency.name, recipient=team.name,
                subject=f"Re: {campaign.title} — {event.get_kind_display().lower()}",
                body=f"The {agency.name} writes regarding your request: {event.get_kind_display().lower()}.",
                event=event,
            )  # fmt: skip
    return campaign
