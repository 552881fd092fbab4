"""Exhibit binders: chosen pages from released files, one PDF with an index and a Bates number on every page.

The output is deterministic: reportlab draws with invariant=1 (no dates, no random ids), the PDF's /ID is a
hash of what went in, and pypdf writes the rest in a fixed order, so building the same binder twice gives the
same bytes. A build allocates the binder's Bates range once (select_for_update on the team's counter), so two
binders never share numbers and a rebuild keeps its numbers. A failed build leaves no file.
"""

import hashlib
import io
import logging
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from records.ingest.store import StoreFailed, local_copy, store_file
from records.models import BatesCounter, Binder, BinderPage, Document, Page

logger = logging.getLogger(__name__)

MAX_PAGES = 10_000  # a binder larger than this is refused: split it
PROGRESS_EVERY = 25  # pages between progress writes
MAX_REASONS = 30  # reasons kept on a failed binder (one a page can run to thousands)
SYNC_CHECK_PAGES = 300  # up to this size, "Build" opens the sources at once and refuses on the spot
IMAGE_TYPES = {"tiff", "jpeg", "png"}
INDEX_ROWS_PER_PAGE = 38


class BinderRefused(Exception):
    """The binder cannot be built; `reasons` lists why, one plain sentence each."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


# --- Choosing and ordering pages ---------------------------------------------------------------


def add_pages(binder: Binder, pages) -> int:
    """Append pages at the end (a page already in the binder is not added twice); return how many were added."""
    present = set(binder.binder_pages.values_list("page_id", flat=True))
    last = binder.binder_pages.order_by("-order").values_list("order", flat=True).first() or 0
    added = []
    for page in pages:
        if page.pk in present:
            continue
        present.add(page.pk)
        last += 1
        added.append(BinderPage(binder=binder, page=page, order=last))
    BinderPage.objects.bulk_create(added)
    return len(added)


def move_page(binder_page: BinderPage, step: int) -> None:
    """Swap a page with its neighbour (step -1: up, +1: down); nothing at either end."""
    siblings = list(binder_page.binder.binder_pages.order_by("order", "id"))
    index = next(i for i, bp in enumerate(siblings) if bp.pk == binder_page.pk)
    other = index + step
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    _renumber(siblings)


def remove_page(binder_page: BinderPage) -> None:
    binder = binder_page.binder
    binder_page.delete()
    _renumber(list(binder.binder_pages.order_by("order", "id")))


def _renumber(binder_pages: list[BinderPage]) -> None:
    for number, bp in enumerate(binder_pages, start=1):
        bp.order = number
    BinderPage.objects.bulk_update(binder_pages, ["order"])


def open_binders_for(user):
    """Binders the user may add pages to: their teams' where they can write, not being built."""
    return Binder.objects.editable_by(user).exclude(state__in=(Binder.State.QUEUED, Binder.State.BUILDING))


# --- Checking sources ---------------------------------------------------------------------------


@dataclass
class _Source:
    """One source document opened for copying: a pypdf reader, or a Pillow image."""

    document: Document
    reader: PdfReader | None = None
    image: Image.Image | None = None


def _page_label(page: Page) -> str:
    return f"Page {page.number} of {page.document.original_name}"


def _open_source(stack: ExitStack, document: Document) -> _Source:
    """Open a document's stored bytes for copying; raises BinderRefused with the reason it cannot be used."""
    name = document.original_name
    path = stack.enter_context(local_copy(document.stored_file))
    if document.detected_type == "pdf":
        try:
            reader = PdfReader(str(path))
            if reader.is_encrypted and not reader.decrypt(document.password or ""):
                raise BinderRefused([f"{name} is encrypted and no password that opens it is stored."])
            len(reader.pages)
        except BinderRefused:
            raise
        except Exception as error:  # pypdf raises many kinds on damaged files
            logger.info("Binder source %s unreadable: %s", document.pk, error)
            raise BinderRefused([f"{name} is damaged: it could not be read as a PDF."]) from error
        return _Source(document, reader=reader)
    if document.detected_type in IMAGE_TYPES:
        try:
            image = stack.enter_context(Image.open(path))
            image.load()
        except Exception as error:
            raise BinderRefused([f"{name} is damaged: it could not be read as an image."]) from error
        return _Source(document, image=image)
    kind = document.detected_type.upper() or "an unknown type"
    raise BinderRefused([f"{name} is {kind}, not a PDF or image, so its pages cannot go in a binder."])


def _page_count(source: _Source) -> int:
    if source.reader is not None:
        return len(source.reader.pages)
    return getattr(source.image, "n_frames", 1)


def _ordered_pages(binder: Binder) -> list[BinderPage]:
    return list(
        binder.binder_pages.order_by("order", "id").select_related(
            "page__document__stored_file", "page__document__communication"
        )
    )


def check_sources(binder: Binder) -> list[str]:
    """Why this binder cannot be built (empty when it can): too many pages, unreadable or locked sources."""
    binder_pages = _ordered_pages(binder)
    problems = _check_size(len(binder_pages))
    if problems:
        return problems
    with ExitStack() as stack:
        sources = _open_sources(stack, binder_pages, problems)
        for bp in binder_pages:
            source = sources.get(bp.page.document_id)
            if source is not None and bp.page.number > _page_count(source):
                problems.append(f"{_page_label(bp.page)}: the file has no such page (damaged?).")
    return problems


def _check_size(count: int) -> list[str]:
    if not count:
        return ["The binder has no pages yet: add pages from a document or from search results."]
    if count > MAX_PAGES:
        return [f"The binder has {count:,} pages, over the limit of {MAX_PAGES:,}: split it in two."]
    return []


def _open_sources(stack, binder_pages, problems) -> dict[int, _Source]:
    sources, refused = {}, set()
    for bp in binder_pages:
        document = bp.page.document
        if document.pk in sources or document.pk in refused:
            if document.pk in refused:
                problems.append(f"{_page_label(bp.page)} cannot be used (see above).")
            continue
        try:
            sources[document.pk] = _open_source(stack, document)
        except BinderRefused as refusal:
            refused.add(document.pk)
            problems.extend(f"{_page_label(bp.page)}: {reason}" for reason in refusal.reasons)
        except OSError as error:
            refused.add(document.pk)
            logger.warning("Binder source %s: the store could not be read: %s", document.pk, error)
            problems.append(f"{_page_label(bp.page)}: its file could not be read from the file store.")
    return sources


# --- Building -----------------------------------------------------------------------------------


def request_build(binder: Binder, *, check_sources_now: bool = True) -> None:
    """Check the binder and mark it queued (the caller sends the task on commit); raises BinderRefused.

    check_sources_now=False leaves opening the source files to the worker (a large binder, or files in a
    bucket): it checks them before writing anything, and fails with the same reasons.
    """
    if binder.is_busy and not binder.is_stale:
        raise BinderRefused(["This binder is already being built."])
    problems = check_sources(binder) if check_sources_now else _check_size(binder.binder_pages.count())
    if problems:
        raise BinderRefused(problems)
    now = timezone.now()
    Binder.objects.filter(pk=binder.pk).update(state=Binder.State.QUEUED, progress=0, error="", heartbeat_at=now)
    binder.state, binder.progress, binder.error, binder.heartbeat_at = Binder.State.QUEUED, 0, "", now


def build_binder(binder_id: int) -> Binder | None:
    """Build the binder's PDF and store it; on any refusal or error leave state failed with the reason, no file."""
    binder = Binder.objects.select_related("team").filter(pk=binder_id).first()
    if binder is None:
        return None
    Binder.objects.filter(pk=binder.pk).update(
        state=Binder.State.BUILDING, progress=0, error="", built_file=None, heartbeat_at=timezone.now()
    )
    try:
        problems = check_sources(binder)
        if problems:
            raise BinderRefused(problems)
        binder_pages = _ordered_pages(binder)
        allocate_bates(binder, len(binder_pages))
        _assign_exhibits(binder_pages)
        with tempfile.TemporaryFile() as output:
            _write_pdf(binder, binder_pages, output)
            output.seek(0)
            stored = store_file(output)
    except BinderRefused as refusal:
        reasons = refusal.reasons[:MAX_REASONS]
        if len(refusal.reasons) > MAX_REASONS:
            reasons.append(f"And {len(refusal.reasons) - MAX_REASONS:,} more.")
        _fail(binder, " ".join(reasons))
    except StoreFailed as failure:
        _fail(binder, f"The built binder could not be stored: {failure.reason}.")
    except Exception:
        logger.exception("Binder %s failed to build.", binder.pk)
        _fail(binder, "The binder could not be built because of an unexpected error; tell an administrator.")
    else:
        Binder.objects.filter(pk=binder.pk).update(
            state=Binder.State.DONE, progress=len(binder_pages), built_file=stored, error=""
        )
    binder.refresh_from_db()
    return binder


def _fail(binder: Binder, reason: str) -> None:
    Binder.objects.filter(pk=binder.pk).update(state=Binder.State.FAILED, error=reason, built_file=None)


def default_prefix(team) -> str:
    return (slugify(team.slug or team.name).upper() or "BATES")[:30]


def allocate_bates(binder: Binder, count: int) -> None:
    """Give the binder its range of Bates numbers, once; a rebuild with the same number of pages keeps it."""
    if binder.bates_start is not None and binder.bates_count == count:
        return
    with transaction.atomic():
        BatesCounter.objects.get_or_create(team=binder.team, defaults={"prefix": default_prefix(binder.team)})
        counter = BatesCounter.objects.select_for_update().get(team=binder.team)
        binder.bates_prefix, binder.bates_start, binder.bates_count = counter.prefix, counter.next_number, count
        counter.next_number += count
        counter.save(update_fields=["next_number"])
        binder.save(update_fields=["bates_prefix", "bates_start", "bates_count"])


def bates_number(binder: Binder, index: int) -> str:
    """The Bates number of the binder's page at `index` (0-based)."""
    return f"{binder.bates_prefix}-{binder.bates_start + index:06d}"


def _assign_exhibits(binder_pages: list[BinderPage]) -> None:
    """Consecutive pages from one document make one exhibit, numbered from 1 in binder order."""
    exhibit, previous = 0, None
    for bp in binder_pages:
        if bp.page.document_id != previous:
            exhibit += 1
            previous = bp.page.document_id
        bp.exhibit_number = exhibit
    BinderPage.objects.bulk_update(binder_pages, ["exhibit_number"])


@dataclass
class IndexRow:
    exhibit: int
    bates_range: str
    source: str
    pages: str
    released: str
    sha256: str


def index_rows(binder: Binder, binder_pages: list[BinderPage]) -> list[IndexRow]:
    rows, start = [], 0
    for i, bp in enumerate(binder_pages):
        last_of_exhibit = i + 1 == len(binder_pages) or binder_pages[i + 1].exhibit_number != bp.exhibit_number
        if not last_of_exhibit:
            continue
        group = binder_pages[start : i + 1]
        document = bp.page.document
        first, last = bates_number(binder, start), bates_number(binder, i)
        rows.append(
            IndexRow(
                exhibit=bp.exhibit_number,
                bates_range=first if first == last else f"{first} to {last}",
                source=document.original_name,
                pages=_page_list([g.page.number for g in group]),
                released=_release_date(document).isoformat(),
                sha256=document.stored_file.sha256,
            )
        )
        start = i + 1
    return rows


def _release_date(document: Document):
    if document.communication_id:
        return document.communication.date
    return document.uploaded_at.date()


def _page_list(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9'."""
    runs = []
    begin = prev = numbers[0]
    for number in numbers[1:]:
        if number != prev + 1:
            runs.append(str(begin) if begin == prev else f"{begin}-{prev}")
            begin = number
        prev = number
    runs.append(str(begin) if begin == prev else f"{begin}-{prev}")
    return ", ".join(runs)


def _write_pdf(binder: Binder, binder_pages: list[BinderPage], output) -> None:
    writer = PdfWriter()
    index_pdf = _index_pdf(binder, index_rows(binder, binder_pages))
    for page in PdfReader(io.BytesIO(index_pdf)).pages:
        writer.add_page(page)
    with ExitStack() as stack:
        problems: list[str] = []
        sources = _open_sources(stack, binder_pages, problems)
        if problems:
            raise BinderRefused(problems)
        boxes = []
        for i, bp in enumerate(binder_pages):
            try:
                out_page = _copy_page(writer, sources[bp.page.document_id], bp.page.number)
            except BinderRefused:
                raise
            except Exception as error:
                logger.info("Binder %s: %s failed: %s", binder.pk, _page_label(bp.page), error)
                raise BinderRefused([f"{_page_label(bp.page)} could not be copied: the file is damaged."])
            box = out_page.cropbox  # what a viewer shows; the mediabox when no crop is set
            boxes.append((float(box.left), float(box.bottom), float(box.right), float(box.top)))
            if (i + 1) % PROGRESS_EVERY == 0:
                Binder.objects.filter(pk=binder.pk).update(progress=i + 1, heartbeat_at=timezone.now())
        stamps = PdfReader(io.BytesIO(_stamps_pdf(binder, boxes))).pages
        first = len(writer.pages) - len(binder_pages)
        for i, stamp in enumerate(stamps):
            _overlay(writer, writer.pages[first + i], stamp, boxes[i])
        writer.add_metadata({"/Title": binder.title, "/Producer": "Records tracker (pypdf)"})
        writer._ID = ArrayObject([ByteStringObject(_fingerprint(binder, binder_pages))] * 2)
        writer.write(output)


def _copy_page(writer: PdfWriter, source: _Source, number: int):
    if source.reader is not None:
        out_page = writer.add_page(source.reader.pages[number - 1])
        if out_page.rotation % 360:
            out_page.transfer_rotation_to_content()  # so "bottom-right" is where a reader sees it
        return out_page
    source.image.seek(number - 1)
    return writer.add_page(PdfReader(io.BytesIO(_image_pdf(source.image))).pages[0])


STAMP_NAME = NameObject("/TrackerBatesStamp")


def _overlay(writer: PdfWriter, page, stamp, box) -> None:
    """Draw the stamp page over the page as a form XObject, without parsing the page's own content.

    pypdf's merge_page parses both content streams (0.2 s a page on dense scans); here the page's streams
    are only wrapped in q/Q, and the page gets its own copy of its resources dictionary (pages of one source
    often share theirs) with the stamp added.
    """
    form = DecodedStreamObject()
    form.set_data(stamp.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(value) for value in box),
            NameObject("/Resources"): stamp["/Resources"].clone(writer),
        }
    )
    resources = page.get("/Resources")
    resources = DictionaryObject(resources.get_object()) if resources is not None else DictionaryObject()
    xobjects = resources.get("/XObject")
    xobjects = DictionaryObject(xobjects.get_object()) if xobjects is not None else DictionaryObject()
    xobjects[STAMP_NAME] = writer._add_object(form)  # pypdf has no public way to add a loose object
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    contents = dict.get(page, "/Contents")  # unresolved: a reference to a stream, or an array of them
    existing = []
    if contents is not None:
        resolved = contents.get_object()
        existing = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject(
        [_stream(writer, b"q\n"), *existing, _stream(writer, b"\nQ\nq " + STAMP_NAME.encode() + b" Do Q\n")]
    )


def _stream(writer: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _fingerprint(binder: Binder, binder_pages: list[BinderPage]) -> bytes:
    """The PDF's /ID: a hash of what went in (fixed for the same binder, never random)."""
    digest = hashlib.md5(usedforsecurity=False)
    digest.update(f"{binder.pk}|{binder.title}|{binder.bates_prefix}|{binder.bates_start}".encode())
    for bp in binder_pages:
        digest.update(f"|{bp.page.document.stored_file.sha256}:{bp.page.number}".encode())
    return digest.digest()


def _canvas(buffer, pagesize, title):
    pdf = canvas.Canvas(buffer, pagesize=pagesize, invariant=1, pageCompression=1)
    pdf.setTitle(title)
    pdf.setProducer("Records tracker")
    pdf.setCreator("Records tracker")
    return pdf


def _index_pdf(binder: Binder, rows: list[IndexRow]) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(letter)
    pdf = _canvas(buffer, (width, height), binder.title)
    chunks = [rows[i : i + INDEX_ROWS_PER_PAGE] for i in range(0, len(rows), INDEX_ROWS_PER_PAGE)] or [[]]
    # (left edge, width, heading); the SHA-256 column fits 64 Courier characters at 6.5 pt.
    columns = [
        (30, 34, "Exhibit"),
        (66, 190, "Bates range"),
        (260, 150, "Source document"),
        (414, 44, "Pages"),
        (462, 46, "Released"),
        (512, 250, "SHA-256 of the source file"),
    ]
    for number, chunk in enumerate(chunks, start=1):
        pdf.setFont("Helvetica-Bold", 12)
        pdf.drawString(30, height - 40, _latin(f"Exhibit index: {binder.title}"))
        pdf.setFont("Helvetica", 8)
        pdf.drawRightString(width - 30, height - 40, f"index page {number} of {len(chunks)}")
        y = height - 64
        pdf.setFont("Helvetica-Bold", 8)
        for x, _, label in columns:
            pdf.drawString(x, y, label)
        for row in chunk:
            y -= 13
            values = [str(row.exhibit), row.bates_range, row.source, row.pages, row.released]
            for (x, column_width, _), value in zip(columns, values, strict=False):
                _draw_fitted(pdf, x, y, _latin(value), column_width)
            pdf.setFont("Courier", 6.5)
            pdf.drawString(columns[-1][0], y, row.sha256)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _stamps_pdf(binder: Binder, boxes: list[tuple[float, float, float, float]]) -> bytes:
    """One page per binder page, each drawing only its Bates number at the page's bottom-right corner."""
    buffer = io.BytesIO()
    pdf = _canvas(buffer, letter, binder.title)
    for i, (left, bottom, right, top) in enumerate(boxes):
        pdf.setPageSize((right, top))  # user space is absolute: the stamp lands on the source page's box
        label = bates_number(binder, i)
        size = 9 if right - left > 300 else 7
        text_width = pdf.stringWidth(label, "Helvetica-Bold", size)
        x, y = right - 14 - text_width, bottom + 12
        pdf.setFillColorRGB(1, 1, 1)
        pdf.rect(x - 3, y - 3, text_width + 6, size + 5, stroke=0, fill=1)
        pdf.setFillColorRGB(0, 0, 0)
        pdf.setFont("Helvetica-Bold", size)
        pdf.drawString(x, y, label)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _image_pdf(image: Image.Image) -> bytes:
    """One image as one PDF page sized to the image at its resolution (150 dpi when it does not say)."""
    dpi = image.info.get("dpi") or (150, 150)
    try:
        dpi_x, dpi_y = (float(d) or 150.0 for d in dpi)
    except (TypeError, ValueError):
        dpi_x = dpi_y = 150.0
    frame = image.convert("RGB") if image.mode not in ("RGB", "L", "1") else image.copy()
    width, height = frame.width * 72 / dpi_x, frame.height * 72 / dpi_y
    buffer = io.BytesIO()
    pdf = _canvas(buffer, (width, height), "page")
    pdf.drawImage(ImageReader(frame), 0, 0, width=width, height=height)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_fitted(pdf, x: float, y: float, text: str, width: float, font: str = "Helvetica") -> None:
    """Draw text within width: a smaller size first (down to 5.5 pt), then cut with "..."."""
    size = 8.0
    while size > 5.5 and pdf.stringWidth(text, font, size) > width:
        size -= 0.5
    while len(text) > 4 and pdf.stringWidth(text, font, size) > width:
        text = text[:-4] + "..."
    pdf.setFont(font, size)
    pdf.drawString(x, y, text)


def _latin(text: str) -> str:
    """The standard PDF fonts draw Latin-1 only; anything else is shown as '?' rather than a missing glyph."""
    return text.encode("latin-1", "replace").decode("latin-1")
