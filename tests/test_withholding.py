"""The withholding table on the request page, the draft Vaughn index (page and CSV), and their scoping."""

import csv
import io

import pytest

from records.ingest import add_document, extract_document
from records.models import Document, Page, PageCitation, StoredFile
from records.review.citations import record_citations
from records.review.withholding import BOX_EXEMPTION, vaughn_rows, withholding_for
from tests import factories
from tests.test_ingest_support import corpus_file

LETTER = (
    "Portions were redacted under 5 ILCS 140/7(1)(c), which protects personal privacy, and under "
    "Section 7(1)(d)(v) of the Illinois FOIA."
)


def make_document(records_request, name="response.pdf", pages=(), boxed=()):
    stored, _ = StoredFile.objects.get_or_create(sha256=name.ljust(64, "0")[:64], defaults={"size": 1, "path": name})
    document = Document.objects.create(
        request=records_request, stored_file=stored, original_name=name, size=1, state=Document.State.DONE
    )
    rows = Page.objects.bulk_create(
        Page(document=document, number=n, text=text, text_under_box=n in boxed) for n, text in enumerate(pages, 1)
    )
    record_citations(document, [p.pk for p in rows])
    return document


@pytest.fixture
def il_request(team):
    records_request = factories.make_request(team, code="IL-FOIA", title="Cell-site simulators")
    make_document(records_request, "letter.pdf", [LETTER, "No citation here.", "Again 5 ILCS 140/7(1)(c)."])
    make_document(records_request, "release.pdf", ["Account 1234 [redacted]", "Name under a box"], boxed=(2,))
    return records_request


def test_withholding_table_counts_pages_and_names_documents(il_request):
    table = withholding_for(il_request)
    rows = {e.code: e for e in table.exemptions}
    assert set(rows) == {"7(1)(c)", "7(1)(d)(v)"}
    assert [p.number for p in rows["7(1)(c)"].pages] == [1, 3]
    assert rows["7(1)(c)"].documents == ["letter.pdf"]
    assert "privacy" in rows["7(1)(c)"].meaning
    assert [(p.document_name, p.number) for p in table.boxed_pages] == [("release.pdf", 2)]


def test_procedural_citations_stay_out_of_the_table(team):
    records_request = factories.make_request(team, code="IL-FOIA")
    make_document(records_request, pages=["We extend the time under 5 ILCS 140/3(e)."])
    assert PageCitation.objects.filter(kind="procedural").count() == 1
    assert withholding_for(records_request).exemptions == []


def test_request_page_shows_the_table_with_links_and_the_bad_redactions(il_request, login, viewer):
    response = login(viewer).get(f"/requests/{il_request.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "IL-FOIA 7(1)(c)" in body and "IL-FOIA 7(1)(d)(v)" in body
    letter = Document.objects.get(original_name="letter.pdf")
    assert f"/documents/{letter.pk}/?page=1#page-3" in body
    assert "did not actually withhold" in body and "release.pdf p.2" in body


def test_request_page_queries_do_not_grow_with_citations(team, login, viewer, django_assert_max_num_queries):
    small = factories.make_request(team, code="IL-FOIA")
    make_document(small, pages=[LETTER])
    client = login(viewer)
    client.get(f"/requests/{small.pk}/")  # warm caches (session, statutes)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(f"/requests/{small.pk}/")
    big = factories.make_request(team, code="IL-FOIA")
    for n in range(4):
        make_document(big, f"d{n}.pdf", [LETTER] * 5, boxed=(1, 2))
    with django_assert_max_num_queries(len(one)):
        client.get(f"/requests/{big.pk}/")


def test_vaughn_csv_has_a_row_per_citation_and_per_boxed_page(il_request, login, viewer):
    response = login(viewer).get(f"/requests/{il_request.pk}/vaughn.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Document", "Page", "Exemption cited", "Meaning", "Text around it", "Agency's justification", "Our challenge",
    ]  # fmt: skip
    body = rows[1:]
    assert [(r[0], r[1], r[2]) for r in body] == [
        ("letter.pdf", "1", "IL-FOIA 7(1)(c)"),
        ("letter.pdf", "1", "IL-FOIA 7(1)(d)(v)"),
        ("letter.pdf", "3", "IL-FOIA 7(1)(c)"),
        ("release.pdf", "2", BOX_EXEMPTION),
    ]
    assert "5 ILCS 140/7(1)(c)" in body[0][4] and "Portions were redacted" in body[0][4]
    assert all(r[5] == "" and r[6] == "" for r in body)


def test_vaughn_context_is_about_200_characters(team):
    records_request = factories.make_request(team, code="IL-FOIA")
    make_document(records_request, pages=["x " * 300 + "5 ILCS 140/7(1)(c)" + " y" * 300])
    (row,) = vaughn_rows(records_request)
    assert 200 <= len(row.context) <= 260 and "7(1)(c)" in row.context


def test_vaughn_page_is_printable_and_links_the_pages(il_request, login, viewer):
    response = login(viewer).get(f"/requests/{il_request.pk}/vaughn/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Draft Vaughn index" in body and "Our challenge" in body and BOX_EXEMPTION in body


@pytest.mark.parametrize("path", ["/requests/{}/", "/requests/{}/vaughn/", "/requests/{}/vaughn.csv"])
def test_a_stranger_gets_404(il_request, login, stranger, path):
    response = login(stranger).get(path.format(il_request.pk))
    assert response.status_code == 404
    assert b"7(1)(c)" not in response.content


def test_anonymous_is_sent_to_log_in(il_request, client):
    response = client.get(f"/requests/{il_request.pk}/vaughn.csv")
    assert response.status_code == 302


def test_citations_are_found_when_pages_are_extracted(db, settings, tmp_path, team):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = corpus_file("formats", "IL_CPD_FOIA14-5298_Hailstorm_ResponseLetter.pdf")
    records_request = factories.make_request(team, code="IL-FOIA")
    with open(path, "rb") as file:
        document = add_document(records_request, name=path.name, data_or_fileobj=file)[0]
    extract_document(document.pk)
    found = set(PageCitation.objects.filter(page__document=document).values_list("page__number", "code"))
    assert {(1, "7(1)(d)(v)"), (2, "7(1)(f)"), (3, "7(1)(i)")} <= found


def test_backfill_command_rewrites_citations(il_request, capsys):
    from django.core.management import call_command

    PageCitation.objects.all().delete()
    call_command("detect_exemptions", "--request", str(il_request.pk))
    assert "5 pages" in capsys.readouterr().out
    assert PageCitation.objects.filter(page__document__request=il_request, kind="exemption").count() == 3
