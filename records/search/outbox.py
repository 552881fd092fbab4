"""Keeping the ranking engine in step: a durable outbox drained by one worker.

The pipeline queues a document in the same transaction that writes its pages
(`queue_document`); deleting a request or a team queues it too. `drain()` takes the oldest rows,
re-reads those documents' pages from the database into the engine (delete then add: running
it twice does no harm), commits the engine, and only then deletes the rows it did. A worker
killed anywhere in between leaves the rows in place and the next drain redoes them.
"""

import os

from records.models import Page, SearchOutbox

from . import engine, letters

BATCH = 200  # outbox rows per engine commit
LETTERS_HEAP = 32_000_000  # the letters' writer: short texts, a batch at a time
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
    """Make the engine match the database for these rows' documents, requests and teams (pages)
    and requests' and communications' own text (letters); one commit per index."""
    letter_rows = [row for row in rows if row.target in letters.TARGETS]
    if letter_rows:
        _apply_letters(letter_rows)
    page_rows = [row for row in rows if row.target not in letters.TARGETS]
    if page_rows:
        _apply_pages(page_rows)


def _apply_letters(rows: list[SearchOutbox]) -> None:
    with engine.committing(engine.writer(kind=engine.LETTERS, heap=LETTERS_HEAP)) as writer:
        letters.apply(writer, rows)


def _apply_pages(rows: list[SearchOutbox]) -> None:
    field = {SearchOutbox.DOCUMENT: "document_id", SearchOutbox.REQUEST: "request_id", SearchOutbox.TEAM: "team_id"}
    with engine.committing(engine.writer()) as writer:
        for row in rows:
            engine.delete_where(writer, field[row.target], row.target_id)
        documents = {row.target_id for row in rows if row.target == SearchOutbox.DOCUMENT}
        pages = Page.objects.filter(document_id__in=documents).values(*engine.PAGE_FIELDS).order_by("id")
        engine.add_pages(writer, pages.iterator(chunk_size=2000))


def rebuild(chunk: int = 5000, threads: int = REBUILD_THREADS) -> int:
    """Re-derive the pages' index from the database: every page; the number indexed. The outbox
    rows for pages present at the start are done by it (the ones queued meanwhile stay for the
    next drain). letters.rebuild() does the letters' index."""
    pages_only = SearchOutbox.objects.exclude(target__in=letters.TARGETS)
    pending = pages_only.order_by("-id").values_list("id", flat=True).first()
    try:
        engine.open_index()
    except engine.EngineUnavailable:
        engine.clear_directory()  # made by another release, or damaged: it only ever held copies
    with engine.committing(engine.writer(threads)) as writer:
        writer.delete_all_documents()
        pages = Page.objects.values(*engine.PAGE_FIELDS).order_by("id").iterator(chunk_size=chunk)
        count = engine.add_pages(writer, pages)
    if pending is not None:
        pages_only.filter(id__lte=pending).delete()
    return count
