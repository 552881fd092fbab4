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
