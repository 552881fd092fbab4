"""Filing, editing and reading requests, with the form errors a desk would hit."""

import datetime as dt

import pytest
from django.urls import reverse

from records.models import RecordsRequest

from . import factories

TODAY = dt.date(2026, 11, 20)


pytestmark = pytest.mark.usefixtures("frozen_today")


def form_data(the_agency, **overrides):
    data = {
        "title": "LAPD ALPR sharing agreements",
        "agency": the_agency.pk,
        "statute": factories.statute("CPRA").pk,
        "body": "All ALPR data-sharing agreements.",
        "reference": "ALPR-001",
        "sent_date": "2026-11-16",
        "received_date": "2026-11-16",
        "tags_text": "ALPR, contracts",
        "tracking_text": "R012345\nreferral: LASD-77",
        "project": "Plate readers",
    }
    data.update(overrides)
    return data


def test_editor_files_a_request_with_tags_and_tracking_numbers(login, editor, team):
    agency = factories.make_agency("Los Angeles Police Department")
    response = login(editor).post(reverse("request_create"), form_data(agency, assignee=editor.pk))
    r = RecordsRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == r.get_absolute_url()
    assert r.team == team and r.created_by == editor and r.assignee == editor
    assert sorted(t.name for t in r.tags.all()) == ["ALPR", "contracts"]
    assert sorted((t.kind, t.number) for t in r.tracking_numbers.all()) == [
        ("initial", "R012345"),
        ("referral", "LASD-77"),
    ]
    assert r.status == "filed"
    page = login(editor).get(r.get_absolute_url()).content.decode()
    assert "R012345" in page and "LASD-77" in page and "ALPR-001" in page


def test_received_before_sent_is_a_field_error_and_saves_nothing(login, editor):
    agency = factories.make_agency()
    response = login(editor).post(reverse("request_create"), form_data(agency, received_date="2026-11-10"))
    assert response.status_code == 200
    assert "cannot have received it before it was sent" in response.context["form"].errors["received_date"][0]
    assert not RecordsRequest.objects.exists()


def test_sent_in_the_future_is_a_field_error(login, editor):
    agency = factories.make_agency()
    response = login(editor).post(
        reverse("request_create"), form_data(agency, sent_date="2026-12-01", received_date="")
    )
    assert "future" in response.context["form"].errors["sent_date"][0]
    assert not RecordsRequest.objects.exists()


@pytest.mark.parametrize("field, value", [("statute", "999999"), ("agency", "999999"), ("agency", "not-a-number")])
def test_unknown_statute_or_agency_is_a_form_error_not_a_500(login, editor, field, value):
    agency = factories.make_agency()
    response = login(editor).post(reverse("request_create"), form_data(agency, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not RecordsRequest.objects.exists()


def test_same_tracking_number_for_one_agency_is_flagged_not_merged(login, editor, team):
    agency = factories.make_agency()
    first = factories.make_request(team, agency=agency, title="First ALPR request")
    first.tracking_numbers.create(number="R012345", agency=agency)
    client = login(editor)
    response = client.post(reverse("request_create"), form_data(agency, title="Second"))
    errors = response.context["form"].errors["tracking_text"][0]
    assert "R012345 is already on “First ALPR request”" in errors
    assert RecordsRequest.objects.count() == 1
    # Confirmed on purpose: saved as its own request, nothing merged.
    client.post(reverse("request_create"), form_data(agency, title="Second", confirm_duplicate_tracking="on"))
    assert RecordsRequest.objects.count() == 2
    assert first.tracking_numbers.count() == 1


def test_same_number_at_another_agency_is_not_a_clash(login, editor, team):
    other = factories.make_agency()
    factories.make_request(team, agency=other).tracking_numbers.create(number="R012345", agency=other)
    login(editor).post(reverse("request_create"), form_data(factories.make_agency()))
    assert RecordsRequest.objects.count() == 2


def test_editing_keeps_tracking_numbers_in_step(login, editor, team):
    r = factories.make_request(team)
    r.tracking_numbers.create(number="OLD-1", agency=r.agency)
    data = form_data(r.agency, tracking_text="NEW-2\nappeal: APP-3")
    response = login(editor).post(reverse("request_edit", args=[r.pk]), data)
    assert response.status_code == 302
    assert sorted(t.number for t in r.tracking_numbers.all()) == ["APP-3", "NEW-2"]


def test_request_list_filters_live_in_the_url(login, editor, team):
    lapd = factories.make_agency("Los Angeles Police Department")
    ice = factories.make_agency("U.S. Immigration and Customs Enforcement", level="federal", state="")
    mine = factories.make_request(team, agency=lapd, title="LAPD ALPR", assignee=editor)
    factories.make_request(team, agency=ice, code="FOIA", title="ICE ALPR")
    client = login(editor)
    url = reverse("request_list") + f"?statute={factories.statute('CPRA').pk}&assignee={editor.pk}&open=true"
    page = client.get(url).context["page"]
    assert [r.pk for r in page] == [mine.pk]
    by_text = client.get(reverse("request_list") + "?q=ice+alpr").context["page"]
    assert [r.title for r in by_text] == ["ICE ALPR"]


def test_request_list_sorts_and_paginates(login, editor, team):
    agency = factories.make_agency()
    for day in range(1, 56):
        factories.make_request(
            team, agency=agency, title=f"R{day:02d}", sent=dt.date(2026, 9, 1) + dt.timedelta(days=day)
        )
    client = login(editor)
    first = client.get(reverse("request_list") + "?ordering=sent").context["page"]
    assert first.paginator.count == 55 and len(first) == 50 and first[0].title == "R01"
    second = client.get(reverse("request_list") + "?ordering=-sent&page=2").context["page"]
    assert [r.title for r in second] == [f"R{d:02d}" for d in range(5, 0, -1)]


def test_bad_filter_values_give_an_empty_list_not_an_error(login, editor, team):
    factories.make_request(team)
    response = login(editor).get(reverse("request_list") + "?sent_after=notadate&agency=zzz")
    assert response.status_code == 200
    assert response.context["filter"].errors
