"""Input that used to crash a page (issue 10): each is now a form error or a safe redirect, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from records.models import Membership

from . import factories
from .test_search_page import add_pages

TOO_BIG = "99999999999999999999999"  # past a 64-bit integer: SQLite raised OverflowError


@pytest.fixture
def member(team):
    user = factories.make_user("member")
    factories.add_member(user, team, Membership.EDITOR)
    return user


@pytest.fixture
def browser(member):
    client = Client(raise_request_exception=False)  # a 500 shows as a status code, as a browser sees it
    client.force_login(member)
    return client


@pytest.fixture
def release(team):
    r = factories.make_request(team, title="LAPD ALPR contracts")
    add_pages(r, "contracts.pdf", ["Vigilant Solutions license plate reader agreement"])
    return r


def test_a_request_number_too_large_for_the_database_is_a_form_error(browser, release):
    response = browser.get(reverse("search"), {"q": "vigilant", "request": TOO_BIG})
    assert response.status_code == 200
    assert response.context["results"] is None
    body = response.content.decode()
    assert "That number is too large" in body
    assert "Some filters could not be read" in body


@pytest.mark.parametrize("value", ["0", "-5", "1.5", "abc"])
def test_other_bad_request_numbers_are_form_errors_too(browser, release, value):
    response = browser.get(reverse("search"), {"q": "vigilant", "request": value})
    assert response.status_code == 200 and response.context["results"] is None
    assert response.context["filter"].form.errors["request"]


def test_a_valid_request_number_still_filters(browser, release):
    response = browser.get(reverse("search"), {"q": "vigilant", "request": release.pk})
    assert [hit.request_id for hit, _, _ in response.context["rows"]] == [release.pk]


def test_a_huge_search_page_number_is_not_a_crash(browser, release):
    response = browser.get(reverse("search"), {"q": "vigilant", "page": TOO_BIG})
    assert response.status_code == 200
    assert list(response.context["results"]) == []


@pytest.mark.parametrize(
    "url_name, params",
    [
        ("search", {"q": "vigilant", "agency": TOO_BIG}),
        ("search", {"q": "vigilant", "statute": TOO_BIG}),
        ("search", {"q": "vigilant", "released_after": "2026-13-45"}),
        ("request_list", {"agency": TOO_BIG}),
        ("request_list", {"assignee": TOO_BIG, "tag": TOO_BIG}),
        ("request_list", {"sent_after": "2026-13-45", "sent_before": "2026-02-30"}),
        ("request_list", {"within": TOO_BIG, "deadline": "due_within"}),
        ("request_list", {"page": TOO_BIG}),
        ("agency_list", {"page": TOO_BIG, "level": "nowhere"}),
    ],
)
def test_list_and_search_pages_answer_bad_filters_without_a_crash(browser, release, url_name, params):
    response = browser.get(reverse(url_name), params)
    assert response.status_code == 200


def test_the_csv_export_says_which_filter_is_wrong(browser, release):
    response = browser.get(reverse("request_export"), {"agency": TOO_BIG, "sent_after": "2026-13-45"})
    assert response.status_code == 400
    assert response.content.decode().startswith("The filters are not valid: agency:")


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/events/", {"request": TOO_BIG}),
        ("/api/documents/", {"communication": TOO_BIG}),
        ("/api/requests/", {"agency": TOO_BIG, "sent_after": "2026-13-45"}),
        ("/api/requests/", {"page": TOO_BIG}),
    ],
)
def test_the_api_answers_bad_filters_with_a_client_error(browser, release, path, params):
    response = browser.get(path, params)
    assert 400 <= response.status_code < 500


@pytest.fixture
def two_teams(member, team):
    other = factories.make_team("Investigations")
    factories.add_member(member, other, Membership.EDITOR)
    return team, other


@pytest.mark.parametrize(
    "next_url", ["evil.com", "//evil.com", "https://evil.com/", "nohash", "/\\evil.com", "javascript:alert(1)", ""]
)
def test_team_switch_never_leaves_the_site(browser, two_teams, next_url):
    _, other = two_teams
    response = browser.post(reverse("team_switch"), {"team": other.pk, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert browser.session["team_id"] == other.pk


def test_team_switch_returns_to_a_page_on_this_site(browser, two_teams):
    _, other = two_teams
    response = browser.post(reverse("team_switch"), {"team": other.pk, "next": "/requests/?status=filed"})
    assert response["Location"] == "/requests/?status=filed"


@pytest.mark.parametrize("team_value", ["abc", "", "99999999999999999999999"])
def test_team_switch_with_a_bad_team_is_a_404_not_a_500(browser, two_teams, team_value):
    response = browser.post(reverse("team_switch"), {"team": team_value, "next": "/"})
    assert response.status_code == 404
