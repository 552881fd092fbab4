"""Saved searches and their alerts: which newly released pages match a team's saved search.

A SavedSearch keeps a high-water mark (`alerted_through`, a page id); pages above it that match
are new. The mark moves only when the digest announcing them was sent (records.notifications),
so each new page is announced once, and a second digest the same day announces nothing twice.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Max, QuerySet
from django.http import QueryDict
from django.urls import reverse

from records.filters import PageSearchFilter
from records.models import Membership, Page, SavedSearch

from .api import matching_pages
from .query import QueryError

MAX_ALERTS_CHECKED = 100  # saved searches looked at for one dashboard


@dataclass(frozen=True)
class Alert:
    saved_search: SavedSearch
    count: int  # new matching pages
    through: int  # the largest new page id: the mark once announced

    @property
    def link(self) -> str:
        return self.saved_search_link(self.saved_search)

    @staticmethod
    def saved_search_link(saved_search: SavedSearch) -> str:
        params = QueryDict(saved_search.filters, mutable=True)
        params["q"], params["sort"] = saved_search.query, "date"
        return reverse("search") + "?" + params.urlencode()


def saved_search_pages(saved_search: SavedSearch) -> QuerySet | None:
    """The saved search's team's pages narrowed by its filters (as the search page narrows them);
    None when the filters no longer read (an agency deleted since)."""
    # The search page's FilterSet (records/filters.py) is the one definition of its filters.
    filterset = PageSearchFilter(QueryDict(saved_search.filters), queryset=Page.objects.for_team(saved_search.team))
    return filterset.qs if filterset.is_valid() else None


def new_matches(saved_search: SavedSearch) -> QuerySet:
    """Pages released since the search last alerted (id above its mark) that match it, inside its team."""
    pages = saved_search_pages(saved_search)
    if pages is None:
        return Page.objects.none()
    try:
        matching = matching_pages(saved_search.query, pages=pages)
    except QueryError:
        return Page.objects.none()  # saved before the query language changed: nothing to announce
    return matching.filter(pk__gt=saved_search.alerted_through)


def alert_for(saved_search: SavedSearch) -> Alert | None:
    found = new_matches(saved_search).aggregate(count=Count("pk"), through=Max("pk"))
    if not found["count"]:
        return None
    return Alert(saved_search, found["count"], found["through"])


def pending_alerts(saved_searches: QuerySet) -> list[Alert]:
    """The alerts not yet announced, for the dashboard."""
    alerts = (alert_for(saved) for saved in saved_searches.select_related("team")[:MAX_ALERTS_CHECKED])
    return [alert for alert in alerts if alert]


def digest_alerts() -> dict:
    """{user: [Alert]} for the morning digest: each saved search to whoever saved it, while they
    are still on its team."""
    alerts: dict = {}
    members = Membership.objects.values_list("user_id", "team_id")
    still_on_team = set(members)
    for saved in SavedSearch.objects.filter(created_by__isnull=False).select_related("team", "created_by"):
        if (saved.created_by_id, saved.team_id) not in still_on_team:
            continue
        alert = alert_for(saved)
        if alert:
            alerts.setdefault(saved.created_by, []).append(alert)
    return alerts


def mark_announced(alerts: list[Alert]) -> None:
    """Move each search's mark past the pages just announced (never backwards)."""
    for alert in alerts:
        SavedSearch.objects.filter(pk=alert.saved_search.pk, alerted_through__lt=alert.through).update(
            alerted_through=alert.through
        )


def initial_mark() -> int:
    """A new saved search alerts about pages released after it was saved, not before."""
    return Page.objects.aggregate(last=Max("pk"))["last"] or 0


def filters_querystring(params: QueryDict) -> str:
    """The search page's filters from its URL, without the words, the sort or the paging."""
    kept = [(key, value) for key, values in params.lists() for value in values if value]
    return urlencode(
        [
            (key, value)
            for key, value in kept
            if key not in {"q", "page", "after", "sort", "csrfmiddlewaretoken", "name"}
        ]
    )
