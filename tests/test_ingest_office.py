"""Word-processing and presentation files (issue 13): converted to PDF by LibreOffice in the sandbox,
read per page; DOCX tracked changes and comments surfaced; password-protected Office files asked for
their password; macros never run; bad input ends in plain words and the upload is kept."""

import io
import os
import shutil
import subprocess
import tempfile
import zipfile

import pytest
from django.urls import reverse

from records.ingest.office import ENCRYPTED_OFFICE
from records.ingest.pipeline import run_to_completion
from records.ingest.store import add_document
from records.models import Document, Page
from records.search import search_pages
from tests.factories import make_request
from tests.test_ingest_support import corpus_file

BC_LETTER = "BC_FOIPPA_acknowledgement_letter.docx"


def needs_libreoffice():
    """Skip outside CI when LibreOffice is absent; in CI (CI=true) its absence is a failure."""
    if shutil.which("soffice") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required in CI: install libreoffice-writer-nogui and -impress-nogui")
        pytest.skip("LibreOffice (soffice) is not installed here; apt-get install libreoffice-writer-nogui")


@pytest.fixture
def records_request(team):
    return make_request(team)


def ingest(records_request, name: str, data: bytes) -> Document:
    document, _ = add_document(records_request, name=name, data_or_fileobj=data)
    run_to_completion(document.pk)
    document.refresh_from_db()
    return document


def pdf_pages(path) -> int:
    """Pages of a PDF, counted by poppler's pdfinfo (not by the pypdf the pipeline uses)."""
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Pages:")))


def convert_with_libreoffice(tmp_path, source, fmt: str = "pdf"):
    """A conversion made by the test itself, on the command line, with a profile of its own."""
    out = tmp_path / f"out-{fmt}"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile-test", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(out), str(source)],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    (result,) = out.iterdir()
    return result


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/comments.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
DOC_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" '
    'Target="comments.xml"/></Relationships>'
)


def docx_bytes(body: str, comments: str = "", extra: dict | None = None) -> bytes:
    """A minimal DOCX written part by part, so tracked changes are exactly what the test says."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", RELS)
        package.writestr("word/_rels/document.xml.rels", DOC_RELS)
        package.writestr(
            "word/document.xml", f'<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>'
        )
        if comments:
            package.writestr("word/comments.xml", f'<?xml version="1.0"?><w:comments {W}>{comments}</w:comments>')
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return buffer.getvalue()


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


REDLINED = (
    paragraph("The department released the following memo.")
    + '<w:p><w:del w:id="1" w:author="J. Counsel" w:date="2024-03-01T10:00:00Z"><w:r><w:delText>Informant Ruiz '
    "met the chief on Tuesday.</w:delText></w:r></w:del>"
    '<w:ins w:id="2" w:author="J. Counsel" w:date="2024-03-01T10:01:00Z"><w:r><w:t>A meeting took place.</w:t>'
    "</w:r></w:ins></w:p>"
    '<w:p><w:del w:id="3" w:author="J. Counsel" w:date="2024-03-02T09:00:00Z"><w:r><w:delText>Budget line 44 '
    "covers the surveillance van.</w:delText></w:r></w:del></w:p>"
    '<w:p><w:moveFrom w:id="4" w:author="A. Clerk"><w:r><w:t>Paragraph that moved.</w:t></w:r></w:moveFrom></w:p>'
    '<w:p><w:moveTo w:id="5" w:author="A. Clerk"><w:r><w:t>Paragraph that moved.</w:t></w:r></w:moveTo></w:p>'
    '<w:p><w:del w:id="6" w:author="J. Counsel"><w:r><w:delText>Third deletion.</w:delText></w:r></w:del></w:p>'
)
COMMENTS = (
    '<w:comment w:id="0" w:author="Legal Review" w:date="2024-03-03T00:00:00Z"><w:p><w:r><w:t>Withhold under '
    "7(1)(c) before release</w:t></w:r></w:p></w:comment>"
    '<w:comment w:id="1" w:author="Legal Review"><w:p><w:r><w:t>Check with chief xylograph</w:t></w:r></w:p>'
    "</w:comment>"
)


# Real releases: the corpus DOCX letters.


@pytest.mark.same_on_every_database  # LibreOffice's page count; plain row writes
@pytest.mark.parametrize("name", [BC_LETTER, "BC_FOIPPA_fee_ack_and_extension_letter.docx"])
def test_corpus_docx_becomes_pdf_pages_counted_by_poppler(records_request, tmp_path, name):
    needs_libreoffice()
    path = corpus_file("formats", name)
    document = ingest(records_request, name, path.read_bytes())
    assert document.state == "done", document.error
    assert document.detected_type == "docx"
    assert document.converted_file is not None and document.converted_file != document.stored_file
    expected = pdf_pages(convert_with_libreoffice(tmp_path, path))
    assert document.page_count == expected
    assert Page.objects.filter(document=document, number__lte=expected).count() == expected
    assert "business days" in " ".join(Page.objects.filter(document=document).values_list("text", flat=True))


def test_corpus_letter_template_shows_its_reviewer_comment(records_request, editor, login):
    needs_libreoffice()
    document = ingest(records_request, BC_LETTER, corpus_file("formats", BC_LETTER).read_bytes())
    # word/comments.xml of the released template holds one comment left by its author.
    assert document.tracked_changes["counts"] == {"insertions": 0, "deletions": 0, "moves": 0, "comments": 1}
    assert document.tracked_changes["comments"][0]["text"] == "Include this paragraph for scenario 4"
    extra = Page.objects.get(document=document, number=document.page_count + 1)
    assert extra.sheet == "Tracked changes and comments" and "scenario 4" in extra.text
    page = login(editor).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "This file contains 1 comment the agency may not have meant to release" in page


# Tracked changes and comments.


def test_docx_tracked_changes_and_comments_are_kept_shown_and_searchable(records_request, editor, login):
    needs_libreoffice()
    document = ingest(records_request, "memo.docx", docx_bytes(REDLINED, COMMENTS))
    assert document.state == "done", document.error
    counts = document.tracked_changes["counts"]
    assert counts == {"insertions": 1, "deletions": 3, "moves": 1, "comments": 2}
    deleted = [entry["text"] for entry in document.tracked_changes["deletions"]]
    assert deleted[0] == "Informant Ruiz met the chief on Tuesday."
    assert document.tracked_changes["deletions"][0]["author"] == "J. Counsel"
    # The PDF pages, then one labelled page of the changes: the search finds a deleted sentence.
    changes_page = Page.objects.get(document=document, sheet="Tracked changes and comments")
    assert changes_page.number == document.page_count + 1
    team_pages = Page.objects.for_team(records_request.team)
    hits = search_pages("surveillance van", pages=team_pages).hits
    # LibreOffice also prints the deletion struck through on page 1, as Word shows it with markup.
    assert (document.pk, changes_page.number) in [(hit.document_id, hit.page) for hit in hits]
    assert search_pages("xylograph", pages=team_pages).hits
    page = login(editor).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "This file contains 1 tracked insertion, 3 tracked deletions, 1 moved passage and 2 comments" in page
    assert "the agency may not have meant to release" in page
    assert "Informant Ruiz met the chief on Tuesday." in page


def test_docx_without_changes_has_no_changes_page(records_request):
    needs_libreoffice()
    document = ingest(records_request, "plain.docx", docx_bytes(paragraph("Nothing tracked here at all.")))
    assert document.state == "done", document.error
    assert document.tracked_changes == {}
    assert not Page.objects.filter(document=document, sheet__gt="").exists()


def test_tracked_changes_reader_refuses_a_dtd(tmp_path):
    from records.ingest.revisions import read_tracked_changes

    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        f'<w:document {W}><w:body><w:p><w:ins w:author="x"><w:r><w:t>&lol2;</w:t></w:r></w:ins></w:p></w:body>'
        "</w:document>"
    )
    path = tmp_path / "lol.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("word/document.xml", laughs)
    ((_, changes),) = read_tracked_changes(str(path))
    assert changes["counts"]["insertions"] == 0


# Password-protected Office files.


def encrypt(data: bytes, password: str) -> bytes:
    """Encrypted as Word and Excel do (ECMA-376 agile), with msoffcrypto-tool."""
    from msoffcrypto.format.ooxml import OOXMLFile

    if len(data) < 4096:
        # msoffcrypto-tool 6.1 cannot decrypt what it encrypted when the package is under 4 KB (it lands in
        # the OLE mini stream); real Office files are bigger. Pad it with a part nobody reads.
        data = _with_part(data, "docProps/padding.bin", os.urandom(8192))
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def test_password_protected_docx_asks_then_reads_with_the_right_password(records_request, editor, login):
    needs_libreoffice()
    locked = encrypt(docx_bytes(paragraph("Secret budget for plate readers.")), "s3cret")
    document = ingest(records_request, "locked.docx", locked)
    assert document.state == "needs_password"
    assert document.detected_type == ENCRYPTED_OFFICE
    assert "protected by a password" in document.error
    client = login(editor)
    page = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "Unlock and read" in page
    wrong = client.post(reverse("document_password", args=[document.pk]), {"password": "nope"}, follow=True)
    assert "That password does not open this file" in wrong.content.decode()
    document.refresh_from_db()
    assert document.state == "needs_password" and document.decrypted_file is None
    client.post(reverse("document_password", args=[document.pk]), {"password": "s3cret"})
    run_to_completion(document.pk)
    document.refresh_from_db()
    assert document.state == "done", document.error
    assert document.detected_type == "docx" and document.password == ""  # never stored
    assert document.decrypted_file is not None and document.stored_file.sha256 != document.decrypted_file.sha256
    assert "plate readers" in Page.objects.get(document=document, number=1).text


def test_password_protected_xlsx_asks_then_reads_its_rows(records_request, editor, login):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Plate", "Reason"])
    workbook.active.append(["7ABC123", "stolen vehicle"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    document = ingest(records_request, "audit.xlsx", encrypt(buffer.getvalue(), "pw"))
    assert document.state == "needs_password"
    login(editor).post(reverse("document_password", args=[document.pk]), {"password": "pw"})
    run_to_completion(document.pk)
    document.refresh_from_db()
    assert document.state == "done", document.error
    assert document.detected_type == "xlsx" and document.page_count == 1
    assert Page.objects.get(document=document).cells == ["7ABC123", "stolen vehicle"]


def test_viewer_and_stranger_cannot_unlock(records_request, viewer, stranger, login):
    document = ingest(records_request, "locked.docx", encrypt(docx_bytes(paragraph("x")), "pw"))
    url = reverse("document_password", args=[document.pk])
    assert login(stranger).post(url, {"password": "pw"}).status_code == 404
    login(viewer).post(url, {"password": "pw"})
    document.refresh_from_db()
    assert document.decrypted_file is None and document.state == "needs_password"


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as package:
        package.writestr(name, content)
    return buffer.getvalue()


# Macros.


def test_docm_macros_are_labelled_and_never_run(records_request, editor, login, tmp_path):
    needs_libreoffice()
    # An auto-open macro that would write a file if it ever ran.
    marker = tmp_path / "macro-ran"
    data = docx_bytes(
        paragraph("A document with a macro."),
        extra={
            "word/vbaProject.bin": b'Sub AutoOpen()\n Open "' + str(marker).encode() + b'" For Output As #1\nEnd Sub'
        },
    )
    document = ingest(records_request, "macro.docm", data)
    assert document.state == "done", document.error
    assert document.detected_type == "docm" and document.has_macros
    assert not marker.exists()
    page = login(editor).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "contains macros (not run)" in page


# Bad input: each ends in plain words, the upload is kept, the next file still goes through.


def test_docx_zip_bomb_is_refused_before_libreoffice_opens_it(records_request):
    bomb = docx_bytes(paragraph("x"), extra={"word/media/zeros.bin": b"\0" * (20 * 1024 * 1024)})
    document = ingest(records_request, "bomb.docx", bomb)
    assert document.state == "failed"
    assert "zip bomb" in document.error and "The file is kept" in document.error
    assert document.converted_file is None
    assert Document.objects.get(pk=document.pk).stored_file.size == len(bomb)


def test_corrupt_docx_fails_in_plain_words(records_request):
    needs_libreoffice()
    good = docx_bytes(paragraph("Hello"))
    broken = good[:40] + bytes(reversed(good[40:400])) + good[400:]
    document = ingest(records_request, "broken.docx", broken)
    assert document.state == "failed", document.state
    assert document.error and "Traceback" not in document.error


def test_libreoffice_past_its_time_limit_is_stopped_and_the_next_file_goes_on(records_request, settings):
    needs_libreoffice()
    settings.INGEST_OFFICE_SECONDS = 0.3  # LibreOffice needs seconds to start: it is always too slow
    slow = ingest(records_request, "slow.docx", docx_bytes(paragraph("Slow one")))
    assert slow.state == "failed"
    assert "LibreOffice took longer than 0.3 seconds" in slow.error and "The file is kept" in slow.error
    assert _no_libreoffice_left(slow)
    settings.INGEST_OFFICE_SECONDS = 300
    following = ingest(records_request, "next.docx", docx_bytes(paragraph("The next file")))
    assert following.state == "done", following.error


def _no_libreoffice_left(document) -> bool:
    """No LibreOffice is left running on a conversion folder of the pipeline's (it is killed with its group)."""
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    folder = f"UserInstallation=file://{tempfile.gettempdir()}/office-"
    return not any(folder in line for line in out.splitlines())


# Isolation: the converted PDF is served only through the team-scoped path.


def test_converted_pdf_is_served_only_to_the_team(records_request, editor, viewer, stranger, login):
    needs_libreoffice()
    document = ingest(records_request, "letter.docx", docx_bytes(paragraph("Converted for the team")))
    url = reverse("document_converted_pdf", args=[document.pk])
    response = login(viewer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"%PDF")
    assert login(stranger).get(url).status_code == 404
    other = ingest(records_request, "plain.csv", b"a,b\n1,2\n")
    assert login(editor).get(reverse("document_converted_pdf", args=[other.pk])).status_code == 404
