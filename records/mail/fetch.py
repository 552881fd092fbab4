"""Fetching a team's new mail from IMAP: nothing lost, nothing filed twice.

For each new UID (under the folder's UIDVALIDITY): the message is downloaded to a temporary file (in
pieces when large: imaplib holds a whole literal in memory), stored by content hash, and recorded as
a MailMessage row (unique per mailbox, UIDVALIDITY and UID) in state "fetched". Only then is it filed
(records/mail/filing.py), which claims the row in the transaction that writes the communication. A
worker killed at any point leaves either no row (the message is downloaded again) or a "fetched"
row (filed by the next run). One fetch per mailbox runs at a time: a lease taken by a conditional
UPDATE and renewed after each message; a crashed fetch's lease runs out after MAIL_LEASE_SECONDS.
Each run takes at most a batch of messages per mailbox, so one team's flood waits its turn.
"""

import logging
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from records.ingest.store import store_file
from records.models import Mailbox, MailMessage

from .connect import MailConnectionError, close_imap, open_imap
from .filing import file_incoming

logger = logging.getLogger(__name__)

LEASE_SECONDS = 300  # settings.MAIL_LEASE_SECONDS: how long a crashed fetch blocks the next one
CHUNK = 1024 * 1024  # bytes asked for at a time; also the size above which a message is fetched in pieces
MAX_BACKOFF = timedelta(hours=6)


def batch_size() -> int:
    return getattr(settings, "MAIL_FETCH_BATCH", 200)


def lease_length() -> timedelta:
    return timedelta(seconds=getattr(settings, "MAIL_LEASE_SECONDS", LEASE_SECONDS))


@dataclass
class FetchResult:
    downloaded: int = 0
    filed: int = 0
    triaged: int = 0
    busy: bool = False
    error: str = ""


class LeaseLost(Exception):
    pass


def fetch_all_mailboxes(now=None) -> list[FetchResult]:
    """What the beat task does: each active mailbox not in its back-off, one batch each."""
    return [fetch_mailbox(pk, now=now) for pk in Mailbox.objects.due_for_fetch(now).values_list("pk", flat=True)]


def fetch_mailbox(mailbox_id: int, *, batch: int | None = None, now=None) -> FetchResult:
    batch = batch or batch_size()
    owner = uuid.uuid4().hex
    if not _take_lease(mailbox_id, owner, now or timezone.now()):
        return FetchResult(busy=True)
    result = FetchResult()
    try:
        mailbox = Mailbox.objects.select_related("team").get(pk=mailbox_id)
        try:
            _download_new(mailbox, owner, batch, result)
        except MailConnectionError as error:
            _record_failure(mailbox, error)
            result.error = error.message
        else:
            _record_success(mailbox)
        _file_waiting(mailbox, owner, batch, result)
    except LeaseLost:
        logger.warning("Mailbox %s: another fetch took over; stopped.", mailbox_id)
    finally:
        Mailbox.objects.filter(pk=mailbox_id, lease_owner=owner).update(lease_owner="", lease_until=None)
    return result


def _download_new(mailbox: Mailbox, owner: str, batch: int, result: FetchResult) -> None:
    connection = open_imap(mailbox)
    try:
        uidvalidity = int(connection.response("UIDVALIDITY")[1][0])
        if mailbox.uidvalidity != uidvalidity:
            # New UIDs for everything: messages come again and the Message-ID check skips those filed.
            Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity)
        known = mailbox.messages.filter(imap_uidvalidity=uidvalidity)
        highest = known.aggregate(highest=Max("imap_uid"))["highest"] or 0
        status, data = connection.uid("SEARCH", None, f"UID {highest + 1}:*")
        if status != "OK":
            raise MailConnectionError("IMAP search", f"The IMAP server would not list new messages ({status}).")
        uids = sorted(uid for uid in (int(raw) for raw in (data[0] or b"").split()) if uid > highest)
        for uid in uids[:batch]:
            _download(connection, mailbox, uidvalidity, uid)
            result.downloaded += 1
            _renew_lease(mailbox.pk, owner)
    except (OSError, EOFError) as error:  # the server dropped the connection: the next run goes on
        raise MailConnectionError("IMAP fetch", f"The IMAP server dropped the connection ({error}).") from None
    finally:
        close_imap(connection)


def _download(connection, mailbox: Mailbox, uidvalidity: int, uid: int) -> None:
    status, data = connection.uid("FETCH", str(uid), "(RFC822.SIZE)")
    size = _size(data) if status == "OK" else None
    if size is None:
        return  # expunged meanwhile
    with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as spool:
        start = 0
        while True:
            # Pieces of at most CHUNK: imaplib reads a literal whole into memory.
            status, data = connection.uid("FETCH", str(uid), f"(BODY.PEEK[]<{start}.{CHUNK}>)")
            piece = _literal(data) if status == "OK" else None
            if not piece:
                break
            spool.write(piece)
            start += len(piece)
            if len(piece) < CHUNK or start >= size:
                break
        spool.seek(0)
        raw = store_file(spool)
    try:
        with transaction.atomic():
            MailMessage.objects.create(
                team_id=mailbox.team_id, mailbox=mailbox, direction=MailMessage.INCOMING,
                state=MailMessage.State.FETCHED, imap_uidvalidity=uidvalidity, imap_uid=uid, raw=raw,
            )  # fmt: skip
    except IntegrityError:
        pass  # another fetch recorded it first


def _file_waiting(mailbox: Mailbox, owner: str, batch: int, result: FetchResult) -> None:
    """File the fetched messages not filed yet, this run's and any a killed run left."""
    waiting = mailbox.messages.filter(state=MailMessage.State.FETCHED).select_related("team", "mailbox", "raw")
    for message in waiting.order_by("pk")[:batch]:
        file_incoming(message)
        if message.state == MailMessage.State.FILED:
            result.filed += 1
        elif message.state == MailMessage.State.TRIAGE:
            result.triaged += 1
        _renew_lease(mailbox.pk, owner)


def _size(data) -> int | None:
    for item in data:
        text = item[0] if isinstance(item, tuple) else item
        if isinstance(text, bytes) and b"RFC822.SIZE" in text:
            return int(text.split(b"RFC822.SIZE", 1)[1].split()[0].rstrip(b")"))
    return None


def _literal(data) -> bytes | None:
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    return None


def _take_lease(mailbox_id: int, owner: str, now) -> bool:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return bool(Mailbox.objects.filter(free, pk=mailbox_id).update(lease_owner=owner, lease_until=now + lease_length()))


def _renew_lease(mailbox_id: int, owner: str) -> None:
    if not Mailbox.objects.filter(pk=mailbox_id, lease_owner=owner).update(lease_until=timezone.now() + lease_length()):
        raise LeaseLost()


def _record_failure(mailbox: Mailbox, error: MailConnectionError) -> None:
    """Back off (1, 2, 4 … minutes, at most MAX_BACKOFF) and show the mailbox as failing."""
    now = timezone.now()
    failures = mailbox.failures + 1
    wait = min(timedelta(minutes=2 ** min(failures - 1, 16)), MAX_BACKOFF)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        failing_since=mailbox.failing_since or now, last_error=error.message, failures=failures, retry_after=now + wait
    )
    logger.warning("Mailbox %s: %s", mailbox.pk, error.message)


def _record_success(mailbox: Mailbox) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        failing_since=None, last_error="", failures=0, retry_after=None, last_fetch_at=timezone.now()
    )
