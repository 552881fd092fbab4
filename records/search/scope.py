"""The engine's scope for a search: the user's teams (from the one place that defines them) and
the search page's filters, as must clauses for the engine (engine_query.EngineScope)."""

from records.models import Page, RecordsRequest
from records.review.marks import filter_by_mark

from .engine_query import EngineScope


def scope_for_user(user, filters: dict | None = None) -> EngineScope:
    """What `user` may see (Page.objects.visible_to's teams), narrowed by the search page's
    filters (PageSearchFilter's cleaned data)."""
    return scope_for_teams(Page.objects.visible_team_ids(user), filters)


def scope_for_teams(team_ids, filters: dict | None = None) -> EngineScope:
    """`team_ids` None: every team (the administrator's `search` command without --team)."""
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "", [])}
    teams = None if team_ids is None else tuple(sorted(team_ids))
    released = filters.get("released")
    return EngineScope(
        team_ids=teams,
        request_ids=_request_ids(teams, filters),
        page_ids=_marked_page_ids(teams, filters.get("mark")),
        released_from=_day(released.start) if released is not None else None,
        released_to=_day(released.stop) if released is not None else None,
        detected_type=filters.get("type") or None,
        ocr=filters.get("ocr"),
    )


def _request_ids(teams, filters: dict) -> tuple[int, ...] | None:
    """The request, campaign, agency and statute filters, as the requests they leave. Read from the
    database at search time (a few thousand ids at most): an edited request is never stale here."""
    wanted = {}
    if "request" in filters:
        wanted["pk"] = filters["request"]
    if "campaign" in filters:
        wanted["campaign_id"] = filters["campaign"]
    if "agency" in filters:
        wanted["agency"] = filters["agency"]
    if "statute" in filters:
        wanted["statute"] = filters["statute"]
    if not wanted:
        return None
    requests = RecordsRequest.objects.filter(**wanted)
    if teams is not None:
        requests = requests.filter(team_id__in=teams)
    return tuple(requests.values_list("pk", flat=True))


def _marked_page_ids(teams, tag: str | None) -> tuple[int, ...] | None:
    if not tag:
        return None
    pages = Page.objects.all() if teams is None else Page.objects.filter(document__request__team_id__in=teams)
    return tuple(filter_by_mark(pages, tag.strip()).values_list("pk", flat=True))


def _day(value) -> int | None:
    return None if value is None else value.year * 10_000 + value.month * 100 + value.day
