"""Plain text, Markdown and HTML files as pages of text: shown as text, never rendered as HTML.

read_text_pages() runs in the sandboxed child: it yields ("page", text) for each form-feed page,
and splits longer stretches into pages of about PAGE_CHARS characters at line ends.
"""

from html.parser import HTMLParser

from .sheets import decode_text
from .text import clean_text

PAGE_CHARS = 3000
TEXT, HTML_TEXT = "text", "html-text"
TEXT_EXTENSIONS = ("txt", "text", "md", "markdown", "log")
HTML_EXTENSIONS = ("htm", "html", "xhtml")


def text_format(name: str, detected: str) -> str | None:
    """ "text" or "html-text" for a text file we read as pages, else None.

    An HTML file counts only when its name says so: a portal's login page saved as
    response.pdf is an error to report (detect.describe_unreadable), not a release.
    """
    if detected in (TEXT, HTML_TEXT):
        return detected
    extension = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if detected == "html" and extension in HTML_EXTENSIONS:
        return HTML_TEXT
    if detected == "unknown" and extension in TEXT_EXTENSIONS + HTML_EXTENSIONS:
        return HTML_TEXT if extension in HTML_EXTENSIONS else TEXT
    return None


def read_text_pages(path: str, kind: str):
    text = decode_text(path)
    if kind == HTML_TEXT:
        text = html_to_text(text)
    for sheet in text.split("\f"):
        yield from (("page", page) for page in _split(clean_text(sheet)))


def _split(text: str):
    text = text.strip("\n")
    while len(text) > PAGE_CHARS:
        cut = text.rfind("\n", PAGE_CHARS // 2, PAGE_CHARS)
        cut = cut if cut > 0 else PAGE_CHARS
        yield text[:cut]
        text = text[cut:].lstrip("\n")
    if text.strip():
        yield text


class _TextOnly(HTMLParser):
    """Keeps the text of an HTML document; drops scripts, styles and every tag."""

    _SKIP = {"script", "style", "head", "template", "noscript"}
    _BREAK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text, blank = [], False
    for line in lines:
        if line or not blank:
            text.append(line)
        blank = not line
    return "\n".join(text).strip()
