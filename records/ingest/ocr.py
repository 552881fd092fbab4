"""Text from page images: draw the page once, read it with tesseract.

The ingestion path (ocr_pages) draws a chunk's pages with pypdfium2 in one
sandboxed child (render.py: about 4× faster than pdftoppm here, bench/ingest.py
--compare-render), hands them to tesseract as uncompressed PGM files, and keeps
the thumbnails for the viewer. Tesseract runs as its own process, single-threaded,
with a timeout, so a page that makes either hang or crash costs that page, not the worker.
ocr_pdf_page (pdftoppm) stays for the review tools that OCR a file outside ingestion.
"""

import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass
from pathlib import Path

from .detect import PDF
from .errors import IngestError, short
from .images import write_frame
from .isolate import run_isolated
from .render import draw_for_ocr

# One tesseract thread: on a 2-core worker, pages in parallel beat OpenMP
# threads fighting over the same cores.
_TESSERACT_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


class OcrFailed(IngestError):
    """One page could not be rendered or read."""


@dataclass
class PageRead:
    """One page read by ocr_pages: its text, or why not (note), and what its render gave on the way."""

    number: int
    text: str = ""
    note: str | None = None
    thumbnail: bytes | None = None
    image_hash: str | None = None


def ocr_pages(
    path: str | Path, kind: str, password: str, numbers: list[int], *,
    dpi: int, timeout: float, memory_mb: int, parallel: int = 1, thumbnails: Iterable[int] = (),
) -> Iterator[PageRead]:  # fmt: skip
    """OCR these pages (1-based) of a PDF or image file; yield each as it is read (not in order).

    One sandboxed child per chunk draws the pages one after another (render.draw_for_ocr), a page ahead
    of the `parallel` tesseract runs reading them, so drawing overlaps reading and the child, pdfium and
    the file are set up once a chunk, not once a page. A page that cannot be drawn or read gets a note; a
    page that kills the child (time, memory, crash) costs that page, and a new child draws the rest.
    """
    if kind == PDF:
        import pypdfium2  # noqa: F401  (loaded once in the worker: each chunk's child starts with it, 0.2 s sooner)
    remaining = list(numbers)
    thumbnails = sorted(set(thumbnails))
    with tempfile.TemporaryDirectory(prefix="ocr-") as workdir, ThreadPoolExecutor(max_workers=parallel) as pool:
        running: dict = {}
        while remaining:
            drawn = run_isolated(
                draw_for_ocr, str(path), kind, password, list(remaining), dpi,
                tempfile.mkdtemp(dir=workdir), parallel + 1, thumbnails,
                memory_mb=memory_mb, total_seconds=2 * timeout * len(remaining), idle_seconds=timeout,
            )  # fmt: skip
            try:
                for number, image, error, thumbnail, image_hash in drawn:
                    remaining.remove(number)
                    read = PageRead(number, note=_note(number, error), thumbnail=thumbnail, image_hash=image_hash)
                    if image is None:
                        yield read
                        continue
                    running[pool.submit(_read_image, image, timeout)] = read
                    # Ask the child for the next page only when a tesseract is free: its silence is then drawing.
                    yield from _finished(running, wait=len(running) >= parallel)
            except IngestError as error:  # the child stopped on the page it was drawing
                if remaining:
                    failed = remaining.pop(0)
                    yield PageRead(failed, note=_note(failed, error.message))
            finally:
                drawn.close()
        while running:
            yield from _finished(running, wait=True)


def _read_image(image: str, timeout: float) -> str:
    try:
        return tesseract(image, timeout=timeout)
    finally:
        os.unlink(image)  # room for the child's next page


def _finished(running: dict, *, wait: bool) -> Iterator[PageRead]:
    done, _ = futures_wait(list(running), timeout=None if wait else 0, return_when=FIRST_COMPLETED)
    for future in done:
        read = running.pop(future)
        try:
            read.text = future.result()
        except OcrFailed as failure:
            read.note = _note(read.number, failure.message)
        yield read


def _note(number: int, message: str | None) -> str | None:
    return f"OCR could not read page {number}: {message}" if message else None


def ocr_pdf_page(path: str | Path, number: int, *, dpi: int, timeout: float, password: str = "") -> str:
    with tempfile.TemporaryDirectory(prefix="ocr-") as workdir:
        image = render_pdf_page(path, number, Path(workdir), dpi=dpi, timeout=timeout, password=password)
        return tesseract(image, timeout=timeout)


def render_pdf_page(
    path: str | Path, number: int, workdir: Path, *, dpi: int, timeout: float, password: str = ""
) -> Path:
    """Page `number` (1-based) as an 8-bit grayscale PGM file in workdir."""
    stem = workdir / "page"
    command = ["pdftoppm", "-r", str(dpi), "-gray", "-f", str(number), "-l", str(number), "-singlefile"]
    if password:
        command += ["-upw", password]
    _run(command + [str(path), str(stem)], timeout, f"rendering page {number}")
    image = stem.with_suffix(".pgm")
    if not image.exists():
        raise OcrFailed(f"Page {number} could not be rendered for OCR.")
    return image


def tesseract(image: str | Path, *, timeout: float) -> str:
    result = _run(["tesseract", str(image), "stdout", "-l", "eng"], timeout, "OCR")
    return result.stdout.decode("utf-8", "replace").replace("\x00", "").strip()


def ocr_image_frame(path: str | Path, frame: int, frames: int, *, timeout: float) -> str:
    """OCR one frame of a TIFF/JPEG/PNG file (frame is 0-based)."""
    if frames == 1:
        return tesseract(path, timeout=timeout)  # leptonica reads the format from the bytes
    with tempfile.TemporaryDirectory(prefix="ocr-") as workdir:
        image = Path(workdir) / "frame.png"
        # Multi-page TIFF: split out one frame with Pillow in a child process (a
        # hostile TIFF can exhaust memory while decoding).
        frames_written = run_isolated(
            write_frame, str(path), frame, str(image), memory_mb=1024, total_seconds=timeout, idle_seconds=timeout
        )
        list(frames_written)
        return tesseract(image, timeout=timeout)


def _run(command: list[str], timeout: float, doing: str) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(command, capture_output=True, timeout=timeout, env=_TESSERACT_ENV, check=False)
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"{doing.capitalize()} took longer than {int(timeout)} seconds and was stopped.") from None
    except FileNotFoundError:
        raise OcrFailed(f"{command[0]} is not installed on the server; tell an administrator.") from None
    if result.returncode != 0:
        detail = short(result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or "no message")
        raise OcrFailed(f"{doing.capitalize()} failed ({command[0]}: {detail}).")
    return result
