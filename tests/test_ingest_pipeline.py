"""The state machine: resume without duplicates, claims, stale sweeps, retries, limits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from records.ingest import (
    add_document,
    extract_document,
    ocr_document,
    pipeline,
    release_stale_documents,
    reset_for_extraction,
)
from records.ingest.text import has_usable_text
from records.models import Document, Page
from tests.test_ingest_support import corpus_file, make_request

TEXT_PDF = "1505_CPDJan10Feb2015ChecksAndAmounts.pdf"  # 10 pages of text
SCAN_PDF = "flp_scotus-slip-opinion-image.pdf"  # 2 image-only pages


@pytest.fixture
def text_document(db):
    path = corpus_file("real", TEXT_PDF)
    with open(path, "rb") as file:
        return add_document(make_request(), name=path.name, data_or_fileobj=file)[0]


def pages_of(document):
    return list(Page.objects.filter(document=document).order_by("number").values_list("number", "text"))


def test_extraction_writes_every_page_once_with_progress(text_document):
    document = extract_document(text_document.pk)
    assert (document.state, document.page_count, document.pages_done, document.error) == ("done", 10, 10, "")
    assert [number for number, _ in pages_of(document)] == list(range(1, 11))
    assert document.heartbeat_at is None and document.attempts == 1


def test_resume_after_a_crash_writes_only_the_missing_pages(text_document, settings):
    settings.INGEST_PAGE_BATCH_SIZE = 3
    complete = pages_of(extract_document(text_document.pk))
    # What a worker killed after its first batch leaves: pages 1-3 committed, state extracting, stale.
    Page.objects.filter(document=text_document, number__gt=3).delete()
    long_ago = timezone.now() - timedelta(hours=1)
    Document.objects.filter(pk=text_document.pk).update(state="extracting", pages_done=3, heartbeat_at=long_ago)
    Page.objects.filter(document=text_document, number=2).update(text="written before the crash")

    assert [d.pk for d in release_stale_documents()] == [text_document.pk]
    document = extract_document(text_document.pk)
    assert document.state == "done" and document.pages_done == 10
    resumed = pages_of(document)
    assert [number for number, _ in resumed] == list(range(1, 11))
    assert resumed[1][1] == "written before the crash"  # resumed after page 3, not rewritten
    assert resumed[3:] == complete[3:]


def test_a_document_being_extracted_is_not_claimed_twice(text_document):
    Document.objects.filter(pk=text_document.pk).update(state="extracting", heartbeat_at=timezone.now())
    assert extract_document(text_document.pk) is None
    assert release_stale_documents() == []  # its worker is alive: the heartbeat is fresh
    assert not Page.objects.filter(document=text_document).exists()


def test_a_writer_that_lost_its_claim_stops_without_writing(text_document, monkeypatch):
    real_write = pipeline._write_pages

    def sweep_then_write(document, batch):
        # A sweep (or a reset) takes the document away between two batches.
        Document.objects.filter(pk=document.pk).update(state="queued", heartbeat_at=None)
        real_write(document, batch)

    monkeypatch.setattr(pipeline, "_write_pages", sweep_then_write)
    assert extract_document(text_document.pk) is None
    assert not Page.objects.filter(document=text_document).exists()
    assert Document.objects.get(pk=text_document.pk).state == "queued"


def test_gives_up_after_too_many_attempts(text_document, settings):
    settings.INGEST_MAX_ATTEMPTS = 2
    Document.objects.filter(pk=text_document.pk).update(attempts=2)
    assert extract_document(text_document.pk) is None
    document = Document.objects.get(pk=text_document.pk)
    assert document.state == "failed" and "Gave up after 2 attempts" in document.error


def test_reset_rewrites_from_scratch(text_document):
    extract_document(text_document.pk)
    reset_for_extraction(text_document)
    assert (text_document.state, text_document.pages_done, text_document.page_count) == ("queued", 0, None)
    assert not Page.objects.filter(document=text_document).exists()
    assert extract_document(text_document.pk).pages_done == 10
    assert Page.objects.filter(document=text_document).count() == 10


def test_a_missing_document_is_nothing_to_do(db):
    assert extract_document(987654) is None
    assert ocr_document(987654) is None


def test_a_time_limit_fails_the_document_and_keeps_the_pages_read(db, settings):
    # 387 real pages open at once but take several seconds to read on any machine, fast or loaded:
    # the limit falls mid-document, after some batches are committed.
    settings.INGEST_PARSE_SECONDS = 1.5
    settings.INGEST_PAGE_BATCH_SECONDS = 0.2
    path = corpus_file("real", "natpdf_beaver-county-pa-precinct-results-2024.pdf")
    with open(path, "rb") as file:
        document = add_document(make_request(), name=path.name, data_or_fileobj=file)[0]
    document = extract_document(document.pk)
    assert document.state == "failed" and "took longer than 1.5 seconds" in document.error
    assert 0 < document.pages_done < 387 == document.page_count
    assert Page.objects.filter(document=document).count() == document.pages_done
    assert path.exists()


def test_a_memory_limit_fails_the_document(db, settings):
    settings.INGEST_PARSE_MEMORY_MB = 20
    path = corpus_file("hostile", "synthetic-50000-pages.pdf")  # pypdf needs ~170 MB for its page tree
    with open(path, "rb") as file:
        document = add_document(make_request(), name=path.name, data_or_fileobj=file)[0]
    document = extract_document(document.pk)
    # A MemoryError, or a crash when C code cannot allocate: either way the limit is named.
    assert document.state == "failed"
    assert "more than 20 MB of memory" in document.error or "memory limit of 20 MB" in document.error


def test_ocr_goes_in_rounds_and_resumes(db, settings):
    settings.INGEST_OCR_PAGES_PER_TASK = 1
    path = corpus_file("real", SCAN_PDF)
    with open(path, "rb") as file:
        document = add_document(make_request(), name=path.name, data_or_fileobj=file)[0]
    document = extract_document(document.pk)
    assert (document.state, document.ocr_pages_total, document.heartbeat_at) == ("ocr", 2, None)
    document = ocr_document(document.pk)
    assert (document.state, document.ocr_pages_done, document.heartbeat_at) == ("ocr", 1, None)
    document = ocr_document(document.pk)
    assert (document.state, document.ocr_pages_done) == ("done", 2)
    texts = dict(Page.objects.filter(document=document, ocr=True).values_list("number", "text"))
    assert set(texts) == {1, 2} and "Supreme Court" in texts[1].replace("\n", " ").title()


@pytest.mark.parametrize(
    "text, usable",
    [
        ("", False),
        ("  \n 1\n2\n3\n", False),
        ("Case 2:13-cr-00106-DOC   Document 350   Filed 01/11/19   Page 2 of 19   Page ID #:2986", False),
        ("CPD 000123", False),
        ("Page of a very long release", True),
        ("The Chicago Police Department responds to your request.", True),
    ],
)
def test_usable_text(text, usable):
    assert has_usable_text(text, 16) is usable
