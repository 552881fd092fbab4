"""Detecting types from content, storing bytes once, unpacking ZIPs and emails."""

import io
import zipfile
from email.message import EmailMessage

import pytest

from records.ingest import add_document, extract_document, run_to_completion, store_file
from records.ingest.detect import detect_type
from records.ingest.store import open_stored
from records.models import Communication, Document, StoredFile
from tests.test_ingest_support import corpus_file, make_request

LETTER = "1505_CCSAO_FOIA121515.pdf"
SCAN = "1505_CPD_FOIA14-5298Hailstorm.pdf"


def read(kind, name) -> bytes:
    return corpus_file(kind, name).read_bytes()


@pytest.mark.parametrize(
    "kind, name, detected",
    [
        ("real", LETTER, "pdf"),
        ("real", "flp_nc-supreme-court-broken-mime.pdf", "pdf"),  # CRLF before %PDF
        ("hostile", "leading-junk-before-header.pdf", "pdf"),
        ("hostile", "not-pdf-jpeg-image.pdf", "jpeg"),
        ("hostile", "not-pdf-tiff-image.pdf", "tiff"),
        ("hostile", "not-pdf-html-error-page.pdf", "html"),
        ("hostile", "not-pdf-odt-zip-container.pdf", "zip"),
        ("hostile", "not-pdf-empty-0-bytes.pdf", "unknown"),
        ("hostile", "tiny-5-bytes.pdf", "unknown"),
    ],
)
def test_type_comes_from_the_content(kind, name, detected):
    assert detect_type(read(kind, name)[:4096]) == detected


def test_png_and_email_are_detected():
    assert detect_type(b"\x89PNG\r\n\x1a\n\x00\x00") == "png"
    assert detect_type(b"Return-Path: <a@b>\r\nReceived: from x\r\nSubject: FOIA\r\n\r\nHi") == "eml"
    assert detect_type(b"Dear requester,\nFrom: the records office") == "unknown"


@pytest.mark.django_db
def test_bytes_are_stored_once_per_content():
    data = read("real", LETTER)
    first, second = store_file(data), store_file(io.BytesIO(data))
    assert first == second and StoredFile.objects.count() == 1
    assert open_stored(first).read() == data and first.size == len(data)


@pytest.mark.django_db
def test_the_same_file_twice_on_a_request_is_one_document():
    request, other = make_request(), make_request("other-desk")
    data = read("real", LETTER)
    document, created = add_document(request, name="letter.pdf", data_or_fileobj=data)
    again, created_again = add_document(request, name="copy of letter.pdf", data_or_fileobj=io.BytesIO(data))
    elsewhere, created_elsewhere = add_document(other, name="letter.pdf", data_or_fileobj=data)
    assert (created, created_again, created_elsewhere) == (True, False, True)
    assert again == document and again.original_name == "letter.pdf"
    assert elsewhere != document and elsewhere.stored_file == document.stored_file
    assert (document.state, document.detected_type, document.size) == ("queued", "pdf", len(data))


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_zip_becomes_one_document_per_file():
    request = make_request()
    data = make_zip({
        "release/letter.pdf": read("real", LETTER), "release/scan.pdf": read("real", SCAN),
        "__MACOSX/release/._letter.pdf": b"junk", "release/": b"",
    })  # fmt: skip
    archive, _ = add_document(request, name="release.zip", data_or_fileobj=data)
    run_to_completion(archive.pk)
    archive.refresh_from_db()
    assert (archive.state, archive.error) == ("done", "")
    members = {d.original_name: d for d in Document.objects.filter(archive=archive)}
    assert set(members) == {"release/letter.pdf", "release/scan.pdf"}
    assert {d.state for d in members.values()} == {"done"}
    assert members["release/scan.pdf"].pages.get().ocr is True

    # Unpacking again (a worker died after it) adds nothing.
    Document.objects.filter(pk=archive.pk).update(state="queued")
    run_to_completion(archive.pk)
    assert Document.objects.filter(request=request).count() == 3


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_and_kept():
    request = make_request()
    bomb = make_zip({f"part{n}.pdf": bytes(40 * 1024 * 1024) for n in range(3)})  # 120 MB of zeros in ~120 KB
    archive, _ = add_document(request, name="bomb.zip", data_or_fileobj=bomb)
    archive = extract_document(archive.pk)
    assert archive.state == "failed" and "zip bomb" in archive.error
    assert not Document.objects.filter(archive=archive).exists()
    assert open_stored(archive.stored_file).read() == bomb


@pytest.mark.django_db
def test_zip_limits_on_count_and_total_size(settings):
    request = make_request()
    settings.INGEST_ZIP_MAX_MEMBERS = 2
    many, _ = add_document(request, name="many.zip", data_or_fileobj=make_zip({f"{n}.txt": b"x" for n in range(3)}))
    assert "holds 3 files, more than the 2 allowed" in extract_document(many.pk).error
    settings.INGEST_ZIP_MAX_TOTAL_MB = 1
    big, _ = add_document(request, name="big.zip", data_or_fileobj=make_zip({"a.bin": bytes(2 * 1024 * 1024)}))
    assert "would expand to 2 MB, more than the 1 MB allowed" in extract_document(big.pk).error


@pytest.mark.django_db
def test_archives_nested_too_deep_are_not_opened(settings):
    settings.INGEST_MAX_NESTING = 2
    request = make_request()
    innermost = make_zip({"letter.pdf": read("real", LETTER)})
    outer, _ = add_document(
        request, name="outer.zip", data_or_fileobj=make_zip({"middle.zip": make_zip({"inner.zip": innermost})})
    )
    run_to_completion(outer.pk)
    middle = Document.objects.get(archive=outer)
    inner = Document.objects.get(archive=middle)
    assert (middle.state, inner.state) == ("done", "failed")
    assert "archives or emails deep" in inner.error


def make_email() -> bytes:
    message = EmailMessage()
    message["From"] = "Records Officer <foia@chicagopolice.org>"
    message["To"] = "desk@example.org"
    message["Subject"] = "FOIA 15-3528: responsive records"
    message["Date"] = "Tue, 03 Mar 2015 16:05:00 -0600"
    message.set_content("Please find the responsive records attached.")
    message.add_attachment(read("real", LETTER), maintype="application", subtype="pdf", filename="response.pdf")
    message.add_attachment(
        read("hostile", "not-pdf-jpeg-image.pdf"), maintype="image", subtype="jpeg", filename="photo.jpg"
    )
    return message.as_bytes()


@pytest.mark.django_db
def test_an_email_becomes_an_incoming_communication_with_its_attachments():
    request = make_request()
    saved, _ = add_document(request, name="response.eml", data_or_fileobj=make_email())
    assert saved.detected_type == "eml"
    run_to_completion(saved.pk)
    saved.refresh_from_db()
    communication = Communication.objects.get(request=request)
    assert (communication.direction, communication.channel) == ("in", "email")
    assert communication.subject == "FOIA 15-3528: responsive records"
    assert communication.sender == "Records Officer <foia@chicagopolice.org>"
    assert str(communication.date) == "2015-03-03"
    assert "responsive records attached" in communication.body
    assert saved.state == "done" and saved.communication == communication
    attachments = Document.objects.filter(archive=saved).order_by("original_name")
    assert [(d.original_name, d.detected_type, d.state) for d in attachments] == [
        ("photo.jpg", "jpeg", "done"), ("response.pdf", "pdf", "done")
    ]  # fmt: skip
    assert all(d.communication == communication for d in attachments)

    Document.objects.filter(pk=saved.pk).update(state="queued")  # read again: nothing doubles
    run_to_completion(saved.pk)
    assert Communication.objects.count() == 1 and Document.objects.filter(archive=saved).count() == 2
