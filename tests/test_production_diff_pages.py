"""The production diff's pages and scope (issue 14): summary, lists, word diff, the campaign option, isolation."""

import pytest

from records.models import Campaign, Membership, PageComparison, ReleaseDiff
from records.review.diff import compute_release_diff
from tests import factories
from tests.test_production_diff import FIRST, SECOND, make_release, prose

Kind = PageComparison.Kind


@pytest.fixture
def releases(team):
    records_request = factories.make_request(team, code="FOIA", title="Stingray records")
    first = make_release(records_request, "release-1.pdf", list(FIRST.values()))
    second = make_release(records_request, "release-2.pdf", SECOND)
    compute_release_diff(first.pk)
    compute_release_diff(second.pk)
    return records_request, first, second


def test_document_and_request_pages_show_the_summary_with_links(releases, login, viewer):
    records_request, _, second = releases
    client = login(viewer)
    for url in (f"/documents/{second.pk}/", f"/requests/{records_request.pk}/"):
        body = client.get(url).content.decode()
        assert "7 pages" in body and "2 already released" in body
        assert "3 with different redactions" in body and "2 new" in body
        assert f"/documents/{second.pk}/diff/?kind=changed" in body


def test_each_number_lists_its_pages(releases, login, viewer):
    _, first, second = releases
    client = login(viewer)
    changed = client.get(f"/documents/{second.pk}/diff/?kind=changed").content.decode()
    assert changed.count("word diff</a>") == 3 and "John Smith" in changed and "Mary Jones" in changed
    new = client.get(f"/documents/{second.pk}/diff/?kind=new").content.decode()
    assert "p.6" in new and "p.7" in new and "p.3" not in new
    already = client.get(f"/documents/{second.pk}/diff/?kind=already").content.decode()
    assert "Exact duplicate" in already and "Near duplicate" in already and "release-1.pdf p.1" in already


def test_the_page_diff_marks_hidden_and_revealed_words(releases, login, viewer):
    _, _, second = releases
    client = login(viewer)
    body = client.get(f"/documents/{second.pk}/diff/3/").content.decode()
    assert "<del>John Smith</del>" in body and "<ins>[REDACTED]</ins>" in body
    body = client.get(f"/documents/{second.pk}/diff/4/").content.decode()
    assert "<del>(b)(6)</del>" in body and "<ins>Detective Mary Jones</ins>" in body
    assert client.get(f"/documents/{second.pk}/diff/6/").status_code == 200  # new: nothing to compare with
    assert client.get(f"/documents/{second.pk}/diff/99/").status_code == 404


def test_page_text_is_escaped_in_the_word_diff(team, login, viewer):
    records_request = factories.make_request(team)
    text = prose(40) + " <b>bold</b>"
    make_release(records_request, "a.pdf", [text + " Jane Roe"])
    second = make_release(records_request, "b.pdf", [text + " <script>alert(1)</script>"])
    compute_release_diff(second.pk)
    body = login(viewer).get(f"/documents/{second.pk}/diff/1/").content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;bold&lt;/b&gt;" in body


def test_computing_is_shown_and_a_first_view_queues_an_older_document(
    team, login, viewer, monkeypatch, django_capture_on_commit_callbacks
):
    from records import tasks

    queued = []
    monkeypatch.setattr(tasks.compare_release_task, "delay", lambda *args: queued.append(args))
    records_request = factories.make_request(team)
    older = make_release(records_request, "older.pdf", [prose(1)])
    client = login(viewer)
    assert "Not compared with earlier releases yet" in client.get(f"/documents/{older.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        body = client.get(f"/documents/{older.pk}/diff/").content.decode()
    assert "computing…" in body and queued == [(older.pk, "request")]
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/documents/{older.pk}/diff/")
    assert len(queued) == 1  # queued once


@pytest.fixture
def campaign_releases(team):
    campaign = Campaign.objects.create(team=team, title="Stingrays everywhere", request_text="All records.")
    agency_a, agency_b = factories.make_agency("Police A"), factories.make_agency("Police B")
    first = factories.make_request(team, agency=agency_a, campaign=campaign, title="To A")
    second = factories.make_request(team, agency=agency_b, campaign=campaign, title="To B")
    make_release(first, "a-release.pdf", [FIRST[1], FIRST[3]])
    later = make_release(second, "b-release.pdf", [FIRST[1], SECOND[2], prose(300)])
    return campaign, later


def test_the_campaign_option_compares_across_the_campaigns_requests(campaign_releases, login, viewer):
    _, later = campaign_releases
    alone = compute_release_diff(later.pk)
    assert (alone.pages, alone.already_released, alone.changed, alone.new) == (3, 0, 0, 3)
    across = compute_release_diff(later.pk, ReleaseDiff.Scope.CAMPAIGN)
    assert (across.already_released, across.changed, across.new, across.earlier_pages) == (1, 1, 1, 2)
    body = login(viewer).get(f"/documents/{later.pk}/diff/?campaign=1&kind=changed").content.decode()
    assert "a-release.pdf p.2" in body and 'name="campaign" value="1"' in body and "checked" in body


def test_never_compared_with_another_teams_pages(campaign_releases, team):
    campaign, later = campaign_releases
    other_team = factories.make_team("Other Newsroom")
    # Another team's request to the same agency, even (wrongly) pointing at our campaign, released first.
    theirs = factories.make_request(other_team, agency=later.request.agency, campaign=campaign)
    theirs_doc = make_release(theirs, "theirs.pdf", [prose(300), prose(301)])
    theirs_doc.uploaded_at = later.uploaded_at.replace(year=2000)
    theirs_doc.save()
    same_request = factories.make_request(other_team, agency=later.request.agency)
    make_release(same_request, "theirs-too.pdf", [prose(300)])
    for scope in ReleaseDiff.Scope.values:
        diff = compute_release_diff(later.pk, scope)
        assert diff.comparisons.filter(page__number=3).get().kind == Kind.NEW
        assert not diff.comparisons.filter(earlier__document__request__team=other_team).exists()


def test_strangers_get_404_on_summary_lists_and_page_diffs(releases, login, stranger, team):
    records_request, _, second = releases
    client = login(stranger)
    for url in (
        f"/documents/{second.pk}/diff/",
        f"/documents/{second.pk}/diff/?kind=changed&campaign=1",
        f"/documents/{second.pk}/diff/3/",
    ):
        assert client.get(url).status_code == 404, url
    member = factories.make_user()
    factories.add_member(member, team, Membership.VIEWER)
    assert login(member).get(f"/documents/{second.pk}/diff/3/").status_code == 200


def test_a_diff_whose_message_was_lost_is_sent_again_once(team):
    from datetime import timedelta

    from django.utils import timezone

    from records.review.diff import diff_for

    records_request = factories.make_request(team)
    document = make_release(records_request, "a.pdf", [prose(1)])
    assert diff_for(document, "request")[1] is True  # first view: queued
    assert diff_for(document, "request")[1] is False  # still computing: not again
    later = timezone.now() + timedelta(hours=1)
    assert diff_for(document, "request", now=later)[1] is True  # lost with its worker: sent again
    assert diff_for(document, "request", now=later)[1] is False
    compute_release_diff(document.pk)
    assert diff_for(document, "request", now=later + timedelta(hours=1))[1] is False  # done stays done
