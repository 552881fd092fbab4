"""Full-text search over released pages, requests and communications.

    from records.search import search_pages, QueryError
    results = search_pages("smith -jones", pages=Page.objects.visible_to(request.user))

Backends: SQLite FTS5 (sqlite.py) and PostgreSQL tsvector + GIN (postgres.py), chosen by the
queryset's database. The query language (query.py) is the same on both.
"""

from .api import MAX_LIMIT, backend_for, rebuild_index, repair_index, search_pages, search_requests
from .query import Query, QueryError, Term, parse_query
from .results import Hit, SearchResults
from .sources import CANDIDATES

__all__ = [
    "CANDIDATES", "MAX_LIMIT", "Hit", "Query", "QueryError", "SearchResults", "Term",
    "backend_for", "parse_query", "rebuild_index", "repair_index", "search_pages", "search_requests",
]  # fmt: skip
