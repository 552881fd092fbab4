"""A team's mailbox, and every message that went through it (fetched, uploaded or sent).

Passwords are stored encrypted (records/mail/secrets.py); the logic lives in records/mail/.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .teams import TeamScopedQuerySet


class Security(models.TextChoices):
    SSL = "ssl", "SSL/TLS from the start (implicit TLS)"
    STARTTLS = "starttls", "STARTTLS"
    NONE = "none", "None (only for a server on this machine)"


class MailboxQuerySet(TeamScopedQuerySet):
    team_path = "team"

    def due_for_fetch(self, now=None):
        """Active mailboxes not in their back-off after a failure."""
        now = now or timezone.now()
        return self.filter(active=True).filter(models.Q(retry_after__isnull=True) | models.Q(retry_after__lte=now))


class Mailbox(models.Model):
    team = models.OneToOneField("records.Team", on_delete=models.CASCADE, related_name="mailbox")
    address = models.EmailField("team address", help_text="Replies come to plus-addresses of it.")
    active = models.BooleanField(default=True, help_text="Fetch new mail every minute.")

    imap_host = models.CharField("IMAP server", max_length=255)
    imap_port = models.PositiveIntegerField("IMAP port", default=993)
    imap_security = models.CharField("IMAP security", max_length=10, choices=Security.choices, default=Security.SSL)
    imap_user = models.CharField("IMAP user", max_length=255)
    imap_password_encrypted = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField("IMAP folder", max_length=255, default="INBOX")

    smtp_host = models.CharField("SMTP server", max_length=255)
    smtp_port = models.PositiveIntegerField("SMTP port", default=587)
    smtp_security = models.CharField(
        "SMTP security", max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_user = models.CharField("SMTP user", max_length=255, blank=True)
    smtp_password_encrypted = models.TextField(blank=True, editable=False)

    # The folder's UIDVALIDITY when the recorded UIDs were taken (a new one means new UIDs).
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    # One fetch at a time per mailbox: a lease taken with a conditional UPDATE, renewed per message.
    lease_owner = models.CharField(max_length=64, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_fetch_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Credentials that stop working: shown on the dashboard and in the digest until a fetch succeeds.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False)
    retry_after = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)

    objects = MailboxQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.address} ({self.team})"

    @property
    def is_failing(self) -> bool:
        return self.failing_since is not None


class MailMessageQuerySet(TeamScopedQuerySet):
    team_path = "team"

    def triage(self):
        return self.filter(direction=MailMessage.INCOMING, state=MailMessage.State.TRIAGE)


class MailMessage(models.Model):
    """One email: incoming (fetched by IMAP or uploaded) or outgoing (sent by SMTP)."""

    INCOMING, OUTGOING = "in", "out"
    DIRECTION_CHOICES = [(INCOMING, "Incoming"), (OUTGOING, "Outgoing")]

    class State(models.TextChoices):
        FETCHED = "fetched", "Fetched, not filed yet"  # raw stored; filing follows (again after a crash)
        FILED = "filed", "Filed on a request"
        TRIAGE = "triage", "Waiting in the triage inbox"
        NOT_RECORDS = "not_records", "Not records-related"
        DUPLICATE = "duplicate", "Already filed (same Message-ID)"
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        SEND_FAILED = "send_failed", "Sending failed"

    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        AUTO_REPLY = "auto_reply", "Auto-reply"
        BOUNCE = "bounce", "Bounce (not delivered)"

    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="mail_messages")
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    direction = models.CharField(max_length=3, choices=DIRECTION_CHOICES)
    state = models.CharField(max_length=12, choices=State.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.MESSAGE)
    # Where it came from on the IMAP server (null for uploads and outgoing mail).
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_uid = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    in_reply_to = models.TextField(blank=True)
    references = models.TextField(blank=True)
    sender = models.CharField("from", max_length=300, blank=True)
    recipient = models.CharField("to", max_length=1000, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True, help_text="An outgoing letter's text, kept whatever happens to the sending.")
    letter_kind = models.CharField(max_length=20, blank=True, help_text="The kind of letter sent (records/letters).")
    sent_at = models.DateTimeField(null=True, blank=True)
    raw = models.ForeignKey(
        "records.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The message exactly as received or sent (its sha256 is the evidence).",
    )  # fmt: skip
    reason = models.TextField(blank=True, help_text="Why it is in triage, or why sending failed, in plain words.")
    request = models.ForeignKey(
        "records.RecordsRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="mail_messages"
    )
    communication = models.ForeignKey(
        "records.Communication", null=True, blank=True, on_delete=models.SET_NULL, related_name="mail_messages"
    )
    attachments = models.ManyToManyField("records.Document", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MailMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "imap_uidvalidity", "imap_uid"],
                condition=models.Q(imap_uid__isnull=False),
                name="one_row_per_imap_uid",
            )
        ]
        indexes = [models.Index(fields=["mailbox", "state"], name="mailmessage_mailbox_state")]

    def __str__(self) -> str:
        return self.subject or self.message_id or f"message {self.pk}"
