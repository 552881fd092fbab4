"""The pages OCR draws (issue 13): the viewer shows them as it draws them itself, and one bad page costs one page."""

import io

from PIL import Image, ImageChops

from records.ingest import ocr_document
from records.ingest.limits import current_limits
from records.ingest.ocr import ocr_pages
from records.ingest.render import SCREEN, THUMB, WIDTHS, cached_image, derived_name, page_image
from records.ingest.store import released_storage
from tests.test_ingest_support import corpus_file
from tests.test_ocr_parallel import SCAN, scanned


def opened(image_file) -> Image.Image:
    with image_file:
        image = Image.open(io.BytesIO(image_file.read()))
        image.load()
    return image


def in_colour(image: Image.Image) -> bool:
    """Whether any pixel is not a shade of gray (the scan's first page has a coloured stamp)."""
    red, green, blue = image.convert("RGB").split()
    return (
        max(ImageChops.difference(red, green).getextrema()[1], ImageChops.difference(green, blue).getextrema()[1]) > 30
    )


def test_a_page_drawn_during_ocr_looks_as_the_same_page_drawn_on_demand(db):
    document = scanned()
    ocr_document(document.pk, max_pages=2)
    during_ocr = opened(cached_image(document, 1, THUMB))

    released_storage().delete(derived_name(document.sha256, 1, THUMB))
    on_demand = opened(page_image(document, 1, THUMB))

    assert (during_ocr.mode, during_ocr.size) == (on_demand.mode, on_demand.size)
    assert in_colour(on_demand) and in_colour(during_ocr)
    screen = opened(page_image(document, 1, SCREEN))  # drawn on demand, in colour too
    assert screen.width == WIDTHS[SCREEN] and in_colour(screen)


def test_a_page_that_cannot_be_drawn_costs_that_page_and_the_chunk_goes_on():
    path = corpus_file("real", SCAN)
    limits = current_limits()
    reads = {
        read.number: read
        for read in ocr_pages(
            path,
            "pdf",
            "",
            [1, 7, 2],
            dpi=limits.ocr_dpi,
            timeout=limits.ocr_page_seconds,
            memory_mb=limits.parse_memory_mb,
            parallel=2,
            thumbnails=[2],
        )  # fmt: skip
    }
    assert sorted(reads) == [1, 2, 7]
    assert reads[7].text == "" and reads[7].note == "OCR could not read page 7: This file has no page 7."
    assert reads[1].text and reads[2].text and reads[1].note is None and reads[2].note is None
    assert reads[2].thumbnail and reads[1].thumbnail is None  # only the thumbnails asked for (not cached yet)
    assert reads[1].image_hash and reads[2].image_hash


def test_a_child_that_is_stopped_costs_the_page_it_was_drawing_and_a_new_child_draws_the_rest():
    path = corpus_file("real", SCAN)
    # A millisecond per page: the sandbox stops each child while it draws, and each page says so.
    reads = list(ocr_pages(path, "pdf", "", [1, 2], dpi=300, timeout=0.001, memory_mb=1024))
    assert [read.number for read in reads] == [1, 2]
    for read in reads:
        # Which limit stops it first (the page's idle limit or the whole read's) depends on the
        # machine's load; either way the page says it was stopped, in words, and the file stays.
        assert read.text == "" and read.note.startswith(f"OCR could not read page {read.number}: ")
        assert "was stopped" in read.note and "The file is kept" in read.note
