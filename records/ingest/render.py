"""Page images: one render per page, for the viewer and for OCR, cached in the store.

Pages are drawn with pypdfium2 (in-process pdfium was about 4× faster per page
than pdftoppm here: bench/ingest.py --compare-render) inside a forked child
with the sandbox's memory and time limits (isolate.py), so a pathological page
costs that page, never the web or worker process. Images are derived files in
the released storage, named by the file's sha256, the page and the size, and
are served only through the team-scoped viewer (records/views/viewer.py).
"""

import contextlib
import io
import logging
import os
import time
from collections.abc import Iterable, Iterator

from django.core.files.base import ContentFile

from .detect import IMAGE_TYPES, PDF
from .errors import IngestError
from .isolate import run_isolated
from .limits import current_limits
from .store import StoreFailed, local_copy, released_storage

logger = logging.getLogger(__name__)

SCREEN, THUMB = "screen", "thumb"
WIDTHS = {SCREEN: 1400, THUMB: 200}
RENDERABLE_TYPES = (PDF, *IMAGE_TYPES)
# A poster-sized page at 300 dpi would be gigapixels: the resolution drops instead.
MAX_PIXELS = 40_000_000
_WEBP = {"format": "WEBP", "quality": 75, "method": 0}  # method 0: encoding fast enough to render on demand


class RenderFailed(IngestError):
    """A page could not be drawn (damaged, too big, too slow)."""


def derived_name(sha256: str, number: int, size: str) -> str:
    return f"derived/{sha256[:2]}/{sha256[2:4]}/{sha256}/page-{number}-{size}.webp"


def can_render(document) -> bool:
    return document.pages_kind in RENDERABLE_TYPES and bool(document.page_count)


def cached_image(document, number: int, size: str):
    """The cached image of this page as an open file, or None."""
    storage = released_storage()
    name = derived_name(document.sha256, number, size)
    try:
        return storage.open(name, "rb") if storage.exists(name) else None
    except OSError:
        return None


def page_image(document, number: int, size: str):
    """This page's image as an open file: from the cache, or drawn now (this page only) and cached.

    Raises RenderFailed with a plain reason when the page cannot be drawn.
    """
    cached = cached_image(document, number, size)
    if cached is not None:
        return cached
    limits = current_limits()
    sizes = (size,) if size == THUMB else (SCREEN, THUMB)  # the thumbnail comes free with the page
    render_and_store(document, [number], sizes, seconds=limits.viewer_render_seconds)
    cached = cached_image(document, number, size)
    if cached is None:
        raise RenderFailed(f"Page {number} could not be stored as an image. Try again later.")
    return cached


def render_and_store(document, numbers: Iterable[int], sizes: tuple[str, ...], *, seconds: float) -> int:
    """Draw these pages at these sizes in the sandbox and cache them; return how many images were stored."""
    numbers = list(numbers)
    if not numbers:
        return 0
    limits = current_limits()
    storage = released_storage()
    stored = 0
    with local_copy(document.pdf_file) as path:
        images = run_isolated(
            draw_pages, str(path), document.pages_kind, document.password, numbers, sizes,
            memory_mb=limits.parse_memory_mb, total_seconds=seconds * len(numbers), idle_seconds=seconds,
        )  # fmt: skip
        for number, size, data in images:
            _save(storage, derived_name(document.sha256, number, size), data)
            stored += 1
    return stored


def prerender_page_images(document_id: int) -> int:
    """After extraction: draw what the viewer shows first (limits.viewer_prerender_*); never raises for a file."""
    from records.models import Document

    document = Document.objects.select_related("stored_file", "converted_file").filter(pk=document_id).first()
    if document is None or document.state in (Document.State.FAILED, Document.State.NEEDS_PASSWORD):
        return 0
    limits = current_limits()
    try:
        return prerender(document, pages=limits.viewer_prerender_thumbnails, screen_pages=limits.viewer_prerender_pages)
    except (OSError, StoreFailed) as error:
        logger.warning("Document %s: page images could not be cached (%s).", document_id, error)
        return 0


def prerender(document, *, pages: int, screen_pages: int) -> int:
    """After extraction: thumbnails of the first `pages` pages and screen images of the first `screen_pages`.

    Pages already cached are skipped. Later pages are drawn when someone opens them.
    """
    if not can_render(document):
        return 0
    storage = released_storage()
    seconds = current_limits().viewer_render_seconds
    stored = 0
    for size, count in ((SCREEN, screen_pages), (THUMB, pages)):
        missing = [
            number
            for number in range(1, min(count, document.page_count) + 1)
            if not storage.exists(derived_name(document.sha256, number, size))
        ]
        try:
            stored += render_and_store(document, missing, (size,), seconds=seconds)
        except IngestError as error:
            logger.info("Document %s: pre-rendering stopped: %s", document.pk, error.message)
    return stored


def store_ocr_images(document, number: int, images: dict[str, bytes]) -> None:
    """Cache the viewer's images drawn during OCR ({size: WebP bytes}); an image already there stays."""
    storage = released_storage()
    for size, data in images.items():
        name = derived_name(document.sha256, number, size)
        if not storage.exists(name):
            _save(storage, name, data)


def _save(storage, name: str, data: bytes) -> None:
    if storage.exists(name):  # another process drew it meanwhile: the same pixels
        return
    storage.save(name, ContentFile(data))


# In the sandboxed child.


def draw_pages(path: str, kind: str, password: str, numbers: list[int], sizes: tuple[str, ...]) -> Iterator[tuple]:
    """Yield (number, size, webp bytes) for each page and size; one render per page at the largest size."""
    widest = max(WIDTHS[size] for size in sizes)
    for number, image in _pages(path, kind, password, numbers, lambda width_pt: widest / width_pt, grayscale=False):
        for size in sizes:
            yield number, size, encode(resized(image, WIDTHS[size]))


def draw_for_ocr(
    path: str, kind: str, password: str, numbers: list[int], dpi: int, workdir: str, ahead: int, thumbs: list[int]
) -> Iterator[tuple]:
    """Draw each page as a grayscale PGM at `dpi` in workdir for tesseract, at most `ahead` images waiting there.

    Yields (number, image path or None, error or None, thumbnail or None, image hash or None) page by page.
    A PDF is opened once and each page loaded once: drawing a scan is mostly decoding its embedded image,
    which pdfium then keeps for the page's thumbnail and image hash (about 10 ms each, against hundreds
    for a fresh load). The thumbnail (pages in `thumbs`) is drawn as the viewer draws it on demand, in
    colour: the viewer shows a page the same way whichever path drew it. The screen image (a 1400-pixel
    WebP costs about half a tesseract run) is left to the viewer.
    """
    from records.review.fingerprints import page_image_hashes, pdf_page_hash

    wanted = set(thumbs)
    pdf = _open_pdf(path, password) if kind == PDF else None
    for number in numbers:
        _wait_for_room(workdir, ahead)
        image = os.path.join(workdir, f"page-{number}.pgm")
        thumb = image_hash = None
        try:
            if pdf is None:
                ((_, drawn),) = list(_image_pages(path, [number], None, grayscale=True))
                _save_pgm(drawn, image)
                if number in wanted:
                    ((_, _, thumb),) = list(draw_pages(path, kind, password, [number], (THUMB,)))
                with contextlib.suppress(Exception):  # no hash for a page the hasher cannot draw: the diff skips it
                    ((_, image_hash),) = list(page_image_hashes(path, password, [number], kind))
            else:
                page = _pdf_page(pdf, number)
                _save_pgm(_draw(page, number, lambda width_pt: dpi / 72, grayscale=True), image)
                if number in wanted:
                    colour = _draw(page, number, lambda width_pt: WIDTHS[THUMB] / width_pt, grayscale=False)
                    thumb = encode(resized(colour, WIDTHS[THUMB]))
                with contextlib.suppress(Exception):
                    image_hash = pdf_page_hash(page)
                page.close()
        except RenderFailed as failed:
            yield number, None, failed.message, None, None
            continue
        yield number, image, None, thumb, image_hash


def _save_pgm(image, path: str) -> None:
    image.save(path + ".part", format="PPM")  # PGM for an 8-bit grayscale image: no compression to undo
    os.replace(path + ".part", path)  # whole before tesseract may see it


def _wait_for_room(workdir: str, ahead: int) -> None:
    """Draw ahead of tesseract, but keep at most `ahead` full-page images on disk (each up to MAX_PIXELS bytes)."""
    while len(os.listdir(workdir)) >= ahead:
        time.sleep(0.005)


def _pages(path, kind, password, numbers, scale_for, *, grayscale):
    if kind == PDF:
        yield from _pdf_pages(path, password, numbers, scale_for, grayscale)
    else:
        yield from _image_pages(path, numbers, scale_for, grayscale)


def _pdf_pages(path, password, numbers, scale_for, grayscale):
    document = _open_pdf(path, password)
    for number in numbers:
        yield number, _draw(_pdf_page(document, number), number, scale_for, grayscale)


def _open_pdf(path, password):
    import pypdfium2 as pdfium  # imported in the child: the web process never loads pdfium

    try:
        return pdfium.PdfDocument(path, password=password or None)
    except pdfium.PdfiumError as exc:
        raise RenderFailed(f"The PDF could not be opened to draw its pages ({exc}).") from None


def _pdf_page(document, number: int):
    import pypdfium2 as pdfium

    if not 1 <= number <= len(document):
        raise RenderFailed(f"This file has no page {number}.")
    try:
        return document[number - 1]
    except pdfium.PdfiumError as exc:
        raise RenderFailed(f"Page {number} could not be drawn ({exc}).") from None


def _draw(page, number: int, scale_for, grayscale: bool):
    import pypdfium2 as pdfium

    try:
        width, height = page.get_size()
        scale = _bounded(scale_for(width or 612), width or 612, height or 792)
        return page.render(scale=scale, grayscale=grayscale).to_pil()
    except pdfium.PdfiumError as exc:
        raise RenderFailed(f"Page {number} could not be drawn ({exc}).") from None


def _image_pages(path, numbers, scale_for, grayscale):
    from PIL import Image

    with Image.open(path) as source:
        for number in numbers:
            try:
                source.seek(number - 1)
            except EOFError:
                raise RenderFailed(f"This file has no page {number}.") from None
            image = source.convert("L" if grayscale else "RGB")
            yield number, image


def _bounded(scale: float, width: float, height: float) -> float:
    pixels = width * height * scale * scale
    return scale if pixels <= MAX_PIXELS else scale * (MAX_PIXELS / pixels) ** 0.5


def resized(image, width: int):
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), reducing_gap=2.0)


def encode(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, **_WEBP)
    return buffer.getvalue()


def read_box_rectangles(path: str, password: str, number: int) -> Iterator[list[dict]]:
    """Yield once: the dark boxes that cover text on this page, as page-relative percentages."""
    from .boxes import BoxFinder
    from .pdf import open_pdf

    page = open_pdf(path, password).pages[number - 1]
    box = page.mediabox
    left, bottom = float(box.left), float(box.bottom)
    width, height = float(box.width) or 1.0, float(box.height) or 1.0
    finder = BoxFinder(page_area=abs(width * height))
    page.extract_text(visitor_operand_before=finder.before, visitor_text=finder.text)
    yield [
        {
            "left": round(100 * (x0 - left) / width, 2),
            "top": round(100 * (bottom + height - y1) / height, 2),
            "width": round(100 * (x1 - x0) / width, 2),
            "height": round(100 * (y1 - y0) / height, 2),
        }
        for x0, y0, x1, y1 in finder.boxes_over_text()
    ]


def box_rectangles(document, number: int) -> list[dict]:
    """Where the drawn boxes over text are on a flagged page (derived on demand, in the sandbox)."""
    if document.pages_kind != PDF:
        return []
    limits = current_limits()
    try:
        with local_copy(document.pdf_file) as path:
            (rectangles,) = run_isolated(
                read_box_rectangles, str(path), document.password, number,
                memory_mb=limits.parse_memory_mb, total_seconds=limits.viewer_render_seconds,
                idle_seconds=limits.viewer_render_seconds,
            )  # fmt: skip
    except IngestError as error:
        logger.info("Document %s page %s: boxes not found: %s", document.pk, number, error.message)
        return []
    return rectangles
