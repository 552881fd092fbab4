"""ZIP bombs: the bytes one upload may expand to are counted across all its nested archives,
as they are inflated, and every member's compression ratio is checked however small it is."""

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from records.ingest import add_document, run_to_completion
from records.ingest.budget import MB, ExpansionBudget, OverBudget
from records.ingest.limits import Limits
from records.ingest.store import open_stored
from records.models import Document
from tests.test_ingest_support import make_request


def blob_bytes() -> int:
    """Everything stored so far, the uploads included."""
    blobs = Path(django_settings.MEDIA_ROOT) / "blobs"
    return sum(path.stat().st_size for path in blobs.rglob("*") if path.is_file())


def stored_zip(members: dict[str, bytes]) -> bytes:
    """An uncompressed ZIP: its members cost exactly their size, so only the budget stops them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zeros_bomb(members: int, member_size: int) -> bytes:
    """Many members just under 1 MB, each zeros after a distinct first line (so none is stored twice)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        zeros = bytes(member_size)
        for n in range(members):
            archive.writestr(f"page-{n:04}.txt", f"page {n}\n".encode() + zeros)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_small_zip_of_many_small_zero_members_is_refused_by_their_ratio():
    bomb = zeros_bomb(members=300, member_size=1_048_000)
    assert len(bomb) < 400 * 1024  # ~300 MB of zeros in a few hundred KB
    archive, _ = add_document(make_request(), name="release.zip", data_or_fileobj=bomb)
    run_to_completion(archive.pk)
    archive.refresh_from_db()
    assert archive.state == "failed"
    assert "compressed more than 200 to 1, as 'zip bombs' are" in archive.error
    assert not Document.objects.filter(archive=archive).exists()
    assert blob_bytes() == len(bomb)  # the upload, and nothing it would expand to
    with open_stored(archive.stored_file) as stored:
        assert stored.read() == bomb


@pytest.mark.same_on_every_database  # inflating zeros; one failed row
@pytest.mark.slow
@pytest.mark.django_db
def test_three_nested_zero_bombs_store_nothing_they_expand_to():
    inner = b""
    for level in range(3):  # each level: ~100 MB of zeros in members under 1 MB, and the level inside
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for n in range(100):
                archive.writestr(f"level{level}/page-{n:03}.txt", f"{level} {n}\n".encode() + bytes(1_048_000))
            if inner:
                archive.writestr(f"level{level}/inner.zip", inner)
        inner = buffer.getvalue()
    assert len(inner) < MB
    archive, _ = add_document(make_request(), name="release.zip", data_or_fileobj=inner)
    run_to_completion(archive.pk)
    archive.refresh_from_db()
    assert archive.state == "failed" and "'zip bombs'" in archive.error
    assert blob_bytes() == len(inner)


def nested(levels: list[dict[str, bytes]]) -> bytes:
    """levels[0] is the outermost ZIP's own files; each level holds the next one as inner.zip."""
    inner = b""
    for depth, files in reversed(list(enumerate(levels))):
        members = dict(files)
        if inner:
            members[f"level{depth + 1}.zip"] = inner
        inner = stored_zip(members)
    return inner


@pytest.mark.django_db
def test_the_budget_holds_across_nested_archives(settings):
    settings.INGEST_ZIP_MAX_TOTAL_MB = 6
    settings.INGEST_MAX_NESTING = 4
    part = 900 * 1024
    upload = nested([{}, {"b.bin": os.urandom(part)}, {"c.bin": os.urandom(part), "d.bin": os.urandom(part)}])
    # No archive alone comes near 6 MB; together they expand to ~7.2 MB (~2.7 + 2.7 + 1.8).
    assert len(upload) < 3 * MB
    outer, _ = add_document(make_request(), name="outer.zip", data_or_fileobj=upload)
    run_to_completion(outer.pk)

    middle = Document.objects.get(archive=outer)
    inner = Document.objects.get(archive=middle, original_name="level2.zip")
    outer.refresh_from_db()
    assert (outer.state, middle.state, inner.state) == ("done", "done", "failed")
    assert inner.error == (
        "This ZIP expands to more than 6 MB in total across its nested archives, the limit for one upload "
        "(it may be a 'zip bomb'), so unpacking stopped; the first 0 files were kept. The archive is kept."
    )
    assert not Document.objects.filter(archive=inner).exists()
    assert blob_bytes() - len(upload) <= 6 * MB


@pytest.mark.django_db
def test_the_files_read_before_the_limit_are_kept(settings):
    settings.INGEST_ZIP_MAX_TOTAL_MB = 4
    part = 900 * 1024
    files = {"b.bin": os.urandom(part), "c.bin": os.urandom(part), "d.bin": os.urandom(part)}
    upload = nested([{}, files])  # inner.zip (~2.7 MB) is unpacked from the upload, then its files
    outer, _ = add_document(make_request(), name="release.zip", data_or_fileobj=upload)
    run_to_completion(outer.pk)
    inner = Document.objects.get(archive=outer)
    assert inner.state == "failed"
    assert inner.error.endswith("so unpacking stopped; the first 1 file was kept. The archive is kept.")
    assert list(Document.objects.filter(archive=inner).values_list("original_name", flat=True)) == ["b.bin"]
    assert blob_bytes() - len(upload) <= 4 * MB


@pytest.mark.django_db
def test_the_file_count_holds_across_nested_archives(settings):
    settings.INGEST_ZIP_MAX_MEMBERS = 3
    upload = stored_zip({"1.txt": b"one", "2.txt": b"two", "inner.zip": stored_zip({"3.txt": b"3", "4.txt": b"4"})})
    outer, _ = add_document(make_request(), name="outer.zip", data_or_fileobj=upload)
    run_to_completion(outer.pk)
    inner = Document.objects.get(archive=outer, original_name="inner.zip")
    assert inner.state == "failed"
    assert inner.error.startswith("This ZIP holds more than 3 files in total across its nested archives")
    assert Document.objects.filter(request=outer.request).count() == 4  # the upload and its three files


@pytest.mark.django_db
def test_reading_an_archive_again_does_not_charge_its_files_twice(settings):
    settings.INGEST_ZIP_MAX_TOTAL_MB = 2
    upload = stored_zip({"a.bin": os.urandom(700 * 1024), "b.bin": os.urandom(700 * 1024)})
    archive, _ = add_document(make_request(), name="release.zip", data_or_fileobj=upload)
    run_to_completion(archive.pk)
    Document.objects.filter(pk=archive.pk).update(state="queued")  # a worker died after unpacking
    run_to_completion(archive.pk)
    archive.refresh_from_db()
    assert (archive.state, archive.error) == ("done", "")
    assert Document.objects.filter(archive=archive).count() == 2


def test_the_default_budget_arithmetic():
    limits = Limits()
    budget = ExpansionBudget(limits.zip_max_total_mb * MB, limits.zip_max_members, limits.zip_max_ratio)
    budget.take_bytes(4096 * MB)  # exactly the limit is allowed
    with pytest.raises(OverBudget, match="more than 4,096 MB in total across its nested archives"):
        budget.take_bytes(1)
    for _ in range(5000):
        budget.take_member()
    with pytest.raises(OverBudget, match="more than 5,000 files in total"):
        budget.take_member()


def test_a_member_is_stopped_when_it_inflates_past_its_ratio_whatever_its_directory_says():
    budget = ExpansionBudget(max_bytes=100 * MB, max_members=10, max_ratio=200)
    member = budget.metered(io.BytesIO(bytes(3 * MB)), "scan.pdf", compressed_size=10_000)
    assert len(member.read(1 * MB)) == MB  # 105 to 1 so far
    with pytest.raises(OverBudget, match="scan.pdf in this ZIP is compressed more than 200 to 1"):
        member.read(1 * MB)
    assert budget.used_bytes == 2 * MB  # counted as read, not as declared
