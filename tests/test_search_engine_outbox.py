"""issue 15: the engine kept in step by the workers through a durable outbox, never the only copy."""

import pytest
from django.core.management import call_command

from records.ingest.pipeline import run_to_completion
from records.ingest.store import add_document
from records.models import Page, SearchOutbox
from records.search import engine, outbox, search_pages
from records.search.scope import scope_for_teams

from . import factories
from .test_search_page import add_pages


@pytest.fixture(autouse=True)
def through_the_outbox(settings):
    """Here the engine learns of pages only as production does: from the outbox."""
    settings.SEARCH_ENGINE_REBUILD_BEFORE_SEARCH = False


def _engine_ids(query: str) -> set[int]:
    searcher = engine.searcher()
    from records.search import engine_query, parse_query

    built = engine_query.build(parse_query(query), scope_for_teams(None), searcher)
    found = searcher.search(built, limit=1000)
    return set(searcher.fast_field_values("page_id", [address for _, address in found.hits]))


def _documents_queued() -> int:
    return SearchOutbox.objects.filter(target=SearchOutbox.DOCUMENT).count()


def _queue_pages(team, name, texts):
    document = add_pages(factories.make_request(team), name, texts)
    outbox.queue_document(document.pk)
    return document


def test_the_pipeline_queues_its_pages_and_a_drain_indexes_them(team):
    request = factories.make_request(team)
    document, _ = add_document(request, name="memo.txt", data_or_fileobj=b"The Vigilant contract memo.\n")
    run_to_completion(document.pk)
    assert SearchOutbox.objects.filter(target="document", target_id=document.pk).exists()
    assert engine.page_count() == 0
    outbox.drain()
    assert not SearchOutbox.objects.exists()
    pages = Page.objects.for_team(team)
    assert _engine_ids("vigilant") == set(pages.values_list("pk", flat=True)) != set()
    hits = search_pages("vigilant", pages=pages, scope=scope_for_teams([team.pk]))
    assert [hit.document_id for hit in hits] == [document.pk]


class Killed(BaseException):
    """A worker killed mid-run (not an Exception: nothing on the way may swallow it)."""


def test_a_run_killed_while_indexing_loses_nothing(team, monkeypatch):
    documents = [_queue_pages(team, f"d{n}.pdf", [f"vigilant page {i}" for i in range(5)]) for n in range(3)]
    real_add = engine.add_pages

    def add_then_die(writer, rows):
        real_add(writer, list(rows)[:2])
        raise Killed

    monkeypatch.setattr(engine, "add_pages", add_then_die)
    with pytest.raises(Killed):
        outbox.drain()
    assert _documents_queued() == 3  # the work is still queued
    assert engine.page_count() == 0  # nothing half-written was committed
    monkeypatch.setattr(engine, "add_pages", real_add)
    assert outbox.drain() == 3 + 3  # (and the three requests' own text, for the letters' index)
    expected = set(Page.objects.filter(document__in=documents).values_list("pk", flat=True))
    assert _engine_ids("vigilant") == expected and engine.page_count() == 15


def test_a_run_killed_after_the_engine_committed_indexes_nothing_twice(team, monkeypatch):
    _queue_pages(team, "d.pdf", ["vigilant one", "vigilant two"])
    real_apply = outbox.apply

    def apply_then_die(rows):
        real_apply(rows)
        raise Killed  # before the outbox rows are deleted

    monkeypatch.setattr(outbox, "apply", apply_then_die)
    with pytest.raises(Killed):
        outbox.drain()
    monkeypatch.setattr(outbox, "apply", real_apply)
    assert _documents_queued() == 1
    outbox.drain()
    assert engine.page_count() == 2 and not SearchOutbox.objects.exists()


def test_deleting_a_document_a_request_or_a_team_removes_its_pages(team, stranger):
    kept = _queue_pages(team, "kept.pdf", ["vigilant kept"])
    gone_document = _queue_pages(team, "gone.pdf", ["vigilant gone"])
    gone_request = _queue_pages(team, "request.pdf", ["vigilant request"])
    their_team = stranger.memberships.get().team
    _queue_pages(their_team, "theirs.pdf", ["vigilant theirs"])
    outbox.drain()
    assert engine.page_count() == 4
    gone_document.delete()
    gone_request.request.delete()
    their_team.delete()
    outbox.drain()
    assert _engine_ids("vigilant") == set(Page.objects.filter(document=kept).values_list("pk", flat=True))


def test_rebuild_search_index_rebuilds_the_engine_from_the_database(team):
    add_pages(factories.make_request(team), "d.pdf", ["vigilant one", "vigilant two", "other"])
    SearchOutbox.objects.create(target="document", target_id=999)
    call_command("rebuild_search_index", "--engine-only", stdout=open("/dev/null", "w"))
    assert engine.page_count() == 3 and not SearchOutbox.objects.exists()


def test_an_engine_not_built_yet_falls_back_to_the_database(team):
    document = add_pages(factories.make_request(team), "d.pdf", ["vigilant"])
    hits = search_pages("vigilant", pages=Page.objects.for_team(team), scope=scope_for_teams([team.pk]))
    assert [hit.document_id for hit in hits] == [document.pk]


def test_import_documents_sync_leaves_its_pages_in_the_engine(team, tmp_path):
    memo = tmp_path / "memo.txt"
    memo.write_text("The Vigilant contract memo.\n")
    request = factories.make_request(team)
    call_command("import_documents", str(memo), "--request", str(request.pk), "--sync", stdout=open("/dev/null", "w"))
    assert _engine_ids("vigilant") == set(Page.objects.filter(document__request=request).values_list("pk", flat=True))
    assert not SearchOutbox.objects.exists()


def test_a_damaged_index_falls_back_to_the_database_and_a_rebuild_replaces_it(team, search_engine):
    document = add_pages(factories.make_request(team), "d.pdf", ["vigilant"])
    outbox.rebuild()
    engine.forget_index()
    (search_engine / "meta.json").write_text("not an index")
    hits = search_pages("vigilant", pages=Page.objects.for_team(team), scope=scope_for_teams([team.pk]))
    assert [hit.document_id for hit in hits] == [document.pk]  # answered by the database
    assert outbox.rebuild() == 1 and engine.page_count() == 1
