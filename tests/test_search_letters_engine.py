"""issue 15: requests and letters ranked by the engine's second index, kept in step by database
triggers whatever writes the rows, answering exactly what the database's own ranking answers
(the same hits, the same count), inside the caller's scope, on both databases."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from records.models import Communication, RecordsRequest, SearchOutbox
from records.search import api, engine, letter_triggers, letters, outbox, search_requests

from . import factories


@pytest.fixture(autouse=True)
def through_the_outbox(settings):
    """The letters' index learns of rows only as production does: from the triggers' outbox."""
    settings.SEARCH_ENGINE_REBUILD_BEFORE_SEARCH = False


def _letter(request, subject, body, **extra):
    return Communication.objects.create(
        request=request,
        direction=Communication.INCOMING,
        date=dt.date(2026, 11, 3),
        subject=subject,
        body=body,
        **extra,
    )


def _keys(results):
    return [(hit.kind, hit.communication_id or hit.request_id) for hit in results.hits]


def _engine_only(monkeypatch):
    """Fail the test if the database's ranking is asked (the engine must answer)."""

    def database_ranking(*args, **kwargs):
        raise AssertionError("search_requests ranked in the database, not in the engine")

    monkeypatch.setattr(api, "_ranked", database_ranking)


def _queued():
    return sorted(SearchOutbox.objects.values_list("target", "target_id"))


def test_every_way_of_writing_a_row_queues_it_in_the_same_transaction(team):
    request = factories.make_request(team, title="Vigilant contract")
    letter = _letter(request, "Re: contract", "Attached.")
    assert _queued() == sorted([("req_text", request.pk), ("letter", letter.pk)])
    SearchOutbox.objects.all().delete()
    Communication.objects.bulk_create(
        [Communication(request=request, direction="in", date=dt.date(2026, 11, 4), subject="bulk", body="x")]
    )
    bulk = Communication.objects.get(subject="bulk")
    Communication.objects.filter(pk=letter.pk).update(body="Attached: the Vigilant invoice.")
    RecordsRequest.objects.filter(pk=request.pk).update(status="closed")  # not its text: nothing to re-index
    assert _queued() == sorted([("letter", bulk.pk), ("letter", letter.pk)])
    SearchOutbox.objects.all().delete()
    with connection.cursor() as cursor:  # even a raw statement
        cursor.execute("DELETE FROM records_communication WHERE id = %s", [bulk.pk])
    assert _queued() == [("letter", bulk.pk)]


def test_a_transaction_that_writes_many_letters_sends_one_drain(team, django_capture_on_commit_callbacks):
    from records.models.search_engine import _send_drain

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        try:
            with transaction.atomic():  # its drain goes with its rollback: the writes after must add one
                _letter(factories.make_request(team, title="Rolled back"), "Rolled back", "Flock")
                raise RuntimeError
        except RuntimeError:
            pass
        request = factories.make_request(team, title="Campaign")
        for n in range(5):
            _letter(request, f"Letter {n}", "Flock")
    assert [callback for callback in callbacks if callback is _send_drain] == [_send_drain]
    assert sorted(pk for target, pk in _queued() if target == "letter") == sorted(
        request.communications.values_list("pk", flat=True)
    )  # every letter written is queued, the rolled-back one is not


def test_a_drain_brings_new_changed_and_deleted_letters_into_search(team, monkeypatch):
    _engine_only(monkeypatch)
    mine = RecordsRequest.objects.for_team(team)
    request = factories.make_request(team, title="Plate readers")
    letter = _letter(request, "Your request", "We found the Flock camera contract.")
    outbox.drain()
    assert _keys(search_requests("flock", requests=mine)) == [("communication", letter.pk)]
    Communication.objects.filter(pk=letter.pk).update(body="We found the Vigilant contract.")
    outbox.drain()
    assert search_requests("flock", requests=mine).matched == 0
    assert _keys(search_requests("vigilant", requests=mine)) == [("communication", letter.pk)]
    request.title = "Vigilant plate readers"
    request.save()
    outbox.drain()
    assert _keys(search_requests("vigilant", requests=mine)) == [("request", request.pk), ("communication", letter.pk)]
    request.delete()  # its letters go by cascade
    outbox.drain()
    assert search_requests("vigilant", requests=mine).matched == 0
    assert letters.rebuild() == {"request": 0, "communication": 0} and not SearchOutbox.objects.exists()


def test_a_letter_waiting_for_the_worker_is_found_at_once_by_the_database(team, monkeypatch):
    mine = RecordsRequest.objects.for_team(team)
    request = factories.make_request(team, title="Plate readers")
    outbox.drain()
    letter = _letter(request, "Just logged", "The Flock contract.")  # queued, not yet in the engine
    assert _keys(search_requests("flock", requests=mine)) == [("communication", letter.pk)]
    Communication.objects.filter(pk=letter.pk).update(body="The Vigilant contract.")  # its old text is gone at once
    assert search_requests("flock", requests=mine).matched == 0
    outbox.drain()
    _engine_only(monkeypatch)  # the outbox is empty again: the engine answers
    assert _keys(search_requests("vigilant", requests=mine)) == [("communication", letter.pk)]


def test_another_teams_backlog_leaves_this_teams_letters_in_the_engine(team, stranger, monkeypatch):
    """A mail import queues thousands of one team's letters: only that team's search waits for
    the worker (in the database); every other team's stays in the engine."""
    theirs = stranger.memberships.get().team
    mine, their_requests = RecordsRequest.objects.for_team(team), RecordsRequest.objects.for_team(theirs)
    letter = _letter(factories.make_request(team, title="Plate readers"), "Your request", "The Flock contract.")
    their_request = factories.make_request(theirs, title="Mail import")
    outbox.drain()
    imported = [_letter(their_request, f"Imported {n}", "Flock invoice") for n in range(30)]  # not drained
    assert not letters.waiting(mine) and letters.waiting(their_requests)
    with monkeypatch.context() as engine_only:
        _engine_only(engine_only)
        assert _keys(search_requests("flock", requests=mine)) == [("communication", letter.pk)]
    assert search_requests("flock", requests=their_requests, limit=50).matched == 30  # their new letters, at once
    outbox.drain()
    imported[0].delete()  # gone at once from their search; mine does not wait for it
    assert not letters.waiting(mine) and letters.waiting(their_requests)
    assert search_requests("flock", requests=their_requests, limit=50).matched == 29
    with monkeypatch.context() as engine_only:
        _engine_only(engine_only)
        assert _keys(search_requests("flock", requests=mine)) == [("communication", letter.pk)]


def test_a_letter_moved_to_another_request_is_waited_for_by_both(team):
    """Both requests' searches change with the move: the one it left and the one it joined."""
    left, joined, other = (factories.make_request(team, title=title) for title in ("Left", "Joined", "Other"))
    letter = _letter(left, "Invoice", "Flock invoice")
    outbox.drain()
    Communication.objects.filter(pk=letter.pk).update(request=joined)
    scopes = {request.title: RecordsRequest.objects.filter(pk=request.pk) for request in (left, joined, other)}
    assert {title: letters.waiting(scope) for title, scope in scopes.items()} == {
        "Left": True, "Joined": True, "Other": False
    }  # fmt: skip
    assert search_requests("flock", requests=scopes["Left"]).matched == 0
    assert _keys(search_requests("flock", requests=scopes["Joined"])) == [("communication", letter.pk)]
    outbox.drain()
    assert not any(letters.waiting(scope) for scope in scopes.values())
    assert search_requests("flock", requests=scopes["Left"]).matched == 0
    assert _keys(search_requests("flock", requests=scopes["Joined"])) == [("communication", letter.pk)]


def test_a_drain_killed_midway_loses_no_letter(team, monkeypatch):
    request = factories.make_request(team, title="Plate readers")
    _letter(request, "One", "Flock cameras")
    real_add = letters.add_communications

    def add_then_die(writer, rows):
        real_add(writer, rows)
        raise KeyboardInterrupt  # the worker killed before the engine committed

    monkeypatch.setattr(letters, "add_communications", add_then_die)
    with pytest.raises(KeyboardInterrupt):
        outbox.drain()
    assert len(_queued()) == 2  # still queued: the next drain redoes them
    monkeypatch.setattr(letters, "add_communications", real_add)
    outbox.drain()
    assert search_requests("flock", requests=RecordsRequest.objects.for_team(team)).matched == 1


QUERIES = [
    "vigilant", "contract", "vigilant contract", '"plate reader"', "plat*", "vigilant OR flock",
    "contract -flock", "vigilant NEAR/3 contract", '"of the"', "zzznothing",
]  # fmt: skip


@pytest.fixture
def desk(team, stranger):
    """Requests and letters of two teams, with text that ties, repeats and differs in length."""
    theirs = stranger.memberships.get().team
    words = ["Vigilant", "contract", "Flock", "plate reader", "of the city", "records"]
    for owner in (team, theirs):
        for n in range(6):
            request = factories.make_request(
                owner, title=f"{words[n]} request {n}", body=f"Under the act, {words[n - 1]}."
            )
            for m in range(8):
                chosen = " ".join(words[(n + m + k) % len(words)] for k in range(m % 4 + 1))
                _letter(request, f"Letter {m}: {words[m % len(words)]}", f"Re {chosen}. " * (1 + m % 3))
    outbox.drain()
    return {"theirs": theirs}


@pytest.mark.parametrize("query", QUERIES)
def test_the_engine_answers_what_the_database_answers(desk, team, settings, query):
    """The same matches and the same count as the database's ranking, every screen, inside the
    same scope (the order may differ: the two score differently)."""
    mine = RecordsRequest.objects.for_team(team)
    engine_screens = [search_requests(query, requests=mine, limit=7, offset=offset) for offset in range(0, 70, 7)]
    settings.SEARCH_ENGINE = False
    database = search_requests(query, requests=mine, limit=100)
    engine_hits = [key for screen in engine_screens for key in _keys(screen)]
    assert len(engine_hits) == len(set(engine_hits))  # no hit twice across screens
    assert {screen.matched for screen in engine_screens} == {len(engine_hits)}
    assert sorted(engine_hits) == sorted(_keys(database)) and len(engine_hits) == database.matched
    theirs = set(RecordsRequest.objects.for_team(desk["theirs"]).values_list("pk", flat=True))
    assert not {hit.request_id for screen in engine_screens for hit in screen.hits} & theirs


@pytest.mark.parametrize("engine_on", [True, False], ids=["engine", "database"])
def test_ties_go_by_id_a_request_first_and_scores_fall(desk, team, settings, engine_on):
    settings.SEARCH_ENGINE = engine_on
    hits = search_requests("records", requests=RecordsRequest.objects.for_team(team), limit=100).hits
    assert len(hits) > 10
    tied = 0
    for a, b in zip(hits, hits[1:], strict=False):
        assert a.score >= b.score
        if a.score == b.score:
            tied += 1
            order = [(hit.communication_id or hit.request_id, hit.kind != "request") for hit in (a, b)]
            assert order[0] < order[1]
    assert tied


def test_a_word_of_the_title_counts_above_the_same_word_in_the_text(team, monkeypatch):
    _engine_only(monkeypatch)
    request = factories.make_request(team, title="Budget", body="Minutes.")
    in_body = _letter(request, "Minutes", "Budget.")
    in_subject = _letter(request, "Budget", "Minutes.")
    outbox.drain()
    hits = search_requests("budget", requests=RecordsRequest.objects.for_team(team)).hits
    assert [(hit.kind, hit.communication_id) for hit in hits][-1] == ("communication", in_body.pk)
    assert {hit.communication_id for hit in hits[:2]} == {None, in_subject.pk}


@pytest.mark.parametrize("engine_on", [True, False], ids=["engine", "database"])
def test_a_phrase_or_near_never_joins_a_subject_to_its_body(team, monkeypatch, settings, engine_on):
    """Nor a request's title to its text: not in the engine, not in FTS5's columns, not in
    PostgreSQL's vector (a gap between the columns, migration 0040)."""
    if engine_on:
        _engine_only(monkeypatch)
    settings.SEARCH_ENGINE = engine_on
    request = factories.make_request(team, title="Fee waiver")
    spans = _letter(request, "Body camera", "Footage policy attached.")
    inside = _letter(request, "Policy", "The body camera footage policy.")
    outbox.drain()
    mine = RecordsRequest.objects.for_team(team)
    assert [hit.communication_id for hit in search_requests('"camera footage"', requests=mine)] == [inside.pk]
    near = search_requests("camera NEAR/2 policy", requests=mine)
    assert [hit.communication_id for hit in near] == [inside.pk] and spans.pk not in {h.communication_id for h in near}
    titled = factories.make_request(team, title="Stop data", body="Summary attached.")
    outbox.drain()
    assert [hit.request_id for hit in search_requests("data NEAR/1 summary", requests=mine)] == []
    assert [hit.request_id for hit in search_requests("data NEAR/1 attached", requests=mine)] == []
    assert [hit.request_id for hit in search_requests("summary NEAR/1 attached", requests=mine)] == [titled.pk]


def test_snippets_mark_the_words_found(desk, team, monkeypatch):
    _engine_only(monkeypatch)
    hits = search_requests('"plate reader"', requests=RecordsRequest.objects.for_team(team), limit=100).hits
    assert hits and all("<mark>plate reader</mark>" in hit.snippet.lower() for hit in hits)


def test_a_snippet_comes_from_the_text_and_from_the_title_only_when_the_words_are_only_there(team, monkeypatch):
    _engine_only(monkeypatch)
    request = factories.make_request(team, title="Plate readers", body="Please send the contracts.")
    in_body = _letter(request, "Flock Safety records", "The Flock camera contract is attached.")
    in_subject = _letter(request, "Flock Safety invoice", "Attached, as asked.")
    outbox.drain()
    hits = {
        hit.communication_id: hit.snippet
        for hit in search_requests("flock", requests=RecordsRequest.objects.for_team(team))
    }
    assert hits[in_body.pk] == "The <mark>Flock</mark> camera contract is attached."
    assert hits[in_subject.pk] == "<mark>Flock</mark> Safety invoice"


def test_a_stranger_sees_only_their_own_letters(desk, team, stranger, monkeypatch):
    _engine_only(monkeypatch)
    seen = search_requests("vigilant", requests=RecordsRequest.objects.visible_to(stranger), limit=100)
    theirs = set(RecordsRequest.objects.for_team(desk["theirs"]).values_list("pk", flat=True))
    assert seen.hits and {hit.request_id for hit in seen.hits} <= theirs
    nobody = search_requests("vigilant", requests=RecordsRequest.objects.none())
    assert nobody.hits == [] and nobody.matched == 0


def test_an_index_not_built_yet_or_unreadable_falls_back_to_the_database(desk, team, search_engine):
    mine = RecordsRequest.objects.for_team(team)
    answer = sorted(_keys(search_requests("vigilant", requests=mine, limit=100)))
    engine.forget_index()
    engine.clear_directory(engine.LETTERS)  # lost: the database answers the same
    assert sorted(_keys(search_requests("vigilant", requests=mine, limit=100))) == answer
    (engine.directory(engine.LETTERS) / "meta.json").write_text("{not json")  # damaged
    engine.forget_index()
    assert sorted(_keys(search_requests("vigilant", requests=mine, limit=100))) == answer
    call_command("rebuild_search_index", "--engine-only")
    engine.forget_index()
    rows = RecordsRequest.objects.count() + Communication.objects.count()  # both teams' rows
    assert engine.searcher(engine.LETTERS).num_docs == rows
    assert sorted(_keys(search_requests("vigilant", requests=mine, limit=100))) == answer


def test_a_migration_that_drops_the_triggers_gets_them_back(team):
    vendor = connection.vendor
    with connection.cursor() as cursor:
        letter_triggers.uninstall(cursor, vendor)
        factories.make_request(team, title="Unwatched")
        assert not SearchOutbox.objects.filter(target="req_text").exists()
        assert letter_triggers.repair(cursor, vendor)
        assert not letter_triggers.repair(cursor, vendor)  # all there now
    request = factories.make_request(team, title="Watched")
    assert SearchOutbox.objects.filter(target="req_text", target_id=request.pk).exists()
