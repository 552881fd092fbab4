"""Joining a team takes the person's consent; a request is never filed into a team by surprise."""

import re

from django.core import mail
from django.urls import reverse

from records.invitations import SENT_MESSAGE
from records.models import Invitation, Membership, RecordsRequest

from . import factories


def invite(client, who, role="editor"):
    return client.post(reverse("team"), {"who": who, "role": role}, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_inviting_an_existing_user_adds_nobody_until_they_accept(login, admin, team):
    """Before: the admin's form made a membership at once, without the person's consent."""
    newcomer = factories.make_user("newcomer")
    response = invite(login(admin), "newcomer")
    assert SENT_MESSAGE in messages_of(response)
    assert not Membership.objects.filter(user=newcomer, team=team).exists()
    assert Invitation.objects.get(user=newcomer, team=team).is_pending()


def test_the_answer_is_the_same_whether_or_not_the_account_exists(login, admin, team):
    factories.make_user("newcomer")
    client = login(admin)
    known = invite(client, "newcomer")
    unknown = invite(client, "nobody-by-this-name")
    assert messages_of(known) == messages_of(unknown) == [SENT_MESSAGE]
    assert known.status_code == unknown.status_code == 200
    assert "nobody-by-this-name" not in unknown.content.decode()
    assert Invitation.objects.count() == 1


def test_invitation_by_email_sends_a_link_that_accepts(client, login, admin, team):
    newcomer = factories.make_user("newcomer")
    newcomer.email = "newcomer@example.org"
    newcomer.save()
    invite(login(admin), "Newcomer@Example.org", role="viewer")
    [message] = mail.outbox
    assert message.to == ["newcomer@example.org"] and team.name in message.body
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    client.logout()
    client.force_login(newcomer)
    page = client.get(link)
    assert page.status_code == 200 and "Accept" in page.content.decode()
    client.post(link, {"answer": "accept"})
    assert Membership.objects.get(user=newcomer, team=team).role == Membership.VIEWER


def test_invitee_sees_a_banner_and_declines(client, login, admin, team):
    newcomer = factories.make_user("newcomer")
    invite(login(admin), "newcomer")
    client.force_login(newcomer)
    assert "You have 1 team invitation" in client.get(reverse("home")).content.decode()
    invitation = Invitation.objects.get(user=newcomer)
    client.post(reverse("invitation", args=[invitation.token]), {"answer": "decline"})
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert not Membership.objects.filter(user=newcomer, team=team).exists()
    assert "team invitation" not in client.get(reverse("home")).content.decode()


def test_someone_elses_invitation_is_not_found(login, admin, stranger, team):
    factories.make_user("newcomer")
    invite(login(admin), "newcomer")
    invitation = Invitation.objects.get()
    client = login(stranger)
    assert client.get(reverse("invitation", args=[invitation.token])).status_code == 404
    assert client.post(reverse("invitation", args=[invitation.token]), {"answer": "accept"}).status_code == 404
    assert not Membership.objects.filter(user=stranger, team=team).exists()


def test_accepting_keeps_the_team_the_user_works_in(client, login, admin, team):
    """ "Records Desk" sorts before "Zeta Desk": without care, accepting would switch the default team."""
    newcomer = factories.make_user("newcomer")
    own = factories.make_team("Zeta Desk")
    factories.add_member(newcomer, own, Membership.EDITOR)
    invite(login(admin), "newcomer")
    client.force_login(newcomer)
    invitation = Invitation.objects.get(user=newcomer)
    client.post(reverse("invitation", args=[invitation.token]), {"answer": "accept"})
    assert Membership.objects.filter(user=newcomer, team=team).exists()
    form = client.get(reverse("request_create")).content.decode()
    assert "Filed into team: Zeta Desk" in form
    # The switcher offers the new team.
    assert "Records Desk" in client.get(reverse("team")).content.decode()


def test_request_form_says_which_team_and_lets_a_multi_team_editor_choose(login, editor, team):
    other = factories.make_team("Zeta Desk")
    factories.add_member(editor, other, Membership.EDITOR)
    client = login(editor)
    form = client.get(reverse("request_create")).content.decode()
    assert "Filed into team: Records Desk" in form and 'name="team"' in form
    chosen = client.get(reverse("request_create"), {"team": other.pk}).content.decode()
    assert "Filed into team: Zeta Desk" in chosen
    agency = factories.make_agency()
    data = {"team": other.pk, "title": "Into Zeta", "agency": agency.pk, "statute": factories.statute().pk}
    response = client.post(reverse("request_create"), data)
    assert response.status_code == 302
    assert RecordsRequest.objects.get(title="Into Zeta").team == other


def test_request_form_refuses_a_team_the_user_is_not_in(login, editor, stranger):
    foreign = stranger.memberships.get().team
    agency = factories.make_agency()
    data = {"team": foreign.pk, "title": "Sneaky", "agency": agency.pk, "statute": factories.statute().pk}
    assert login(editor).post(reverse("request_create"), data).status_code == 404
    assert login(editor).post(reverse("request_create"), {**data, "team": "not-a-number"}).status_code == 404
    assert not RecordsRequest.objects.filter(title="Sneaky").exists()


def test_staff_can_still_add_a_membership_in_the_django_admin(client, team):
    """The "admin of a shared organisation" path: staff add members directly."""
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_superuser("boss", password="pw-for-tests-123")
    newcomer = factories.make_user("newcomer")
    client.force_login(staff)
    response = client.post(
        reverse("admin:records_membership_add"), {"user": newcomer.pk, "team": team.pk, "role": "viewer"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, team=team, role="viewer").exists()


def test_an_address_without_an_account_is_invited_when_someone_signs_in_with_it(client, login, admin, team):
    response = invite(login(admin), "later@example.org", role="viewer")
    assert messages_of(response) == [SENT_MESSAGE] and mail.outbox == []
    person = factories.make_user("later")
    person.email = "Later@example.org"
    person.save()
    client.force_login(person)
    assert "You have 1 team invitation" in client.get(reverse("home")).content.decode()
    invitation = Invitation.objects.get(email="later@example.org")
    client.post(reverse("invitation", args=[invitation.token]), {"answer": "accept"})
    assert Membership.objects.get(user=person, team=team).role == Membership.VIEWER


def test_an_expired_invitation_cannot_be_accepted(client, login, admin, team):
    import datetime as dt

    newcomer = factories.make_user("newcomer")
    invite(login(admin), "newcomer")
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at - dt.timedelta(days=1))
    client.force_login(newcomer)
    client.post(reverse("invitation", args=[invitation.token]), {"answer": "accept"})
    assert not Membership.objects.filter(user=newcomer, team=team).exists()
