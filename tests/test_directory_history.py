"""The shared agency directory keeps its history: who changed what, when, and a revert (issue 10)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from records.models import Agency, Membership

from . import factories


@pytest.fixture
def desk_editor(team):
    user = factories.make_user("desk_editor")
    factories.add_member(user, team, Membership.EDITOR)
    return user


@pytest.fixture
def agency(db):
    return factories.make_agency("Oakland Police Department", email="records@oaklandca.gov")


def edit_email(client, agency, email):
    data = {"name": agency.name, "level": agency.level, "state": agency.state, "email": email}
    response = client.post(reverse("agency_edit", args=[agency.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_an_editors_change_shows_who_when_and_old_to_new(client, desk_editor, agency):
    client.force_login(desk_editor)
    edit_email(client, agency, "wrong@example.com")
    version = Agency.history.filter(id=agency.pk).latest("history_id")
    assert version.history_user == desk_editor
    page = client.get(reverse("agency_history", args=[agency.pk]))
    body = page.content.decode()
    assert "desk_editor" in body
    assert "<del>records@oaklandca.gov</del> → <ins>wrong@example.com</ins>" in body
    assert f"{timezone.localtime(version.history_date):%Y-%m-%d %H:%M}" in body
    assert (
        reverse("agency_history", args=[agency.pk])
        in client.get(reverse("agency_detail", args=[agency.pk])).content.decode()
    )


def test_revert_asks_first_then_restores_and_is_itself_recorded(client, desk_editor, agency):
    client.force_login(desk_editor)
    original = Agency.history.filter(id=agency.pk).latest("history_id")
    edit_email(client, agency, "wrong@example.com")
    url = reverse("agency_revert", args=[agency.pk, original.history_id])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "<del>wrong@example.com</del> → <ins>records@oaklandca.gov</ins>" in confirm.content.decode()
    agency.refresh_from_db()
    assert agency.email == "wrong@example.com"  # a GET changes nothing
    assert client.post(url).status_code == 302
    agency.refresh_from_db()
    assert agency.email == "records@oaklandca.gov"
    latest = Agency.history.filter(id=agency.pk).latest("history_id")
    assert latest.history_user == desk_editor and latest.history_change_reason.startswith("Reverted to the version")
    body = client.get(reverse("agency_history", args=[agency.pk])).content.decode()
    assert "<del>wrong@example.com</del> → <ins>records@oaklandca.gov</ins>" in body
    assert "Reverted to the version of" in body


def test_a_viewer_reads_the_history_but_cannot_revert(client, desk_editor, viewer, agency):
    client.force_login(desk_editor)
    original = Agency.history.filter(id=agency.pk).latest("history_id")
    edit_email(client, agency, "wrong@example.com")
    client.force_login(viewer)
    body = client.get(reverse("agency_history", args=[agency.pk])).content.decode()
    assert "wrong@example.com" in body and "Revert to this version" not in body
    url = reverse("agency_revert", args=[agency.pk, original.history_id])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    agency.refresh_from_db()
    assert agency.email == "wrong@example.com"


def test_another_teams_member_sees_the_shared_history_by_username_only(client, desk_editor, stranger, agency, team):
    desk_editor.email = "desk.editor@newsroom.example"
    desk_editor.save()
    client.force_login(desk_editor)
    edit_email(client, agency, "foia@oaklandca.gov")
    client.force_login(stranger)
    body = client.get(reverse("agency_history", args=[agency.pk])).content.decode()
    assert "desk_editor" in body and "foia@oaklandca.gov" in body
    assert "desk.editor@newsroom.example" not in body and team.name not in body


def test_a_version_of_another_agency_or_none_is_404(client, desk_editor, agency):
    other = factories.make_agency("Berkeley Police Department")
    version = Agency.history.filter(id=other.pk).latest("history_id")
    client.force_login(desk_editor)
    assert client.get(reverse("agency_revert", args=[agency.pk, version.history_id])).status_code == 404
    assert client.post(reverse("agency_revert", args=[agency.pk, 10**9])).status_code == 404


def test_history_needs_a_signed_in_user(client, agency):
    response = client.get(reverse("agency_history", args=[agency.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
