"""The extraction state machine, as plain functions the Celery tasks call.

queued → extracting → (ocr →) done, or needs_password / failed with a reason.

Each step first claims the document with a conditional UPDATE, then writes
only while its claim holds: every write is a compare-and-swap on heartbeat_at
(set to a fresh time by each write). A sweep, a reset or a second worker
changes heartbeat_at, and the old writer's next write finds no row and stops.
Pages are committed in batches together with pages_done, so a worker killed
mid-file leaves whole batches behind and the next claim resumes after them.
"""

import logging
import time
from contextlib import closing, suppress
from datetime import timedelta
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from records.models import Document, Page, Sheet
from records.review.citations import record_citations
from records.search.outbox import queue_document

from .detect import EML, IMAGE_TYPES, PDF, ZIP, describe_unreadable
from .errors import IngestError
from .images import count_frames
from .isolate import run_isolated
from .limits import Limits, current_limits
from .ocr import OcrFailed, ocr_image_frame, ocr_pdf_page
from .pdf import WRONG_PASSWORD, check_password, read_pages
from .plaintext import HTML_TEXT, TEXT, read_text_pages, text_format
from .sheets import SPREADSHEET_TYPES, read_table, row_text, spreadsheet_format
from .store import StoreFailed, local_copy
from .text import clean_text
from .unpack import unpack_email, unpack_zip

logger = logging.getLogger(__name__)

State = Document.State
TEXT_TYPES = (TEXT, HTML_TEXT)
UNEXPECTED = "Something unexpected went wrong while reading this file. It is kept; an administrator can see the details in the log."


class LostClaim(Exception):
    """Someone else now owns this document (a sweep, a reset, another worker)."""


def extract_document(document_id: int) -> Document | None:
    """Read a queued document's text into Page rows, or unpack it if it is a ZIP or an email.

    Returns the document as it ends (state extracting→ocr/done/needs_password/failed),
    or None when there was nothing to do: it is gone, or not waiting for extraction.
    """
    limits = current_limits()
    document = _claim(document_id, State.EXTRACTING, limits)
    if document is None:
        return None
    return _run_claimed(document, lambda: _extract(document, limits))


def ocr_document(document_id: int, *, max_pages: int | None = None) -> Document | None:
    """OCR up to max_pages (default: limits.ocr_pages_per_task) of the pages that need it.

    Returns the document: in state done when no page is left, or still in state
    ocr and released (another round is due) when pages remain.
    """
    limits = current_limits()
    document = _claim(document_id, State.OCR, limits)
    if document is None:
        return None
    return _run_claimed(document, lambda: _ocr_pages(document, max_pages or limits.ocr_pages_per_task, limits))


# The steps a document goes through, by the state it waits in. next_step() is the one place
# that decides what comes next: the dispatcher (records/ingest/dispatch.py) and --sync both ask it.
EXTRACT, OCR = "extract", "ocr"
WAITING_STATE = {EXTRACT: State.QUEUED, OCR: State.OCR}
WORKING_STATE = {EXTRACT: State.EXTRACTING, OCR: State.OCR}


def next_step(document: Document) -> str | None:
    """The step this document waits for: "extract", "ocr", or None (done, failed, needs a password, in work)."""
    for step, state in WAITING_STATE.items():
        if document.state == state:
            return step
    return None


def run_step(step: str, document_id: int) -> Document | None:
    """Run one step on a document (see extract_document and ocr_document for what they return)."""
    return {EXTRACT: extract_document, OCR: ocr_document}[step](document_id)


def run_to_completion(document_id: int) -> None:
    """Extract, OCR and unpack members in this process (import_documents --sync)."""
    document = Document.objects.filter(pk=document_id).first()
    while document is not None and (step := next_step(document)) is not None:
        document = run_step(step, document_id)
    for member_id in waiting_members(document_id):
        run_to_completion(member_id)


def waiting_members(document_id: int) -> list[int]:
    """Documents unpacked from this ZIP or email that still wait for extraction."""
    return list(Document.objects.filter(archive_id=document_id, state=State.QUEUED).values_list("pk", flat=True))


def reset_for_extraction(document: Document) -> None:
    """Start a document over: its pages go, its state is queued (the caller dispatches it)."""
    with transaction.atomic():
        Page.objects.filter(document=document).delete()
        Document.objects.filter(pk=document.pk).update(
            state=State.QUEUED, page_count=None, pages_done=0, ocr_pages_total=0, ocr_pages_done=0,
            error="", attempts=0, heartbeat_at=None, dispatched_at=None,
        )  # fmt: skip
    document.refresh_from_db()


def retry_with_password(document: Document, password: str) -> bool:
    """Try the user's password: if it opens the PDF, save it and reset the document.

    Returns False (and says so in document.error) when it does not open the file;
    on True the caller dispatches it (records.tasks.dispatch_documents).
    """
    limits = current_limits()
    try:
        with local_copy(document.stored_file) as path:
            opened = run_isolated(
                check_password, str(path), password,
                memory_mb=limits.parse_memory_mb, total_seconds=limits.page_seconds, idle_seconds=limits.page_seconds,
            )  # fmt: skip
            works = all(opened)
    except IngestError:
        works = False
    if not works:
        Document.objects.filter(pk=document.pk).update(error=WRONG_PASSWORD)
        document.error = WRONG_PASSWORD
        return False
    Document.objects.filter(pk=document.pk).update(password=password)
    document.password = password
    reset_for_extraction(document)
    return True


def release_stale_documents(now=None) -> list[Document]:
    """Put back in line the documents whose worker died (no write for limits.stale_after_seconds).

    Extraction goes back to queued (it resumes after the committed pages); OCR
    stays in state ocr, unclaimed. The caller dispatches them (records.tasks.dispatch_documents).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=current_limits().stale_after_seconds)
    released = []
    stale = Document.objects.filter(state__in=[State.EXTRACTING, State.OCR], heartbeat_at__lt=cutoff)
    for document in stale.only("pk", "state", "heartbeat_at"):
        waiting = {"state": State.QUEUED} if document.state == State.EXTRACTING else {}
        # Conditional on the heartbeat we saw: two sweeps never both release it.
        if Document.objects.filter(pk=document.pk, heartbeat_at=document.heartbeat_at).update(
            heartbeat_at=None, **waiting
        ):
            logger.warning("Document %s was stale in state %s; queued again.", document.pk, document.state)
            released.append(document.pk)
    return list(Document.objects.filter(pk__in=released))


# The claim and the writes under it.


def _claim(document_id: int, phase: str, limits: Limits) -> Document | None:
    waiting = Q(state=State.QUEUED) if phase == State.EXTRACTING else Q(state=State.OCR, heartbeat_at__isnull=True)
    now = timezone.now()
    # dispatched_at goes: the message was consumed, and the heartbeat now says the work is under way.
    claimed = Document.objects.filter(waiting, pk=document_id).update(
        state=phase, heartbeat_at=now, dispatched_at=None, attempts=F("attempts") + 1
    )
    document = Document.objects.select_related("stored_file").filter(pk=document_id).first() if claimed else None
    if document is None:
        return None
    if document.attempts > limits.max_attempts:
        message = (
            f"Gave up after {limits.max_attempts} attempts: the worker stopped each time while reading "
            "this file. The file is kept; an administrator can look at the log."
        )
        with suppress(LostClaim):
            _finish(document, State.FAILED, message)
        return None
    return document


def _update(document: Document, **fields) -> None:
    """Write fields while our claim holds; a fresh heartbeat_at unless one is given."""
    beat = timezone.now()
    if document.heartbeat_at is not None and beat <= document.heartbeat_at:
        beat = document.heartbeat_at + timedelta(microseconds=1)
    beat = fields.pop("heartbeat_at", beat)
    mine = Document.objects.filter(pk=document.pk, heartbeat_at=document.heartbeat_at)
    if not mine.update(heartbeat_at=beat, **fields):
        raise LostClaim(document.pk)
    document.heartbeat_at = beat


def _finish(document: Document, state: str, error: str | None = None) -> None:
    fields = {"state": state, "heartbeat_at": None}
    if error is not None:
        fields["error"] = error
    with transaction.atomic():
        _update(document, **fields)
        queue_document(document.pk)  # OCR'd text and pages deleted on the way: the engine re-reads them
    document.state = state


def _release(document: Document) -> None:
    """Let go without finishing: back to waiting, for a retry."""
    waiting = {"state": State.QUEUED} if document.state == State.EXTRACTING else {}
    Document.objects.filter(pk=document.pk, heartbeat_at=document.heartbeat_at).update(heartbeat_at=None, **waiting)


def _run_claimed(document: Document, step) -> Document | None:
    try:
        try:
            step()
        except IngestError as error:
            _finish(document, error.state, error.message)
        except StoreFailed as error:  # unpacking a ZIP or an email into a full or read-only store
            _finish(document, State.FAILED, f"Its files could not be stored: {error.reason}. Retry once that is fixed.")
        except DatabaseError:
            _release(document)  # the task retries; the next claim resumes
            raise
        except Exception:
            logger.exception("Unexpected error on document %s", document.pk)
            _finish(document, State.FAILED, UNEXPECTED)
    except LostClaim:
        logger.info("Document %s was taken over by another worker; stopped.", document.pk)
        return None
    return Document.objects.get(pk=document.pk)


# Extraction.


def _extract(document: Document, limits: Limits) -> None:
    kind = document.detected_type
    table = _table_format(document)
    if table:
        _extract_rows(document, table, limits)
    elif kind == PDF:
        _extract_pdf(document, limits)
    elif kind in IMAGE_TYPES:
        _extract_image(document, limits)
    elif kind in (ZIP, EML):
        notes = unpack_zip(document, limits) if kind == ZIP else unpack_email(document, limits)
        _finish(document, State.DONE, "; ".join(notes))
    else:
        raise IngestError(describe_unreadable(kind, document.size))


def _extract_pdf(document: Document, limits: Limits) -> None:
    first = document.pages_done  # pages 1..pages_done are committed: resume after them
    Page.objects.filter(document=document, number__gt=first).delete()
    batch: list[Page] = []
    problems: list[str] = []
    flushed_at = time.monotonic()
    with (
        local_copy(document.stored_file) as path,
        closing(run_isolated(
            read_pages, str(path), document.password, first, limits.min_letters_per_page,
            memory_mb=limits.parse_memory_mb, total_seconds=limits.parse_seconds, idle_seconds=limits.page_seconds,
        )) as pages,
    ):  # fmt: skip
        for item in pages:
            if item[0] == "count":
                if document.page_count != item[1]:
                    _update(document, page_count=item[1])
                    document.page_count = item[1]
                continue
            _, number, text, needs_ocr, under_box, problem = item
            if problem:
                problems.append(problem)
            batch.append(
                Page(document_id=document.pk, number=number, text=text, needs_ocr=needs_ocr, text_under_box=under_box)
            )
            if len(batch) >= limits.page_batch_size or time.monotonic() - flushed_at >= limits.page_batch_seconds:
                _write_pages(document, batch)
                batch, flushed_at = [], time.monotonic()
    _write_pages(document, batch)
    if problems:
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        _update(document, error=f"Some pages have a damaged text layer and were sent to OCR ({shown}).")
    _after_pages(document)


def _extract_image(document: Document, limits: Limits) -> None:
    with local_copy(document.stored_file) as path:
        (frames,) = run_isolated(
            count_frames, str(path),
            memory_mb=limits.parse_memory_mb, total_seconds=limits.page_seconds, idle_seconds=limits.page_seconds,
        )  # fmt: skip
    if frames > limits.max_image_frames:
        raise IngestError(f"This image file holds {frames:,} pages, more than the {limits.max_image_frames:,} allowed.")
    Page.objects.filter(document=document).delete()
    _update(document, page_count=frames, pages_done=0, ocr_pages_total=0)
    _write_pages(document, [Page(document_id=document.pk, number=n, needs_ocr=True) for n in range(1, frames + 1)])
    _after_pages(document)


def _table_format(document: Document) -> str | None:
    """A spreadsheet's or text file's format (see sheets.py, plaintext.py), else None."""
    found = text_format(document.original_name, document.detected_type)
    if found is None and document.detected_type in ("zip", "unknown", *SPREADSHEET_TYPES):
        with local_copy(document.stored_file) as path:
            found = spreadsheet_format(str(path), document.original_name, document.detected_type)
    if found and found != document.detected_type:
        _update(document, detected_type=found)
        document.detected_type = found
    return found


def _extract_rows(document: Document, kind: str, limits: Limits) -> None:
    """A spreadsheet, one Page per row with data (sheet, row, cells); or a text file, one Page per page.

    Always from the start (reading is fast); the reader runs in the sandboxed child.
    """
    with transaction.atomic():
        Page.objects.filter(document=document).delete()
        Sheet.objects.filter(document=document).delete()
        _update(document, pages_done=0, page_count=None, ocr_pages_total=0)
    document.pages_done = 0
    if kind in TEXT_TYPES:
        reader, args = read_text_pages, (kind,)
    else:
        reader, args = read_table, (kind, limits.sheet_max_cells, limits.sheet_max_xml_mb)
    batch: list[Page] = []
    notes: list[str] = []
    sheet, number, in_sheet = None, 0, 0
    with (
        local_copy(document.stored_file) as path,
        closing(run_isolated(
            reader, str(path), *args,
            memory_mb=limits.parse_memory_mb, total_seconds=limits.parse_seconds, idle_seconds=limits.page_seconds,
        )) as items,
    ):  # fmt: skip
        try:
            for item in items:
                if item[0] in ("row", "page"):
                    number += 1
                    in_sheet += 1
                    batch.append(_row_page(document, number, sheet, item))
                    if len(batch) >= limits.page_batch_size:
                        _write_pages(document, batch)
                        batch = []
                elif item[0] == "sheet":
                    sheet, in_sheet = Sheet.objects.create(document=document, **item[1]), 0
                    if sheet.hidden:
                        notes.append(f"Sheet “{sheet.name}” is hidden by the agency; it is shown here and labelled.")
                elif item[0] == "header":
                    sheet.header_row, sheet.header = item[1], item[2]
                elif item[0] == "hidden_rows":
                    sheet.hidden_rows = item[1]
                elif item[0] == "end":
                    sheet.row_count = item[1]
                    sheet.save()
                    sheet = None
                elif item[0] == "note":
                    notes.append(item[1])
        finally:  # stopped part-way (a limit, a damaged part): what was read stays, counted
            _write_pages(document, batch)
            if sheet is not None:
                sheet.row_count = in_sheet
                sheet.save()
            _update(document, page_count=number)
            document.page_count = number
    _finish(document, State.DONE, " ".join(notes))


def _row_page(document: Document, number: int, sheet: Sheet | None, item: tuple) -> Page:
    if item[0] == "page":
        return Page(document_id=document.pk, number=number, text=item[1])
    _, row, cells = item
    return Page(
        document_id=document.pk, number=number, sheet=sheet.name, row=row, cells=cells,
        text=clean_text(row_text(sheet.header if sheet.header_row else [], cells)),
    )  # fmt: skip


def _write_pages(document: Document, batch: list[Page]) -> None:
    if not batch:
        return
    with transaction.atomic():
        Page.objects.bulk_create(batch)
        queue_document(document.pk)  # issue 15: the ranking engine indexes them (records/search/outbox.py)
        record_citations(document, [page.pk for page in batch])  # issue 14: exemptions cited
        needing_ocr = sum(page.needs_ocr for page in batch)
        _update(document, pages_done=batch[-1].number, ocr_pages_total=F("ocr_pages_total") + needing_ocr)
    document.pages_done = batch[-1].number


def _after_pages(document: Document) -> None:
    if Page.objects.filter(document=document, needs_ocr=True).exists():
        # Unclaimed in state ocr: the dispatcher (or --sync) sends it to OCR next.
        _update(document, state=State.OCR, heartbeat_at=None, attempts=0)
        document.state = State.OCR
    else:
        _finish(document, State.DONE)


# OCR.


def _ocr_pages(document: Document, max_pages: int, limits: Limits) -> None:
    pending = Page.objects.filter(document=document, needs_ocr=True).order_by("number")
    with local_copy(document.stored_file) as path:  # from a bucket: one download a round, not one a page
        for page_id, number in pending.values_list("pk", "number")[:max_pages]:
            note = None
            try:
                text = _ocr_page(document, path, number, limits)
            except OcrFailed as failure:
                text, note = "", f"OCR could not read page {number}: {failure.message}"
            with transaction.atomic():
                found = {"text": text, "ocr": True} if text else {}  # an empty result keeps the text layer
                Page.objects.filter(pk=page_id).update(needs_ocr=False, **found)
                record_citations(document, [page_id])
                extra = {"error": note} if note else {}
                _update(document, ocr_pages_done=F("ocr_pages_done") + 1, **extra)
    if pending.exists():
        _release(document)  # more pages: another round waits for its turn (records/ingest/dispatch.py)
        document.heartbeat_at = None
    else:
        _finish(document, State.DONE)


def _ocr_page(document: Document, path: Path, number: int, limits: Limits) -> str:
    if document.detected_type == PDF:
        return ocr_pdf_page(
            path, number, dpi=limits.ocr_dpi, timeout=limits.ocr_page_seconds, password=document.password
        )
    return ocr_image_frame(path, number - 1, document.page_count or 1, timeout=limits.ocr_page_seconds)
