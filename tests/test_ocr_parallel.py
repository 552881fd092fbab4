"""OCR by chunks shared between workers: the same text as one worker reading in order, every page once."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from records.ingest import add_document, extract_document, ocr_document, pipeline, release_stale_documents
from records.ingest.dispatch import in_progress_for, take_turns
from records.ingest.ocr import PageRead
from records.ingest.render import derived_name
from records.ingest.store import released_storage
from records.models import Document, Page
from tests.test_ingest_support import corpus_file, make_request

SCAN = "1505_FOIA 15-3569 MR. MARTINEZ.PDF"  # 2 scanned pages, no text layer


class WorkerKilled(BaseException):
    """Stands for SIGKILL right after a worker claimed its chunk: nothing of its own cleans up."""


@pytest.fixture
def reads(monkeypatch):
    """Each (document, page) tesseract read, counted: a spy on the real OCR of each chunk's pages."""
    counted = Counter()
    real_chunk, real_pages = pipeline._ocr_chunk, pipeline.ocr_pages

    def chunk_spy(document, *args):
        def pages_spy(*page_args, **options):
            for read in real_pages(*page_args, **options):
                counted[document.pk, read.number] += 1
                yield read

        monkeypatch.setattr(pipeline, "ocr_pages", pages_spy)
        return real_chunk(document, *args)

    monkeypatch.setattr(pipeline, "_ocr_chunk", chunk_spy)
    return counted


def scanned(slug="desk", name=SCAN) -> Document:
    path = corpus_file("real", name)
    document, _ = add_document(make_request(slug), name=path.name, data_or_fileobj=path.read_bytes())
    document = extract_document(document.pk)
    assert document.state == Document.State.OCR
    return document


def texts(document) -> dict[int, str]:
    return dict(Page.objects.filter(document=document).values_list("number", "text"))


def test_chunked_ocr_with_a_killed_worker_reads_the_same_text_as_sequential_ocr(db, reads):
    sequential = scanned("one")
    assert ocr_document(sequential.pk, max_pages=10).state == "done"

    chunked = scanned("two")

    def die():
        raise WorkerKilled

    with pytest.raises(WorkerKilled):  # claimed page 1, then died before reading it
        ocr_document(chunked.pk, max_pages=1, on_claimed=die)
    assert Page.objects.get(document=chunked, number=1).ocr_claimed_at is not None

    assert ocr_document(chunked.pk, max_pages=1).state == "ocr"  # another worker reads page 2 meanwhile
    assert ocr_document(chunked.pk, max_pages=1) is None  # page 1 is still held by the dead worker

    Page.objects.filter(document=chunked, number=1).update(ocr_claimed_at=timezone.now() - timedelta(hours=1))
    assert chunked.pk in [document.pk for document in release_stale_documents()]
    chunked = ocr_document(chunked.pk, max_pages=1)

    assert chunked.state == "done" and chunked.ocr_pages_done == chunked.ocr_pages_total == 2
    assert texts(chunked) == texts(sequential) and all(texts(chunked).values())
    assert reads == {(sequential.pk, 1): 1, (sequential.pk, 2): 1, (chunked.pk, 1): 1, (chunked.pk, 2): 1}
    assert Page.objects.filter(document=chunked, ocr_claimed_at__isnull=False).count() == 0


def test_parallel_tesseract_in_one_process_reads_the_same_text(db):
    sequential, parallel = scanned("one"), scanned("two")
    ocr_document(sequential.pk, max_pages=10, parallel=1)
    assert ocr_document(parallel.pk, max_pages=10, parallel=2).state == "done"
    assert texts(parallel) == texts(sequential)


def test_ocr_keeps_the_viewers_thumbnails_and_leaves_the_screen_image_to_the_viewer(db):
    document = scanned()
    ocr_document(document.pk, max_pages=1)
    storage = released_storage()
    assert storage.exists(derived_name(document.sha256, 1, "thumb"))
    # A 1400-pixel WebP costs about half a tesseract run: drawn when someone opens the page (issue 13).
    assert not storage.exists(derived_name(document.sha256, 1, "screen"))


def test_a_document_goes_out_again_while_a_worker_reads_its_chunk_and_not_once_every_page_is_held(db, settings):
    settings.INGEST_DISPATCH_AHEAD = 4
    document = scanned()
    assert take_turns("ocr") == [document.pk]
    seen = []

    def next_worker():
        seen.append(take_turns("ocr"))

    settings.INGEST_OCR_PAGES_PER_TASK = 1
    # Worker one holds page 1; while it reads, the document is sent for page 2.
    document = ocr_document(document.pk, on_claimed=next_worker)
    assert seen == [[document.pk]]
    # Worker two holds page 2: nothing is left to send, and the document counts as in progress.
    ocr_document(document.pk, on_claimed=next_worker)
    assert seen[-1] == [] and Document.objects.get(pk=document.pk).state == "done"


def test_a_document_whose_pages_are_all_held_is_in_progress_not_waiting(db):
    document = scanned()
    Page.objects.filter(document=document).update(ocr_claimed_at=timezone.now())
    assert take_turns("ocr") == []
    assert list(in_progress_for("ocr").values_list("pk", flat=True)) == [document.pk]


def test_a_big_scan_is_not_given_up_after_max_attempts_chunks(db, settings, monkeypatch):
    # Before chunks, each round counted as an attempt: a scan needing more rounds than
    # max_attempts failed half-way ("Gave up after 1 attempts").
    settings.INGEST_MAX_ATTEMPTS = 1
    settings.INGEST_OCR_PAGES_PER_TASK = 1
    monkeypatch.setattr(
        pipeline,
        "ocr_pages",
        lambda path, kind, password, numbers, **_: (PageRead(n, f"text of page {n}") for n in numbers),
    )
    document = scanned()
    while (current := Document.objects.get(pk=document.pk)).state == "ocr":
        ocr_document(document.pk)
    assert (current.state, current.ocr_pages_done, current.error) == ("done", 2, "")


def test_a_page_that_kills_its_worker_every_time_is_given_up_with_a_note(db, settings):
    settings.INGEST_MAX_ATTEMPTS = 2
    document = scanned()
    Page.objects.filter(document=document, number=1).update(ocr_attempts=2)
    document = ocr_document(document.pk, max_pages=10)
    assert document.state == "done" and document.ocr_pages_done == 2
    assert "gave up on page 1" in document.error
    assert Page.objects.filter(document=document, ocr=True).values_list("number", flat=True).get() == 2


def test_chunks_shrink_towards_the_end_so_workers_finish_together(db, settings, monkeypatch):
    settings.INGEST_OCR_PAGES_PER_TASK = 10
    monkeypatch.setattr(
        pipeline,
        "ocr_pages",
        lambda path, kind, password, numbers, **_: (PageRead(n, f"text of page {n}") for n in numbers),
    )
    document = scanned("scan", "1505_CPD_FOIA15-7385.PDF")  # 29 scanned pages
    held = []

    def count_held():
        held.append(Page.objects.filter(document=document, ocr_claimed_at__isnull=False).count())

    while Document.objects.get(pk=document.pk).state == "ocr":
        ocr_document(document.pk, on_claimed=count_held)
    assert held[:4] == [8, 6, 4, 3]  # a quarter of what is left, never the whole scan to one worker
    assert sum(held) == Document.objects.get(pk=document.pk).ocr_pages_done


def test_a_team_reading_a_big_scan_does_not_go_before_another_teams_waiting_scan(db, settings):
    settings.INGEST_DISPATCH_AHEAD = 4
    big = scanned("big", "1505_CPD_FOIA15-7385.PDF")
    Page.objects.filter(document=big, number__lte=10).update(ocr_claimed_at=timezone.now())  # a worker on it
    small = scanned("small")
    assert take_turns("ocr") == [small.pk, big.pk]  # the team with nothing in progress first
