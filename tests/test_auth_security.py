"""Sign-in security: throttled guessing, the API token page, password change, two-factor sign-in."""

import time

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


# --- Two-factor sign-in (TOTP), with real codes computed from the device key ---

# The start of the current 30-second window; each step below is a later window. Not a fixed date:
# a session saved while travelling there expires 14 days later by the real clock (Django's
# SESSION_COOKIE_AGE), and a fixed 2026-11-18 failed every run from 2026-12-02 on.
T0 = int(time.time()) // 30 * 30


def code_for(device, at):
    import time_machine
    from django_otp.oath import totp

    with time_machine.travel(at, tick=False):
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrol(client, user, at=T0):
    """Walk through the real enrolment page; returns the confirmed device and the backup codes."""
    import time_machine
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with time_machine.travel(at, tick=False):
        page = client.get(reverse("two_factor_setup")).content.decode()
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        assert "<svg" in page and device.config_url.split("secret=")[1].split("&")[0] in page
        response = client.post(reverse("two_factor_setup"), {"code": code_for(device, at)})
    device.refresh_from_db()
    assert device.confirmed
    return device, response.context["codes"]


def test_enrolment_refuses_a_wrong_code(login, member):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = login(member)
    client.get(reverse("two_factor_setup"))
    response = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=member, confirmed=True).exists()


def test_sign_in_asks_for_the_code_once_enrolled(client, login, member):
    import time_machine

    device, codes = enrol(login(member), member)
    assert len(codes) == 10
    client.logout()
    later = T0 + 120
    with time_machine.travel(later, tick=False):
        client.post(reverse("login"), {"username": "member", "password": PASSWORD})
        response = client.get(reverse("request_list"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))
        assert client.get(reverse("api_token")).status_code == 302  # no token without the second factor
        wrong = client.post(response["Location"], {"code": "123456"})
        assert "That code is not right" in wrong.content.decode()
    with time_machine.travel(later + 60, tick=False):  # django-otp slows retries after a wrong code
        ok = client.post(response["Location"], {"code": code_for(device, later + 60)})
        assert ok.status_code == 302 and ok["Location"] == reverse("request_list")
        assert client.get(reverse("request_list")).status_code == 200


def test_a_backup_code_signs_in_once(client, login, member):
    _, codes = enrol(login(member), member)
    client.logout()
    for attempt in range(2):
        client.post(reverse("login"), {"username": "member", "password": PASSWORD})
        client.post(reverse("two_factor_verify"), {"code": codes[0]})
        status = client.get(reverse("request_list")).status_code
        assert status == (200 if attempt == 0 else 302)
        client.logout()


def test_team_admin_requires_two_factor_and_members_are_sent_to_enrol(client, login, admin, member, stranger, team):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=member)
    # Only an admin may set it.
    assert login(member).post(reverse("team_two_factor"), {"require": "on"}).status_code == 403
    team.refresh_from_db()
    assert not team.require_two_factor
    login(admin).post(reverse("team_two_factor"), {"require": "on"})
    team.refresh_from_db()
    assert team.require_two_factor
    client = login(member)
    response = client.get(reverse("request_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_setup"))
    assert client.get(reverse("home")).status_code == 302
    # API tokens are a separate way in and keep working.
    client.logout()
    assert client.get(reverse("api-request-list"), HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    # Once enrolled, the team's pages open.
    client = login(member)
    enrol(client, member)
    assert client.get(reverse("request_list")).status_code == 200
    # Another team's members are not affected.
    assert login(stranger).get(reverse("request_list")).status_code == 200
