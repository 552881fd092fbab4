from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from .. import exports
from ..access import get_scoped_or_404
from ..filters import MAX_ID, PageSearchFilter
from ..models import Document, Page, RecordsRequest
from ..review.binder import open_binders_for
from ..search import QueryError, search_pages, search_requests
from ..search.api import MAX_OFFSET
from ..search.export import hit_rows
from ..search.grouped import document_order_pages, pages_of_document, search_documents
from ..search.scope import scope_for_user

PER_PAGE = 20
REQUESTS_PER_PAGE = 10  # request and letter hits per screen of their own section (paged by ?rpage=)
GROUPS_PER_PAGE = 10  # files per screen in the grouped view (each with its best pages)
MAX_PAGE = MAX_OFFSET // PER_PAGE  # only so the offset fits in 64 bits (a huge one overflowed SQLite)
SORT_CHOICES = [("relevance", "Relevance"), ("date", "Release date, newest first"), ("document", "Document order")]
VIEW_CHOICES = [("grouped", "Group by document"), ("list", "List pages")]
EXPAND_ORDERS = [("rank", "Best first"), ("page", "Page order")]
TEXT_PAGES_PER_SCREEN = 20  # the document page shows its pages' text 20 at a time


@login_required
def search(request):
    query = request.GET.get("q", "").strip()
    pages = Page.objects.visible_to(request.user)
    filterset = PageSearchFilter(request.GET, queryset=pages)
    context = {"filter": filterset, "q": query, "results": None, "request_hits": None, "error": None}
    context["open_binders"] = open_binders_for(request.user)
    page_number = _whole_number(request.GET.get("page"), default=1, top=MAX_PAGE)
    # The last page id of the screen before: the next screen continues from it (keyset).
    after = _whole_number(request.GET.get("after"), default=None, top=MAX_ID)
    request_page = _whole_number(request.GET.get("rpage"), default=1, top=MAX_PAGE)
    sort = _choice(request.GET.get("sort"), SORT_CHOICES)
    view = _choice(request.GET.get("view"), VIEW_CHOICES)
    context.update(sort=sort, sort_choices=SORT_CHOICES, view=view, view_choices=VIEW_CHOICES)
    if query:
        if not filterset.is_valid():
            context["error"] = "Some filters could not be read; fix them and search again."
        else:
            try:
                scope = scope_for_user(request.user, filterset.form.cleaned_data)  # the engine's teams and filters
                results = _search_screen(
                    query, filterset.qs, view=view, sort=sort, page_number=page_number, after=after, scope=scope
                )
                # Request and letter hits always show, in their own section with its own paging.
                requests = RecordsRequest.objects.visible_to(request.user)
                if filterset.form.cleaned_data.get("campaign"):
                    requests = requests.filter(campaign_id=filterset.form.cleaned_data["campaign"])
                context["request_hits"] = search_requests(
                    query, requests=requests, limit=REQUESTS_PER_PAGE, offset=(request_page - 1) * REQUESTS_PER_PAGE
                )
                context["request_page"] = request_page
            except QueryError as error:
                context["error"] = str(error)
            else:
                context["results"] = results
                context["page_number"] = page_number
                titles = _request_titles(request.user, results)
                # (hit, its request's title, the document page's pagination page that shows it)
                context["rows"] = [(hit, titles.get(hit.request_id, ""), _text_screen(hit)) for hit in results.hits]
                if view == "grouped":
                    context["groups"] = [
                        (group, titles.get(group.request_id, ""), [(hit, _text_screen(hit)) for hit in group.best])
                        for group in results
                    ]
    query_string = request.GET.copy()
    query_string.pop("rpage", None)
    context["request_querystring"] = query_string.urlencode()  # the request section's paging keeps the pages'
    query_string.pop("page", None)
    query_string.pop("after", None)
    context["querystring"] = query_string.urlencode()
    query_string.pop("view", None)
    context["querystring_without_view"] = query_string.urlencode()  # for the grouped / list toggle
    context["save_filters"] = [
        (k, v) for k, values in query_string.lists() for v in values if k not in {"q", "sort", "view"} and v
    ]
    return render(request, "records/search.html", context)


@login_required
def search_document(request, pk):
    """Every matching page of one file (the grouped view's "show all"): a fragment for htmx, a
    page of its own without JavaScript. Same query, filters and team scope as the search page."""
    document = get_scoped_or_404(Document.objects.all(), request.user, pk=pk)
    query = request.GET.get("q", "").strip()
    filterset = PageSearchFilter(request.GET, queryset=Page.objects.visible_to(request.user))
    sort = _choice(request.GET.get("sort"), SORT_CHOICES)
    order = _choice(request.GET.get("order"), EXPAND_ORDERS, default="page" if sort == "document" else "rank")
    page_number = _whole_number(request.GET.get("page"), default=1, top=MAX_PAGE)
    context = {"document": document, "q": query, "order": order, "orders": EXPAND_ORDERS, "error": None}
    context.update(results=None, rows=[], page_number=page_number, open_binders=open_binders_for(request.user))
    if not query:
        context["error"] = "Type the words to look for in this file."
    elif not filterset.is_valid():
        context["error"] = "Some filters could not be read; fix them and search again."
    else:
        try:
            results = pages_of_document(
                query, pages=filterset.qs, document_id=document.pk, order=order,
                limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE,
                scope=scope_for_user(request.user, filterset.form.cleaned_data),
            )  # fmt: skip
        except QueryError as error:
            context["error"] = str(error)
        else:
            context["results"] = results
            context["rows"] = [(hit, _text_screen(hit)) for hit in results]
    query_string = request.GET.copy()
    for key in ("page", "order"):
        query_string.pop(key, None)
    context["querystring"] = query_string.urlencode()  # the search page's own state, for "back"
    partial = request.headers.get("HX-Request") == "true"
    template = "records/partials/search_document_pages.html" if partial else "records/search_document.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # one URL, two bodies: caches must keep them apart
    return response


def _search_screen(query, pages, *, view, sort, page_number, after, scope):
    """One screen of the search page: files (grouped) or pages (list) in the chosen order; relevance
    is ranked by the engine inside `scope` (the same teams and filters as `pages`)."""
    if view == "grouped":
        offset = (page_number - 1) * GROUPS_PER_PAGE
        return search_documents(query, pages=pages, sort=sort, limit=GROUPS_PER_PAGE, offset=offset, scope=scope)
    offset = (page_number - 1) * PER_PAGE
    if sort == "document":
        return document_order_pages(query, pages=pages, limit=PER_PAGE, offset=offset, after=after)
    return search_pages(query, pages=pages, limit=PER_PAGE, offset=offset, sort=sort, after=after, scope=scope)


def _request_titles(user, results) -> dict[int, str]:
    ids = {hit.request_id for hit in results.hits} | {group.request_id for group in getattr(results, "groups", [])}
    return dict(RecordsRequest.objects.visible_to(user).filter(pk__in=ids).values_list("pk", "title"))


def _text_screen(hit) -> int:
    """The document page's pagination page that shows this hit's text."""
    return (hit.page + TEXT_PAGES_PER_SCREEN - 1) // TEXT_PAGES_PER_SCREEN


@login_required
def search_export(request):
    """Every page the search page would list (same query, same filters, same team scope) as CSV,
    streamed in keyset chunks: no cap, each page once."""
    query = request.GET.get("q", "").strip()
    filterset = PageSearchFilter(request.GET, queryset=Page.objects.visible_to(request.user))
    if not filterset.is_valid():
        return _plain_error("Some filters could not be read; fix them and search again.")
    try:
        rows = hit_rows(query, pages=filterset.qs, base_url=request.build_absolute_uri("/").rstrip("/"))
    except QueryError as error:
        return _plain_error(str(error))
    response = StreamingHttpResponse(exports.csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="search-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def _plain_error(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _choice(raw, choices, default=None):
    """`raw` if it is one of `choices`' values, else `default` (the first choice): a made-up value
    in the URL is not an error."""
    values = [value for value, _ in choices]
    return raw if raw in values else (default or values[0])


def _whole_number(raw, *, default, top):
    try:
        return min(max(1, int(raw)), top)
    except (TypeError, ValueError):
        return default
