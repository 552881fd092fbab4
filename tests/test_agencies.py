"""The shared agency directory."""

import pytest
from django.urls import reverse

from records.models import Agency

from . import factories


def test_editor_adds_an_agency_and_lists_it_by_level_and_state(login, editor):
    client = login(editor)
    response = client.post(
        reverse("agency_create"),
        {"name": "Oakland Police Department", "abbreviation": "OPD", "level": "city", "state": "ca"},
    )
    agency = Agency.objects.get()
    assert response.status_code == 302 and agency.state == "CA"
    factories.make_agency("U.S. Immigration and Customs Enforcement", level="federal", state="")
    listed = client.get(reverse("agency_list") + "?level=city&state=CA").context["page"]
    assert [a.name for a in listed] == ["Oakland Police Department"]
    by_name = client.get(reverse("agency_list") + "?name=immigration").context["page"]
    assert [a.name for a in by_name] == ["U.S. Immigration and Customs Enforcement"]


@pytest.mark.parametrize("state, message", [("", "need a state"), ("California", "two-letter")])
def test_local_agency_needs_a_valid_state(login, editor, state, message):
    response = login(editor).post(reverse("agency_create"), {"name": "Fresno PD", "level": "city", "state": state})
    assert message in str(response.context["form"].errors["state"])
    assert not Agency.objects.exists()


def test_agency_page_lists_only_our_requests(login, editor, stranger, team):
    agency = factories.make_agency("San Diego Police Department")
    factories.make_request(team, agency=agency, title="Our SDPD request")
    other_team = stranger.memberships.get().team
    factories.make_request(other_team, agency=agency, title="Their SDPD request")
    ours = login(editor).get(reverse("agency_detail", args=[agency.pk])).content.decode()
    assert "Our SDPD request" in ours and "Their SDPD request" not in ours


def test_editor_corrects_an_agency(login, editor):
    agency = factories.make_agency("Long Beach PD")
    login(editor).post(
        reverse("agency_edit", args=[agency.pk]),
        {"name": "Long Beach Police Department", "level": "city", "state": "CA", "email": "records@lbpd.example"},
    )
    agency.refresh_from_db()
    assert agency.name == "Long Beach Police Department" and agency.email == "records@lbpd.example"
