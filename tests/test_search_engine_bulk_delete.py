"""issue 15: pages deleted by a bulk queryset delete (or a cascade) leave the ranking engine too."""

import pytest

from records.models import Document, Page, RecordsRequest, SearchOutbox, StoredFile, Team
from records.search import engine, outbox, search_pages
from records.search.scope import scope_for_teams

from . import factories
from .test_search_page import add_pages


@pytest.fixture(autouse=True)
def through_the_outbox(settings):
    """The engine learns of changes only as production does: from the outbox."""
    settings.SEARCH_ENGINE_REBUILD_BEFORE_SEARCH = False


class Killed(BaseException):
    """A worker killed mid-run (not an Exception: nothing on the way may swallow it)."""


def _indexed(team, name, texts):
    document = add_pages(factories.make_request(team), name, texts)
    outbox.queue_document(document.pk)
    return document


def _member(archive, name, texts):
    stored = StoredFile.objects.create(sha256=f"{name:0>64}"[-64:], size=1, path=f"blobs/{name}")
    member = Document.objects.create(
        request=archive.request, archive=archive, stored_file=stored, original_name=name, size=1, state="done"
    )
    Page.objects.bulk_create([Page(document=member, number=i, text=t) for i, t in enumerate(texts, start=1)])
    outbox.queue_document(member.pk)
    return member


def _engine_ids(teams) -> set[int]:
    """Every page the engine holds for `teams` that matches "vigilant", read straight from the engine."""
    hits = search_pages("vigilant", pages=Page.objects.all(), scope=scope_for_teams([t.pk for t in teams]), limit=100)
    assert hits.matched == len(hits.hits)  # the engine's count: no deleted page counted
    return {hit.page_id for hit in hits}


def _pages(*documents) -> set[int]:
    return set(Page.objects.filter(document__in=documents).values_list("pk", flat=True))


def test_a_bulk_delete_of_documents_drops_their_pages_and_their_archives_members(team):
    kept = _indexed(team, "kept.pdf", ["vigilant kept"])
    gone = [_indexed(team, f"gone{n}.pdf", ["vigilant gone", "vigilant again"]) for n in range(3)]
    archive = _indexed(team, "box.zip", [])
    inner = _member(archive, "inner.zip", [])
    _member(inner, "deep.pdf", ["vigilant deep inside"])
    outbox.drain()
    assert engine.page_count() == 8
    Document.objects.filter(pk__in=[d.pk for d in gone] + [archive.pk]).delete()
    outbox.drain()
    assert engine.page_count() == 1
    assert _engine_ids([team]) == _pages(kept)


def test_deleting_one_archive_drops_its_members_pages(team):
    archive = _indexed(team, "box.zip", [])
    _member(archive, "memo.pdf", ["vigilant memo"])
    outbox.drain()
    archive.delete()
    outbox.drain()
    assert engine.page_count() == 0


def test_a_bulk_delete_of_requests_drops_their_pages(team):
    kept = _indexed(team, "kept.pdf", ["vigilant kept"])
    gone = [_indexed(team, f"gone{n}.pdf", ["vigilant gone"]) for n in range(3)]
    outbox.drain()
    RecordsRequest.objects.filter(pk__in=[d.request_id for d in gone]).delete()
    outbox.drain()
    assert engine.page_count() == 1 and _engine_ids([team]) == _pages(kept)


def test_a_bulk_delete_of_teams_drops_their_pages(team, stranger):
    kept = _indexed(team, "kept.pdf", ["vigilant kept"])
    theirs = stranger.memberships.get().team
    small = factories.make_team()
    _indexed(theirs, "theirs.pdf", ["vigilant theirs", "vigilant too"])
    _indexed(small, "small.pdf", ["vigilant small"])
    outbox.drain()
    assert engine.page_count() == 4
    Team.objects.filter(pk__in=[theirs.pk, small.pk]).delete()
    outbox.drain()
    assert engine.page_count() == 1
    assert _engine_ids([team, theirs, small]) == _pages(kept)


def test_a_drain_killed_after_a_bulk_delete_loses_nothing(team, monkeypatch):
    gone = [_indexed(team, f"gone{n}.pdf", ["vigilant gone"]) for n in range(3)]
    outbox.drain()
    Document.objects.filter(pk__in=[d.pk for d in gone]).delete()
    assert SearchOutbox.objects.count() == 3
    real_apply = outbox.apply

    def die_before_commit(rows):
        raise Killed

    monkeypatch.setattr(outbox, "apply", die_before_commit)
    with pytest.raises(Killed):
        outbox.drain()
    assert SearchOutbox.objects.count() == 3 and engine.page_count() == 3
    monkeypatch.setattr(outbox, "apply", real_apply)
    assert outbox.drain() == 3
    assert engine.page_count() == 0


def test_the_managers_do_not_offer_a_delete_of_everything():
    for model in (Document, RecordsRequest, Team):
        assert not hasattr(model.objects, "delete")
