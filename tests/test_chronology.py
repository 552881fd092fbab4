"""A request's full chronology, as a printable page and as CSV: what a lawyer attaches to a complaint."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from records import exports, timeline
from records.models import Communication, Document, Event, Statute, StoredFile

from . import factories

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def case(team, editor):
    r = factories.make_request(team, title="LAPD ALPR sharing agreements", sent=dt.date(2026, 10, 1))
    r.tracking_numbers.create(number="R012345", agency=r.agency)
    Event.objects.create(request=r, kind="filed", date=dt.date(2026, 10, 1), created_by=editor)
    Event.objects.create(
        request=r, kind="extension", date=dt.date(2026, 10, 9), note="Voluminous records.", created_by=editor
    )
    letter = Communication.objects.create(
        request=r, direction="in", channel="letter", date=dt.date(2026, 11, 2), sender="Records Unit",
        recipient="Desk", subject="Determination", body="Records withheld under 7923.600.", created_by=editor,
    )  # fmt: skip
    Event.objects.create(request=r, kind="final_response", outcome="partly_granted", date=dt.date(2026, 11, 2))
    stored = StoredFile.objects.create(sha256=SHA, size=48213, path="ab/cd")
    Document.objects.create(
        request=r, communication=letter, stored_file=stored, original_name="release-1.pdf", size=48213,
        page_count=12, state=Document.State.DONE, uploaded_by=editor,
    )  # fmt: skip
    return timeline.recompute(r)


def test_the_page_lists_events_communications_and_files_in_date_order(login, editor, case):
    response = login(editor).get(reverse("request_chronology", args=[case.pk]))
    assert response.status_code == 200
    entries = response.context["chronology"].entries
    assert [(e.date.isoformat(), e.kind) for e in entries] == [
        ("2026-10-01", "event"), ("2026-10-09", "event"),
        ("2026-11-02", "event"), ("2026-11-02", "communication"), ("2026-11-02", "document"),
    ]  # fmt: skip
    page = response.content.decode()
    for text in ["R012345", "Extension invoked", "Voluminous records.", "Determination", "Records withheld under 7923.600.",
                 "release-1.pdf", SHA, "12 pages", "Partly granted", "Records Unit"]:  # fmt: skip
        assert text in page, text
    assert "<script" not in page.split("</head>")[1] and "style=" not in page


def test_deadlines_come_with_their_working_and_citation(login, editor, case):
    chronology = exports.request_chronology(case)
    if not chronology.deadlines:
        pytest.skip("the deadline engine computes none for this request yet")
    for d in chronology.deadlines:
        assert d.summary and (d.working or d.details), d
    page = login(editor).get(reverse("request_chronology", args=[case.pk])).content.decode()
    first = chronology.deadlines[0]
    assert first.summary in page and (not first.working or first.working[0] in page.replace("&#x27;", "'"))


def test_a_statute_edited_into_unusable_rules_is_said_not_raised(login, editor, case):
    # An admin's edit the engine cannot use (an unknown holiday calendar) is said in the exhibit.
    Statute.objects.filter(pk=case.statute_id).update(calendar="NOWHERE")
    response = login(editor).get(reverse("request_chronology", args=[case.pk]))
    assert response.status_code == 200 and "could not be computed" in response.content.decode()


def test_the_csv_carries_the_same_chronology_with_hashes_and_page_counts(login, editor, case):
    response = login(editor).get(reverse("request_chronology_csv", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"chronology-{case.pk}-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == ["request", f"#{case.pk} LAPD ALPR sharing agreements"]
    header = rows.index(exports.CHRONOLOGY_HEADER)
    body = [dict(zip(exports.CHRONOLOGY_HEADER, row, strict=True)) for row in rows[header + 1 :]]
    document = next(row for row in body if row["type"] == "document")
    assert (document["date"], document["sha256"], document["pages"], document["size (bytes)"]) == (
        "2026-11-02",
        SHA,
        "12",
        "48213",
    )
    assert [row["type"] for row in body[:5]] == ["event", "event", "event", "communication", "document"]
    assert all(row["type"] == "deadline" for row in body[5:])


def test_strangers_get_404_and_viewers_may_read(login, viewer, stranger, case):
    for name in ("request_chronology", "request_chronology_csv"):
        url = reverse(name, args=[case.pk])
        assert login(stranger).get(url).status_code == 404, name
        assert login(viewer).get(url).status_code == 200, name
