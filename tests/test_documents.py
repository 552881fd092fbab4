"""Uploading released files on a request, reading them on the document page, downloading them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from records.ingest import run_to_completion
from records.models import Communication, Document

from . import factories
from .test_ingest_support import corpus_file


@pytest.fixture
def records_request(team):
    return factories.make_request(team, title="CPD forfeiture records")


def upload(client, r, *files, **extra):
    return client.post(reverse("document_upload", args=[r.pk]), {"files": list(files), **extra})


def pdf_upload(name="15-3528PenLinkResponse.pdf"):
    data = corpus_file("real", "1505_15-3528PenLinkResponse.pdf").read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_editor_uploads_several_files_and_a_repeat_is_recognised(
    login, editor, records_request, django_capture_on_commit_callbacks
):
    client = login(editor)
    html = SimpleUploadedFile(
        "response.pdf", b"<html><body>Session expired</body></html>", content_type="application/pdf"
    )
    with django_capture_on_commit_callbacks() as queued:
        response = upload(client, records_request, pdf_upload(), html)
    assert response.status_code == 302
    assert len(queued) == 2  # each new file queued for extraction after commit
    assert {(d.original_name, d.detected_type, d.state) for d in Document.objects.all()} == {
        ("15-3528PenLinkResponse.pdf", "pdf", "queued"), ("response.pdf", "html", "queued"),
    }  # fmt: skip
    with django_capture_on_commit_callbacks() as queued:
        response = upload(client, records_request, pdf_upload("copy of the same.pdf"))
    assert not queued and Document.objects.count() == 2
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already on this request" in m for m in messages)


def test_document_page_shows_progress_pages_and_failure_reasons(
    login, editor, records_request, django_capture_on_commit_callbacks
):
    client = login(editor)
    html = SimpleUploadedFile("response.pdf", b"<html><body>Session expired</body></html>")
    with django_capture_on_commit_callbacks():
        upload(client, records_request, pdf_upload(), html)
    good = Document.objects.get(detected_type="pdf")
    bad = Document.objects.get(detected_type="html")
    fragment = client.get(reverse("document_progress", args=[good.pk])).content.decode()
    assert "hx-trigger" in fragment and "Queued" in fragment
    run_to_completion(good.pk)
    run_to_completion(bad.pk)
    page = client.get(reverse("document_detail", args=[good.pk])).content.decode()
    assert "4 pages" in page and "Page 4" in page and good.stored_file.sha256 in page
    failed = client.get(reverse("document_detail", args=[bad.pk])).content.decode()
    assert "Failed" in failed and "This is a web page (HTML), not a PDF" in failed
    bad.refresh_from_db()
    assert bad.state == "failed" and bad.error and "Traceback" not in bad.error
    assert client.get(reverse("document_progress", args=[good.pk]))["HX-Refresh"] == "true"


def test_download_is_inline_only_for_safe_types_and_never_sniffed(
    login, viewer, editor, records_request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        upload(
            login(editor),
            records_request,
            pdf_upload(),
            SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>"),
        )
    pdf = Document.objects.get(detected_type="pdf")
    html = Document.objects.get(detected_type="html")
    client = login(viewer)
    inline = client.get(reverse("document_download", args=[pdf.pk]))
    assert inline["Content-Type"] == "application/pdf" and inline["Content-Disposition"].startswith("inline")
    assert b"".join(inline.streaming_content) == corpus_file("real", "1505_15-3528PenLinkResponse.pdf").read_bytes()
    hostile = client.get(reverse("document_download", args=[html.pk]))
    assert hostile["Content-Type"] == "application/octet-stream"
    assert hostile["Content-Disposition"].startswith("attachment") and hostile["X-Content-Type-Options"] == "nosniff"


def test_files_are_scoped_to_the_team(
    login, editor, viewer, stranger, records_request, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        upload(login(editor), records_request, pdf_upload())
    document = Document.objects.get()
    client = login(stranger)
    for name in ["document_detail", "document_progress", "document_download"]:
        assert client.get(reverse(name, args=[document.pk])).status_code == 404, name
    for name in ["document_password", "document_retry"]:
        assert client.post(reverse(name, args=[document.pk]), {"password": "x"}).status_code == 404, name
    assert upload(client, records_request, pdf_upload("other.pdf")).status_code == 404
    viewer_client = login(viewer)
    assert viewer_client.get(reverse("document_download", args=[document.pk])).status_code == 200
    assert upload(viewer_client, records_request, pdf_upload("v.pdf")).status_code == 403
    assert viewer_client.post(reverse("document_retry", args=[document.pk])).status_code == 403
    assert Document.objects.count() == 1


def test_password_protected_file_opens_with_the_password(
    login, editor, records_request, django_capture_on_commit_callbacks
):
    data = corpus_file("hostile", "enc-aes128-user-pw.pdf").read_bytes()
    client = login(editor)
    with django_capture_on_commit_callbacks():
        upload(client, records_request, SimpleUploadedFile("locked.pdf", data))
    document = Document.objects.get()
    run_to_completion(document.pk)
    document.refresh_from_db()
    assert document.state == "needs_password"
    page = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "locked with a password" in page
    with django_capture_on_commit_callbacks():
        client.post(reverse("document_password", args=[document.pk]), {"password": "wrong"})
    document.refresh_from_db()
    assert document.state == "needs_password"
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("document_password", args=[document.pk]), {"password": "asdfzxcv"})
    assert len(queued) == 1
    run_to_completion(document.pk)
    document.refresh_from_db()
    assert document.state == "done" and document.pages.count() == 1


def test_upload_on_a_communication_links_the_files(login, editor, records_request, django_capture_on_commit_callbacks):
    comm = Communication.objects.create(
        request=records_request, direction="in", channel="email", date="2026-11-10", subject="Release 1"
    )
    with django_capture_on_commit_callbacks():
        response = upload(login(editor), records_request, pdf_upload(), communication=comm.pk)
    assert response["Location"] == reverse("communication_detail", args=[comm.pk]) + "#files"
    assert Document.objects.get().communication == comm


def test_upload_by_script_gets_where_to_go_next(login, editor, records_request, django_capture_on_commit_callbacks):
    # upload.js posts with XHR and navigates itself, so the "Uploaded …" message shows on that page.
    client = login(editor)
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse("document_upload", args=[records_request.pk]), {"files": [pdf_upload()]},
            headers={"X-Requested-With": "XMLHttpRequest"},
        )  # fmt: skip
    assert response.json() == {"redirect": records_request.get_absolute_url() + "#files"}
    page = client.get(records_request.get_absolute_url()).content.decode()
    assert "Uploaded 1 file: 15-3528PenLinkResponse.pdf" in page
