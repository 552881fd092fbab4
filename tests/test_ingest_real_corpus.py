"""Every real release in the corpus ends done with its pages; its scanned pages are found and OCR'd."""

import pytest

from records.ingest import add_document, extract_document, ocr_document, pipeline
from records.ingest.ocr import PageRead
from records.models import Document, Page
from tests.test_ingest_support import corpus_dir, corpus_file, make_request, manifest


def real_rows():
    try:
        return manifest("real")
    except pytest.skip.Exception:
        return []


def upload(request, path):
    with open(path, "rb") as file:
        document, created = add_document(request, name=path.name, data_or_fileobj=file)
    assert created
    return document


@pytest.mark.slow
@pytest.mark.django_db
def test_every_real_release_ends_done_with_the_right_pages(monkeypatch):
    corpus_dir("real")
    # Real OCR of all ~300 scanned pages takes minutes: here a stand-in engine;
    # test_first_scanned_page_of_each_release_is_ocrd runs tesseract for real.
    monkeypatch.setattr(
        pipeline,
        "ocr_pages",
        lambda path, kind, password, numbers, **_: (PageRead(n, f"ocr text of page {n}") for n in numbers),
    )
    request = make_request()
    for row in manifest("real"):
        document = upload(request, corpus_file("real", row["file"]))
        extract_document(document.pk)
        while Document.objects.get(pk=document.pk).state == Document.State.OCR:
            ocr_document(document.pk)
        document.refresh_from_db()
        pages = Page.objects.filter(document=document)
        assert document.state == "done", (row["file"], document.error)
        assert document.page_count == int(row["pages"]) == pages.count(), row["file"]
        assert sorted(pages.values_list("number", flat=True)) == list(range(1, document.page_count + 1))
        scanned = pages.filter(ocr=True).count()
        assert document.ocr_pages_total == document.ocr_pages_done == scanned
        if row["has_text_layer"] == "n":
            # Image-only, or text only in the court's header stamp (page 1 of the
            # Mongol Nation verdict is a typed caption): most pages go to OCR.
            assert scanned >= document.page_count - 1 and scanned > 0, row["file"]
        else:
            # Born-digital and OCR-layered pages keep their own text; blank pages may be OCR'd.
            assert scanned <= 2, (row["file"], scanned)


@pytest.mark.same_on_every_database  # tesseract's reading; the one OCR'd page is a plain row write
@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("name", [row["file"] for row in real_rows() if row["has_text_layer"] == "n"])
def test_first_scanned_page_of_each_release_is_ocrd(name):
    document = upload(make_request(), corpus_file("real", name))
    extract_document(document.pk)
    ocr_document(document.pk, max_pages=1)
    page = Page.objects.filter(document=document, ocr=True).get()
    letters = sum(char.isalpha() for char in page.text)
    assert letters >= 20, (name, page.number, page.text[:200])


@pytest.mark.django_db
def test_text_drawn_under_a_redaction_box_is_flagged():
    document = upload(make_request(), corpus_file("real", "flp_xray_govt-letter-bad-redactions.pdf"))
    extract_document(document.pk)
    assert Page.objects.get(document=document).text_under_box is True


@pytest.mark.django_db
def test_pages_without_drawn_boxes_are_not_flagged():
    request = make_request()
    for name in (
        "natpdf_sdpd-arrest-report-redacted.pdf",
        "flp_addendum-redacted.pdf",
        "plumber_ca-edd-warn-report.pdf",
    ):
        document = upload(request, corpus_file("real", name))
        extract_document(document.pk)
        assert not Page.objects.filter(document=document, text_under_box=True).exists(), name
