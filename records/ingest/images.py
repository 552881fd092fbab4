"""TIFF, JPEG and PNG files: how many pages, and one page as an image. Run isolated."""

from collections.abc import Iterator

from PIL import Image, UnidentifiedImageError

from .errors import IngestError


def count_frames(path: str) -> Iterator[int]:
    """Yield the number of pages (frames) in the image file."""
    try:
        with Image.open(path) as image:
            image.load()  # decode the first frame: a truncated file fails here, not at OCR
            yield getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise IngestError("The image is too large to read safely (more than the allowed number of pixels).") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise IngestError(f"The image is damaged and cannot be read ({exc}).") from None


def write_frame(path: str, frame: int, output: str) -> Iterator[str]:
    with Image.open(path) as image:
        image.seek(frame)
        image.convert("L").save(output)
    yield output
