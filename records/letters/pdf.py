"""A letter as a printable PDF with the team's letterhead (reportlab, standard 14 fonts: nothing to
install, and `invariant` makes the same letter the same bytes)."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from .render import Rendered

MARGIN = 1 * inch
BODY_FONT, BODY_SIZE, LEADING = "Helvetica", 11, 14
HEAD_FONT = "Helvetica-Bold"


def _printable(text: str) -> str:
    # The standard fonts cover Latin-1 and the Windows-1252 punctuation; anything else prints as "?"
    # rather than as an empty box.
    return text.encode("cp1252", errors="replace").decode("cp1252")


def letter_pdf(rendered: Rendered, team) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1)
    canvas.setTitle(_printable(rendered.subject))
    canvas.setAuthor(_printable(team.name))
    width, height = LETTER
    text_width = width - 2 * MARGIN

    def letterhead() -> float:
        y = height - MARGIN
        canvas.setFont(HEAD_FONT, 14)
        canvas.drawString(MARGIN, y, _printable(team.name))
        y -= 16
        canvas.setFont(BODY_FONT, 9)
        for line in [*team.letterhead_address.splitlines(), team.letterhead_contact]:
            if line.strip():
                canvas.drawString(MARGIN, y, _printable(line.strip()))
                y -= 11
        canvas.line(MARGIN, y - 2, width - MARGIN, y - 2)
        return y - 24

    y = letterhead()
    canvas.setFont(BODY_FONT, BODY_SIZE)
    for paragraph in rendered.body.split("\n"):
        lines = simpleSplit(_printable(paragraph), BODY_FONT, BODY_SIZE, text_width) or [""]
        for line in lines:
            if y < MARGIN:
                canvas.showPage()
                y = letterhead()
                canvas.setFont(BODY_FONT, BODY_SIZE)
            canvas.drawString(MARGIN, y, line)
            y -= LEADING
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def letters_pdf(letters: list[tuple[Rendered, object]]) -> bytes:
    """Several letters, each (rendered, team), as one printable PDF, each letter starting on a new page."""
    writer = PdfWriter()
    for rendered, team in letters:
        writer.append(PdfReader(io.BytesIO(letter_pdf(rendered, team))))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
