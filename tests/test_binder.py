"""Exhibit binders: Bates numbers and the index read back from the built PDF, same bytes twice, refusals, scope."""

import io
import re

import pytest
from pypdf import PdfReader

from records import tasks
from records.ingest.store import add_document, local_copy, open_stored
from records.models import Binder, Membership, Page
from records.review.binder import add_pages, build_binder, check_sources, move_page, remove_page, request_build

from . import factories

TEXT_PDF = "1505_CPDJan10Feb2015ChecksAndAmounts.pdf"  # 10 pages, text layer
LETTER_PDF = "1505_CCSAO_FOIA121515.pdf"  # 2 pages


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def records_request(team):
    return factories.make_request(team, title="Forfeiture fund")


def upload(records_request, path, *, name=None, pages=None):
    """Store a file on the request with page rows (what extraction would write)."""
    with open(path, "rb") as file:
        document = add_document(records_request, name=name or path.name, data_or_fileobj=file)[0]
    count = pages if pages is not None else len(PdfReader(str(path)).pages)
    Page.objects.bulk_create(Page(document=document, number=n, text=f"text {n}") for n in range(1, count + 1))
    document.page_count = count
    document.detected_type = document.detected_type or "pdf"
    document.save()
    return document


def make_binder(team, title="Exhibits"):
    return Binder.objects.create(team=team, title=title)


def built_pdf(binder) -> bytes:
    binder.refresh_from_db()
    assert binder.state == Binder.State.DONE, binder.error
    with open_stored(binder.built_file) as file:
        return file.read()


@pytest.fixture
def checks(shared_dir, records_request):
    return upload(records_request, shared_dir / "corpus/real" / TEXT_PDF)


@pytest.fixture
def letter(shared_dir, records_request):
    return upload(records_request, shared_dir / "corpus/real" / LETTER_PDF)


def test_built_pdf_has_index_then_each_page_stamped_in_order(team, checks, letter):
    binder = make_binder(team)
    chosen = [letter.pages.get(number=2), *checks.pages.filter(number__in=[3, 4, 5]), letter.pages.get(number=1)]
    add_pages(binder, chosen)
    build_binder(binder.pk)
    reader = PdfReader(io.BytesIO(built_pdf(binder)))
    index_pages = len(reader.pages) - len(chosen)
    assert index_pages == 1
    prefix = binder.bates_prefix
    assert prefix == team.slug.upper()
    for i, page in enumerate(reader.pages[index_pages:]):
        text = page.extract_text()
        assert f"{prefix}-{i + 1:06d}" in text
        other_numbers = set(re.findall(rf"{re.escape(prefix)}-\d{{6}}", text)) - {f"{prefix}-{i + 1:06d}"}
        assert not other_numbers
    # The stamped page is the source page: its own text is still there.
    with local_copy(checks.stored_file) as path:
        source_text = PdfReader(str(path)).pages[2].extract_text()
    assert source_text.split()[0] in reader.pages[index_pages + 1].extract_text()
    index = reader.pages[0].extract_text(extraction_mode="layout")  # a row's cells on one line
    assert "Exhibit index: Exhibits" in index
    # Three exhibits: letter p.2, checks p.3-5, letter p.1 (a document change starts a new exhibit).
    lines = [line.strip() for line in index.splitlines() if line.strip()[:1].isdigit()]
    assert len(lines) == 3, index
    assert f"{prefix}-000002 to {prefix}-000004" in lines[1]
    assert "3-5" in lines[1]
    assert checks.stored_file.sha256 in index
    assert letter.stored_file.sha256 in index
    assert "1505_CPDJan10Feb2015ChecksAndAm" in index
    assert checks.uploaded_at.date().isoformat() in lines[1]
    assert [bp.exhibit_number for bp in binder.binder_pages.order_by("order")] == [1, 2, 2, 2, 3]


def test_building_twice_gives_the_same_bytes(team, checks):
    binder = make_binder(team)
    add_pages(binder, checks.pages.all())
    build_binder(binder.pk)
    first = built_pdf(binder)
    build_binder(binder.pk)
    assert built_pdf(binder) == first


def test_numbers_continue_across_binders_and_a_rebuild_keeps_its_range(team, checks, letter):
    one, two = make_binder(team, "One"), make_binder(team, "Two")
    add_pages(one, checks.pages.filter(number__lte=4))
    add_pages(two, letter.pages.all())
    build_binder(one.pk)
    build_binder(two.pk)
    build_binder(one.pk)
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.bates_start, one.bates_count) == (1, 4)
    assert (two.bates_start, two.bates_count) == (5, 2)
    last = PdfReader(io.BytesIO(built_pdf(two))).pages[-1].extract_text()
    assert f"{two.bates_prefix}-000006" in last


def test_a_fifty_page_binder_across_documents(team, shared_dir, records_request, checks):
    real = shared_dir / "corpus/real"
    opinion = upload(records_request, real / "flp_scotus-slip-opinion-vector.pdf")  # 30 pages
    disclosure = upload(records_request, real / "flp_Lucero-C-J3.pdf")  # 9 pages
    stats = upload(records_request, real / "natpdf_PREA 2014 Statistics.pdf")  # 1 page
    binder = make_binder(team)
    chosen = [*opinion.pages.all(), *checks.pages.all(), *disclosure.pages.all(), *stats.pages.all()]
    add_pages(binder, [*chosen, *opinion.pages.filter(number__lte=10)])  # a page is not added twice
    build_binder(binder.pk)
    reader = PdfReader(io.BytesIO(built_pdf(binder)))
    assert len(reader.pages) == 1 + 50
    assert binder.progress == 50
    for i, page in enumerate(reader.pages[1:], start=1):
        assert f"{binder.bates_prefix}-{i:06d}" in page.extract_text()
    index = reader.pages[0].extract_text(extraction_mode="layout")
    for document in (opinion, checks, disclosure, stats):
        assert document.stored_file.sha256 in index


def test_image_document_becomes_a_stamped_page(team, shared_dir, records_request):
    pdfium = pytest.importorskip("pypdfium2")
    rendered = pdfium.PdfDocument(str(shared_dir / "corpus/real" / LETTER_PDF))[0].render(scale=1).to_pil()
    png = io.BytesIO()
    rendered.save(png, format="PNG")
    document = add_document(records_request, name="scan.png", data_or_fileobj=png.getvalue())[0]
    assert document.detected_type == "png"
    Page.objects.create(document=document, number=1)
    binder = make_binder(team)
    add_pages(binder, document.pages.all())
    build_binder(binder.pk)
    reader = PdfReader(io.BytesIO(built_pdf(binder)))
    assert len(reader.pages) == 2
    assert f"{binder.bates_prefix}-000001" in reader.pages[1].extract_text()


def test_encrypted_source_is_refused_with_the_page_and_reason(team, shared_dir, records_request, checks):
    locked = upload(records_request, shared_dir / "corpus/hostile/enc-nonascii-password.pdf", pages=1)
    binder = make_binder(team)
    add_pages(binder, [checks.pages.get(number=1), locked.pages.get(number=1)])
    problems = check_sources(binder)
    assert problems == [
        "Page 1 of enc-nonascii-password.pdf: enc-nonascii-password.pdf is encrypted and no password that opens it is stored."
    ]
    with pytest.raises(Exception, match="encrypted"):
        request_build(binder)
    built = build_binder(binder.pk)
    assert built.state == Binder.State.FAILED
    assert "encrypted" in built.error
    assert built.built_file is None
    assert built.bates_start is None  # no numbers used up by a refused binder


def test_encrypted_source_with_its_password_stored_is_built(team, shared_dir, records_request):
    locked = upload(records_request, shared_dir / "corpus/hostile/enc-nonascii-password.pdf", pages=1)
    locked.password = "æøå"
    locked.save()
    binder = make_binder(team)
    add_pages(binder, locked.pages.all())
    assert check_sources(binder) == []
    build_binder(binder.pk)
    assert len(PdfReader(io.BytesIO(built_pdf(binder))).pages) == 2


def test_damaged_source_is_refused_and_leaves_no_file(team, shared_dir, records_request):
    damaged = upload(records_request, shared_dir / "corpus/hostile/truncated-50pct-text-foia-response.pdf", pages=3)
    binder = make_binder(team)
    add_pages(binder, damaged.pages.all())
    problems = check_sources(binder)
    assert problems and "damaged" in problems[0]
    built = build_binder(binder.pk)
    assert built.state == Binder.State.FAILED and built.built_file is None and "damaged" in built.error


def test_a_page_number_past_the_end_of_the_file_is_refused(team, letter):
    Page.objects.create(document=letter, number=9)
    binder = make_binder(team)
    add_pages(binder, letter.pages.filter(number=9))
    assert check_sources(binder) == ["Page 9 of 1505_CCSAO_FOIA121515.pdf: the file has no such page (damaged?)."]


def test_empty_or_oversized_binder_is_refused(team, letter, monkeypatch):
    binder = make_binder(team)
    assert "no pages" in check_sources(binder)[0]
    add_pages(binder, letter.pages.all())
    monkeypatch.setattr("records.review.binder.MAX_PAGES", 1)
    assert "over the limit" in check_sources(binder)[0]


def test_reorder_and_remove(team, checks):
    binder = make_binder(team)
    add_pages(binder, checks.pages.filter(number__lte=3))
    first, second, third = binder.binder_pages.order_by("order")
    move_page(second, -1)
    assert [bp.page.number for bp in binder.binder_pages.order_by("order")] == [2, 1, 3]
    move_page(first, +1)  # page 1 is now second: it moves to third
    assert [bp.page.number for bp in binder.binder_pages.order_by("order")] == [2, 3, 1]
    remove_page(third)
    assert [(bp.order, bp.page.number) for bp in binder.binder_pages.order_by("order")] == [(1, 2), (2, 1)]


# --- Pages: team scope, permissions ------------------------------------------------------------


@pytest.fixture
def built(team, checks):
    binder = make_binder(team)
    add_pages(binder, checks.pages.filter(number__lte=2))
    build_binder(binder.pk)
    return binder


def test_stranger_gets_404_on_binder_pages_and_download(login, stranger, built, checks):
    client = login(stranger)
    assert client.get(f"/binders/{built.pk}/").status_code == 404
    assert client.get(f"/binders/{built.pk}/download/").status_code == 404
    assert client.get(f"/binders/{built.pk}/progress/").status_code == 404
    binder_page = built.binder_pages.first()
    assert client.post(f"/binders/pages/{binder_page.pk}/move/", {"direction": "down"}).status_code == 404
    assert client.post(f"/binders/pages/{binder_page.pk}/remove/").status_code == 404
    assert built.binder_pages.count() == 2
    assert client.post(f"/binders/{built.pk}/build/").status_code == 404
    assert client.post("/binders/add/", {"binder": built.pk, "page": checks.pages.first().pk}).status_code == 404
    assert built.pk not in [b.pk for b in client.get("/binders/").context["binders"]]


def test_teammate_downloads_the_built_pdf(login, viewer, built):
    response = login(viewer).get(f"/binders/{built.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == built_pdf(built)


def test_no_download_until_done(login, viewer, team, checks):
    binder = make_binder(team)
    add_pages(binder, checks.pages.filter(number=1))
    Binder.objects.filter(pk=binder.pk).update(state=Binder.State.BUILDING)
    response = login(viewer).get(f"/binders/{binder.pk}/download/")
    assert response.status_code == 404


def test_viewer_cannot_change_a_binder(login, viewer, built, checks):
    client = login(viewer)
    assert client.post(f"/binders/{built.pk}/build/").status_code == 403
    assert client.post("/binders/add/", {"binder": built.pk, "page": checks.pages.first().pk}).status_code == 403
    binder_page = built.binder_pages.first()
    assert client.post(f"/binders/pages/{binder_page.pk}/remove/").status_code == 403
    assert client.post("/binders/", {"title": "Mine"}).status_code == 403
    assert client.post("/review/settings/", {"prefix": "ZZZ"}).status_code == 403
    assert built.binder_pages.count() == 2 and Binder.objects.count() == 1


def test_search_results_offer_add_to_binder(login, team, built, checks):
    admin = factories.make_user("binderadmin")
    factories.add_member(admin, team, Membership.ADMIN)
    client = login(admin)
    html = client.get("/search/", {"q": "text"}).content.decode()
    assert "Add to binder" in html
    client.post("/binders/add/", {"binder": built.pk, "document": checks.pk, "number": "7"})
    assert [bp.page.number for bp in built.binder_pages.all()] == [1, 2, 7]
    assert client.post("/binders/add/", {"binder": built.pk, "document": checks.pk, "number": "x"}).status_code == 404


def test_bates_prefix_is_set_per_team_and_numbers_continue(login, team, checks):
    admin = factories.make_user("binderadmin")
    factories.add_member(admin, team, Membership.ADMIN)
    login(admin).post("/review/settings/", {"prefix": "aclu-ice"})
    binder = make_binder(team)
    add_pages(binder, checks.pages.filter(number=1))
    build_binder(binder.pk)
    assert "ACLU-ICE-000001" in PdfReader(io.BytesIO(built_pdf(binder))).pages[1].extract_text()


def test_editor_picks_pages_and_builds_from_the_pages(
    login, team, checks, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks.build_binder_task, "delay", sent.append)
    admin = factories.make_user("binderadmin")
    factories.add_member(admin, team, Membership.ADMIN)
    client = login(admin)
    response = client.post("/binders/", {"title": "Hearing exhibits"})
    binder = Binder.objects.get(title="Hearing exhibits")
    assert response.status_code == 302
    page = checks.pages.get(number=2)
    client.post("/binders/add/", {"binder": binder.pk, "page": page.pk})
    client.post("/binders/add/", {"binder": binder.pk, "document": checks.pk, "number": 5})
    assert [bp.page.number for bp in binder.binder_pages.all()] == [2, 5]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/binders/{binder.pk}/build/")
    assert response.status_code == 302
    assert sent == [binder.pk]  # sent once the transaction commits; the worker runs the same function
    tasks.build_binder_task(binder.pk)
    binder.refresh_from_db()
    assert binder.state == Binder.State.DONE, binder.error
    page_html = client.get(f"/binders/{binder.pk}/").content.decode()
    assert f"/binders/{binder.pk}/download/" in page_html


def test_build_task_goes_to_the_extraction_queue(settings):
    assert tasks.build_binder_task.name == "records.build_binder"
    assert settings.CELERY_TASK_ROUTES["records.build_binder"] == {"queue": "extraction"}


def test_refused_build_says_why_on_the_page(login, team, shared_dir, records_request):
    admin = factories.make_user("binderadmin")
    factories.add_member(admin, team, Membership.ADMIN)
    locked = upload(records_request, shared_dir / "corpus/hostile/enc-nonascii-password.pdf", pages=1)
    binder = make_binder(team)
    add_pages(binder, locked.pages.all())
    client = login(admin)
    response = client.post(f"/binders/{binder.pk}/build/", follow=True)
    assert "encrypted and no password that opens it is stored" in response.content.decode()
    binder.refresh_from_db()
    assert binder.state == Binder.State.DRAFT


def test_large_binder_is_checked_by_the_worker_and_fails_with_the_reason(
    login, team, shared_dir, records_request, checks, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("records.views.review.SYNC_CHECK_PAGES", 1)  # "large": more pages than this
    sent = []
    monkeypatch.setattr(tasks.build_binder_task, "delay", sent.append)
    admin = factories.make_user("binderadmin")
    factories.add_member(admin, team, Membership.ADMIN)
    locked = upload(records_request, shared_dir / "corpus/hostile/enc-nonascii-password.pdf", pages=1)
    binder = make_binder(team)
    add_pages(binder, [checks.pages.get(number=1), locked.pages.get(number=1)])
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/binders/{binder.pk}/build/")
    binder.refresh_from_db()
    assert binder.state == Binder.State.QUEUED and sent == [binder.pk]
    assert "waiting for a worker" in client.get(f"/binders/{binder.pk}/").content.decode()
    assert client.get(f"/binders/{binder.pk}/download/").status_code == 404
    tasks.build_binder_task(binder.pk)
    binder.refresh_from_db()
    assert binder.state == Binder.State.FAILED and binder.built_file is None
    assert "Page 1 of enc-nonascii-password.pdf" in client.get(f"/binders/{binder.pk}/").content.decode()
    assert client.get(f"/binders/{binder.pk}/download/").status_code == 404


def test_rotated_source_page_is_stamped_upright(team, shared_dir, records_request):
    from pypdf import PdfWriter

    source = PdfReader(str(shared_dir / "corpus/real" / LETTER_PDF))
    writer = PdfWriter()
    writer.add_page(source.pages[0]).rotate(90)
    rotated = io.BytesIO()
    writer.write(rotated)
    document = add_document(records_request, name="rotated.pdf", data_or_fileobj=rotated.getvalue())[0]
    Page.objects.create(document=document, number=1)
    binder = make_binder(team)
    add_pages(binder, document.pages.all())
    build_binder(binder.pk)
    page = PdfReader(io.BytesIO(built_pdf(binder))).pages[1]
    original = source.pages[0].mediabox
    assert page.rotation == 0  # the turn is in the content, so the stamp sits where a reader looks
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (float(original.height), float(original.width))
    assert f"{binder.bates_prefix}-000001" in page.extract_text()


def test_a_busy_binder_is_not_built_twice_unless_its_worker_went_silent(team, checks):
    from datetime import timedelta

    from django.utils import timezone

    binder = make_binder(team)
    add_pages(binder, checks.pages.filter(number=1))
    request_build(binder)
    with pytest.raises(Exception, match="already being built"):
        request_build(binder)
    Binder.objects.filter(pk=binder.pk).update(
        state=Binder.State.BUILDING, heartbeat_at=timezone.now() - Binder.STALE_AFTER - timedelta(minutes=1)
    )
    binder.refresh_from_db()
    assert binder.is_stale
    request_build(binder)  # the worker died: building again is allowed
    assert binder.state == Binder.State.QUEUED and not binder.is_stale
