"""Review marks and notes: tag pages, filter by tag, progress; team-scoped (a stranger gets 404, a viewer reads)."""

import hashlib
import itertools

import pytest

from records.models import Document, Membership, Page, PageMark, PageNote, ReviewTag, StoredFile
from records.review import marks

from . import factories

_serial = itertools.count(1)


def make_document(records_request, name, *texts):
    digest = hashlib.sha256(f"{name}{next(_serial)}".encode()).hexdigest()
    stored = StoredFile.objects.create(sha256=digest, size=100, path=f"blobs/{digest}")
    document = Document.objects.create(
        request=records_request, stored_file=stored, original_name=name, size=100, page_count=len(texts),
        state=Document.State.DONE, detected_type="pdf",
    )  # fmt: skip
    Page.objects.bulk_create(Page(document=document, number=n, text=text) for n, text in enumerate(texts, 1))
    return document


@pytest.fixture
def records_request(team):
    return factories.make_request(team, title="Surveillance contracts")


@pytest.fixture
def memo(records_request):
    return make_document(
        records_request,
        "memo.pdf",
        "Hailstorm purchase order",
        "Cellebrite invoice",
        "Budget tables",
        "Hailstorm training",
    )


@pytest.fixture
def admin_user(team):
    user = factories.make_user("reviewadmin")
    factories.add_member(user, team, Membership.ADMIN)
    return user


def page(document, number):
    return document.pages.get(number=number)


def test_editor_tags_a_page_and_the_viewer_sees_it(login, admin_user, viewer, memo, client):
    p2 = page(memo, 2)
    response = login(admin_user).post(f"/pages/{p2.pk}/mark/", {"tag": "hot"})
    assert response.status_code == 302
    assert list(PageMark.objects.filter(page=p2).values_list("tag", flat=True)) == ["hot"]
    html = login(viewer).get(f"/documents/{memo.pk}/").content.decode()
    assert '<span class="badge mark">hot</span>' in html
    assert "Tag page" not in html  # a viewer reads marks but gets no forms


def test_viewer_cannot_mark_or_note(login, viewer, memo):
    client = login(viewer)
    p1 = page(memo, 1)
    assert client.post(f"/pages/{p1.pk}/mark/", {"tag": "hot"}).status_code == 403
    assert client.post(f"/pages/{p1.pk}/note/", {"text": "mine"}).status_code == 403
    assert not PageMark.objects.exists() and not PageNote.objects.exists()


def test_stranger_gets_404_and_never_sees_marks(login, admin_user, stranger, memo):
    p1 = page(memo, 1)
    marks.mark_page(p1, "privileged", admin_user)
    marks.add_note(p1, "Ask counsel before release", admin_user)
    client = login(stranger)
    assert client.post(f"/pages/{p1.pk}/mark/", {"tag": "hot"}).status_code == 404
    assert client.post(f"/pages/{p1.pk}/mark/", {"tag": "privileged", "action": "remove"}).status_code == 404
    assert client.post(f"/pages/{p1.pk}/note/", {"text": "x"}).status_code == 404
    assert client.get(f"/documents/{memo.pk}/?mark=privileged").status_code == 404
    assert PageMark.objects.visible_to(stranger).count() == 0
    assert PageNote.objects.visible_to(stranger).count() == 0
    response = client.get("/search/", {"q": "Hailstorm", "mark": "privileged"})
    assert response.status_code == 200 and not response.context["results"]
    assert PageMark.objects.filter(page=p1).count() == 1  # untouched


def test_unmark(login, admin_user, memo):
    p1 = page(memo, 1)
    marks.mark_page(p1, "hot", admin_user)
    login(admin_user).post(f"/pages/{p1.pk}/mark/", {"tag": "hot", "action": "remove"})
    assert not PageMark.objects.exists()


def test_unknown_tag_is_refused_in_words_and_team_tags_work(login, admin_user, memo, team):
    client = login(admin_user)
    p1 = page(memo, 1)
    response = client.post(f"/pages/{p1.pk}/mark/", {"tag": "brady"}, follow=True)
    assert "is not one of this team" in response.content.decode()
    assert not PageMark.objects.exists()
    client.post("/review/settings/", {"name": "Brady"})
    assert list(ReviewTag.objects.for_team(team).values_list("name", flat=True)) == ["brady"]
    client.post(f"/pages/{p1.pk}/mark/", {"tag": "brady"})
    assert PageMark.objects.get().tag == "brady"


def test_another_teams_own_tag_is_not_ours(admin_user, memo):
    ReviewTag.objects.create(team=factories.make_team("Elsewhere"), name="their-tag")
    with pytest.raises(marks.MarkRefused):
        marks.mark_page(page(memo, 1), "their-tag", admin_user)


def test_notes_are_kept_and_an_empty_note_is_refused(login, admin_user, viewer, memo):
    client = login(admin_user)
    p3 = page(memo, 3)
    client.post(f"/pages/{p3.pk}/note/", {"text": "Totals differ from the 2015 budget"})
    response = client.post(f"/pages/{p3.pk}/note/", {"text": "   "}, follow=True)
    assert "Write something in the note" in response.content.decode()
    assert list(PageNote.objects.values_list("text", flat=True)) == ["Totals differ from the 2015 budget"]
    assert "Totals differ from the 2015 budget" in login(viewer).get(f"/documents/{memo.pk}/").content.decode()


def test_progress_per_document_and_request(login, admin_user, viewer, memo, records_request):
    other = make_document(records_request, "letter.pdf", "Dear requester", "Sincerely")
    for number in (1, 2):
        marks.mark_page(page(memo, number), "reviewed", admin_user)
    marks.mark_page(page(memo, 1), "hot", admin_user)  # another tag does not count twice
    assert marks.review_progress(memo.pages.all()) == (2, 4)
    assert marks.review_progress(other.pages.all()) == (0, 2)
    assert marks.review_progress(Page.objects.filter(document__request=records_request)) == (2, 6)
    client = login(viewer)
    assert "2 of 4 pages reviewed" in client.get(f"/documents/{memo.pk}/").content.decode()
    assert "2 of 6 pages of this request" in client.get(f"/requests/{records_request.pk}/").content.decode()


def test_document_page_list_filters_by_mark(login, admin_user, viewer, memo):
    marks.mark_page(page(memo, 4), "follow-up", admin_user)
    response = login(viewer).get(f"/documents/{memo.pk}/", {"mark": "follow-up"})
    assert [p.number for p in response.context["pages"]] == [4]
    response = login(viewer).get(f"/documents/{memo.pk}/", {"mark": "hot"})
    assert list(response.context["pages"]) == []
    assert "No page of this document is tagged" in response.content.decode()


def test_search_filters_by_mark(login, admin_user, viewer, memo):
    marks.mark_page(page(memo, 4), "responsive", admin_user)
    client = login(viewer)
    everything = client.get("/search/", {"q": "Hailstorm", "view": "list"}).context["results"]
    assert sorted(hit.page for hit in everything) == [1, 4]
    tagged = client.get("/search/", {"q": "Hailstorm", "mark": "responsive", "view": "list"}).context["results"]
    assert [hit.page for hit in tagged] == [4]
