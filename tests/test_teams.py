"""Team admins add members with a role."""

from django.urls import reverse

from records.models import Membership

from . import factories


def test_admin_adds_a_viewer_who_can_then_read(login, editor, team):
    newcomer = factories.make_user("newcomer")
    response = login(editor).post(reverse("team"), {"username": "newcomer", "role": "viewer"})
    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer, team=team).role == "viewer"


def test_unknown_username_is_a_form_error(login, editor):
    response = login(editor).post(reverse("team"), {"username": "nobody", "role": "editor"})
    assert "No account is called “nobody”" in str(response.context["form"].errors)


def test_admin_removes_a_member_but_not_themselves(login, editor, viewer, team):
    client = login(editor)
    client.post(reverse("member_remove", args=[Membership.objects.get(user=viewer).pk]))
    assert not Membership.objects.filter(user=viewer).exists()
    client.post(reverse("member_remove", args=[Membership.objects.get(user=editor).pk]))
    assert Membership.objects.filter(user=editor).exists()


def test_stranger_cannot_touch_another_teams_members(login, stranger, viewer):
    member = Membership.objects.get(user=viewer)
    assert login(stranger).post(reverse("member_remove", args=[member.pk])).status_code == 404
    assert Membership.objects.filter(pk=member.pk).exists()


def test_sign_in_page_works(client, editor):
    response = client.post(reverse("login"), {"username": "editor", "password": "pw-for-tests-123"})
    assert response.status_code == 302
    assert client.get(reverse("request_list")).status_code == 200
