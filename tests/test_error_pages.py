"""403, 404 and 500 are pages in the site's layout that say in words what happened (issue 10).

Run with DEBUG off, as production serves them (with DEBUG on Django shows its own debug pages).
"""

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from records.models import Membership

from . import factories


def broken_view(request):
    raise RuntimeError("a bug, not the user's input")


def working_view(request):
    return HttpResponse("fine")


# This module doubles as a URLconf: the whole site plus one view that fails.
urlpatterns = [
    path("test-error/boom/", broken_view),
    path("test-error/fine/", working_view),
    path("", include("config.urls")),
]


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False


def test_a_viewer_who_tries_to_edit_is_told_their_role_is_read_only(login, viewer, team):
    r = factories.make_request(team, title="SFPD ALPR")
    response = login(viewer).get(reverse("request_edit", args=[r.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your role in this team is read-only." in body
    assert 'class="topbar"' in body and "Sign out" in body  # the site's layout, signed in
    assert "You cannot do that here" in body


def test_a_viewer_who_tries_to_edit_the_directory_is_told_why(login, team):
    reader = factories.make_user("reader")
    factories.add_member(reader, team, Membership.VIEWER)
    agency = factories.make_agency()
    body = login(reader).get(reverse("agency_edit", args=[agency.pk])).content.decode()
    assert "Only editors can change the agency directory." in body


def test_a_missing_or_other_teams_page_is_a_styled_404(login, stranger, team):
    r = factories.make_request(team, title="Secret investigation")
    client = login(stranger)
    for url in (reverse("request_detail", args=[r.pk]), "/no/such/page/"):
        response = client.get(url)
        assert response.status_code == 404
        body = response.content.decode()
        assert "Nothing here" in body and 'class="topbar"' in body
        assert "Secret investigation" not in body and "RecordsRequest" not in body


def test_a_server_error_is_a_styled_500_in_words(settings, db):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    assert client.get("/test-error/fine/").status_code == 200
    response = client.get("/test-error/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body and 'class="topbar"' in body
    assert "a bug, not the user" not in body  # no internals shown


def test_a_form_without_its_security_token_is_explained(viewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    response = client.post(reverse("team_switch"), {"team": 1})
    assert response.status_code == 403
    body = response.content.decode()
    assert "This form could not be accepted" in body and "reload the page" in body


def test_a_request_for_another_host_is_a_styled_400(db):
    response = Client().get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "This request could not be read" in response.content.decode()
