"""Released files through one storage: any storage works, refusals are named per file, leftovers are cleaned."""

import errno
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from records.ingest import extract_document, ocr_document, run_to_completion
from records.ingest.store import (
    ReleasedFileSystemStorage,
    clean_abandoned_uploads,
    incoming_dir,
    is_local,
    local_copy,
    open_stored,
    released_storage,
    store_file,
)
from records.models import Document, StoredFile
from records.tasks import clean_abandoned_uploads_task

from . import factories
from .test_ingest_support import corpus_file

PROJECT = Path(__file__).resolve().parent.parent
LETTER = "1505_CCSAO_FOIA121515.pdf"  # a text PDF
SCAN = "flp_scotus-slip-opinion-image.pdf"  # 2 image-only pages
EMAIL = "alaveteli_incoming-request-pdf-attachment.eml"


class Bucket(InMemoryStorage):
    """A storage that is not a local directory, as S3 is to the code; it counts the reads."""

    opened = 0

    def _open(self, name, mode="rb"):
        Bucket.opened += 1
        return super()._open(name, mode)


@pytest.fixture
def bucket(settings):
    Bucket.opened = 0
    settings.STORAGES = {**settings.STORAGES, "released": {"BACKEND": f"{__name__}.Bucket"}}
    assert not is_local()
    return released_storage()


@pytest.fixture
def records_request(team):
    return factories.make_request(team, title="CPD forfeiture records")


def upload(client, r, *files, **extra):
    return client.post(reverse("document_upload", args=[r.pk]), {"files": list(files), **extra})


def pdf(name, kind="real", file=LETTER):
    return SimpleUploadedFile(name, corpus_file(kind, file).read_bytes(), content_type="application/pdf")


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


def all_files(root: Path) -> list[Path]:
    return sorted(path for path in Path(root).rglob("*") if path.is_file()) if Path(root).exists() else []


# Web and workers share one storage, which need not be a local directory.


def test_upload_extract_and_download_work_on_a_storage_that_is_not_a_directory(
    bucket, media, login, editor, records_request, django_capture_on_commit_callbacks, settings
):
    client = login(editor)
    with django_capture_on_commit_callbacks():
        response = upload(client, records_request, pdf("letter.pdf"))
    assert response.status_code == 302
    document = Document.objects.get()
    assert bucket.exists(document.stored_file.path)
    # Nothing of it on this machine's disk: another machine's worker reads it from the storage.
    assert all_files(media) == []

    run_to_completion(document.pk)
    document.refresh_from_db()
    assert document.state == Document.State.DONE and document.pages.count() == document.page_count > 0

    body = b"".join(client.get(reverse("document_download", args=[document.pk])).streaming_content)
    assert body == corpus_file("real", LETTER).read_bytes()
    # nginx would look for a local file that is not there: the app streams instead.
    settings.FILE_DOWNLOAD_MODE = "nginx"
    response = client.get(reverse("document_download", args=[document.pk]))
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == body


def test_ocr_and_email_unpacking_read_from_a_storage_that_is_not_a_directory(bucket, media, records_request):
    from records.ingest import add_document

    scan, _ = add_document(records_request, name="scan.pdf", data_or_fileobj=corpus_file("real", SCAN).read_bytes())
    assert extract_document(scan.pk).state == Document.State.OCR
    Bucket.opened = 0
    scan = ocr_document(scan.pk, max_pages=2)
    assert Bucket.opened == 0  # extraction's download is in this machine's cache: OCR does not download again
    assert scan.state == Document.State.DONE and scan.pages.filter(ocr=True).count() == 2

    message, _ = add_document(
        records_request, name="reply.eml", data_or_fileobj=corpus_file("formats", EMAIL).open("rb")
    )
    run_to_completion(message.pk)
    message.refresh_from_db()
    assert message.state == Document.State.DONE and message.communication is not None
    attachment = message.members.get()
    assert attachment.detected_type == "pdf" and bucket.exists(attachment.stored_file.path)
    # The temporary copies for pypdf, pdftoppm and tesseract are gone; the cache keeps one copy a file, by hash.
    cache = media / "cache"
    assert [path for path in all_files(media) if path.parent != cache] == []
    assert all(len(path.name) == 64 for path in all_files(cache))


def test_zip_members_are_stored_in_the_storage(bucket, records_request):
    from records.ingest import add_document

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("letter.pdf", corpus_file("real", LETTER).read_bytes())
    zipped, _ = add_document(records_request, name="release.zip", data_or_fileobj=buffer.getvalue())
    run_to_completion(zipped.pk)
    member = Document.objects.get(archive=zipped)
    assert member.state == Document.State.DONE
    with open_stored(member.stored_file) as file:
        assert file.read() == corpus_file("real", LETTER).read_bytes()


def test_on_the_local_filesystem_tools_get_the_stored_file_itself_and_nginx_sends_it(
    media, login, editor, records_request, settings, django_capture_on_commit_callbacks
):
    assert isinstance(released_storage(), ReleasedFileSystemStorage) and is_local()
    stored = store_file(corpus_file("real", LETTER).read_bytes())
    with local_copy(stored) as path:
        assert path == Path(media) / stored.path  # no copy on the local filesystem
    assert (Path(media) / stored.path).stat().st_mode & 0o777 == 0o440  # never rewritten in place
    with pytest.raises(NotImplementedError):
        released_storage().url(stored.path)  # no public URL, ever

    with django_capture_on_commit_callbacks():
        upload(login(editor), records_request, pdf("letter.pdf"))
    document = Document.objects.get()
    settings.FILE_DOWNLOAD_MODE = "nginx"
    response = login(editor).get(reverse("document_download", args=[document.pk]))
    assert response["X-Accel-Redirect"] == settings.FILE_DOWNLOAD_ACCEL_PREFIX + document.stored_file.path
    settings.FILE_DOWNLOAD_MODE = "sendfile"
    response = login(editor).get(reverse("document_download", args=[document.pk]))
    assert response["X-Sendfile"] == str(Path(media) / document.stored_file.path)


def test_the_same_bytes_twice_are_saved_once(bucket, db):
    data = corpus_file("real", LETTER).read_bytes()
    assert store_file(data) == store_file(io.BytesIO(data))
    assert StoredFile.objects.count() == 1
    assert bucket.listdir("blobs")[0] and len(all_files(incoming_dir())) == 0


# A full or read-only store: each file is named, what was stored stays stored, never a 500.

SAVES = {"count": 0, "fail_from": 0, "errno": errno.ENOSPC}


class FailingStorage(ReleasedFileSystemStorage):
    """The real filesystem storage, failing as a full or read-only disk does from the Nth save on."""

    def _save(self, name, content):
        SAVES["count"] += 1
        if SAVES["count"] >= SAVES["fail_from"]:
            raise OSError(SAVES["errno"], os.strerror(SAVES["errno"]), self.path(name))
        return super()._save(name, content)


@pytest.fixture
def failing_store(settings):
    def _fail(from_save: int, error: int):
        SAVES.update(count=0, fail_from=from_save, errno=error)
        settings.STORAGES = {
            **settings.STORAGES,
            "released": {"BACKEND": f"{__name__}.FailingStorage"},
        }

    return _fail


@pytest.mark.parametrize(
    "error, reason",
    [(errno.ENOSPC, "the file store is full"), (errno.EROFS, "the file store is read-only")],
)
def test_a_batch_the_store_refuses_half_way_names_each_file(
    failing_store, error, reason, media, login, editor, records_request, django_capture_on_commit_callbacks
):
    failing_store(2, error)
    client = login(editor)
    files = [
        pdf("kept.pdf"),
        pdf("report.pdf", "real", SCAN),
        SimpleUploadedFile("notes.txt", b"Call notes, 3 March: the clerk promised the log by Friday."),
    ]
    with django_capture_on_commit_callbacks() as queued:
        response = upload(client, records_request, *files)
    assert response.status_code == 302
    messages = messages_of(response)
    assert "Uploaded 1 file: kept.pdf. Reading them now." in messages
    assert f"report.pdf: not stored — {reason}; nothing of this file was kept." in messages
    assert f"notes.txt: not stored — {reason}; nothing of this file was kept." in messages
    # The rows match what was stored: one document, one blob, no temporary file left behind.
    assert list(Document.objects.values_list("original_name", flat=True)) == ["kept.pdf"]
    assert len(queued) == 1
    assert [p.name for p in all_files(Path(media) / "blobs")] == [Document.objects.get().stored_file.sha256]
    assert all_files(incoming_dir()) == []


def test_the_upload_script_path_gets_the_same_messages_and_no_error(
    failing_store, login, editor, records_request, django_capture_on_commit_callbacks
):
    failing_store(1, errno.ENOSPC)
    client = login(editor)
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse("document_upload", args=[records_request.pk]),
            {"files": [pdf("report.pdf")]},
            headers={"X-Requested-With": "XMLHttpRequest"},
        )
    assert response.status_code == 200 and response.json()["redirect"].endswith("#files")
    page = client.get(response.json()["redirect"]).content.decode()
    assert "report.pdf: not stored — the file store is full; nothing of this file was kept." in page
    assert not Document.objects.exists()


def test_an_archive_whose_members_cannot_be_stored_fails_with_the_reason(failing_store, records_request):
    from records.ingest import add_document

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("letter.pdf", corpus_file("real", LETTER).read_bytes())
    failing_store(2, errno.ENOSPC)  # the archive itself is stored; its member is not
    zipped, _ = add_document(records_request, name="release.zip", data_or_fileobj=buffer.getvalue())
    run_to_completion(zipped.pk)
    zipped.refresh_from_db()
    assert zipped.state == Document.State.FAILED
    assert zipped.error == "Its files could not be stored: the file store is full. Retry once that is fixed."


# Leftovers of killed uploads.


def _leftover(folder: Path, name: str, hours_old: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"%PDF-1.7 half an upload")
    when = time.time() - hours_old * 3600
    os.utime(path, (when, when))
    return path


def test_abandoned_uploads_are_removed_and_nothing_else(media, db, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    copy_of_a_killed_worker = _leftover(tmp_path / "tmp", "tracker-released-abc", hours_old=8)
    someone_elses = _leftover(tmp_path / "tmp", "other-program-abc", hours_old=8)
    stored = store_file(corpus_file("real", LETTER).read_bytes())
    blob = Path(media) / stored.path
    os.utime(blob, (time.time() - 48 * 3600,) * 2)  # an old stored file: never touched
    incoming = incoming_dir()
    old = _leftover(incoming, "upload-killed", hours_old=7)
    fresh = _leftover(incoming, "upload-still-streaming", hours_old=1)
    by_hand = _leftover(incoming, stored.sha256, hours_old=30)  # a referenced name, whatever its age

    assert clean_abandoned_uploads(dry_run=True) == [old, copy_of_a_killed_worker]
    assert old.exists() and copy_of_a_killed_worker.exists()
    assert clean_abandoned_uploads() == [old, copy_of_a_killed_worker]
    assert not old.exists() and not copy_of_a_killed_worker.exists()
    assert fresh.exists() and by_hand.exists() and blob.exists() and someone_elses.exists()
    assert clean_abandoned_uploads() == []


def test_clean_uploads_command_and_hourly_task(media, db, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    old = _leftover(incoming_dir(), "upload-a", hours_old=10)
    call_command("clean_uploads", "--dry-run")
    out, err = capsys.readouterr()
    assert out.splitlines() == [str(old)] and "would remove 1" in err and old.exists()
    call_command("clean_uploads", "--older-than-hours", "12")
    assert old.exists()
    assert clean_abandoned_uploads_task() == 1 and not old.exists()
    schedule = django_settings.CELERY_BEAT_SCHEDULE["clean-abandoned-uploads"]
    assert schedule["task"] == clean_abandoned_uploads_task.name


# Configuration: the S3 storage is built from the environment, with no network.


def _settings_in_child(tmp_path, **env):
    code = (
        "import django; django.setup()\n"
        "from records.ingest.store import released_storage, is_local\n"
        "s = released_storage()\n"
        "print(type(s).__module__, type(s).__name__, s.bucket_name, s.location, s.endpoint_url, is_local(s))\n"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RELEASED_", "FILE_DOWNLOAD"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_s3_configuration_builds_the_s3_storage_without_network(tmp_path):
    result = _settings_in_child(
        tmp_path,
        RELEASED_FILES_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="desk-released",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3", "S3Storage", "desk-released", "released", "http://127.0.0.1:9", "False",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "env, message",
    [
        ({"RELEASED_FILES_STORAGE": "s3"}, "RELEASED_FILES_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        (
            {"RELEASED_FILES_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "b", "FILE_DOWNLOAD_MODE": "nginx"},
            "FILE_DOWNLOAD_MODE=nginx or sendfile needs RELEASED_FILES_STORAGE=filesystem",
        ),
        ({"RELEASED_FILES_STORAGE": "ftp"}, "RELEASED_FILES_STORAGE must be filesystem or s3"),
    ],
)
def test_a_storage_configuration_that_cannot_work_stops_the_start(tmp_path, env, message):
    result = _settings_in_child(tmp_path, **env)
    assert result.returncode != 0 and message in result.stderr


def test_a_file_missing_from_the_store_is_said_so_on_download(
    bucket, login, editor, records_request, django_capture_on_commit_callbacks
):
    client = login(editor)
    with django_capture_on_commit_callbacks():
        upload(client, records_request, pdf("letter.pdf"))
    document = Document.objects.get()
    bucket.delete(document.stored_file.path)  # lost by the store (a bucket emptied, a mount missing)
    response = client.get(reverse("document_download", args=[document.pk]))
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert messages_of(response)[-1] == (
        "This file could not be read from the file store just now. Try again later, or tell an administrator."
    )
