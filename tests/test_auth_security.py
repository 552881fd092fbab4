"""Sign-in security: throttled guessing, the API token page, password change, two-factor sign-in."""

import pytest
from django.urls import reverse

from . import factories

PASSWORD = "pw-for-tests-123"
LOCKED = "Too many failed sign-ins for this account from your address; try again in 15 minutes."


@pytest.fixture
def member(team):
    from records.models import Membership

    user = factories.make_user("member")
    factories.add_member(user, team, Membership.EDITOR)
    return user


def test_login_form_locks_out_after_five_failures_even_with_the_right_password(client, member):
    """Before: unlimited password guesses on the login form."""
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "member", "password": "wrong"})
        assert "_auth_user_id" not in client.session
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, member, editor):
    for _ in range(5):
        client.post(reverse("login"), {"username": "member", "password": "wrong"})
    # Another account from the same address still signs in...
    assert client.post(reverse("login"), {"username": "editor", "password": PASSWORD}).status_code == 302
    client.logout()
    # ...and so does this account from another address.
    other = client.post(reverse("login"), {"username": "member", "password": PASSWORD}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, member):
    for _ in range(4):
        client.post(reverse("login"), {"username": "member", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "member", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(4):
        client.post(reverse("login"), {"username": "member", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "member", "password": PASSWORD}).status_code == 302


def test_api_token_endpoint_locks_out_after_five_failures(client, member):
    """Before: unlimited password guesses on POST /api/token/."""
    url = reverse("api-token")
    for _ in range(5):
        assert client.post(url, {"username": "member", "password": "wrong"}).status_code == 400
    response = client.post(url, {"username": "member", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json() == {"detail": LOCKED}
    # The login form shares the count: the same pair is locked there too.
    assert client.post(reverse("login"), {"username": "member", "password": PASSWORD}).status_code == 429


def test_api_token_endpoint_still_issues_a_token(client, member):
    response = client.post(reverse("api-token"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_api_token_page_shows_the_token_once_then_only_its_last_four(login, member):
    from rest_framework.authtoken.models import Token

    client = login(member)
    assert "You have no API token." in client.get(reverse("api_token")).content.decode()
    issued = client.post(reverse("api_token"), {"action": "issue"}).content.decode()
    key = Token.objects.get(user=member).key
    assert key in issued
    later = client.get(reverse("api_token")).content.decode()
    assert key not in later and f"…{key[-4:]}" in later
    # The token works, then re-issuing replaces it and the old one is refused.
    api = reverse("api-request-list")
    assert client.get(api, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    client.post(reverse("api_token"), {"action": "issue"})
    client.logout()
    assert client.get(api, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    new_key = Token.objects.get(user=member).key
    assert new_key != key and client.get(api, HTTP_AUTHORIZATION=f"Token {new_key}").status_code == 200


def test_api_token_can_be_revoked(login, member):
    from rest_framework.authtoken.models import Token

    client = login(member)
    client.post(reverse("api_token"), {"action": "issue"})
    client.post(reverse("api_token"), {"action": "revoke"})
    assert not Token.objects.filter(user=member).exists()
    assert "You have no API token." in client.get(reverse("api_token")).content.decode()


def test_password_change_page(client, login, member):
    client = login(member)
    page = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in page  # linked from the user menu
    assert "Records tracker" in client.get(reverse("password_change")).content.decode()  # the site's layout
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "a-Better-pass-42", "new_password2": "a-Better-pass-42"},
    )
    assert wrong.status_code == 200 and "old password was entered incorrectly" in wrong.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-Better-pass-42", "new_password2": "a-Better-pass-42"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-Better-pass-42")
