from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .search_engine import NudgesSearchWorker, ReindexedWhenMoved, SearchOutbox
from .teams import TeamScopedQuerySet


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    FILED = "filed", "Filed"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    AWAITING_REQUESTER = "awaiting_requester", "Awaiting our clarification"
    FEE_PENDING = "fee_pending", "Fee estimate pending"
    PROCESSING = "processing", "Processing"
    PARTIAL = "partial", "Partial release"
    GRANTED = "granted", "Granted"
    PARTLY_GRANTED = "partly_granted", "Partly granted"
    DENIED = "denied", "Denied"
    NO_RECORDS = "no_records", "No records"
    APPEALED = "appealed", "Appeal pending"
    APPEAL_DECIDED = "appeal_decided", "Appeal decided"
    LITIGATION = "litigation", "In litigation"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    Status.DRAFT, Status.FILED, Status.ACKNOWLEDGED, Status.AWAITING_REQUESTER,
    Status.FEE_PENDING, Status.PROCESSING, Status.PARTIAL, Status.APPEALED, Status.LITIGATION,
)  # fmt: skip


class Tag(models.Model):
    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="tag_unique_per_team")]

    def __str__(self) -> str:
        return self.name


class RecordsRequestQuerySet(TeamScopedQuerySet):
    team_path = "team"

    def delete(self):
        """Delete these requests (their documents and pages by cascade); their pages leave the
        ranking engine too (records/search/outbox.py), queued in this transaction."""
        with transaction.atomic(using=self.db):
            SearchOutbox.queue(SearchOutbox.REQUEST, self.order_by().values_list("pk", flat=True))
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True  # as_manager() must not offer RecordsRequest.objects.delete()

    def update(self, **kwargs):
        """As QuerySet.update; moving requests to another team re-indexes their pages (the engine
        files each page under its team), queued in this transaction."""
        if not {"team", "team_id"} & set(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            _queue_documents_of(self.order_by().values("pk"))
            return super().update(**kwargs)

    update.alters_data = True

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def due_within(self, days: int, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__gte=today, due_date__lte=today + timezone.timedelta(days=days))

    def with_list_data(self):
        """What the request list shows, in a fixed number of queries."""
        return self.select_related("agency", "statute", "assignee").prefetch_related("tags", "tracking_numbers")


class RecordsRequest(NudgesSearchWorker, ReindexedWhenMoved, models.Model):
    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="requests")
    title = models.CharField(max_length=300)
    agency = models.ForeignKey("records.Agency", on_delete=models.PROTECT, related_name="requests")
    statute = models.ForeignKey("records.Statute", on_delete=models.PROTECT, related_name="requests")
    body = models.TextField("text sent", blank=True)
    reference = models.CharField("our reference", max_length=100, blank=True)
    sent_date = models.DateField(null=True, blank=True)
    received_date = models.DateField(
        "received by agency", null=True, blank=True, help_text="When the agency received it (deemed received)."
    )
    # Set when the received date was defaulted from the sent date (email/portal: same day); the page
    # shows it as an assumption to correct. Cleared when someone enters the date.
    received_is_assumed = models.BooleanField(default=False, editable=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_requests"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="requests")
    project = models.CharField("project / story", max_length=200, blank=True)
    fee_estimate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    fee_waiver_requested = models.BooleanField(default=False)
    fee_paid = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    expedited_requested = models.BooleanField(default=False)
    campaign = models.ForeignKey(
        "records.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )

    # Derived from the events by records.timeline.recompute(); never typed by hand.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    due_date = models.DateField(null=True, blank=True, editable=False)
    due_is_internal = models.BooleanField(
        default=False, editable=False, help_text="The due date is the team's internal target; the law sets none."
    )
    appeal_window_closes = models.DateField(null=True, blank=True, editable=False)
    appeal_decision_due = models.DateField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Moved on by every save through records.timeline_writes: a save from a stale copy is a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RecordsRequestQuerySet.as_manager()
    moved_by = "team_id"  # the engine files each page under it (ReindexedWhenMoved)
    # Who changed what, and when (records/audit.py shows it on the request page).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["team", "due_date"]),
            models.Index(fields=["team", "sent_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("request_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        # Its pages leave the ranking engine too (records/search/outbox.py), in this transaction.
        with transaction.atomic():
            SearchOutbox.queue(SearchOutbox.REQUEST, [self.pk])
            return super().delete(*args, **kwargs)

    def queue_reindex(self) -> None:
        # Moved to another team (the admin): the engine files each page under its team.
        _queue_documents_of([self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today

    def days_left(self, today=None):
        if self.due_date is None:
            return None
        return (self.due_date - (today or timezone.localdate())).days


def _queue_documents_of(request_ids) -> None:
    from .documents import Document

    SearchOutbox.queue(SearchOutbox.DOCUMENT, Document.objects.filter(request__in=request_ids).ids_with_members())


class TrackingNumber(models.Model):
    INITIAL, APPEAL, REFERRAL = "initial", "appeal", "referral"
    KIND_CHOICES = [(INITIAL, "Initial"), (APPEAL, "Appeal"), (REFERRAL, "Referral")]

    request = models.ForeignKey(RecordsRequest, on_delete=models.CASCADE, related_name="tracking_numbers")
    number = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=KIND_CHOICES, default=INITIAL)
    agency = models.ForeignKey(
        "records.Agency", null=True, blank=True, on_delete=models.SET_NULL,
        help_text="The agency that assigned it (a referral's number belongs to the other agency).",
    )  # fmt: skip

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["number"])]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_kind_display()})"


class EventQuerySet(TeamScopedQuerySet):
    team_path = "request__team"


class Event(models.Model):
    class Kind(models.TextChoices):
        FILED = "filed", "Filed"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        CLARIFICATION_ASKED = "clarification_asked", "Clarification asked (clock stops)"
        CLARIFICATION_GIVEN = "clarification_given", "Clarification given (clock resumes)"
        FEE_ESTIMATE = "fee_estimate", "Fee estimate"
        FEE_PAID = "fee_paid", "Fee paid"
        EXTENSION = "extension", "Extension invoked"
        INTERIM_RELEASE = "interim_release", "Interim release"
        FINAL_RESPONSE = "final_response", "Final response"
        APPEAL_FILED = "appeal_filed", "Appeal filed"
        APPEAL_DECIDED = "appeal_decided", "Appeal decided"
        LAWSUIT_FILED = "lawsuit_filed", "Lawsuit filed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        GRANTED = "granted", "Granted"
        PARTLY_GRANTED = "partly_granted", "Partly granted"
        DENIED = "denied", "Denied"
        NO_RECORDS = "no_records", "No records"

    OUTCOME_KINDS = (Kind.FINAL_RESPONSE, Kind.APPEAL_DECIDED)

    request = models.ForeignKey(RecordsRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    date = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="Fee amount, where it applies."
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved on by every save through records.timeline_writes: a save from a stale copy is a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = EventQuerySet.as_manager()
    # Who changed what, and when (records/audit.py shows it on the request page).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.outcome:
            label += f": {self.get_outcome_display()}"
        return f"{self.date} {label}"


class CommunicationQuerySet(TeamScopedQuerySet):
    team_path = "request__team"


class Communication(NudgesSearchWorker, models.Model):
    INCOMING, OUTGOING = "in", "out"
    DIRECTION_CHOICES = [(INCOMING, "Incoming (from agency)"), (OUTGOING, "Outgoing (to agency)")]
    CHANNEL_CHOICES = [
        ("email", "Email"), ("letter", "Letter"), ("portal", "Portal"),
        ("phone", "Phone"), ("fax", "Fax"), ("in_person", "In person"),
    ]  # fmt: skip

    request = models.ForeignKey(RecordsRequest, on_delete=models.CASCADE, related_name="communications")
    direction = models.CharField(max_length=3, choices=DIRECTION_CHOICES)
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES, default="email")
    date = models.DateField()
    sender = models.CharField("from", max_length=300, blank=True)
    recipient = models.CharField("to", max_length=300, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="communications")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunicationQuerySet.as_manager()
    # Who changed what, and when (records/audit.py shows it on the request page).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_direction_display()}: {self.subject or self.get_channel_display()}"
