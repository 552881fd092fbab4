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
import os
import tempfile
import time
from contextlib import closing, suppress
from datetime import timedelta
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from records.models import Document, Page, Sheet
from records.proposals import propose_after_extraction
from records.review.citations import record_citations
from records.review.fingerprints import record_fingerprints, write_fingerprints
from records.search.outbox import queue_document

from .detect import EML, IMAGE_TYPES, PDF, ZIP, describe_unreadable, detect_type
from .errors import IngestError, NeedsPassword
from .images import count_frames
from .isolate import run_isolated
from .limits import Limits, current_limits
from .ocr import ocr_pages
from .office import ASK_FOR_PASSWORD as ASK_FOR_OFFICE_PASSWORD
from .office import (
    ENCRYPTED_OFFICE,
    MACRO_TYPES,
    OFFICE_TYPES,
    convert_to_pdf,
    decrypt,
    legacy_encryption,
    macro_note,
    may_be_legacy_encrypted,
    office_format,
)  # fmt: skip
from .outlook import looks_like_outlook
from .pdf import WRONG_PASSWORD, check_password, read_pages
from .plaintext import HTML_TEXT, TEXT, read_text_pages, text_format
from .render import THUMB, derived_name, store_ocr_images
from .revisions import check_package, read_tracked_changes, searchable_text
from .sheets import SPREADSHEET_TYPES, read_table, row_text, spreadsheet_format
from .store import StoreFailed, local_copy, released_storage, store_file
from .text import clean_text
from .unpack import unpack_email, unpack_msg, unpack_zip

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


def ocr_document(
    document_id: int, *, max_pages: int | None = None, parallel: int | None = None, on_claimed=None
) -> Document | None:
    """OCR one chunk of up to max_pages (default: limits.ocr_pages_per_task) of the pages that need it.

    The document is claimed only long enough to claim the chunk's pages, then let go, and
    on_claimed() is called (the task dispatches again there): the next chunk goes to another
    worker while this one reads, so one big scan uses every worker. `parallel` tesseract runs
    (default limits.ocr_parallel_pages) read the chunk's pages at once.

    Returns the document: in state done when no page is left, or still in state ocr when
    pages remain; None when there was nothing to do (gone, not in OCR, every page taken).
    """
    limits = current_limits()
    document = _claim(document_id, State.OCR, limits)
    if document is None:
        return None
    claimed: list = []
    document = _run_claimed(
        document,
        lambda: claimed.extend(_claim_chunk(document, max_pages or _guided_chunk(document, limits), limits)),
    )
    if document is None or not claimed:
        return None
    claimed_at, chunk = claimed
    if on_claimed is not None:
        try:
            on_claimed()
        except Exception:
            _unclaim(chunk)  # the broker refused the next dispatch: our pages wait for the retry
            raise
    if not chunk:
        return _finish_ocr(document) if not _pending_ocr(document).exists() else None
    try:
        _ocr_chunk(document, claimed_at, chunk, parallel or limits.ocr_parallel_pages, limits)
    except BaseException:
        _unclaim(chunk)  # killed by a time limit, a database error: the pages wait for the next worker
        raise
    return _finish_ocr(document)


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
    """Extract, OCR and unpack members in this process (import_documents --sync), OCR on every core."""
    cores = os.cpu_count() or 1
    document = Document.objects.filter(pk=document_id).first()
    while document is not None and (step := next_step(document)) is not None:
        if step == OCR:
            document = ocr_document(document_id, max_pages=max(cores * 8, 1), parallel=cores)
        else:
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
    if document.detected_type == ENCRYPTED_OFFICE:
        return _decrypt_office(document, password, limits)
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


def _decrypt_office(document: Document, password: str, limits: Limits) -> bool:
    """Decrypt a password-protected Office file in the sandbox and keep the decrypted copy as a derived
    file; the password itself is never stored. False (and the reason in document.error) when it fails."""
    try:
        with tempfile.TemporaryDirectory(prefix="decrypt-") as folder, local_copy(document.stored_file) as path:
            target = str(Path(folder) / "decrypted")
            for _ in run_isolated(
                decrypt, str(path), password, target,
                memory_mb=limits.parse_memory_mb, total_seconds=limits.page_seconds, idle_seconds=limits.page_seconds,
            ):  # fmt: skip
                pass
            with open(target, "rb") as decrypted:
                stored = store_file(decrypted)
    except (IngestError, StoreFailed) as error:
        message = error.message if isinstance(error, IngestError) else f"It could not be stored: {error.reason}."
        Document.objects.filter(pk=document.pk).update(error=message)
        document.error = message
        return False
    Document.objects.filter(pk=document.pk).update(decrypted_file=stored)
    document.decrypted_file = stored
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
    # OCR chunks whose worker died: their pages wait for the next worker (see _claim_chunk).
    for page in Page.objects.filter(needs_ocr=True, ocr_claimed_at__lt=cutoff).only(
        "pk", "document_id", "ocr_claimed_at"
    ):
        if Page.objects.filter(pk=page.pk, ocr_claimed_at=page.ocr_claimed_at).update(ocr_claimed_at=None):
            released.append(page.document_id)
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
    if state == State.DONE:
        propose_after_extraction(document)  # issue 12: the letter reader proposes events from its text


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
    office = _office_format(document, limits)
    if office:
        _extract_office(document, office, limits)
        return
    kind = document.detected_type
    if looks_like_outlook(document.original_name) and kind not in (PDF, ZIP, EML):
        _finish(document, State.DONE, "; ".join(unpack_msg(document, limits)))
        return
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
        local_copy(document.pdf_file) as path,
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


def _office_format(document: Document, limits: Limits) -> str | None:
    """A word-processing or presentation file's format (see office.py), else None.

    A password-protected one asks for the password (NeedsPassword) until it has been decrypted;
    then what the decrypted bytes are decides (a DOCX here, an XLSX for _table_format).
    """
    if document.detected_type == ENCRYPTED_OFFICE:
        if document.decrypted_file_id is None:
            raise NeedsPassword(ASK_FOR_OFFICE_PASSWORD)
        with local_copy(document.decrypted_file) as path, open(path, "rb") as file:
            _set_type(document, detect_type(file.read(4096)))
    if document.detected_type not in ("zip", "unknown", *OFFICE_TYPES):
        return None
    if document.decrypted_file_id is None and _legacy_encrypted(document, limits):
        _set_type(document, ENCRYPTED_OFFICE)
        raise NeedsPassword(ASK_FOR_OFFICE_PASSWORD)
    with local_copy(document.readable_file) as path, open(path, "rb") as file:
        found = office_format(str(path), detect_type(file.read(4096)))
    if found == ENCRYPTED_OFFICE:
        _set_type(document, found)
        raise NeedsPassword(ASK_FOR_OFFICE_PASSWORD)
    if found:
        _set_type(document, found)
    return found


def _legacy_encrypted(document: Document, limits: Limits) -> bool:
    """Whether a legacy .doc or .xls is password-protected (msoffcrypto-tool reads its flag, in the sandbox)."""
    with local_copy(document.stored_file) as path:
        if not may_be_legacy_encrypted(str(path)):
            return False
        ((_, encrypted),) = run_isolated(
            legacy_encryption, str(path),
            memory_mb=limits.parse_memory_mb, total_seconds=limits.page_seconds, idle_seconds=limits.page_seconds,
        )  # fmt: skip
    return encrypted


def _set_type(document: Document, kind: str) -> None:
    if kind != document.detected_type:
        _update(document, detected_type=kind)
        document.detected_type = kind


def _extract_office(document: Document, kind: str, limits: Limits) -> None:
    """Convert to PDF with LibreOffice (once; the PDF is kept as a derived file), then read it as a PDF.

    A DOCX's tracked changes and comments are read first, kept on the document and, as one more
    page after the PDF's, made searchable."""
    notes = [macro_note()] if kind in MACRO_TYPES else []
    if document.converted_file_id is None:
        with local_copy(document.readable_file) as path:
            if kind not in ("doc", "ppt", "rtf"):
                check_package(str(path), _OFFICE_WHAT.get(kind, "file"), limits.sheet_max_xml_mb, limits.zip_max_ratio)
            changes = _tracked_changes(str(path), limits) if kind in ("docx", "docm") else {}
            with tempfile.TemporaryDirectory(prefix="office-") as folder:
                ((_, pdf_path),) = run_isolated(
                    convert_to_pdf, str(path), kind, folder, limits.office_seconds,
                    memory_mb=limits.parse_memory_mb,
                    total_seconds=limits.office_conversion_seconds(), idle_seconds=limits.office_conversion_seconds(),
                )  # fmt: skip
                with open(pdf_path, "rb") as pdf:
                    converted = store_file(pdf)
        _update(document, converted_file=converted, tracked_changes=changes)
        document.converted_file, document.tracked_changes = converted, changes
    _update(document, has_macros=kind in MACRO_TYPES, error=" ".join(notes))
    _extract_pdf(document, limits)
    if searchable_text(document.tracked_changes):
        _add_changes_page(document)


_OFFICE_WHAT = {"docx": "Word file", "docm": "Word file", "odt": "OpenDocument text", "pptx": "PowerPoint file",
                "pptm": "PowerPoint file", "odp": "OpenDocument presentation"}  # fmt: skip


def _tracked_changes(path: str, limits: Limits) -> dict:
    ((_, changes),) = run_isolated(  # one answer at the end: page_seconds bounds it (Limits.extract_step_seconds)
        read_tracked_changes, path,
        memory_mb=limits.parse_memory_mb, total_seconds=limits.page_seconds, idle_seconds=limits.page_seconds,
    )  # fmt: skip
    return changes if any(changes["counts"].values()) else {}


def _add_changes_page(document: Document) -> None:
    """One page after the last, labelled, with the tracked changes and comments: the search finds them."""
    number = (document.page_count or 0) + 1
    with transaction.atomic():
        Page.objects.filter(document=document, number__gte=number).delete()
        Page.objects.create(
            document=document,
            number=number,
            sheet=CHANGES_PAGE,
            text=clean_text(searchable_text(document.tracked_changes)),
        )


CHANGES_PAGE = "Tracked changes and comments"


def _table_format(document: Document) -> str | None:
    """A spreadsheet's or text file's format (see sheets.py, plaintext.py), else None."""
    found = text_format(document.original_name, document.detected_type)
    if found is None and document.detected_type in ("zip", "unknown", *SPREADSHEET_TYPES):
        with local_copy(document.readable_file) as path:
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
        local_copy(document.readable_file) as path,
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
        write_fingerprints([(page.pk, page.text) for page in batch])  # issue 14: for the production diff
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


def _pending_ocr(document: Document):
    return Page.objects.filter(document=document, needs_ocr=True)


def _guided_chunk(document: Document, limits: Limits) -> int:
    """A quarter of the pages nobody holds yet, at most limits.ocr_pages_per_task, at least one.

    Chunks shrink towards the end of a scan, so the workers sharing it finish together instead of
    one reading a last full chunk while the others idle (a 12-page scan on two workers: 3, 2, 2, …).
    """
    free = _pending_ocr(document).filter(ocr_claimed_at__isnull=True).count()
    return max(1, min(limits.ocr_pages_per_task, -(-free // 4)))


def _claim_chunk(document: Document, max_pages: int, limits: Limits) -> tuple:
    """Claim up to max_pages unclaimed pages needing OCR; let go of the document.

    Returns (the claim's time, [(page id, number), …]).

    Each page is claimed with a conditional UPDATE, so two workers never hold the same page.
    A page tried max_attempts times (its worker died on it each time) is given up, with a note.
    """
    now = timezone.now()
    chunk = []
    free = _pending_ocr(document).filter(ocr_claimed_at__isnull=True).order_by("number")
    for page_id, number, attempts in free.values_list("pk", "number", "ocr_attempts")[:max_pages]:
        if attempts >= limits.max_attempts:
            _give_up_page(document, page_id, number, limits)
            continue
        if Page.objects.filter(pk=page_id, ocr_claimed_at__isnull=True, needs_ocr=True).update(
            ocr_claimed_at=now, ocr_attempts=F("ocr_attempts") + 1
        ):
            chunk.append((page_id, number))
    # Let go of the document (attempts start over: this round got its pages), so the next chunk can go out.
    _update(document, heartbeat_at=None, attempts=0)
    document.heartbeat_at = None
    return now, chunk


def _ocr_chunk(document: Document, claimed_at, chunk: list[tuple[int, int]], parallel: int, limits: Limits) -> None:
    """Read the chunk's pages, `parallel` at a time; each page's text is written once, by its claim holder.

    The pages are drawn in one sandboxed child and read by tesseract processes (ocr.ocr_pages); their
    thumbnails and image hashes (issue 14's production diff) come from the same child. Only this thread
    touches the database.
    """
    ids = {number: page_id for page_id, number in chunk}
    numbers = sorted(ids)
    thumbnails = _missing_thumbnails(document, numbers)
    with local_copy(document.pdf_file) as path:  # from a bucket: one download a chunk, not one a page
        for read in ocr_pages(
            path, document.pages_kind, document.password, numbers,
            dpi=limits.ocr_dpi, timeout=limits.ocr_page_seconds, memory_mb=limits.parse_memory_mb,
            parallel=parallel, thumbnails=thumbnails,
        ):  # fmt: skip
            if read.thumbnail:
                _store_thumbnail(document, read.number, read.thumbnail)
            claimed_at = _write_ocr_page(document, ids, read.number, read.text, read.note, claimed_at, read.image_hash)


def _missing_thumbnails(document: Document, numbers: list[int]) -> list[int]:
    """The pages whose thumbnail is not cached yet (the first ones were drawn after extraction)."""
    storage = released_storage()
    try:
        return [number for number in numbers if not storage.exists(derived_name(document.sha256, number, THUMB))]
    except (OSError, StoreFailed):
        return numbers


def _store_thumbnail(document: Document, number: int, thumbnail: bytes) -> None:
    try:
        store_ocr_images(document, number, {THUMB: thumbnail})
    except (OSError, StoreFailed):
        logger.warning("Document %s page %s: its thumbnail could not be cached.", document.pk, number)


def _write_ocr_page(
    document, ids: dict[int, int], number: int, text: str, note: str | None, claimed_at, image_hash: str | None
):
    """Write one page's OCR if we still hold it; refresh our claim on the rest. Returns the claim's new time."""
    page_id = ids.pop(number)
    with transaction.atomic():
        found = {"text": text, "ocr": True} if text else {}  # an empty result keeps the text layer
        mine = Page.objects.filter(pk=page_id, needs_ocr=True, ocr_claimed_at=claimed_at)
        if mine.update(needs_ocr=False, ocr_claimed_at=None, **found):
            record_citations(document, [page_id])
            record_fingerprints([page_id], {page_id: image_hash} if image_hash else None)
            extra = {"error": note} if note else {}
            Document.objects.filter(pk=document.pk).update(ocr_pages_done=F("ocr_pages_done") + 1, **extra)
        else:
            logger.info(
                "Document %s page %s was taken over by another worker; its result is dropped.", document.pk, number
            )
        # A heartbeat for the pages still to read, so the sweep does not take them from a live worker.
        now = timezone.now()
        if now <= claimed_at:
            now = claimed_at + timedelta(microseconds=1)
        Page.objects.filter(pk__in=list(ids.values()), ocr_claimed_at=claimed_at).update(ocr_claimed_at=now)
    return now


def _give_up_page(document: Document, page_id: int, number: int, limits: Limits) -> None:
    note = (
        f"OCR gave up on page {number} after {limits.max_attempts} attempts: the worker stopped each time "
        "while reading it. The page keeps whatever text layer it had."
    )
    with transaction.atomic():
        if Page.objects.filter(pk=page_id, needs_ocr=True, ocr_claimed_at__isnull=True).update(needs_ocr=False):
            Document.objects.filter(pk=document.pk).update(ocr_pages_done=F("ocr_pages_done") + 1, error=note)


def _unclaim(chunk: list[tuple[int, int]]) -> None:
    with suppress(DatabaseError):
        Page.objects.filter(pk__in=[page_id for page_id, _ in chunk], needs_ocr=True).update(ocr_claimed_at=None)


def _finish_ocr(document: Document) -> Document | None:
    """Done when no page needs OCR any more (whichever chunk ends last says so)."""
    done = Document.objects.filter(pk=document.pk, state=State.OCR)
    with transaction.atomic():
        finished = not _pending_ocr(document).exists() and done.update(state=State.DONE, heartbeat_at=None)
        if finished:
            queue_document(document.pk)  # the ranking engine re-reads the OCR'd text (issue 15)
    if finished:
        document.state = State.DONE
        propose_after_extraction(document)  # only the chunk that finished the scan reads it
    return Document.objects.filter(pk=document.pk).first()
