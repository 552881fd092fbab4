"""Is a page's text layer worth keeping, or is the page a scan to OCR?"""

import re

# The header a federal court's CM/ECF stamps on every filed page, scan or not:
# "Case 2:13-cr-00106-DOC Document 350 Filed 01/11/19 Page 2 of 19 Page ID #:2986".
_ECF_STAMP = re.compile(
    r"Case\s*\d+:\d+-\w+-\d+(?:-\w+)*\s+Document\s+[\d-]+(?:\s+\(Ex\w*\)\s*)?\s+Filed\s+[\d/]+"
    r"(?:\s+Entered\s+[\d/]+)?\s+Page\s+\d+\s+of\s+\d+(?:\s+Page\s*ID\s*#?:?\s*\d+)?",
    re.IGNORECASE,
)


def clean_text(text: str) -> str:
    """Text the databases accept: no NUL (PostgreSQL refuses it), no lone surrogates."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def has_usable_text(text: str, min_letters: int) -> bool:
    """True when the text layer carries the page, not just a stamp or line numbers.

    Letters are counted rather than characters: pleading-paper line numbers,
    Bates numbers and "Page 3 of 9" are what scans typically carry as text.
    """
    letters = 0
    for char in _ECF_STAMP.sub(" ", text):
        if char.isalpha():
            letters += 1
            if letters >= min_letters:
                return True
    return False
