"""ZIP archives and saved emails (.eml): their files become documents of their own.

Both are idempotent: members are stored through add_document, which returns
the document already made for the same content, so a worker killed half-way
through an archive repeats nothing when the archive is read again.
"""

import html
import os
import re
import tempfile
import zipfile
from email.utils import parsedate_to_datetime

import html2text
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from records import timeline_writes
from records.models import Communication, Document

from .budget import ExpansionBudget, OverBudget
from .errors import IngestError, short
from .isolate import run_isolated
from .limits import Limits
from .mail import split_email
from .outlook import msg_to_eml
from .store import add_document, clean_name, local_copy, open_stored
from .text import clean_text

_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
_MB = 1024 * 1024


def unpack_zip(archive: Document, limits: Limits) -> list[str]:
    """Add each file in the ZIP to the archive's request; return notes on what was skipped.

    Refuses (IngestError, nothing added) archives whose directory is past the
    limits on member count, total size, compression ratio or nesting. While
    reading, the bytes actually inflated draw on the upload's budget (shared with
    its nested archives); past it, the members read so far are kept and the
    archive fails with a reason. The archive itself is always kept.
    """
    _check_nesting(archive, limits)
    source = open_stored(archive.stored_file)  # ZipFile seeks: a local file, or the storage's seekable copy
    try:
        zip_file = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        source.close()
        raise IngestError(f"The ZIP archive is damaged and cannot be opened ({short(exc)}).") from None
    notes = []
    with source, zip_file:
        office = _office_format(zip_file)
        if office:
            raise IngestError(f"This is {office}, not a PDF or an archive of records. Save it as PDF and upload that.")
        members = [info for info in zip_file.infolist() if not info.is_dir() and not _is_junk(info.filename)]
        check_zip_limits(members, limits)
        budget = ExpansionBudget.for_archive(archive, limits)
        kept = 0
        for info in members:
            if info.flag_bits & 0x1:
                notes.append(f"{info.filename}: encrypted inside the ZIP, not extracted")
                continue
            try:
                budget.take_member()
                with zip_file.open(info) as member:
                    _add_member(archive, info.filename, budget.metered(member, info.filename, info.compress_size))
                kept += 1
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
                notes.append(f"{info.filename}: damaged, not extracted ({short(exc, 80)})")
            except OverBudget as stop:
                files = "file was" if kept == 1 else "files were"
                raise IngestError(f"{stop.message}; the first {kept:,} {files} kept. The archive is kept.") from None
    return notes


def check_zip_limits(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse a ZIP bomb from its directory, before a byte is inflated.

    zipfile never inflates a member past its declared size, so declared sizes
    are a safe bound on what reading the members can cost.
    """
    if len(members) > limits.zip_max_members:
        raise IngestError(
            f"This ZIP holds {len(members):,} files, more than the {limits.zip_max_members:,} allowed in one "
            "archive, so it was not opened. The archive is kept; split it into smaller ones."
        )
    total = sum(info.file_size for info in members)
    if total > limits.zip_max_total_mb * _MB:
        raise IngestError(
            f"This ZIP would expand to {total / _MB:,.0f} MB, more than the {limits.zip_max_total_mb:,} MB "
            "allowed (it may be a 'zip bomb'), so it was not opened. The archive is kept."
        )
    for info in members:
        # Every member, however small: a thousand 1 MB members of zeros are a bomb too.
        if info.file_size > limits.zip_max_ratio * max(info.compress_size, 1):
            raise IngestError(
                f"{info.filename} in this ZIP is compressed more than {limits.zip_max_ratio} to 1, as "
                "'zip bombs' are, so the archive was not opened. The archive is kept."
            )


def unpack_email(message_document: Document, limits: Limits) -> list[str]:
    """Record a saved email as an incoming Communication; its attachments become documents.

    The message is split in the sandboxed child, with the limits of PDF parsing,
    into files in a temporary folder; they are stored from there one by one.
    """
    _check_nesting(message_document, limits)
    with local_copy(message_document.stored_file) as message_path:
        return _unpack_email_file(message_document, str(message_path), limits)


def unpack_msg(message_document: Document, limits: Limits) -> list[str]:
    """An Outlook .msg: converted to .eml in the sandboxed child, then unpacked as a saved email."""
    _check_nesting(message_document, limits)
    with (
        tempfile.TemporaryDirectory(prefix="msg-", dir=settings.FILE_UPLOAD_TEMP_DIR) as folder,
        local_copy(message_document.stored_file) as message_path,
    ):
        (item,) = run_isolated(
            msg_to_eml, str(message_path), os.path.join(folder, "message.eml"),
            memory_mb=limits.parse_memory_mb, total_seconds=limits.parse_seconds, idle_seconds=limits.page_seconds,
        )  # fmt: skip
        return _unpack_email_file(message_document, item[1], limits)


def _unpack_email_file(message_document: Document, message_path: str, limits: Limits) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="eml-", dir=settings.FILE_UPLOAD_TEMP_DIR) as folder:
        parts = run_isolated(
            split_email, str(message_path), folder, limits.zip_max_members,
            memory_mb=limits.parse_memory_mb, total_seconds=limits.parse_seconds, idle_seconds=limits.page_seconds,
        )  # fmt: skip
        headers, body, attachments, created = {}, "", [], False
        for kind, *details in parts:
            if kind == "headers":
                headers = details[0]
            elif kind == "attachment":
                attachments.append(details)
            elif kind == "body":
                body = _body_text(*details)
        with transaction.atomic():
            communication = message_document.communication
            if communication is None:
                communication = timeline_writes.log_communication(
                    message_document.request,
                    user=message_document.uploaded_by,
                    direction=Communication.INCOMING,
                    channel="email",
                    date=_message_date(headers.get("date", ""), message_document),
                    sender=headers.get("from", "")[:300],
                    recipient=headers.get("to", "")[:300],
                    subject=headers.get("subject", "")[:500],
                    body=body,
                )
                Document.objects.filter(pk=message_document.pk).update(communication=communication)
                message_document.communication = communication
                created = True
        for index, (name, path, _size) in enumerate(attachments, start=1):
            with open(path, "rb") as data:
                _add_member(message_document, name or f"attachment-{index}", data)
            os.unlink(path)  # the folder holds one attachment less while the rest are stored
    if created:  # an uploaded email (a fetched one's communication was made by records.mail.filing)
        from records.mail.filing import uploaded_message_filed  # mail builds on ingest: imported late

        uploaded_message_filed(message_document, headers)
    return []


def _add_member(container: Document, name: str, data_or_fileobj) -> None:
    document, created = add_document(
        container.request,
        name=name,
        data_or_fileobj=data_or_fileobj,
        user=container.uploaded_by,
        communication=container.communication,
        archive=container,
    )
    if not created:
        list_duplicate(container, name, document)


def list_duplicate(container: Document, name: str, first: Document) -> Document | None:
    """A member with the same bytes as an earlier file of the request is listed under its archive as
    "same as" that file, not dropped (and not read twice). Returns the new row, or None when the
    member is already listed (the archive read again after a worker died)."""
    name = clean_name(name)
    if first.archive_id == container.pk and first.original_name == name:
        return None  # this very member, stored on an earlier reading
    listed = Document.objects.filter(archive=container, original_name=name, duplicate_of=first)
    if listed.exists():
        return None
    return Document.objects.create(
        request=container.request,
        communication=container.communication,
        archive=container,
        stored_file=first.stored_file,
        original_name=name,
        size=first.size,
        detected_type=first.detected_type,
        uploaded_by=container.uploaded_by,
        state=Document.State.DONE,
        duplicate_of=first,
    )


def _check_nesting(document: Document, limits: Limits) -> None:
    depth, parent_id = 0, document.archive_id
    while parent_id is not None:
        depth += 1
        if depth >= limits.max_nesting:
            raise IngestError(
                f"This file sits {depth} archives or emails deep; the limit is {limits.max_nesting - 1}, "
                "so it was not opened. It is kept."
            )
        parent_id = Document.objects.filter(pk=parent_id).values_list("archive_id", flat=True).first()


def _office_format(zip_file: zipfile.ZipFile) -> str:
    names = set(zip_file.namelist())
    if "mimetype" in names and any(name.startswith("content.xml") for name in names):
        return "an OpenDocument file (LibreOffice)"
    if "[Content_Types].xml" in names:
        return "a Microsoft Office file (Word, Excel or PowerPoint)"
    return ""


def _is_junk(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._") or base.lower() in _JUNK_NAMES


def _message_date(date: str, document: Document):
    try:
        sent = parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        sent = None
    if sent is None:
        return timezone.localdate(document.uploaded_at)
    return timezone.localdate(sent) if timezone.is_aware(sent) else sent.date()


def _body_text(subtype: str, content: str) -> str:
    return body_text(subtype, content)


def body_text(subtype: str, content: str) -> str:
    """A message's body as plain text; an HTML-only body is converted to readable text, never rendered."""
    if subtype == "html":
        converter = html2text.HTML2Text(bodywidth=0)
        converter.ignore_images = True
        converter.ignore_emphasis = True
        content = re.sub(r"(?s)<(script|style)\b.*?</\1\s*>", " ", content, flags=re.IGNORECASE)
        try:
            content = converter.handle(content)
        except Exception:  # html2text on broken markup: fall back to dropping the tags
            content = html.unescape(re.sub(r"<[^>]+>", " ", content))
        content = re.sub(r"[ \t]+", " ", content)
    return clean_text(content.strip())
