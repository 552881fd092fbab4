"""Scanned pages (issue 14): two renders of one scan are the same page by their image hash, OCR or not."""

import io

import pypdfium2
import pytest
from PIL import Image

from records.ingest import add_document
from records.ingest.pipeline import run_to_completion
from records.models import Page, PageComparison, PageFingerprint
from records.review.diff import IMAGE_DISTANCE, compute_release_diff
from records.review.fingerprints import image_hash_distance, page_image_hashes
from tests import factories
from tests.test_ingest_support import corpus_file
from tests.test_production_diff import make_release

SCAN = "flp_xray_cacd-657892-167-3-scan65p.pdf"


def rerasterised(path, number: int, tmp_path, *, dpi: int, quality: int, kind: str):
    """Page `number` of a scan rendered again and re-compressed as JPEG, saved as a PDF or a PNG."""
    document = pypdfium2.PdfDocument(str(path))
    image = document[number - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    document.close()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    out = tmp_path / f"copy-{number}-{dpi}.{kind}"
    Image.open(buffer).save(out, "PDF" if kind == "pdf" else "PNG", **({"resolution": dpi} if kind == "pdf" else {}))
    return out


def test_two_renders_of_one_scan_hash_alike_and_other_pages_do_not(shared_dir, tmp_path):
    path = corpus_file("real", SCAN)
    original = dict(page_image_hashes(str(path), "", [1, 2, 3], "pdf"))
    copy_pdf = rerasterised(path, 1, tmp_path, dpi=100, quality=40, kind="pdf")
    copy_png = rerasterised(path, 1, tmp_path, dpi=150, quality=60, kind="png")
    ((_, from_pdf),) = page_image_hashes(str(copy_pdf), "", [1], "pdf")
    ((_, from_png),) = page_image_hashes(str(copy_png), "", [1], "png")
    assert image_hash_distance(original[1], from_pdf) <= IMAGE_DISTANCE
    assert image_hash_distance(original[1], from_png) <= IMAGE_DISTANCE
    assert image_hash_distance(original[1], original[2]) > IMAGE_DISTANCE
    assert image_hash_distance(original[2], original[3]) > IMAGE_DISTANCE


def test_a_rescan_with_no_usable_text_is_a_duplicate_by_its_image(team, shared_dir, tmp_path):
    path = corpus_file("real", SCAN)
    original = dict(page_image_hashes(str(path), "", [1, 2], "pdf"))
    ((_, copy),) = page_image_hashes(
        str(rerasterised(path, 1, tmp_path, dpi=100, quality=40, kind="pdf")), "", [1], "pdf"
    )
    records_request = factories.make_request(team)
    first = make_release(records_request, "scan.pdf", ["", ""])
    second = make_release(records_request, "rescan.pdf", ["", ""])
    hashes = {(first.pk, 1): original[1], (first.pk, 2): original[2], (second.pk, 1): copy, (second.pk, 2): "0" * 64}
    for (document_id, number), image_hash in hashes.items():
        PageFingerprint.objects.filter(page__document_id=document_id, page__number=number).update(image_hash=image_hash)
    comparisons = {
        c.page.number: c for c in compute_release_diff(second.pk).comparisons.select_related("page", "earlier")
    }
    assert comparisons[1].kind == PageComparison.Kind.SAME and comparisons[1].matched_by == "image"
    assert (comparisons[1].earlier.document_id, comparisons[1].earlier.number) == (first.pk, 1)
    assert comparisons[2].kind == PageComparison.Kind.NEW  # a blank hash matches nothing


@pytest.mark.django_db
def test_ocr_stores_the_image_hash_of_each_scanned_page(team, shared_dir, tmp_path):
    path = corpus_file("real", SCAN)
    copy = rerasterised(path, 1, tmp_path, dpi=100, quality=40, kind="pdf")
    records_request = factories.make_request(team)
    document, _ = add_document(records_request, name="rescan.pdf", data_or_fileobj=copy.read_bytes())
    run_to_completion(document.pk)
    page = Page.objects.select_related("fingerprint").get(document=document, number=1)
    assert page.ocr and page.fingerprint.image_hash and page.fingerprint.text_hash
    ((_, original),) = page_image_hashes(str(path), "", [1], "pdf")
    assert image_hash_distance(page.fingerprint.image_hash, original) <= IMAGE_DISTANCE
