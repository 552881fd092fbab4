"""What the letter reader proposes from an agency's letter, waiting for a person to confirm it.

A proposal never touches the timeline by itself: confirming it (records/proposals.py) logs the event
through records.timeline_writes. Re-reading the same letter finds the same proposals (unique by the
letter, the kind and the sentence), so nothing is proposed twice.
"""

from django.conf import settings
from django.db import models

from .requests import Event
from .teams import TeamScopedQuerySet


class ProposalQuerySet(TeamScopedQuerySet):
    team_path = "request__team"

    def pending(self):
        return self.filter(status=Proposal.Status.PROPOSED)


class Proposal(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CONFIRMED = "confirmed", "Confirmed"
        EDITED = "edited", "Edited and confirmed"
        REJECTED = "rejected", "Rejected"

    request = models.ForeignKey("records.RecordsRequest", on_delete=models.CASCADE, related_name="proposals")
    communication = models.ForeignKey(
        "records.Communication", null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    document = models.ForeignKey(
        "records.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    first_page = models.PositiveIntegerField(
        null=True, blank=True, help_text="The document's pages read as the letter."
    )
    last_page = models.PositiveIntegerField(null=True, blank=True)
    # "communication:12" or "document:34": the letter, whichever kind of thing it is.
    source_key = models.CharField(max_length=40)
    kind = models.CharField(max_length=30, choices=Event.Kind.choices)
    # As read: date, promised_date, outcome, amount, tracking_number, citations (ISO dates, amounts as text).
    fields = models.JSONField(default=dict, blank=True)
    evidence = models.TextField(help_text="The sentence of the letter the proposal rests on.")
    evidence_key = models.CharField(
        max_length=64, help_text="sha256 of the evidence: the same sentence, the same proposal."
    )
    statute_note = models.TextField(blank=True, help_text="The promised date against what the statute allows.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source_key", "kind", "evidence_key"], name="one_proposal_per_sentence")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PROPOSED

    @property
    def outcome_label(self) -> str:
        return str(dict(Event.Outcome.choices).get(self.fields.get("outcome") or "", ""))


class LetterReadingQuerySet(TeamScopedQuerySet):
    team_path = "request__team"


class LetterReading(models.Model):
    """The last reading of one letter: what the reader could not read, shown beside its proposals."""

    request = models.ForeignKey("records.RecordsRequest", on_delete=models.CASCADE, related_name="letter_readings")
    communication = models.ForeignKey(
        "records.Communication", null=True, blank=True, on_delete=models.CASCADE, related_name="letter_readings"
    )
    document = models.ForeignKey(
        "records.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="letter_readings"
    )
    source_key = models.CharField(max_length=40, unique=True)
    unread = models.JSONField(default=list, blank=True, help_text="What could not be read, in plain sentences.")
    read_at = models.DateTimeField(auto_now=True)

    objects = LetterReadingQuerySet.as_manager()

    class Meta:
        ordering = ["read_at", "id"]

    def __str__(self) -> str:
        return f"Reading of {self.source_key}"
