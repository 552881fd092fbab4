"""Files in a bucket (S3) are downloaded once per machine, not once per page image or OCR chunk (issue 13):
a cache under var/ named by content hash, least recently used first out past limits.released_cache_mb."""

import os

import pytest

from records.ingest.store import local_copy, released_cache_dir, store_file
from tests.test_storage import Bucket, bucket  # noqa: F401  (a fixture)

MB = 1024 * 1024


def _cached() -> set[str]:
    folder = released_cache_dir()
    return {path.name for path in folder.iterdir() if len(path.name) == 64} if folder.is_dir() else set()


def test_a_file_from_a_bucket_is_downloaded_once_for_many_readers(bucket, db):  # noqa: F811
    stored = store_file(b"%PDF-1.4 pretend release " * 1000)
    Bucket.opened = 0
    paths = []
    for _ in range(3):  # e.g. two page images drawn on demand, then an OCR chunk
        with local_copy(stored) as path:
            assert path.read_bytes() == b"%PDF-1.4 pretend release " * 1000
            paths.append(path)
    assert Bucket.opened == 1
    assert _cached() == {stored.sha256}
    assert not any(path.exists() for path in paths)  # each reader's own name goes when it is done


def test_the_cache_keeps_the_most_recently_used_within_its_bytes(bucket, db, settings):  # noqa: F811
    settings.INGEST_RELEASED_CACHE_MB = 2
    first, second, third = (store_file(bytes([n]) * (MB - 100)) for n in (1, 2, 3))
    for stored in (first, second):
        with local_copy(stored):
            pass
    with local_copy(first):  # used again: now the most recent
        pass
    with local_copy(third) as path:
        assert _cached() == {first.sha256, third.sha256}  # the least recently used went
        assert path.read_bytes() == bytes([3]) * (MB - 100)
    Bucket.opened = 0
    with local_copy(second):
        pass
    assert Bucket.opened == 1  # evicted, so downloaded again
    assert sum(os.path.getsize(released_cache_dir() / name) for name in _cached()) <= 2 * MB


def test_a_copy_evicted_while_in_use_stays_whole_for_its_reader(bucket, db, settings):  # noqa: F811
    settings.INGEST_RELEASED_CACHE_MB = 1
    first, second = (store_file(bytes([n]) * (MB - 100)) for n in (1, 2))
    with local_copy(first) as path:
        with local_copy(second):
            assert _cached() == {second.sha256}
        assert path.read_bytes() == bytes([1]) * (MB - 100)


@pytest.mark.parametrize("size_mb", [3])
def test_a_file_bigger_than_the_cache_gets_a_temporary_copy(bucket, db, settings, size_mb):  # noqa: F811
    settings.INGEST_RELEASED_CACHE_MB = 1
    stored = store_file(b"x" * (size_mb * MB))
    with local_copy(stored) as path:
        assert path.stat().st_size == size_mb * MB
    assert not path.exists() and _cached() == set()
