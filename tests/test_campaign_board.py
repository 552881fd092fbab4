"""The campaign board (issue 11): rows, matrix, bounded queries, bulk actions, CSV, campaign search."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records import timeline_writes
from records.campaigns import plan
from records.models import Communication, Event, RecordsRequest

from . import factories
from .test_search_page import add_pages

TODAY = dt.date(2026, 11, 30)


def make_campaign(team, user, count, *, title="ALPR sharing"):
    agencies = [
        factories.make_agency(f"{title} Police Department {i:03d}", abbreviation=f"PD{i}") for i in range(count)
    ]
    draft = plan.create_draft(
        plan.build_plan(title=title, request_text="To {{ agency.name }}: ALPR records.", filtered_agencies=agencies),
        team=team,
        user=user,
    )
    campaign, _ = plan.confirm_draft(draft, plan.choices_from_post(draft.plan, {}), user=user)
    return campaign


def file_request(r, user, sent, *events):
    r = RecordsRequest.objects.get(pk=r.pk)
    timeline_writes.log_event(r, user=user, kind="filed", date=sent, channel="email")
    for offset, kind, outcome in events:
        timeline_writes.log_event(r, user=user, kind=kind, date=sent + dt.timedelta(days=offset), outcome=outcome)
    return RecordsRequest.objects.get(pk=r.pk)


def board_queries(client, campaign, query=""):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("campaign_board", args=[campaign.pk]) + query)
    assert response.status_code == 200
    return len(captured), response


def decorate(campaign, user):
    """Files, pages, communications and outcomes on every row, so every annotation has work to do."""
    for i, r in enumerate(campaign.requests.all()):
        r = file_request(
            r,
            user,
            TODAY - dt.timedelta(days=40),
            (10, "final_response", "granted") if i % 2 else (3, "acknowledged", ""),
        )
        add_pages(r, f"{campaign.pk}-{r.pk}.pdf", ["one", "two"])
        for days_ago in (40, 30):
            timeline_writes.log_communication(
                r, user=user, direction="in", channel="email", date=TODAY - dt.timedelta(days=days_ago)
            )


@time_machine.travel(dt.datetime(2026, 11, 30, 12, 0), tick=False)
@pytest.mark.parametrize("query", ["", "?view=matrix", "?sort=-pages&column=released&agency=police"])
def test_board_query_count_is_the_same_at_30_and_60_rows(login, editor, team, query, django_assert_max_num_queries):
    client = login(editor)
    small = make_campaign(team, editor, 30, title="Small")
    large = make_campaign(team, editor, 60, title="Large")
    decorate(small, editor)
    decorate(large, editor)
    small_count, small_response = board_queries(client, small, query)
    with django_assert_max_num_queries(small_count):
        large_count, large_response = board_queries(client, large, query)
    assert small_count == large_count
    if not query:
        assert len(large_response.context["rows"]) == 60
        row = next(r for r, _, _ in large_response.context["rows"] if r.outcome == "granted")
        assert (row.files, row.pages, row.last_contact) == (1, 2, TODAY - dt.timedelta(days=30))


@time_machine.travel(dt.datetime(2026, 11, 30, 12, 0), tick=False)
def test_board_row_figures_and_matrix(login, editor, team):
    campaign = make_campaign(team, editor, 3)
    a, b, c = campaign.requests.order_by("agency__name")
    file_request(a, editor, dt.date(2026, 9, 1))  # no answer: overdue
    file_request(b, editor, dt.date(2026, 11, 20), (3, "acknowledged", ""))
    response = login(editor).get(reverse("campaign_board", args=[campaign.pk]))
    rows = {r.pk: (column, late) for r, column, late in response.context["rows"]}
    a = RecordsRequest.objects.get(pk=a.pk)
    assert rows[a.pk] == ("no_answer", (TODAY - a.due_date).days) and rows[a.pk][1] > 0
    assert rows[b.pk] == ("working", 0)
    assert rows[c.pk] == ("not_sent", 0)
    matrix = login(editor).get(reverse("campaign_board", args=[campaign.pk]) + "?view=matrix").content.decode()
    assert "No answer yet" in matrix and "d late" in matrix
    only_late = login(editor).get(reverse("campaign_board", args=[campaign.pk]) + "?overdue=true")
    assert [r.pk for r, _, _ in only_late.context["rows"]] == [a.pk]


@time_machine.travel(dt.datetime(2026, 11, 30, 12, 0), tick=False)
def test_mark_sent_logs_filed_once(login, editor, team):
    campaign = make_campaign(team, editor, 3)
    a, b, c = campaign.requests.order_by("agency__name")
    client = login(editor)
    url = reverse("campaign_bulk", args=[campaign.pk])
    data = {"action": "mark_sent", "selected": [a.pk, b.pk], "date": "2026-11-16", "channel": "email"}
    client.post(url, data)
    client.post(url, data)  # twice: nothing twice
    assert Event.objects.filter(request__campaign=campaign, kind="filed").count() == 2
    a = RecordsRequest.objects.get(pk=a.pk)
    assert (a.status, a.sent_date, a.received_date) == ("filed", dt.date(2026, 11, 16), dt.date(2026, 11, 16))
    assert a.due_date is not None
    assert RecordsRequest.objects.get(pk=c.pk).status == "draft"
    response = client.post(url, {"action": "mark_sent", "date": "16/11/2026", "selected": [c.pk]}, follow=True)
    assert "The sent date could not be read" in response.content.decode()
    response = client.post(url, {"action": "mark_sent"}, follow=True)
    assert "Select the rows to mark as sent." in response.content.decode()


@time_machine.travel(dt.datetime(2026, 11, 30, 12, 0), tick=False)
def test_follow_up_letters_for_every_overdue_row_only(login, editor, team):
    campaign = make_campaign(team, editor, 4)
    late, answered_late, recent, draft = campaign.requests.order_by("agency__name")
    file_request(late, editor, dt.date(2026, 9, 1))
    file_request(answered_late, editor, dt.date(2026, 9, 1), (5, "final_response", "granted"))
    file_request(recent, editor, dt.date(2026, 11, 25))
    response = login(editor).post(reverse("campaign_bulk", args=[campaign.pk]), {"action": "follow_up"}, follow=True)
    letters = Communication.objects.filter(request__campaign=campaign, direction="out", date=TODAY)
    assert list(letters.values_list("request_id", flat=True)) == [late.pk]
    letter = letters.get()
    assert late.agency.name in letter.body and "{" not in letter.body
    assert "Logged 1 follow-up letter(s)" in response.content.decode()
    assert "Skipped 3 (not overdue)" in response.content.decode()


@time_machine.travel(dt.datetime(2026, 11, 30, 12, 0), tick=False)
def test_appeals_for_denials_only(login, editor, team):
    campaign = make_campaign(team, editor, 3)
    denied, granted, _ = campaign.requests.order_by("agency__name")
    file_request(denied, editor, dt.date(2026, 11, 2), (8, "final_response", "denied"))
    file_request(granted, editor, dt.date(2026, 11, 2), (8, "final_response", "granted"))
    login(editor).post(reverse("campaign_bulk", args=[campaign.pk]), {"action": "appeal"})
    appeals = Communication.objects.filter(request__campaign=campaign, direction="out", date=TODAY)
    assert list(appeals.values_list("request_id", flat=True)) == [denied.pk]


def test_export_csv_has_every_row_and_no_formulas(login, editor, team):
    campaign = make_campaign(team, editor, 2)
    first = campaign.requests.order_by("agency__name").first()
    first.agency.name = "=HYPERLINK(1)"
    first.agency.save()
    response = login(editor).get(reverse("campaign_export", args=[campaign.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["request_id", "agency", "statute", "status"]
    assert len(rows) == 3
    assert "'=HYPERLINK(1)" in [row[1] for row in rows]


def test_search_filter_campaign_only(login, editor, team):
    campaign = make_campaign(team, editor, 1)
    inside = campaign.requests.get()
    outside = factories.make_request(team)
    add_pages(inside, "inside.pdf", ["Flock camera contract"])
    add_pages(outside, "outside.pdf", ["Flock camera invoice"])
    response = login(editor).get(reverse("search") + f"?q=flock&campaign={campaign.pk}")
    assert [hit.filename for hit, _, _ in response.context["rows"]] == ["inside.pdf"]
    everywhere = login(editor).get(reverse("search") + "?q=flock")
    assert len(everywhere.context["rows"]) == 2


def test_request_page_links_to_its_campaign(login, editor, team):
    campaign = make_campaign(team, editor, 1)
    r = campaign.requests.get()
    body = login(editor).get(reverse("request_detail", args=[r.pk])).content.decode()
    assert reverse("campaign_board", args=[campaign.pk]) in body


@time_machine.travel(dt.datetime(2026, 11, 30, 12, 0), tick=False)
def test_initial_letters_are_the_sending_and_print_as_one_pdf(login, editor, team, stranger):
    from pypdf import PdfReader

    campaign = make_campaign(team, editor, 3)
    already, by_letter, other = campaign.requests.order_by("agency__name")
    file_request(already, editor, dt.date(2026, 11, 2))
    client = login(editor)
    response = client.post(
        reverse("campaign_bulk", args=[campaign.pk]),
        {"action": "initial_letters", "date": "2026-11-30", "channel": "email"},
        follow=True,
    )
    assert "Logged 2 initial letter(s)" in response.content.decode()
    assert "Skipped 1 (already sent)" in response.content.decode()
    letters = Communication.objects.filter(request__campaign=campaign, direction="out")
    assert sorted(letters.values_list("request_id", flat=True)) == sorted([by_letter.pk, other.pk])
    sent = RecordsRequest.objects.get(pk=by_letter.pk)
    # The letter is the sending: by email the agency has it the same day, so the clock runs.
    assert sent.sent_date == sent.received_date == TODAY and sent.due_date is not None
    assert "{" not in letters.first().body
    # Sending again logs nothing twice.
    client.post(reverse("campaign_bulk", args=[campaign.pk]), {"action": "initial_letters", "date": "2026-11-30"})
    assert letters.count() == 2

    pdf = client.get(reverse("campaign_letters_pdf", args=[campaign.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages]
    for records_request in (already, by_letter, other):
        assert any(records_request.agency.name in page for page in text)
    assert login(stranger).get(reverse("campaign_letters_pdf", args=[campaign.pk])).status_code == 404
