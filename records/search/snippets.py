"""Snippets: the engine marks matches with private sentinels; we escape, then mark.

Released text is untrusted (a page may contain <script>), so the engine never writes HTML:
it wraps matches in two private-use characters, we html-escape everything, and only then
turn the sentinel pairs into <mark> tags.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

START = "\ue000"
STOP = "\ue001"
ELLIPSIS = "…"
# PostgreSQL's headline would drop text shaped like a tag: "<" and ">" travel as these.
LESS_THAN = "\ue002"
GREATER_THAN = "\ue003"

_PAIR = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
_STRAY = re.compile(f"[{START}{STOP}]")


def to_html(raw: str | None) -> SafeString:
    """Escape `raw`, turning sentinel pairs into <mark>…</mark>; a stray sentinel (text that
    contained one) is dropped so the tags always balance."""
    text = " ".join((raw or "").split()).replace(LESS_THAN, "<").replace(GREATER_THAN, ">")
    marked = _PAIR.sub(r"<mark>\1</mark>", str(escape(text)))
    return mark_safe(_STRAY.sub("", marked))
