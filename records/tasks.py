"""Thin Celery tasks: take a primary key, call one function in records.ingest, queue what follows.

All heavy lifting (and its tests) lives in records/ingest/pipeline.py. Messages
are acknowledged late; documents whose worker died are found by heartbeat and
queued again by requeue_stale_documents (at worker start and from beat), since
the embedded filesystem broker does not redeliver a dead worker's message.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError, connections, transaction

from records.ingest import extract_document, ocr_document, release_stale_documents
from records.ingest.limits import current_limits
from records.ingest.pipeline import waiting_members
from records.models import Document

logger = logging.getLogger(__name__)

_PARSE_SECONDS = current_limits().parse_seconds


def queue_extraction(document: Document | int) -> None:
    """Extract the document once the current transaction commits."""
    document_id = getattr(document, "pk", document)
    transaction.on_commit(lambda: extract_document_task.delay(document_id))


def queue_ocr(document: Document | int) -> None:
    document_id = getattr(document, "pk", document)
    transaction.on_commit(lambda: ocr_document_task.delay(document_id))


def queue_next_step(document: Document) -> None:
    """Whatever a document needs after the step it just finished."""
    if document.state == Document.State.OCR:
        queue_ocr(document)
    elif document.state == Document.State.QUEUED:
        queue_extraction(document)
    for member_id in waiting_members(document.pk):
        queue_extraction(member_id)


@shared_task(
    name="records.extract_document",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=_PARSE_SECONDS + 120,
    time_limit=_PARSE_SECONDS + 180,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=3,
)
def extract_document_task(document_id: int) -> None:
    document = extract_document(document_id)
    if document is not None:
        queue_next_step(document)


@shared_task(
    name="records.ocr_document",
    acks_late=True,
    reject_on_worker_lost=True,
    # One round is limits.ocr_pages_per_task pages; then it queues the next.
    soft_time_limit=3600,
    time_limit=3700,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=3,
)
def ocr_document_task(document_id: int) -> None:
    document = ocr_document(document_id)
    if document is not None and document.state == Document.State.OCR:
        queue_ocr(document)


@shared_task(name="records.requeue_stale_documents", acks_late=True, time_limit=300)
def requeue_stale_documents_task() -> int:
    return requeue_stale_documents()


def requeue_stale_documents() -> int:
    """Queue again the documents whose worker died mid-way; return how many."""
    documents = release_stale_documents()
    for document in documents:
        queue_next_step(document)
    return len(documents)


@worker_ready.connect
def _requeue_at_worker_start(**kwargs) -> None:
    try:
        count = requeue_stale_documents()
        if count:
            logger.warning("Queued %s document(s) again whose worker had died.", count)
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
