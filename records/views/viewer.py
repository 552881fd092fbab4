"""The page viewer: a released page as the agency sent it, beside its text, with thumbnails.

Every image goes through page_image_view (team-scoped: a stranger's id is a 404). A page not
drawn yet is drawn on request, that page only, in the sandbox (records/ingest/render.py), so a
3,000-page release opens as fast as a one-page letter.
"""

import logging
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape

from ..access import get_scoped_or_404
from ..ingest.errors import IngestError
from ..ingest.render import SCREEN, THUMB, box_rectangles, can_render, page_image
from ..ingest.store import StoreFailed
from ..models import Document, Page
from ..search.highlight import highlight

logger = logging.getLogger(__name__)

THUMBS_PER_STRIP = 40  # thumbnails shown at once: a 3,000-page release pages through them
IMAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Private: a teammate's browser may keep it, no shared cache may. The bytes never change for a page.
    "Cache-Control": "private, max-age=86400",
    "Content-Security-Policy": "sandbox; default-src 'none'",
}


def _document_or_404(user, pk):
    return get_scoped_or_404(Document.objects.select_related("request__team", "stored_file"), user, pk=pk)


def _page_number_or_404(document, number: int) -> int:
    if not document.page_count or not 1 <= number <= document.page_count:
        raise Http404("This file has no such page.")
    return number


@login_required
def document_viewer(request, pk):
    """The first page, or the page asked for in the "go to page" box (works without JavaScript)."""
    document = _document_or_404(request.user, pk)
    number = request.GET.get("page", "1").strip()
    number = int(number) if number.isdigit() else 1
    number = min(max(number, 1), document.page_count or 1)
    target = reverse("document_page", args=[document.pk, number])
    query = request.GET.get("q", "").strip()
    return redirect(f"{target}?{urlencode({'q': query})}" if query else target)


@login_required
def document_page(request, pk, number):
    document = _document_or_404(request.user, pk)
    if document.is_spreadsheet:
        return redirect(document)  # rows, not pages: the table view shows them
    count = document.page_count or 0
    if count and not 1 <= number <= count:
        raise Http404("This file has no such page.")
    page = (
        Page.objects.filter(document=document, number=number)
        .only("number", "text", "ocr", "needs_ocr", "text_under_box")
        .first()
    )
    query = request.GET.get("q", "").strip()
    strip_start = ((number - 1) // THUMBS_PER_STRIP) * THUMBS_PER_STRIP + 1
    if request.GET.get("strip", "").isdigit():
        strip_start = max(1, int(request.GET["strip"]))
    strip_end = min(count, strip_start + THUMBS_PER_STRIP - 1)
    context = {
        "document": document,
        "object": document.request,
        "number": number,
        "page": page,
        "count": count,
        "renderable": can_render(document),
        "text": highlight(page.text if page else "", query),
        "q": query,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < count else None,
        "thumbnails": range(strip_start, strip_end + 1),
        "strip_previous": max(1, strip_start - THUMBS_PER_STRIP) if strip_start > 1 else None,
        "strip_next": strip_start + THUMBS_PER_STRIP if strip_end < count else None,
        "boxes": box_rectangles(document, number) if page is not None and page.text_under_box else [],
    }
    return render(request, "records/viewer.html", context)


@login_required
def page_image_view(request, pk, number, size):
    """One page's image (screen size or thumbnail), drawn now if it is not cached yet."""
    if size not in (SCREEN, THUMB):
        raise Http404("No such image size.")
    document = _document_or_404(request.user, pk)
    if not can_render(document):
        raise Http404("This file has no page images.")
    number = _page_number_or_404(document, number)
    try:
        image = page_image(document, number, size)
    except IngestError as error:  # damaged, too big or too slow to draw: the sandbox stopped it
        logger.info("Document %s page %s: no image: %s", document.pk, number, error.message)
        return _unavailable(number, error.message, size)
    except (StoreFailed, OSError):
        logger.exception("Document %s page %s: the image could not be stored or read.", document.pk, number)
        return _unavailable(number, "the file store could not be reached. Try again later.", size)
    response = FileResponse(image, content_type="image/webp")
    for header, value in IMAGE_HEADERS.items():
        response[header] = value
    return response


def _unavailable(number: int, reason: str, size: str) -> HttpResponse:
    """An image that says in words why the page could not be drawn (an <img> cannot show a page of HTML)."""
    width, height = (200, 260) if size == THUMB else (850, 1100)
    sentence = escape(f"Page {number} could not be shown as an image: {reason}")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<rect width="100%" height="100%" fill="#f4f4f4"/>'
        f'<foreignObject x="5%" y="5%" width="90%" height="90%"><p xmlns="http://www.w3.org/1999/xhtml" '
        f'style="font: 16px sans-serif">{sentence}</p></foreignObject></svg>'
    )
    response = HttpResponse(svg, content_type="image/svg+xml")  # 200: browsers show an error status's image unevenly
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    return response
