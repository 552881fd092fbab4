"""Keeping the ranking engine in step: a durable outbox drained by one worker.

The pipeline queues a document in the same transaction that writes its pages
(`queue_document`); deleting a request or a team queues it too. `drain()` takes the oldest rows,
re-reads those documents' pages from the database into the engine (delete then add: running
it twice does no harm), commits the engine, and only then deletes the rows it did. A worker
killed anywhere in between leaves the rows in place and the next drain redoes them.
"""

import os

from records.models import Page, SearchOutbox

from . import engine

BATCH = 200  # outbox rows per engine commit
REBUILD_THREADS = min(4, os.cpu_count() or 1)


def queue_document(document_id: int) -> None:
    """Re-index this document's pages (written, OCR'd, or deleted) soon. Call inside the transaction
    that changes them, so both land or neither does."""
    SearchOutbox.queue(SearchOutbox.DOCUMENT, [document_id])


def drain(batch: int = BATCH, *, rounds: int | None = None) -> int:
    """Apply the outbox to the engine, `batch` rows per commit, until it is empty (or `rounds`
    commits); the number of rows done."""
    done = 0
    while rounds is None or rounds > 0:
        rows = list(SearchOutbox.objects.order_by("id")[:batch])
        if not rows:
            break
        apply(rows)
        SearchOutbox.objects.filter(pk__in=[row.pk for row in rows]).delete()
        done += len(rows)
        rounds = None if rounds is None else rounds - 1
    return done


def drain_now() -> int | None:
    """Drain here and now (a --sync command, with or without a worker); None when the worker is
    draining already (it holds the writer, and does these rows)."""
    try:
        return drain()
    except engine.EngineUnavailable:
        return None


def apply(rows: list[SearchOutbox]) -> None:
    """Make the engine match the database for these rows' documents, requests and teams; one commit."""
    field = {SearchOutbox.DOCUMENT: "document_id", SearchOutbox.REQUEST: "request_id", SearchOutbox.TEAM: "team_id"}
    writer = engine.writer()
    try:
        for row in rows:
            engine.delete_where(writer, field[row.target], row.target_id)
        documents = {row.target_id for row in rows if row.target == SearchOutbox.DOCUMENT}
        pages = Page.objects.filter(document_id__in=documents).values(*engine.PAGE_FIELDS).order_by("id")
        engine.add_pages(writer, pages.iterator(chunk_size=2000))
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()


def rebuild(chunk: int = 5000, threads: int = REBUILD_THREADS) -> int:
    """Re-derive the whole engine from the database: every page; the number indexed. The outbox
    rows present at the start are done by it (the ones queued meanwhile stay for the next drain)."""
    pending = SearchOutbox.objects.order_by("-id").values_list("id", flat=True).first()
    try:
        engine.open_index()
    except engine.EngineUnavailable:
        engine.clear_directory()  # made by another release, or damaged: it only ever held copies
    writer = engine.writer(threads)
    try:
        writer.delete_all_documents()
        pages = Page.objects.values(*engine.PAGE_FIELDS).order_by("id").iterator(chunk_size=chunk)
        count = engine.add_pages(writer, pages)
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()
    if pending is not None:
        SearchOutbox.objects.filter(id__lte=pending).delete()
    return count
