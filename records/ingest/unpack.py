"""ZIP archives and saved emails (.eml): their files become documents of their own.

Both are idempotent: members are stored through add_document, which returns
the document already made for the same content, so a worker killed half-way
through an archive repeats nothing when the archive is read again.
"""

import email
import email.policy
import html
import re
import zipfile
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

from django.db import transaction
from django.utils import timezone

from records.models import Communication, Document

from .budget import ExpansionBudget, OverBudget
from .errors import IngestError, short
from .limits import Limits
from .store import add_document, stored_path
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
    try:
        zip_file = zipfile.ZipFile(stored_path(archive.stored_file))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise IngestError(f"The ZIP archive is damaged and cannot be opened ({short(exc)}).") from None
    notes = []
    with zip_file:
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
    """Record a saved email as an incoming Communication; its attachments become documents."""
    _check_nesting(message_document, limits)
    with open(stored_path(message_document.stored_file), "rb") as file:
        message = email.message_from_binary_file(file, policy=email.policy.default)
    with transaction.atomic():
        communication = message_document.communication
        if communication is None:
            communication = Communication.objects.create(
                request=message_document.request,
                direction=Communication.INCOMING,
                channel="email",
                date=_message_date(message, message_document),
                sender=_header(message, "from", 300),
                recipient=_header(message, "to", 300),
                subject=_header(message, "subject", 500),
                body=_body_text(message),
                created_by=message_document.uploaded_by,
            )
            Document.objects.filter(pk=message_document.pk).update(communication=communication)
            message_document.communication = communication
    attachments = list(_attachments(message))
    if len(attachments) > limits.zip_max_members:
        raise IngestError(f"This email has {len(attachments):,} attachments, more than allowed; it was not unpacked.")
    for index, (name, data) in enumerate(attachments, start=1):
        _add_member(message_document, name or f"attachment-{index}", data)
    return []


def _add_member(container: Document, name: str, data_or_fileobj) -> None:
    add_document(
        container.request,
        name=name,
        data_or_fileobj=data_or_fileobj,
        user=container.uploaded_by,
        communication=container.communication,
        archive=container,
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


def _header(message: EmailMessage, name: str, limit: int) -> str:
    try:
        value = str(message.get(name, "") or "")
    except (ValueError, IndexError, TypeError):  # malformed header the parser could not fold
        value = str(message.get_all(name, [""])[0])
    return clean_text(" ".join(value.split()))[:limit]


def _message_date(message: EmailMessage, document: Document):
    try:
        sent = parsedate_to_datetime(str(message.get("date", "")))
    except (TypeError, ValueError, IndexError):
        sent = None
    if sent is None:
        return timezone.localdate(document.uploaded_at)
    return timezone.localdate(sent) if timezone.is_aware(sent) else sent.date()


def _body_text(message: EmailMessage) -> str:
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        if body is None:
            return ""
        content = body.get_content()
    except (KeyError, LookupError, ValueError, AttributeError):
        return ""
    if body.get_content_subtype() == "html":
        content = html.unescape(re.sub(r"(?s)<(script|style).*?</\1>|<[^>]+>", " ", content))
        content = re.sub(r"[ \t]+", " ", content)
    return clean_text(content.strip())


def _attachments(message: EmailMessage):
    """(file name, bytes) for each attached file; a forwarded email comes out as an .eml."""
    body = message.get_body(preferencelist=("plain", "html"))
    for part in _leaf_parts(message):
        if part is body:
            continue
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            subject = _header(inner, "subject", 100) or "forwarded message"
            yield f"{subject}.eml", inner.as_bytes()
            continue
        name = part.get_filename()
        disposition = part.get_content_disposition()
        if disposition != "attachment" and not name:
            continue  # alternative bodies and inline logos, not released records
        data = part.get_payload(decode=True)
        if data is not None:
            yield name, data


def _leaf_parts(part):
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    for child in part.iter_parts():
        yield from _leaf_parts(child)
