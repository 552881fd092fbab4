"""issue 15: request and letter hits ranked over every match: the best first wherever it was
added, every hit reachable past 2,000, counts exact, another team's never shown."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from records.models import Communication, RecordsRequest
from records.search import search_requests

from . import factories

LETTERS = 2_050  # past the 2,000 matches the search once ranked
FILLER = " ".join(["routine correspondence about the schedule"] * 12)


def _letters(request, count: int, text: str) -> list[int]:
    Communication.objects.bulk_create(
        Communication(
            request=request,
            direction=Communication.INCOMING,
            date=dt.date(2026, 11, 3),
            subject=f"Letter {n}",
            body=f"{FILLER} {text} {FILLER}",
        )  # fmt: skip
        for n in range(count)
    )
    return list(Communication.objects.filter(request=request).order_by("pk").values_list("pk", flat=True))


@pytest.fixture
def desk(team):
    """A request whose title matches, LETTERS letters that mention Vigilant once in long text, and
    the best match of all (a short letter about Vigilant) added last."""
    request = factories.make_request(team, title="Vigilant plate reader contract")
    weak = _letters(request, LETTERS, "Vigilant")
    best = Communication.objects.create(
        request=request, direction=Communication.INCOMING, date=dt.date(2026, 11, 4),
        subject="Vigilant", body="Vigilant Vigilant Vigilant contract.",
    )  # fmt: skip
    return {"request": request, "weak": weak, "best": best}


def _all_hits(requests, query="vigilant", limit=100):
    hits, offset = [], 0
    while True:
        results = search_requests(query, requests=requests, limit=limit, offset=offset)
        hits += results.hits
        if not results.has_next:
            return hits, results
        offset += limit


def test_the_best_letter_added_last_comes_first(desk, team):
    results = search_requests("vigilant", requests=RecordsRequest.objects.for_team(team), limit=10)
    assert results.hits[0].communication_id == desk["best"].pk
    assert results.matched == LETTERS + 2 and results.matched_exact  # every letter, the best one and the request


def test_every_hit_is_reachable_once_in_rank_order_past_2000(desk, team):
    hits, last = _all_hits(RecordsRequest.objects.for_team(team))
    keys = [(hit.kind, hit.communication_id or hit.request_id) for hit in hits]
    assert len(keys) == len(set(keys)) == LETTERS + 2 == last.matched
    assert {hit.communication_id for hit in hits if hit.kind == "communication"} == {*desk["weak"], desk["best"].pk}
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    # Ties (the weak letters score alike) come in id order: the same screen every time.
    weak = [hit.communication_id for hit in hits if hit.communication_id in set(desk["weak"])]
    same = [pairs for pairs in zip(hits, hits[1:], strict=False) if pairs[0].score == pairs[1].score]
    assert same and all(a.kind != b.kind or (a.communication_id or 0) < (b.communication_id or 0) for a, b in same)
    assert len(weak) == LETTERS


def test_the_2001st_hit_has_a_snippet_and_a_count(desk, team):
    results = search_requests("vigilant", requests=RecordsRequest.objects.for_team(team), limit=10, offset=2000)
    assert len(results.hits) == 10 and results.has_next and results.matched == LETTERS + 2
    assert all("<mark>Vigilant</mark>" in hit.snippet for hit in results.hits)


def test_past_the_last_hit_the_count_stays_exact(desk, team):
    results = search_requests("vigilant", requests=RecordsRequest.objects.for_team(team), limit=10, offset=5000)
    assert results.hits == [] and not results.has_next and results.matched == LETTERS + 2


def test_a_strangers_small_team_never_appears_and_sees_only_its_own(desk, team, stranger):
    theirs = stranger.memberships.get().team
    their_request = factories.make_request(theirs, title="Unrelated")
    secret = _letters(their_request, 1, "Vigilant Vigilant Vigilant")[0]  # a better match than most of ours
    hits, last = _all_hits(RecordsRequest.objects.for_team(team))
    assert secret not in {hit.communication_id for hit in hits} and last.matched == LETTERS + 2
    assert their_request.pk not in {hit.request_id for hit in hits}
    mine = search_requests("vigilant", requests=RecordsRequest.objects.visible_to(stranger), limit=100)
    assert [hit.communication_id for hit in mine.hits] == [secret] and mine.matched == 1


def test_the_search_page_pages_the_request_section_past_2000(desk, login, viewer, stranger):
    client = login(viewer)
    first = client.get(reverse("search") + "?q=vigilant")
    assert first.context["request_hits"].hits[0].communication_id == desk["best"].pk
    assert "2052 matches" in first.content.decode() and "rpage=2" in first.content.decode()
    deep = client.get(reverse("search") + "?q=vigilant&page=1&rpage=202")
    assert len(deep.context["request_hits"].hits) == 10 and deep.context["request_hits"].offset == 2010
    assert "rpage=201" in deep.content.decode() and "rpage=203" in deep.content.decode()
    assert login(stranger).get(reverse("search") + "?q=vigilant&rpage=202").context["request_hits"].hits == []


def test_the_api_pages_request_and_communication_hits_past_2000(desk, viewer, stranger):
    client = APIClient()
    client.force_authenticate(viewer)
    first = client.get(reverse("api-search") + "?q=vigilant").json()
    assert first["requests_matched"] == LETTERS + 2
    deep = client.get(reverse("api-search") + "?q=vigilant&kind=request&offset=2000&limit=50").json()
    assert deep["matched"] == LETTERS + 2 and deep["has_next"] and len(deep["results"]) == 50
    assert {hit["kind"] for hit in deep["results"]} == {"communication"}
    assert all(hit["communication_id"] in set(desk["weak"]) for hit in deep["results"])
    client.force_authenticate(stranger)
    assert client.get(reverse("api-search") + "?q=vigilant&kind=request&offset=2000").json()["results"] == []
    assert client.get(reverse("api-search") + "?q=vigilant&kind=request").json()["matched"] == 0


def test_the_api_kind_page_leaves_requests_out(desk, viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    body = client.get(reverse("api-search") + "?q=vigilant&kind=page").json()
    assert body["results"] == [] and body["requests_matched"] is None
