"""ZIP members on the request's file list as a tree (issue 13): folders and nested archives indented under
the archive, each with its state; a member with the same bytes as an earlier file is listed "same as", not dropped."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfWriter

from records.ingest.pipeline import extract_document, run_to_completion
from records.ingest.store import add_document
from records.models import Document, Page
from tests.factories import make_request


@pytest.fixture
def records_request(team):
    return make_request(team)


def pdf_bytes(pages: int = 1, width: int = 200) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ingest(records_request, name: str, data: bytes) -> Document:
    document, _ = add_document(records_request, name=name, data_or_fileobj=data)
    run_to_completion(document.pk)
    document.refresh_from_db()
    return document


def tree_lines(html: str) -> list[tuple[int, str]]:
    """(depth, text) for each line of the file tree on a page."""
    tree = html.split('<ul class="plain file-tree">', 1)[1].split("</ul>", 1)[0]
    lines = []
    for depth, body in re.findall(r'<li class="tree-depth-(\d+)[^"]*">(.*?)</li>', tree, re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", body).split()).replace("└ ", "")
        lines.append((int(depth), text))
    return lines


def test_request_page_shows_members_folders_and_nested_archives_indented(records_request, editor, login):
    inner = zip_bytes({"scan-b.pdf": pdf_bytes(2, 210)})
    outer = zip_bytes(
        {"letters/cover.pdf": pdf_bytes(1, 220), "letters/2024/memo.pdf": pdf_bytes(3, 230), "inner.zip": inner}
    )
    archive = ingest(records_request, "release.zip", outer)
    assert archive.state == "done"
    lines = tree_lines(login(editor).get(records_request.get_absolute_url()).content.decode())
    names = [(depth, text.split(" ")[0]) for depth, text in lines]
    assert names == [
        (0, "release.zip"),
        (1, "inner.zip"),
        (2, "scan-b.pdf"),
        (1, "letters/"),
        (2, "2024/"),
        (3, "memo.pdf"),
        (2, "cover.pdf"),
    ]
    memo = dict(lines)[3]
    assert "Done" in memo and "3 pages" in memo


def test_duplicate_members_are_listed_as_same_as_the_first(records_request, editor, login):
    letter = pdf_bytes(1, 250)
    uploaded = ingest(records_request, "letter.pdf", letter)
    archive = ingest(
        records_request,
        "release.zip",
        zip_bytes({"a/letter-copy.pdf": letter, "b.pdf": pdf_bytes(2, 260), "c.pdf": pdf_bytes(2, 260)}),
    )
    assert archive.state == "done"
    members = {m.original_name: m for m in Document.objects.filter(archive=archive)}
    assert set(members) == {"a/letter-copy.pdf", "b.pdf", "c.pdf"}
    assert members["a/letter-copy.pdf"].duplicate_of == uploaded
    assert members["c.pdf"].duplicate_of == members["b.pdf"] and members["b.pdf"].duplicate_of is None
    # Read once: the duplicates have no pages of their own, so a search does not find them twice.
    assert not Page.objects.filter(document__in=[members["a/letter-copy.pdf"], members["c.pdf"]]).exists()
    html = login(editor).get(records_request.get_absolute_url()).content.decode()
    lines = {text.split(" ")[0]: text for _, text in tree_lines(html)}
    assert "same as letter.pdf" in lines["letter-copy.pdf"]
    assert "same as b.pdf" in lines["c.pdf"]
    assert f'href="{reverse("document_detail", args=[uploaded.pk])}"' in html
    detail = login(editor).get(reverse("document_detail", args=[members["c.pdf"].pk])).content.decode()
    assert "Same as" in detail and "b.pdf" in detail


def test_reading_an_archive_again_lists_each_duplicate_once(records_request):
    same = pdf_bytes(1, 270)
    archive = ingest(records_request, "release.zip", zip_bytes({"one.pdf": same, "two.pdf": same}))
    Document.objects.filter(pk=archive.pk).update(state="queued", heartbeat_at=None)  # a worker died; read again
    extract_document(archive.pk)
    names = sorted(Document.objects.filter(archive=archive).values_list("original_name", "duplicate_of__original_name"))
    assert names == [("one.pdf", None), ("two.pdf", "one.pdf")]


def test_archive_page_shows_its_own_tree(records_request, editor, login):
    archive = ingest(records_request, "release.zip", zip_bytes({"dir/x.pdf": pdf_bytes(1, 280)}))
    html = login(editor).get(reverse("document_detail", args=[archive.pk])).content.decode()
    assert [(depth, text.split(" ")[0]) for depth, text in tree_lines(html)] == [(0, "dir/"), (1, "x.pdf")]


def test_stranger_gets_404_for_a_member_and_its_duplicate(records_request, stranger, login):
    same = pdf_bytes(1, 290)
    archive = ingest(records_request, "release.zip", zip_bytes({"one.pdf": same, "two.pdf": same}))
    client = login(stranger)
    for member in Document.objects.filter(archive=archive):
        assert client.get(reverse("document_detail", args=[member.pk])).status_code == 404
        assert client.get(reverse("document_download", args=[member.pk])).status_code == 404


def test_an_archive_page_has_one_progress_box_while_its_members_wait(records_request, editor, login):
    # The archive is read (its members stored, still queued); the page's own box is the one the
    # browser and the htmx poll find by id, and each waiting member polls without taking that id.
    archive, _ = add_document(records_request, name="batch.zip", data_or_fileobj=zip_bytes({"a.pdf": pdf_bytes()}))
    extract_document(archive.pk)
    member = Document.objects.get(archive=archive)
    assert member.state == Document.State.QUEUED
    html = login(editor).get(reverse("document_detail", args=[archive.pk])).content.decode()
    assert html.count('id="progress"') == 1
    assert f"{reverse('document_progress', args=[member.pk])}?member=1" in html
    fragment = login(editor).get(reverse("document_progress", args=[member.pk]) + "?member=1").content.decode()
    assert 'id="progress"' not in fragment
