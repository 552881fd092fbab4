"""A PDF's pages as text, one at a time (pypdf). Runs inside the isolated child."""

from collections.abc import Iterator

from pypdf import PasswordType, PdfReader
from pypdf.errors import (
    DependencyError,
    EmptyFileError,
    FileNotDecryptedError,
    LimitReachedError,
    PdfReadError,
    PyPdfError,
)

from .boxes import BoxFinder
from .errors import IngestError, NeedsPassword, short
from .text import clean_text, has_usable_text

ASK_FOR_PASSWORD = "This PDF is protected by a password. Enter the password the agency sent to read it."
# Under RLIMIT_AS, C code that cannot allocate raises SystemError ("error return without exception
# set") as often as MemoryError: both must reach the isolation layer, which names the memory limit.
OUT_OF_MEMORY = (MemoryError, SystemError)
WRONG_PASSWORD = "That password does not open this PDF. Check it with the agency and try again."


def open_pdf(path: str, password: str = "") -> PdfReader:
    """A reader for the file, decrypted when it is encrypted; IngestError with a plain reason if not."""
    try:
        reader = PdfReader(path, strict=False)
        # decrypt() returns NOT_DECRYPTED (0) rather than raising on a wrong password.
        if reader.is_encrypted and reader.decrypt(password or "") == PasswordType.NOT_DECRYPTED:
            raise NeedsPassword(WRONG_PASSWORD if password else ASK_FOR_PASSWORD)
        return reader
    except (IngestError, *OUT_OF_MEMORY):
        raise
    except Exception as exc:
        raise error_for(exc, password) from None


def read_pages(path: str, password: str, first: int, min_letters: int) -> Iterator[tuple]:
    """Yield ("count", n) then ("page", number, text, needs_ocr, under_box, problem) from page `first` on.

    A page that cannot be read is yielded with no text, needs_ocr set (rendering
    it for OCR is the best remaining chance) and the reason in `problem`.
    """
    reader = open_pdf(path, password)
    try:
        count = len(reader.pages)
    except (IngestError, *OUT_OF_MEMORY):
        raise
    except Exception as exc:
        raise error_for(exc, password) from None
    if count == 0:
        raise IngestError("The PDF has no pages.")
    yield ("count", count)
    for index in range(first, count):
        problem = ""
        try:
            text, under_box = page_text(reader, index)
        except OUT_OF_MEMORY:
            raise
        except Exception as exc:
            text, under_box = "", False
            problem = f"page {index + 1}: {short(exc, 120)}"
        yield ("page", index + 1, text, not has_usable_text(text, min_letters), under_box, problem)


def page_text(reader: PdfReader, index: int) -> tuple[str, bool]:
    page = reader.pages[index]
    box = page.mediabox
    finder = BoxFinder(page_area=abs(float(box.width) * float(box.height)) or 1.0)
    text = page.extract_text(visitor_operand_before=finder.before, visitor_text=finder.text)
    return clean_text(text), finder.text_under_box()


def check_password(path: str, password: str) -> Iterator[bool]:
    """Yield once: True when the password opens the file (for run_isolated)."""
    try:
        open_pdf(path, password)
    except NeedsPassword:
        yield False
        return
    yield True


def error_for(exc: Exception, password: str = "") -> IngestError:
    """The plain-language error for what pypdf raised."""
    if isinstance(exc, FileNotDecryptedError):
        return NeedsPassword(WRONG_PASSWORD if password else ASK_FOR_PASSWORD)
    return IngestError(describe_pdf_error(exc))


def describe_pdf_error(exc: Exception) -> str:
    if isinstance(exc, EmptyFileError):
        return "The file is empty (0 bytes): the upload or the agency's export went wrong. Ask for it again."
    if isinstance(exc, DependencyError):
        return f"This PDF's encryption needs a library the server lacks ({short(exc)}); tell an administrator."
    if isinstance(exc, LimitReachedError):
        return f"The PDF goes past a safety limit, so it was not read ({short(exc)})."
    if isinstance(exc, RecursionError):
        return "The PDF's structure is nested too deeply to read safely."
    if isinstance(exc, (PdfReadError, PyPdfError)):
        return (
            "The PDF is damaged and cannot be read: it may be truncated or corrupted. "
            f"Ask the agency for a new copy ({short(exc)})."
        )
    return f"The PDF could not be read ({type(exc).__name__}: {short(exc)})."
