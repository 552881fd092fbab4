"""Text from page images: draw the page once, read it with tesseract.

The ingestion path (read_page) draws each page with pypdfium2 in the sandbox
(render.py: about 4× faster than pdftoppm here, bench/ingest.py --compare-render)
and keeps the screen and thumbnail images made from the same render for the
viewer. Tesseract runs as its own process, single-threaded, with a timeout, so
a page that makes either hang or crash costs that page, not the worker.
ocr_pdf_page (pdftoppm) stays for the review tools that OCR a file outside ingestion.
"""

import os
import subprocess
import tempfile
from pathlib import Path

from .errors import IngestError, short
from .images import write_frame
from .isolate import run_isolated
from .render import draw_for_ocr

# One tesseract thread: on a 2-core worker, pages in parallel beat OpenMP
# threads fighting over the same cores.
_TESSERACT_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


class OcrFailed(IngestError):
    """One page could not be rendered or read."""


def read_page(
    path: str | Path, kind: str, password: str, number: int, *, dpi: int, timeout: float, memory_mb: int
) -> tuple[str, dict[str, bytes]]:
    """OCR page `number` (1-based) of a PDF or image file: (text, {size: image bytes} for the viewer)."""
    with tempfile.TemporaryDirectory(prefix="ocr-") as workdir:
        image = Path(workdir) / "page.pgm"
        try:
            (views,) = run_isolated(
                draw_for_ocr, str(path), kind, password, number, dpi, str(image),
                memory_mb=memory_mb, total_seconds=timeout, idle_seconds=timeout,
            )  # fmt: skip
        except IngestError as error:
            raise OcrFailed(error.message) from None
        return tesseract(image, timeout=timeout), views


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
