"""Password-protected legacy Word (.doc) and Excel (.xls) files ask for their password as XLSX/DOCX do
(issue 13): a wrong password says so and asks again, the right one reads the file, the upload is kept.

The fixtures are made by tests/fixtures/make_legacy_locked.py (LibreOffice, RC4 as Office 97-2003 wrote it;
password "pw")."""

from pathlib import Path

from django.urls import reverse

from records.ingest.office import ENCRYPTED_OFFICE
from records.ingest.pipeline import run_to_completion
from records.models import Page
from tests.test_ingest_office import ingest, needs_libreoffice, records_request  # noqa: F401  (fixture)

FIXTURES = Path(__file__).parent / "fixtures"


def _asks_then_opens(records_request, editor, login, name: str):  # noqa: F811
    data = (FIXTURES / name).read_bytes()
    document = ingest(records_request, name, data)
    assert document.state == "needs_password", document.error
    assert document.detected_type == ENCRYPTED_OFFICE
    assert "protected by a password" in document.error and "save a copy" not in document.error
    client = login(editor)
    assert "Unlock and read" in client.get(reverse("document_detail", args=[document.pk])).content.decode()
    url = reverse("document_password", args=[document.pk])
    wrong = client.post(url, {"password": "not it"}, follow=True).content.decode()
    assert "That password does not open this file" in wrong
    document.refresh_from_db()
    assert document.state == "needs_password" and document.decrypted_file is None
    assert document.stored_file.size == len(data)  # the upload is kept throughout
    client.post(url, {"password": "pw"})
    run_to_completion(document.pk)
    document.refresh_from_db()
    assert document.password == ""  # never stored
    assert document.stored_file.size == len(data) and document.decrypted_file is not None
    return document


def test_password_protected_legacy_doc_asks_then_converts(records_request, editor, login):  # noqa: F811
    needs_libreoffice()
    document = _asks_then_opens(records_request, editor, login, "locked-legacy.doc")
    assert document.state == "done", document.error
    assert document.detected_type == "doc" and document.converted_file is not None
    assert "plate reader budget" in Page.objects.get(document=document, number=1).text


def test_password_protected_legacy_xls_asks_then_reads_its_rows(records_request, editor, login):  # noqa: F811
    document = _asks_then_opens(records_request, editor, login, "locked-legacy.xls")
    assert document.state == "done", document.error
    assert document.detected_type == "xls" and document.page_count == 2
    cells = [page.cells for page in Page.objects.filter(document=document).order_by("number")]
    assert cells == [["7ABC123", "stolen vehicle"], ["8XYZ999", "warrant"]]
