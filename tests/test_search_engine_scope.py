"""issue 15: a user whose teams hold every match ranks without the team clause (it costs more than
the ranking at 100,000 pages); the hits and the count stay exactly those of the scoped query, and
another team's page never comes back, however well it scores."""

import pytest

from records.models import Page
from records.search import engine, engine_query, outbox, parse_query, search_pages
from records.search.scope import scope_for_user

from . import factories
from .test_search_page import add_pages


def _every_match_in_scope(query: str, user) -> tuple[list[int], int]:
    """The scoped query's whole ranking, the slow way: (page ids best first, ties by id), count."""
    searcher = engine.searcher()
    built = engine_query.build(parse_query(query), scope_for_user(user), searcher)
    found = searcher.search(built, limit=10_000, count=True)
    ids = searcher.fast_field_values("page_id", [address for _, address in found.hits])
    ranked = sorted(zip(ids, (score for score, _ in found.hits), strict=True), key=lambda hit: (-hit[1], hit[0]))
    return [pk for pk, _ in ranked], found.count


@pytest.fixture
def desks(team, editor, stranger):
    """The editor's team holds most pages; the stranger's team a few that score best for "vigilant"
    (short pages saying it twice); "flock" is only on the editor's pages."""
    ours = factories.make_request(team)
    texts = [f"Vigilant contract page {n} " + "records " * (n % 9) + ("flock" if n % 4 == 0 else "") for n in range(60)]
    add_pages(ours, "ours.pdf", texts)
    theirs = factories.make_request(stranger.memberships.get().team)
    add_pages(theirs, "theirs.pdf", ["Vigilant vigilant."] * 5)
    outbox.rebuild()
    return editor


def test_a_user_of_every_team_gets_the_scoped_ranking_and_count(desks, stranger):
    factories.add_member(desks, stranger.memberships.get().team)
    for query in ("vigilant", "records", "flock OR vigilant", "vigil*", "-records vigilant"):
        expected, count = _every_match_in_scope(query, desks)
        results = search_pages(query, pages=Page.objects.visible_to(desks), scope=scope_for_user(desks), limit=20)
        assert [hit.page_id for hit in results] == expected[:20], query
        assert results.matched == count and results.matched_exact, query
        # Ranked without the team clause: every page of the index is in the user's teams.
        assert not engine_query.ranking(parse_query(query), scope_for_user(desks), engine.searcher()).scoped


def test_matches_only_in_the_users_teams_rank_without_the_clause_and_alike(desks):
    expected, count = _every_match_in_scope("flock", desks)
    assert count == 15
    ranked = engine_query.ranking(parse_query("flock"), scope_for_user(desks), engine.searcher())
    assert (ranked.scoped, ranked.count) == (False, 15)  # the per-team counts: every match is the user's
    results = search_pages("flock", pages=Page.objects.visible_to(desks), scope=scope_for_user(desks), limit=20)
    assert [hit.page_id for hit in results] == expected and results.matched == 15


def test_another_teams_best_pages_never_come_back_and_are_not_counted(desks, stranger):
    theirs = set(Page.objects.visible_to(stranger).values_list("pk", flat=True))
    expected, count = _every_match_in_scope("vigilant", desks)
    assert count == 60
    results = search_pages("vigilant", pages=Page.objects.visible_to(desks), scope=scope_for_user(desks), limit=20)
    assert [hit.page_id for hit in results] == expected[:20] and results.matched == 60
    assert not theirs & {hit.page_id for hit in results}
    # The stranger's own search: their five pages, none of ours.
    mine = search_pages("vigilant", pages=Page.objects.visible_to(stranger), scope=scope_for_user(stranger))
    assert {hit.page_id for hit in mine} == theirs and mine.matched == 5


def test_a_new_teams_pages_bring_the_clause_back_at_once(desks, stranger):
    """The pages per team are counted once per commit: a team whose first release lands after a
    search of everyone's is in the very next search's counts, and kept out of this user's."""
    factories.add_member(desks, stranger.memberships.get().team)
    before = search_pages("vigilant", pages=Page.objects.visible_to(desks), scope=scope_for_user(desks))
    assert before.matched == 65
    assert len(engine.pages_per_team(*engine.searcher_and_generation())) == 2
    newcomers = factories.make_team("newcomers")
    best = add_pages(factories.make_request(newcomers), "best.pdf", ["Vigilant vigilant vigilant."] * 3)
    outbox.queue_document(best.pk)
    outbox.drain()
    reader, generation = engine.searcher_and_generation()
    assert engine.pages_per_team(reader, generation)[newcomers.pk] == 3  # not the counts kept from before
    ranked = engine_query.ranking(parse_query("vigilant"), scope_for_user(desks), reader, generation)
    assert (ranked.scoped, ranked.count) == (True, 65)
    after = search_pages("vigilant", pages=Page.objects.visible_to(desks), scope=scope_for_user(desks))
    assert after.matched == 65 and [hit.page_id for hit in after] == [hit.page_id for hit in before]
