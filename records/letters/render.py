"""Which template a letter uses, its text, and logging it as sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Communication, Event, LetterKind, LetterTemplate
from ..timeline_writes import log_communication, log_event
from .defaults import default_text
from .placeholders import NOT_RECORDED, PLACEHOLDER, LetterError, substitute, values_for

KINDS = tuple(LetterKind.values)
BLANK_RUN = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    # Placeholders the letter uses whose value is not known yet (e.g. the due date before the agency's
    # receipt date is entered): the letters page warns before anyone sends it.
    unknown_values: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Subject and body, as the command prints it and an email or portal takes it."""
        return f"Subject: {self.subject}\n\n{self.body}"


def find_template(team, statute, kind: str) -> LetterTemplate:
    """The team's template for this statute and kind, else the team's for the kind, else the shipped
    default for the statute, else for the kind (an unsaved one from defaults.py if none is stored)."""
    if kind not in KINDS:
        raise LetterError(f"“{kind}” is not a kind of letter. Choose one of: {', '.join(KINDS)}.")
    candidates = LetterTemplate.objects.filter(kind=kind).filter(
        Q(team=team) | Q(team__isnull=True), Q(statute=statute) | Q(statute__isnull=True)
    )
    ranked = sorted(candidates, key=lambda t: (t.team_id is None, t.statute_id is None, -t.pk))
    if ranked:
        return ranked[0]
    subject, body = default_text(kind, statute.code if statute else None)
    return LetterTemplate(kind=kind, subject=subject, body=body)


def render_template(template: LetterTemplate, records_request, *, requester_name="", today=None) -> Rendered:
    """Fill in one template for one request; no writes. LetterError when it cannot be filled in."""
    signer = requester_name or _default_requester(records_request)
    values = values_for(records_request, requester_name=signer, today=today)
    subject = " ".join(substitute(template.subject, values).split())
    body = BLANK_RUN.sub("\n\n", substitute(template.body, values)).strip() + "\n"
    used = dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(template.subject + template.body))
    unknown = tuple(name for name in used if values[name] == NOT_RECORDED)
    return Rendered(subject=subject, body=body, unknown_values=unknown)


def render_letter(records_request, kind: str, *, requester_name: str = "", today: date | None = None) -> Rendered:
    """The letter of this kind for the request, from its team's template for its statute; no writes."""
    template = find_template(records_request.team, records_request.statute, kind)
    return render_template(template, records_request, requester_name=requester_name, today=today)


def requester_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _default_requester(records_request) -> str:
    """Who signs when no user is given (the command): the assignee, else whoever created the request."""
    return requester_name(records_request.assignee or records_request.created_by)


def generate_letter(
    records_request, kind: str, *, user, when: date | None = None, channel: str = "email"
) -> tuple[Communication, Rendered]:
    """Render the letter and log it as an outgoing communication on the request's timeline.

    An initial letter is the sending of the request: it also logs a "Filed" event (when none is
    logged yet), which starts the clock (timeline_writes sets the sent and received dates).
    """
    when = when or timezone.localdate()
    rendered = render_letter(records_request, kind, requester_name=requester_name(user), today=when)
    agency = records_request.agency
    with transaction.atomic():
        event = None
        if kind == LetterKind.INITIAL and not records_request.events.filter(kind=Event.Kind.FILED).exists():
            event = log_event(
                records_request, user=user, kind=Event.Kind.FILED, date=when, channel=channel,
                note=f"Initial letter sent by {dict(Communication.CHANNEL_CHOICES)[channel].lower()}.",
            )  # fmt: skip
        comm = log_communication(
            records_request, user=user, direction=Communication.OUTGOING, channel=channel, date=when,
            sender=records_request.team.name, recipient=agency.email or agency.name,
            subject=rendered.subject[:500], body=rendered.body, event=event,
        )  # fmt: skip
    return comm, rendered
