"""issue 15: a file moved to another request, or a request to another team, is re-indexed under
its new place: the old team's searches neither list nor count its pages, the new team's find them."""

import pytest

from records.models import Document, Page, RecordsRequest
from records.search import outbox, search_pages
from records.search.scope import scope_for_user

from . import factories
from .test_search_page import add_pages


@pytest.fixture(autouse=True)
def through_the_outbox(settings):
    """The engine learns of changes only as production does: from the outbox."""
    settings.SEARCH_ENGINE_REBUILD_BEFORE_SEARCH = False


@pytest.fixture
def filed(team, stranger):
    """Three "vigilant" pages filed under the editor's team, the stranger's team with one of its own."""
    document = add_pages(factories.make_request(team), "misfiled.pdf", ["Vigilant contract."] * 3)
    add_pages(factories.make_request(stranger.memberships.get().team), "theirs.pdf", ["Vigilant memo."])
    outbox.rebuild()
    return document


def _found(user) -> tuple[int, set[int]]:
    results = search_pages("vigilant", pages=Page.objects.visible_to(user), scope=scope_for_user(user))
    return results.matched, {hit.document_id for hit in results}


def _after_the_worker(editor, stranger) -> tuple[tuple[int, set[int]], tuple[int, set[int]]]:
    """Once the search worker has drained the outbox: what each team's search finds."""
    outbox.drain()
    return _found(editor), _found(stranger)


def _moved(filed) -> tuple[tuple[int, set[int]], tuple[int, set[int]]]:
    """The file gone from the editor's search (neither listed nor counted), in the stranger's
    beside their own page."""
    return (0, set()), (4, {filed.pk, Document.objects.get(original_name="theirs.pdf").pk})


def test_a_file_moved_to_another_teams_request_goes_with_it(editor, stranger, filed):
    assert _found(editor) == (3, {filed.pk})
    filed.request = RecordsRequest.objects.get(team=stranger.memberships.get().team)
    filed.save()
    assert _after_the_worker(editor, stranger) == _moved(filed)


def test_files_moved_in_bulk_go_with_them(editor, stranger, filed):
    Document.objects.filter(pk=filed.pk).update(request=RecordsRequest.objects.get(team__memberships__user=stranger))
    assert _after_the_worker(editor, stranger) == _moved(filed)


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_request_moved_to_another_team_takes_its_pages(editor, stranger, filed, how):
    theirs = stranger.memberships.get().team
    if how == "save":
        moved = RecordsRequest.objects.get(pk=filed.request_id)
        moved.team = theirs
        moved.save()
    else:
        RecordsRequest.objects.filter(pk=filed.request_id).update(team=theirs)
    assert _after_the_worker(editor, stranger) == _moved(filed)


def test_an_edit_that_moves_nothing_queues_nothing(filed):
    from records.models import SearchOutbox

    SearchOutbox.objects.all().delete()  # (creating the request queued its text for the letters' index)
    document = Document.objects.get(pk=filed.pk)
    document.original_name = "renamed.pdf"
    document.save()
    records_request = RecordsRequest.objects.get(pk=filed.request_id)
    records_request.title = "Renamed"
    records_request.save()
    # Its pages stay where they were; only its own text is re-indexed, for the letters' index.
    assert list(SearchOutbox.objects.values_list("target", "target_id")) == [("req_text", records_request.pk)]
