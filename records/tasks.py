"""Thin Celery tasks: take a primary key, call one function in records.ingest, dispatch what follows.

All heavy lifting (and its tests) lives in records/ingest/. Documents wait in the
database and are sent to the queues in fair turns by team (records/ingest/dispatch.py):
after each submit, after each step a worker finishes, and from beat. Messages are
acknowledged late; documents whose worker died are found by heartbeat and sent
again by requeue_stale_documents (at worker start and from beat), since the
embedded filesystem broker does not redeliver a dead worker's message.

Queues (config/settings.py CELERY_TASK_ROUTES): extraction, ocr, mail, housekeeping.
"""

import logging
from datetime import timedelta
from functools import partial

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError, connections, transaction

from records.ingest import add_document, extract_document, ocr_document, release_stale_documents
from records.ingest.dispatch import forget_lost_dispatches, take_turns
from records.ingest.limits import current_limits
from records.ingest.pipeline import EXTRACT, OCR
from records.ingest.render import prerender_page_images
from records.models import Document
from records.review.binder import build_binder
from records.review.diff import compute_release_diff, releases_to_compare
from records.search.engine import EngineUnavailable
from records.search.outbox import drain

logger = logging.getLogger(__name__)

# One extraction step may convert an office file with LibreOffice before reading its PDF: the task's limits
# cover both (Limits.extract_step_seconds), then the margin; the hard limit a minute after the soft one.
_EXTRACT_SOFT_SECONDS = current_limits().extract_step_seconds() + current_limits().task_margin_seconds


def submit_document(request, *, name, data_or_fileobj, user=None, communication=None, archive=None, dispatch=True):
    """Store a file on a request and, once the transaction commits, send it for extraction in its team's turn.

    Returns (document, created) as add_document does: the same content already on the request
    returns the existing document with created=False, and nothing is sent again. dispatch=False
    leaves a new document waiting, for a caller that runs it itself (import_documents --sync).
    """
    with transaction.atomic():
        document, created = add_document(
            request, name=name, data_or_fileobj=data_or_fileobj, user=user, communication=communication, archive=archive
        )
        if created and dispatch:
            transaction.on_commit(dispatch_documents)
    return document, created


def dispatch_documents() -> int:
    """Send the documents whose turn it is (fairly by team) to their queues on commit; return how many."""
    step_tasks = {EXTRACT: extract_document_task, OCR: ocr_document_task}
    sent = 0
    with transaction.atomic():
        for step, task in step_tasks.items():
            for document_id in take_turns(step):
                transaction.on_commit(partial(task.delay, document_id))
                sent += 1
    return sent


@shared_task(
    name="records.extract_document",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=_EXTRACT_SOFT_SECONDS,
    time_limit=_EXTRACT_SOFT_SECONDS + 60,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=3,
)
def extract_document_task(document_id: int) -> None:
    queue_release_comparisons(extract_document(document_id))
    dispatch_documents()  # our slot is free, and this document (or its members) may wait for a next step
    prerender_page_images(document_id)  # the viewer's first pages and thumbnails, once the next step is on its way


@shared_task(
    name="records.ocr_document",
    acks_late=True,
    reject_on_worker_lost=True,
    # One chunk is limits.ocr_pages_per_task pages; the document's other chunks go to other workers meanwhile.
    soft_time_limit=3600,
    time_limit=3700,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=3,
)
def ocr_document_task(document_id: int) -> None:
    # Once this worker holds its chunk, the next chunk is sent (in its team's turn) to another worker.
    queue_release_comparisons(ocr_document(document_id, on_claimed=dispatch_documents))
    dispatch_documents()  # a document with pages left waits for its next chunk like any other


@shared_task(name="records.requeue_stale_documents", acks_late=True, time_limit=300)
def requeue_stale_documents_task() -> int:
    return requeue_stale_documents()


def requeue_stale_documents(*, resend_after: timedelta | None = None) -> int:
    """Send again the documents whose worker died mid-way, or whose message was lost; return how many.

    resend_after: how long a sent, unclaimed document may wait before its message is presumed lost
    (default limits.dispatch_resend_seconds; a starting worker passes zero, see below).
    """
    if resend_after is None:
        resend_after = timedelta(seconds=current_limits().dispatch_resend_seconds)
    count = len(release_stale_documents()) + forget_lost_dispatches(older_than=resend_after)
    dispatch_documents()
    return count


@worker_ready.connect
def _requeue_at_worker_start(**kwargs) -> None:
    try:
        # A worker that died took its fetched messages with it (the filesystem broker does not
        # redeliver): send every unclaimed document again. A duplicate finds nothing to claim.
        count = requeue_stale_documents(resend_after=timedelta(0))
        if count:
            logger.warning("Sent %s document(s) again: their worker had died or their message was lost.", count)
    except DatabaseError:
        logger.exception("Could not look for stale documents at worker start.")
    finally:
        connections.close_all()  # the pool's children open their own


@shared_task(name="records.send_reminder_digests", acks_late=True, time_limit=600)
def send_reminder_digests_task() -> int:
    """Each morning's digests; idempotent per user per day (see records.notifications)."""
    from records.notifications import send_reminder_digests

    return send_reminder_digests()


@shared_task(name="records.clean_abandoned_uploads", time_limit=600)
def clean_abandoned_uploads_task() -> int:
    """Hourly from beat: remove what killed uploads left in this machine's incoming/ area."""
    from records.ingest.store import clean_abandoned_uploads

    return len(clean_abandoned_uploads())


@shared_task(name="records.build_binder", acks_late=True, soft_time_limit=3600, time_limit=3700)
def build_binder_task(binder_id: int) -> None:
    """Routed to the extraction queue: it reads released PDFs as extraction does."""
    build_binder(binder_id)


def queue_release_comparisons(document: Document | None) -> None:
    """A document just done is a release: compare it (and the later releases it precedes) once this commits."""
    if document is None or document.state != Document.State.DONE:
        return
    for document_id, scope in releases_to_compare(document):
        transaction.on_commit(partial(compare_release_task.delay, document_id, scope))


@shared_task(name="records.compare_release", acks_late=True, soft_time_limit=900, time_limit=960)
def compare_release_task(document_id: int, scope: str = "request") -> None:
    """The production diff of one release (issue 14); on the housekeeping queue."""
    compute_release_diff(document_id, scope)


# The mail tasks live beside the mail code; importing them here registers them with the worker.
from records.mail import tasks as mail_tasks  # noqa: E402, F401


@shared_task(name="records.drain_search_outbox", bind=True, acks_late=True, time_limit=3600, max_retries=5)
def drain_search_outbox_task(self) -> int:
    """Apply the ranking engine's outbox (records/search/outbox.py); its queue has one worker."""
    try:
        return drain()
    except EngineUnavailable as busy:  # another process holds the writer (a rebuild): try again soon
        raise self.retry(countdown=5) from busy
