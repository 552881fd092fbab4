"""Exemption citations in files on disk, page by page (the `exemptions` command).

Page text comes from the project's own extraction: pypdf through records/ingest/pdf.py, and tesseract
through records/ingest/ocr.py for pages with no usable text layer and for image files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from records.ingest.detect import IMAGE_TYPES, PDF, describe_unreadable, detect_type
from records.ingest.errors import IngestError
from records.ingest.images import count_frames
from records.ingest.limits import current_limits
from records.ingest.ocr import ocr_image_frame, ocr_pdf_page
from records.ingest.pdf import read_pages

from .exemptions import Citation, find_citations


@dataclass
class PageCitations:
    file: str
    page: int
    citations: list[Citation]

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "page": self.page,
            "citations": [
                {"statute": c.statute, "code": c.code, "text": c.text, "kind": c.kind} for c in self.citations
            ],
        }

    def as_line(self) -> str:
        shown = "; ".join(
            f"{c.statute} {c.code}" + (" (procedural)" if c.kind != "exemption" else "") for c in self.citations
        )
        return f"{self.file}\t{self.page}\t{shown}"


def citations_in_file(path: str | Path) -> Iterator[PageCitations]:
    """Each page of the file with the citations on it; IngestError with a plain reason if unreadable."""
    for number, text in page_texts(path):
        yield PageCitations(str(path), number, distinct(find_citations(text)))


def distinct(citations: list[Citation]) -> list[Citation]:
    """The first occurrence of each code on a page: a letter that cites 7(1)(g) twice cites it once."""
    seen: dict[tuple[str, str], Citation] = {}
    for c in citations:
        seen.setdefault((c.statute, c.code), c)
    return list(seen.values())


def page_texts(path: str | Path) -> Iterator[tuple[int, str]]:
    limits = current_limits()
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise IngestError(f"{path} cannot be read ({error.strerror}).") from None
    kind = detect_type(head)
    if kind == PDF:
        for item in read_pages(str(path), "", 0, limits.min_letters_per_page):
            if item[0] != "page":
                continue
            _, number, text, needs_ocr, _under_box, _problem = item
            if needs_ocr:
                text = ocr_pdf_page(path, number, dpi=limits.ocr_dpi, timeout=limits.ocr_page_seconds) or text
            yield number, text
    elif kind in IMAGE_TYPES:
        (frames,) = list(count_frames(str(path)))
        for frame in range(frames):
            yield frame + 1, ocr_image_frame(path, frame, frames, timeout=limits.ocr_page_seconds)
    else:
        raise IngestError(describe_unreadable(kind, path.stat().st_size))
