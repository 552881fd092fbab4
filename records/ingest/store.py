"""Bytes stored once per content hash, through one Django storage; Document rows that point at them.

Released files live in the storage named "released" (settings.STORAGES): the
local filesystem under MEDIA_ROOT by default, an S3-compatible bucket by
configuration (README, Several machines). Nothing else opens them by path:
readers use open_stored(), and code that needs a real file on disk (pypdf in
its sandboxed child, pdftoppm, tesseract) uses local_copy().
"""

import errno
import hashlib
import logging
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone

from records.models import Document, StoredFile

from .detect import HEAD_BYTES, detect_type

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024
_TEMP_PREFIX = "upload-"
_COPY_PREFIX = "tracker-released-"  # local_copy()'s downloads from a bucket

# What a user is told when the store refuses a file, by the errno the storage raised.
_REFUSALS = {
    errno.ENOSPC: "the file store is full",
    errno.EDQUOT: "the file store is full",
    errno.EROFS: "the file store is read-only",
    errno.EACCES: "the server may not write to the file store",
    errno.EPERM: "the server may not write to the file store",
}


class StoreFailed(Exception):
    """The storage refused or lost a file; `reason` says why in plain words (no path, no errno)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ReleasedFileSystemStorage(FileSystemStorage):
    """The default store: files under MEDIA_ROOT with no public URL (downloads go through the view).

    Names are content hashes, so saving a name again (two uploads of the same
    bytes racing) may overwrite: the bytes are the same. Files are read-only.
    """

    def __init__(self, **options):
        options.setdefault("allow_overwrite", True)
        options.setdefault("file_permissions_mode", 0o440)  # stored files are never rewritten in place
        super().__init__(**options)

    def url(self, name):
        raise NotImplementedError("Released files have no public URL; link to the document_download view.")


def released_storage() -> Storage:
    return storages["released"]


def is_local(storage: Storage | None = None) -> bool:
    """Whether the store is a directory on this machine (so nginx/sendfile and direct paths work)."""
    return isinstance(storage or released_storage(), FileSystemStorage)


def incoming_dir() -> Path:
    """The local area where uploads are hashed before they go to the store (one per machine)."""
    return Path(settings.MEDIA_ROOT) / "incoming"


def open_stored(stored_file: StoredFile) -> File:
    """The stored bytes, opened for reading (close it, or use it in a with block)."""
    return released_storage().open(stored_file.path, "rb")


@contextmanager
def local_copy(stored_file: StoredFile) -> Iterator[Path]:
    """A path on this machine holding the stored bytes, for tools that want a file name.

    On the local filesystem it is the stored file itself (no copy). From any other storage (S3) the
    bytes are downloaded once into this machine's cache (see _cached_copy), so each page image drawn
    on demand and each OCR chunk of the same file does not download it again; a file too big for the
    cache, or a cache that cannot be written, gets a temporary copy removed on exit.
    """
    storage = released_storage()
    if is_local(storage):
        yield Path(storage.path(stored_file.path))
        return
    private = _cached_copy(storage, stored_file)
    if private is not None:
        try:
            yield private
        finally:
            with suppress(OSError):
                private.unlink()
        return
    with tempfile.NamedTemporaryFile(prefix=_COPY_PREFIX) as temp:
        with storage.open(stored_file.path, "rb") as source:
            for chunk in source.chunks(_CHUNK):
                temp.write(chunk)
        temp.flush()
        yield Path(temp.name)


def released_cache_dir() -> Path:
    """This machine's copies of files downloaded from a bucket, named by their hash (under var/ by default)."""
    return Path(settings.MEDIA_ROOT) / "cache"


def _cached_copy(storage: Storage, stored_file: StoredFile) -> Path | None:
    """A private name (a hard link, removed by the caller) for the file's copy in this machine's cache,
    downloaded first if it is not there; None when the file is bigger than the cache or the cache fails.

    Names are content hashes, so a cached copy is never stale. The cache is bounded: the least recently
    used copies go once it holds more than limits.released_cache_mb. A copy evicted (by this or another
    process) while a caller reads it stays whole for that caller: the private link keeps its bytes.
    """
    from .limits import current_limits  # (limits reads settings; store is imported early)

    budget = current_limits().released_cache_mb * 1024 * 1024
    if stored_file.size > budget:
        return None
    folder = released_cache_dir()
    cached = folder / stored_file.sha256
    private = folder / f"{_COPY_PREFIX}{uuid.uuid4().hex}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            os.link(cached, private)
            os.utime(cached)  # most recently used
            return private
        except FileNotFoundError:
            pass
        with open(private, "xb") as temp, storage.open(stored_file.path, "rb") as source:
            for chunk in source.chunks(_CHUNK):
                temp.write(chunk)
        if private.stat().st_size != stored_file.size:
            raise OSError("the download was cut short")
        # Published under the cache's name atomically (a second link, renamed): a reader never sees it half-written.
        staged = folder / f"{_COPY_PREFIX}{uuid.uuid4().hex}"
        os.link(private, staged)
        os.replace(staged, cached)
        _evict(folder, budget)
        return private
    except BaseException as error:
        with suppress(OSError):
            private.unlink()
        if isinstance(error, OSError):
            return None  # the cache area is full or read-only, or the download failed: try a temporary copy
        raise


def _evict(folder: Path, budget: int) -> None:
    """Remove the least recently used cached copies until the cache holds at most `budget` bytes."""
    copies = []
    for path in folder.iterdir():
        if len(path.name) == 64 and not path.name.startswith(_COPY_PREFIX):
            with suppress(OSError):
                stat = path.stat()
                copies.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in copies)
    for _, size, path in sorted(copies, key=lambda copy: copy[0]):
        if total <= budget:
            break
        with suppress(OSError):
            path.unlink()
        total -= size


def store_file(data_or_fileobj) -> StoredFile:
    """Put the bytes in the store unless the same content is already there.

    Takes bytes or anything with read() (a Django UploadedFile, an open file, a
    ZIP member); the content is streamed to a local temporary file while it is
    hashed, then saved under its hash, so a crash never leaves a half-written
    file under its final name. Raises StoreFailed when the store (or the local
    temporary area) refuses the file; nothing of it is kept then.
    """
    return _store(data_or_fileobj)[0]


def _store(data_or_fileobj) -> tuple[StoredFile, bytes]:
    """store_file, also returning the first HEAD_BYTES (to detect the type without reading back)."""
    incoming = incoming_dir()
    with _refusals():
        incoming.mkdir(parents=True, exist_ok=True)
        # Unbuffered: a full disk fails the write() that hits it, not a later close().
        temp = tempfile.NamedTemporaryFile(dir=incoming, prefix=_TEMP_PREFIX, delete=False, buffering=0)
    try:
        digest = hashlib.sha256()
        size = 0
        head = b""
        with temp:
            for chunk in _chunks(data_or_fileobj):  # a read error (a damaged ZIP member) passes through
                digest.update(chunk)
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                with _refusals():
                    temp.write(chunk)
                size += len(chunk)
        sha256 = digest.hexdigest()
        name = f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"
        with _refusals(remote_errors=True):
            _save_once(name, temp.name)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temp.name)  # moved into place on a local store; a copy was sent otherwise
    stored, _ = StoredFile.objects.get_or_create(sha256=sha256, defaults={"size": size, "path": name})
    return stored, head


def add_document(request, *, name, data_or_fileobj, user=None, communication=None, archive=None):
    """Store a file on a request; return (document, created).

    The same content already on the same request returns the existing document
    with created=False (the caller can say "already uploaded as …"). A new
    document is left in state "queued": the caller queues its extraction
    (records.tasks.submit_document does both: store, then dispatch on commit).
    Raises StoreFailed when the store refuses the file (no row is made then).
    """
    stored, head = _store(data_or_fileobj)  # the head comes from the stream: no read back from the store
    existing = Document.objects.filter(request=request, stored_file=stored).order_by("pk").first()
    if existing is not None:
        return existing, False
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


def clean_abandoned_uploads(older_than: timedelta = timedelta(hours=6), *, dry_run: bool = False) -> list[Path]:
    """Remove the temporary files killed processes left on this machine.

    That is anything in the incoming area (a killed upload), and the copies
    local_copy() made from a bucket in the temporary directory (a worker killed
    at its time limit). Only files untouched for `older_than` go (an upload
    still streaming keeps writing, so its file stays fresh), and never one
    named as a StoredFile's blob. Returns the paths removed (or, with dry_run,
    the ones that would be).
    """
    cutoff = (timezone.now() - older_than).timestamp()
    candidates = [path for path in _leftovers() if _older(path, cutoff)]
    # Belt and braces: these areas only ever hold temporary names, but a file
    # someone put there by hand under a blob's name is not ours to delete.
    names = [path.name for path in candidates]
    referenced = set(StoredFile.objects.filter(sha256__in=names).values_list("sha256", flat=True))
    removed = []
    for path in sorted(candidates):
        if path.name in referenced:
            continue
        if not dry_run:
            with suppress(FileNotFoundError):
                path.unlink()
        removed.append(path)
    if removed and not dry_run:
        logger.info("Removed %s abandoned temporary file(s).", len(removed))
    return removed


def _leftovers() -> Iterator[Path]:
    incoming = incoming_dir()
    if incoming.is_dir():
        yield from incoming.iterdir()
    yield from Path(tempfile.gettempdir()).glob(f"{_COPY_PREFIX}*")
    yield from released_cache_dir().glob(f"{_COPY_PREFIX}*")  # a killed reader's private link to a cached copy


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff
    except OSError:  # gone meanwhile
        return False


def clean_name(name: str) -> str:
    """A file name fit to show: no control characters, not empty, not too long."""
    name = "".join(char if char.isprintable() else " " for char in str(name)).strip()
    return (name or "unnamed file")[-500:]


class _TempFile(File):
    """A local temporary file the filesystem storage may move into place instead of copying."""

    def temporary_file_path(self) -> str:
        return self.name


def _save_once(name: str, temp_path: str) -> None:
    storage = released_storage()
    if storage.exists(name):
        return
    with open(temp_path, "rb") as handle:
        saved = storage.save(name, _TempFile(handle, name=temp_path))
    if saved != name:  # a storage that renames on collision: content-addressed names must hold
        storage.delete(saved)
        raise StoreFailed("the file store renamed the file; tell an administrator (storage must allow overwrite)")


@contextmanager
def _refusals(*, remote_errors: bool = False):
    """Turn the store's refusals into StoreFailed; with remote_errors, any error of a remote store too."""
    try:
        yield
    except StoreFailed:
        raise
    except OSError as exc:
        reason = _REFUSALS.get(exc.errno or 0)
        if reason is None:
            logger.exception("The file store refused a file.")
            reason = "the file store could not be written to"
        else:
            logger.error("The file store refused a file: %s", exc)
        raise StoreFailed(reason) from exc
    except Exception as exc:
        if not remote_errors:
            raise
        # An S3 client's errors are not OSErrors (botocore's ClientError, EndpointConnectionError).
        logger.exception("The file store refused a file.")
        raise StoreFailed("the file store could not be reached or refused the file") from exc


def _chunks(data_or_fileobj):
    if isinstance(data_or_fileobj, (bytes, bytearray, memoryview)):
        yield bytes(data_or_fileobj)
        return
    if hasattr(data_or_fileobj, "chunks"):  # Django's UploadedFile
        yield from data_or_fileobj.chunks(_CHUNK)
        return
    while chunk := data_or_fileobj.read(_CHUNK):
        yield chunk
