"""Team admins manage members; editors and viewers cannot."""

import pytest
from django.urls import reverse

from records.models import Membership

from . import factories


def test_admin_changes_a_role(login, admin, viewer, team):
    member = Membership.objects.get(user=viewer, team=team)
    response = login(admin).post(reverse("member_role", args=[member.pk]), {"role": "editor"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Membership.EDITOR


def test_admin_removes_a_member_but_not_themselves(login, admin, viewer, team):
    client = login(admin)
    client.post(reverse("member_remove", args=[Membership.objects.get(user=viewer).pk]))
    assert not Membership.objects.filter(user=viewer).exists()
    client.post(reverse("member_remove", args=[Membership.objects.get(user=admin).pk]))
    assert Membership.objects.filter(user=admin).exists()


def test_stranger_cannot_touch_another_teams_members(login, stranger, viewer):
    member = Membership.objects.get(user=viewer)
    assert login(stranger).post(reverse("member_remove", args=[member.pk])).status_code == 404
    assert login(stranger).post(reverse("member_role", args=[member.pk]), {"role": "admin"}).status_code == 404
    member.refresh_from_db()
    assert member.role == Membership.VIEWER


@pytest.mark.parametrize("persona", ["editor", "viewer"])
def test_only_a_team_admin_manages_members(request, login, persona, admin, team):
    """The `editor` persona used to be an admin; a real editor may not invite, re-role or remove."""
    user = request.getfixturevalue(persona)
    other = factories.make_user("newcomer")
    client = login(user)
    target = Membership.objects.get(user=admin)
    for url, data in [
        (reverse("team"), {"who": other.username, "role": "editor"}),
        (reverse("member_role", args=[target.pk]), {"role": "viewer"}),
        (reverse("member_remove", args=[target.pk]), {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "Only a team admin can manage members." in response.content.decode()
    target.refresh_from_db()
    assert target.role == Membership.ADMIN
    assert not other.memberships.exists() and not other.invitations.exists()
    # And the page offers them no member controls.
    page = client.get(reverse("team")).content.decode()
    assert "Send invitation" not in page and "Change role" not in page


def test_an_admin_cannot_drop_their_own_admin_role(login, admin, team):
    mine = Membership.objects.get(user=admin)
    login(admin).post(reverse("member_role", args=[mine.pk]), {"role": "viewer"})
    mine.refresh_from_db()
    assert mine.role == Membership.ADMIN


def test_sign_in_page_works(client, editor):
    response = client.post(reverse("login"), {"username": "editor", "password": "pw-for-tests-123"})
    assert response.status_code == 302
    assert client.get(reverse("request_list")).status_code == 200


def test_removing_a_member_unassigns_them_with_a_note_on_the_request(login, admin, editor, team):
    """Before: removal left the requests assigned to the departed member."""
    from django.utils import timezone

    assigned = factories.make_request(team, title="Theirs", assignee=editor)
    other_team = factories.make_team("Zeta Desk")
    factories.add_member(editor, other_team, Membership.EDITOR)
    elsewhere = factories.make_request(other_team, title="Elsewhere", assignee=editor)
    client = login(admin)
    client.post(reverse("member_remove", args=[Membership.objects.get(user=editor, team=team).pk]))
    assigned.refresh_from_db(), elsewhere.refresh_from_db()
    assert assigned.assignee is None
    assert elsewhere.assignee == editor  # another team's assignment is theirs to keep
    page = client.get(assigned.get_absolute_url()).content.decode()
    assert f"Unassigned: editor left the team on {timezone.localdate():%Y-%m-%d}" in page
    assert assigned.history.first().history_change_reason == "editor left the team"


def test_a_member_can_leave_and_is_unassigned(login, admin, editor, team):
    assigned = factories.make_request(team, title="Theirs", assignee=editor)
    login(editor).post(reverse("team_leave"))
    assert not Membership.objects.filter(user=editor, team=team).exists()
    assigned.refresh_from_db()
    assert assigned.assignee is None and assigned.unassignments.get().username == "editor"


def test_the_only_admin_cannot_leave(login, admin, team):
    login(admin).post(reverse("team_leave"))
    assert Membership.objects.filter(user=admin, team=team).exists()
