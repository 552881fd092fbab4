import logging
from dataclasses import replace
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import can_write, get_request_for_user, get_scoped_or_404
from ..ingest import reset_for_extraction, retry_with_password
from ..ingest.store import StoreFailed, is_local, open_stored, released_storage
from ..models import Communication, Document
from ..review.marks import filter_by_mark
from ..sheet_tables import sheet_table
from ..tasks import dispatch_documents, submit_document
from .review import document_review_context

logger = logging.getLogger(__name__)

# Only these are ever shown inline; anything else (HTML error pages saved as .pdf, unknown bytes)
# downloads as an attachment so the browser never renders untrusted markup from our origin.
INLINE_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff"}


class PasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), strip=False)


def _store_uploads(request, records_request, files, communication=None):
    """Store and submit each file, and tell the user what happened to every one.

    Each file is stored on its own: when the store refuses one (full, read-only),
    that file is named with the reason and the files stored before it stay stored.
    """
    too_big = settings.MAX_UPLOAD_BYTES
    added, repeats, refused, not_stored = [], [], [], []
    for upload in files:
        if upload.size > too_big:
            refused.append(f"{upload.name} is {upload.size // 2**20} MB, over the {too_big // 2**20} MB limit")
            continue
        try:
            with transaction.atomic():
                document, created = submit_document(
                    records_request,
                    name=upload.name,
                    data_or_fileobj=upload,
                    user=request.user,
                    communication=communication,
                )
        except StoreFailed as failure:
            not_stored.append(f"{upload.name}: not stored — {failure.reason}; nothing of this file was kept.")
            continue
        (added if created else repeats).append(document)
    if added:
        messages.success(
            request,
            f"Uploaded {len(added)} file{'s' if len(added) != 1 else ''}: {', '.join(d.original_name for d in added)}. Reading them now.",
        )
    for document in repeats:
        messages.info(
            request,
            f"{document.original_name}: this exact file is already on this request (uploaded {document.uploaded_at:%Y-%m-%d}); not stored twice.",
        )
    for reason in refused:
        messages.error(request, f"Not uploaded: {reason}.")
    for message in not_stored:
        messages.error(request, message)
    if not_stored and added:
        messages.warning(
            request, "The files listed as uploaded are stored; upload the others again once the file store is fixed."
        )
    return added, repeats


@login_required
@require_POST
def upload(request, pk):
    records_request = get_request_for_user(request.user, pk, write=True)
    communication = None
    if request.POST.get("communication"):
        communication = get_scoped_or_404(
            Communication.objects.filter(request=records_request), request.user, pk=request.POST["communication"]
        )
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, "Choose one or more files to upload.")
    else:
        _store_uploads(request, records_request, files, communication)
    if communication is not None:
        target = reverse("communication_detail", args=[communication.pk]) + "#files"
    else:
        target = f"{records_request.get_absolute_url()}#files"
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        # upload.js navigates itself, so the messages above are shown on the page it lands on.
        return JsonResponse({"redirect": target})
    return redirect(target)


def _document_context(request, document):
    mark = request.GET.get("mark", "").strip()
    table = sheet_table(document, request.GET)  # a spreadsheet shows its sheets as tables, not pages of text
    pages = Paginator(
        filter_by_mark(document.pages, mark)
        .order_by("number")
        .only("id", "number", "text", "ocr", "needs_ocr", "text_under_box"),
        20,
    )
    shown = pages.get_page(request.GET.get("page"))
    shown.object_list = (
        list(shown.object_list) if table is None else []
    )  # evaluated once: the review marks are attached to these
    review = document_review_context(request, document, shown.object_list)
    for page in shown.object_list:
        page.review_marks = review["marks_by_page"].get(page.pk, [])
        page.review_notes = review["notes_by_page"].get(page.pk, [])
    return {
        **review,
        "mark_querystring": urlencode({"mark": mark}) if mark else "",
        "document": document,
        "object": document.request,
        "pages": shown if table is None else None,
        "table": table,
        "can_write": can_write(request.user, document.request.team),
        "members": document.members.order_by("original_name"),
        "member_rows": _member_rows(document),
        "password_form": PasswordForm() if document.state == Document.State.NEEDS_PASSWORD else None,
    }


def _member_rows(document):
    """The archive's members and theirs, as a tree below it (depth 1 is a direct member)."""
    family, level = [], [document.pk]
    while level:  # one query per level of nesting (limits.max_nesting bounds it)
        level = list(Document.objects.filter(archive_id__in=level).values_list("pk", flat=True))
        family += level
    rows = Document.objects.filter(pk__in=[document.pk, *family]).as_tree()
    return [replace(row, depth=row.depth - 1) for row in rows[1:]]


@login_required
def document_detail(request, pk):
    document = get_scoped_or_404(
        Document.objects.select_related("request__team", "stored_file", "archive", "duplicate_of"), request.user, pk=pk
    )
    return render(request, "records/document_detail.html", _document_context(request, document))


@login_required
def document_progress(request, pk):
    """The live progress fragment the document page polls (htmx)."""
    document = get_scoped_or_404(Document.objects.select_related("request__team"), request.user, pk=pk)
    member = request.GET.get("member") == "1"  # a line of a file tree, not the page's own file
    response = render(request, "records/partials/document_progress.html", {"document": document, "member": member})
    if document.state in (Document.State.DONE, Document.State.FAILED, Document.State.NEEDS_PASSWORD):
        response["HX-Refresh"] = "true"  # finished: reload once to show the pages
    return response


@login_required
@require_POST
def document_password(request, pk):
    document = get_scoped_or_404(
        Document.objects.select_related("request__team", "stored_file"), request.user, write=True, pk=pk
    )
    form = PasswordForm(request.POST)
    if form.is_valid() and retry_with_password(document, form.cleaned_data["password"]):
        dispatch_documents()
        messages.success(request, "That password opens the file; reading it now.")
    else:
        messages.error(request, "That password does not open this file. Nothing was changed; try again.")
    return redirect(document)


@login_required
@require_POST
def document_retry(request, pk):
    document = get_scoped_or_404(Document.objects.select_related("request__team"), request.user, write=True, pk=pk)
    reset_for_extraction(document)
    dispatch_documents()
    messages.success(request, "Reading the file again from the start.")
    return redirect(document)


@login_required
def document_download(request, pk):
    """Every download goes through here: team-scoped, never a public URL."""
    document = get_scoped_or_404(Document.objects.select_related("request__team", "stored_file"), request.user, pk=pk)
    inline_type = INLINE_TYPES.get(document.detected_type)
    if inline_type and request.GET.get("download") != "1":
        disposition, content_type = "inline", inline_type
    else:
        disposition, content_type = "attachment", "application/octet-stream"
    return _send_stored(request, document, document.stored_file, document.original_name, disposition, content_type)


@login_required
def document_converted_pdf(request, pk):
    """The PDF LibreOffice made from a word-processing or presentation file: team-scoped like the original."""
    document = get_scoped_or_404(
        Document.objects.select_related("request__team", "converted_file").filter(converted_file__isnull=False),
        request.user,
        pk=pk,
    )
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    name = document.original_name.rsplit(".", 1)[0] + " (converted).pdf"
    return _send_stored(request, document, document.converted_file, name, disposition, "application/pdf")


def _send_stored(request, document, stored_file, name, disposition, content_type):
    filename = quote(name)
    mode = settings.FILE_DOWNLOAD_MODE
    storage = released_storage()
    if mode == "django" or not is_local(storage):
        # Streamed by the app: the only way for a bucket (settings refuse nginx/sendfile with one).
        try:
            stored = open_stored(stored_file)
        except OSError:
            logger.exception("Document %s: its file could not be read from the store.", document.pk)
            messages.error(
                request,
                "This file could not be read from the file store just now. Try again later, or tell an administrator.",
            )
            return redirect(document)
        response = FileResponse(stored, content_type=content_type)
    else:
        response = HttpResponse(content_type=content_type)
        relative = stored_file.path
        if mode == "nginx":
            response["X-Accel-Redirect"] = settings.FILE_DOWNLOAD_ACCEL_PREFIX + relative
        else:
            response["X-Sendfile"] = storage.path(relative)
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{filename}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # No scripts from released files, ever. (A sandboxed PDF will not open in Chrome's viewer,
    # so PDFs get a policy that lets only the viewer itself in.)
    if content_type == "application/pdf":
        response["Content-Security-Policy"] = "default-src 'none'; object-src 'self'; plugin-types application/pdf"
    else:
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
