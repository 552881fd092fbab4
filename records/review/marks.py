"""Review marks: tags and notes a team puts on pages, and how far review has got.

A mark's team is always its page's team (only members of the team that holds a request mark its pages),
so a team-scoped page queryset filtered by mark never sees another team's marks.
"""

from django.db.models import Count, Q

from records.models import BUILTIN_TAGS, Page, PageMark, PageNote, ReviewTag
from records.models.review import REVIEWED

MAX_NOTE = 5000


class MarkRefused(ValueError):
    """A mark or note that cannot be saved; the message says why in plain words."""


def tags_for(team) -> list[str]:
    """The built-in tags, then the team's own."""
    own = ReviewTag.objects.for_team(team).values_list("name", flat=True)
    return list(BUILTIN_TAGS) + [name for name in own if name not in BUILTIN_TAGS]


def page_team(page):
    return page.document.request.team


def mark_page(page, tag: str, user) -> PageMark:
    team = page_team(page)
    tag = (tag or "").strip()
    if tag not in tags_for(team):
        raise MarkRefused(f"“{tag}” is not one of this team's tags; add it on the Review tags page first.")
    mark, _ = PageMark.objects.get_or_create(team=team, page=page, tag=tag, defaults={"created_by": user})
    return mark


def unmark_page(page, tag: str) -> None:
    PageMark.objects.filter(team=page_team(page), page=page, tag=tag).delete()


def add_note(page, text: str, user) -> PageNote:
    text = (text or "").strip()
    if not text:
        raise MarkRefused("Write something in the note before saving it.")
    if len(text) > MAX_NOTE:
        raise MarkRefused(f"A note can be up to {MAX_NOTE:,} characters; this one has {len(text):,}.")
    return PageNote.objects.create(team=page_team(page), page=page, text=text, author=user)


def add_team_tag(team, name: str) -> ReviewTag:
    name = " ".join((name or "").split()).lower()
    if not name:
        raise MarkRefused("Give the tag a name.")
    if len(name) > 40:
        raise MarkRefused("A tag name can be up to 40 characters.")
    if name in BUILTIN_TAGS:
        raise MarkRefused(f"“{name}” is already a built-in tag.")
    tag, _ = ReviewTag.objects.get_or_create(team=team, name=name)
    return tag


def filter_by_mark(pages, tag: str):
    """Pages carrying this tag (pages is already team-scoped; a mark's team is its page's team)."""
    return pages.filter(marks__tag=tag).distinct() if tag else pages


def review_progress(pages) -> tuple[int, int]:
    """(pages marked reviewed, pages in all) for a page queryset."""
    counts = pages.aggregate(
        total=Count("id", distinct=True), reviewed=Count("id", filter=Q(marks__tag=REVIEWED), distinct=True)
    )
    return counts["reviewed"], counts["total"]


def request_progress(records_request) -> tuple[int, int]:
    """(pages marked reviewed, pages in all) across a request's files."""
    return review_progress(Page.objects.filter(document__request=records_request))


def marks_by_page(pages) -> dict[int, list[str]]:
    marks: dict[int, list[str]] = {}
    for page_id, tag in PageMark.objects.filter(page__in=pages).order_by("tag").values_list("page_id", "tag"):
        marks.setdefault(page_id, []).append(tag)
    return marks


def notes_by_page(pages) -> dict[int, list[PageNote]]:
    notes: dict[int, list[PageNote]] = {}
    for note in PageNote.objects.filter(page__in=pages).select_related("author").order_by("created", "id"):
        notes.setdefault(note.page_id, []).append(note)
    return notes
