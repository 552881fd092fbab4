"""Saved emails: recognised before a PDF they carry, and read with bounded memory in the sandbox."""

import base64
import email
import email.policy
import hashlib
import os
from email.message import EmailMessage

import pytest

from records.ingest import add_document, extract_document, run_to_completion
from records.ingest.detect import detect_type
from records.ingest.errors import IngestError
from records.ingest.isolate import run_isolated
from records.ingest.mail import split_email
from records.models import Communication, Document
from tests.test_ingest_support import corpus_file, make_request

LETTER = "1505_CCSAO_FOIA121515.pdf"


def raw_pdf_email(pdf: bytes) -> bytes:
    """An email whose PDF attachment is sent unencoded (8bit), so %PDF- sits in its first kilobyte."""
    return (
        b"From: Records Officer <foia@example.gov>\r\n"
        b"To: desk@example.org\r\n"
        b"Subject: FOIA 22-114 response\r\n"
        b"Date: Mon, 07 Nov 2022 09:30:00 -0500\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n'
        b"\r\n--XX\r\nContent-Type: text/plain\r\n\r\nThe records are attached.\r\n"
        b'--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="r.pdf"\r\n'
        b"Content-Transfer-Encoding: binary\r\n\r\n" + pdf + b"\r\n--XX--\r\n"
    )


def test_mail_is_detected_before_a_pdf_in_its_first_kilobyte():
    message = raw_pdf_email(b"%PDF-1.4\n%fake\n")
    assert message.index(b"%PDF-") < 1024
    assert detect_type(message[:4096]) == "eml"


@pytest.mark.parametrize(
    "head, detected",
    [
        (b"%PDF-1.7\nFrom: x\nSubject: y\n", "pdf"),
        (b"\r\n%PDF-1.5\r\n", "pdf"),  # a gateway's CRLF before the header
        (b"leading junk\n\n%PDF-1.4\n", "pdf"),
        (b"From foo@example.org Mon Nov  7 09:30:00 2022\nFrom: a@b\nSubject: c\n\n%PDF-1.4", "eml"),  # mbox
        (b"Received: from mx\r\n  by mx2\r\nX-Mailer: Outlook\r\nFrom: a@b\r\n\r\n%PDF-1.4", "eml"),
        (b"Subject: only one header\n\n%PDF-1.4", "pdf"),
    ],
)
def test_pdf_or_mail_from_the_head(head, detected):
    assert detect_type(head) == detected


@pytest.mark.django_db
def test_an_email_with_a_raw_pdf_keeps_its_message_and_attachment():
    pdf = corpus_file("real", LETTER).read_bytes()
    request = make_request()
    saved, _ = add_document(request, name="response.eml", data_or_fileobj=raw_pdf_email(pdf))
    run_to_completion(saved.pk)
    saved.refresh_from_db()
    assert (saved.detected_type, saved.state) == ("eml", "done"), saved.error
    communication = Communication.objects.get(request=request)
    assert communication.subject == "FOIA 22-114 response"
    assert communication.body == "The records are attached."
    attachment = Document.objects.get(archive=saved)
    assert (attachment.original_name, attachment.detected_type, attachment.state) == ("r.pdf", "pdf", "done")
    assert attachment.size == len(pdf)


def big_email(path, attachment_mb: int) -> str:
    """Write an email with one base64 attachment of random bytes; return the attachment's sha256."""
    digest = hashlib.sha256()
    with open(path, "wb") as file:
        file.write(
            b"From: records@example.gov\r\nTo: desk@example.org\r\nSubject: Bodycam index\r\n"
            b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="=_b"\r\n\r\n'
            b"--=_b\r\nContent-Type: text/plain\r\n\r\nThe export is attached.\r\n"
            b'--=_b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="export.bin"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n"
        )
        for _ in range(attachment_mb * 20):
            chunk = os.urandom(57 * 920)  # 920 lines of 76 characters
            digest.update(chunk)
            file.write(base64.encodebytes(chunk).replace(b"\n", b"\r\n"))
        file.write(b"--=_b--\r\n")
    return digest.hexdigest()


def parse_with_the_email_package(path):
    with open(path, "rb") as file:
        message = email.message_from_binary_file(file, policy=email.policy.default)
    yield sum(len(part.get_payload(decode=True) or b"") for part in message.walk())


@pytest.mark.same_on_every_database  # the sandbox's memory cap; no database
@pytest.mark.slow
def test_a_large_email_splits_under_a_memory_cap_smaller_than_itself(tmp_path):
    path = tmp_path / "big.eml"
    sha256 = big_email(path, attachment_mb=45)
    assert path.stat().st_size > 60 * 1024 * 1024
    folder = tmp_path / "parts"
    folder.mkdir()
    options = {"memory_mb": 32, "total_seconds": 300, "idle_seconds": 60}

    parts = list(run_isolated(split_email, str(path), str(folder), 10, **options))

    attachments = [part for part in parts if part[0] == "attachment"]
    assert [(name, size) for _, name, _, size in attachments] == [("export.bin", 45 * 20 * 57 * 920)]
    with open(attachments[0][2], "rb") as file:
        assert hashlib.file_digest(file, "sha256").hexdigest() == sha256
    assert parts[-1] == ("body", "plain", "The export is attached.")
    # The same cap stops the email package: the cap is what the test is about.
    with pytest.raises(IngestError, match="memory|crashed"):
        list(run_isolated(parse_with_the_email_package, path, **options))


@pytest.mark.slow
@pytest.mark.django_db
def test_a_large_email_upload_is_unpacked_in_the_sandbox(settings, tmp_path):
    settings.INGEST_PARSE_MEMORY_MB = 32
    path = tmp_path / "big.eml"
    sha256 = big_email(path, attachment_mb=12)
    with open(path, "rb") as file:
        saved, _ = add_document(make_request(), name="big.eml", data_or_fileobj=file)
    extract_document(saved.pk)
    saved.refresh_from_db()
    assert (saved.state, saved.error) == ("done", "")
    attachment = Document.objects.get(archive=saved)
    assert (attachment.original_name, attachment.sha256) == ("export.bin", sha256)
    assert Communication.objects.get().body == "The export is attached."


def sample_email() -> EmailMessage:
    """Most of what mail programs send: alternative bodies, quoted-printable, inline images,
    attachments in several encodings, a forwarded message, non-ASCII names."""
    forwarded = EmailMessage()
    forwarded["From"] = "clerk@example.gov"
    forwarded["Subject"] = "Re: fee estimate"
    forwarded.set_content("The fee is $25.\n")
    message = EmailMessage()
    message["From"] = "Oficina de Registros <registros@example.gov>"
    message["To"] = "desk@example.org"
    message["Subject"] = "Solicitud 22-114: respuesta — parte 1"
    message["Date"] = "Mon, 07 Nov 2022 09:30:00 -0500"
    message.set_content(
        "Adjuntamos los registros.\nLínea dos, con acentos: señal.\n" + "x" * 200 + "\n", cte="quoted-printable"
    )
    message.add_alternative("<p>Adjuntamos los <b>registros</b>.</p>", subtype="html")
    message.add_attachment(os.urandom(100_000), maintype="application", subtype="pdf", filename="informe.pdf")
    message.add_attachment("a,b\n1,2\n" * 50, subtype="csv", filename="tabla año.csv", cte="quoted-printable")
    message.add_attachment("plain notes\r\nline two\r\n", filename="notes.txt", cte="8bit")
    message.add_attachment(forwarded)
    return message


def test_the_splitter_agrees_with_the_email_package(tmp_path):
    raw = sample_email().as_bytes()
    path = tmp_path / "sample.eml"
    path.write_bytes(raw)
    parts = list(split_email(str(path), str(tmp_path), 10))

    reference = email.message_from_bytes(raw, policy=email.policy.default)
    expected = []
    for part in reference.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            expected.append(("Re: fee estimate.eml", part.get_payload()[0].as_bytes()))
        else:
            expected.append((part.get_filename(), part.get_payload(decode=True)))
    found = [(name, open(file, "rb").read()) for kind, name, file, _ in (p for p in parts if p[0] == "attachment")]
    assert [name for name, _ in found] == [name for name, _ in expected]
    for (name, data), (_, wanted) in zip(found, expected, strict=True):
        if name.endswith(".eml"):  # kept as sent, not re-serialised
            assert email.message_from_bytes(data, policy=email.policy.default)["subject"] == "Re: fee estimate"
        else:
            assert data.replace(b"\r\n", b"\n") == wanted.replace(b"\r\n", b"\n"), name
    headers = parts[0][1]
    assert headers["subject"] == "Solicitud 22-114: respuesta — parte 1"
    assert headers["from"] == "Oficina de Registros <registros@example.gov>"
    assert parts[-1] == ("body", "plain", reference.get_body(("plain",)).get_content())


def test_too_many_attachments_are_refused(tmp_path):
    path = tmp_path / "many.eml"
    path.write_bytes(sample_email().as_bytes())
    with pytest.raises(IngestError, match="more than 3 attachments"):
        list(split_email(str(path), str(tmp_path), 3))


def test_parts_nested_without_end_are_refused_plainly(tmp_path):
    path = tmp_path / "deep.eml"
    nesting = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n) for n in range(500))
    path.write_bytes(b"From: a@b\r\nMIME-Version: 1.0\r\n" + nesting)
    with pytest.raises(IngestError, match="nests more than 50 groups of parts"):
        list(split_email(str(path), str(tmp_path), 10))


TRICKY_PDF = b"%PDF-1.4\r\n--XY\r\n--XXL\r\n-- XX\r\n--\r\n\r\n\n\r\r" + bytes(range(256)) + b"\r\n\r\n"


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1000])
@pytest.mark.parametrize("message", ["sample", "raw pdf"])
def test_parts_come_out_the_same_however_the_file_is_cut_into_blocks(tmp_path, monkeypatch, block, message):
    path = tmp_path / "message.eml"
    path.write_bytes(sample_email().as_bytes() if message == "sample" else raw_pdf_email(TRICKY_PDF))

    def split(folder):
        folder.mkdir()
        parts = list(split_email(str(path), str(folder), 10))
        return [(*part[:2], open(part[2], "rb").read()) if part[0] == "attachment" else part for part in parts]

    whole = split(tmp_path / "whole")
    if message == "raw pdf":
        assert whole[1] == ("attachment", "r.pdf", TRICKY_PDF)
    monkeypatch.setattr("records.ingest.mail._BLOCK", block)
    assert split(tmp_path / "cut") == whole


@pytest.mark.parametrize(
    "name, attachments",
    [
        ("alaveteli_incoming-request-pdf-attachment.eml", [("fs_50379341.pdf", 29607)]),
        ("alaveteli_iso8859-2_FOI_reply.eml", []),
        ("mail_html-only-alternative_rfc822.eml", [("img.png", 370), ("Another PDF.eml", 1851)]),
    ],
)
def test_real_emails_split_as_the_email_package_reads_them(tmp_path, name, attachments):
    path = corpus_file("formats", name)
    parts = list(split_email(str(path), str(tmp_path), 10))
    assert [(part[1], part[3]) for part in parts if part[0] == "attachment"] == attachments
    reference = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    for part in reference.walk():
        if part.get_filename() and part.get_content_type() != "message/rfc822":
            found = next(p[2] for p in parts if p[0] == "attachment" and p[1] == part.get_filename())
            assert open(found, "rb").read() == part.get_payload(decode=True)
    body = reference.get_body(("plain", "html"))
    assert parts[-1] == ("body", body.get_content_subtype(), body.get_content().replace("\r\n", "\n"))
    assert parts[0][1]["subject"] == reference["subject"]
