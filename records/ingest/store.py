"""Bytes stored once per content hash; Document rows that point at them."""

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from records.models import Document, StoredFile

from .detect import HEAD_BYTES, detect_type

_CHUNK = 1024 * 1024


def stored_path(stored_file: StoredFile) -> Path:
    return Path(settings.MEDIA_ROOT) / stored_file.path


def store_file(data_or_fileobj) -> StoredFile:
    """Write the bytes under MEDIA_ROOT unless the same content is already there.

    Takes bytes or anything with read() (a Django UploadedFile, an open file, a
    ZIP member); the content is streamed, hashed and moved into place whole, so
    a crash never leaves a half-written file under its final name.
    """
    media = Path(settings.MEDIA_ROOT)
    incoming = media / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=incoming, delete=False) as temp:
        try:
            for chunk in _chunks(data_or_fileobj):
                digest.update(chunk)
                temp.write(chunk)
                size += len(chunk)
        except BaseException:
            os.unlink(temp.name)
            raise
    sha256 = digest.hexdigest()
    relative = f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    final = media / relative
    if final.exists():
        os.unlink(temp.name)
    else:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(temp.name, 0o440)  # uploads are never rewritten in place
        os.replace(temp.name, final)
    stored, _ = StoredFile.objects.get_or_create(sha256=sha256, defaults={"size": size, "path": relative})
    return stored


def add_document(request, *, name, data_or_fileobj, user=None, communication=None, archive=None):
    """Store a file on a request; return (document, created).

    The same content already on the same request returns the existing document
    with created=False (the caller can say "already uploaded as …"). A new
    document is left in state "queued": the caller queues its extraction
    (records.tasks.queue_extraction) once the transaction commits.
    """
    stored = store_file(data_or_fileobj)
    existing = Document.objects.filter(request=request, stored_file=stored).order_by("pk").first()
    if existing is not None:
        return existing, False
    with open(stored_path(stored), "rb") as file:
        head = file.read(HEAD_BYTES)
    document = Document.objects.create(
        request=request,
        communication=communication,
        archive=archive,
        stored_file=stored,
        original_name=clean_name(name),
        size=stored.size,
        detected_type=detect_type(head),
        uploaded_by=user,
    )
    return document, True


def clean_name(name: str) -> str:
    """A file name fit to show: no control characters, not empty, not too long."""
    name = "".join(char if char.isprintable() else " " for char in str(name)).strip()
    return (name or "unnamed file")[-500:]


def _chunks(data_or_fileobj):
    if isinstance(data_or_fileobj, (bytes, bytearray, memoryview)):
        yield bytes(data_or_fileobj)
        return
    if hasattr(data_or_fileobj, "chunks"):  # Django's UploadedFile
        yield from data_or_fileobj.chunks(_CHUNK)
        return
    while chunk := data_or_fileobj.read(_CHUNK):
        yield chunk
