from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import exports
from ..filters import MAX_ID, PageSearchFilter
from ..models import Page, RecordsRequest
from ..review.binder import open_binders_for
from ..search import QueryError, search_pages, search_requests
from ..search.api import MAX_OFFSET
from ..search.export import hit_rows
from ..search.scope import scope_for_user

PER_PAGE = 20
MAX_PAGE = MAX_OFFSET // PER_PAGE  # only so the offset fits in 64 bits (a huge one overflowed SQLite)
SORT_CHOICES = [("relevance", "Relevance"), ("date", "Release date, newest first")]
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
    sort = request.GET.get("sort", "relevance")
    sort = sort if sort in dict(SORT_CHOICES) else "relevance"
    context["sort"], context["sort_choices"] = sort, SORT_CHOICES
    if query:
        if not filterset.is_valid():
            context["error"] = "Some filters could not be read; fix them and search again."
        else:
            try:
                results = search_pages(
                    query, pages=filterset.qs, limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE,
                    sort=sort, after=after, scope=scope_for_user(request.user, filterset.form.cleaned_data),
                )  # fmt: skip
                if page_number == 1:
                    requests = RecordsRequest.objects.visible_to(request.user)
                    if filterset.form.cleaned_data.get("campaign"):
                        requests = requests.filter(campaign_id=filterset.form.cleaned_data["campaign"])
                    context["request_hits"] = search_requests(query, requests=requests, limit=10)
            except QueryError as error:
                context["error"] = str(error)
            else:
                context["results"] = results
                context["page_number"] = page_number
                titles = dict(
                    RecordsRequest.objects.visible_to(request.user)
                    .filter(pk__in={hit.request_id for hit in results})
                    .values_list("pk", "title")
                )
                # (hit, its request's title, the document page's pagination page that shows it)
                context["rows"] = [
                    (
                        hit,
                        titles.get(hit.request_id, ""),
                        (hit.page + TEXT_PAGES_PER_SCREEN - 1) // TEXT_PAGES_PER_SCREEN,
                    )
                    for hit in results
                ]
    query_string = request.GET.copy()
    query_string.pop("page", None)
    query_string.pop("after", None)
    context["querystring"] = query_string.urlencode()
    context["save_filters"] = [
        (k, v) for k, values in query_string.lists() for v in values if k not in {"q", "sort"} and v
    ]
    return render(request, "records/search.html", context)


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


def _whole_number(raw, *, default, top):
    try:
        return min(max(1, int(raw)), top)
    except (TypeError, ValueError):
        return default
