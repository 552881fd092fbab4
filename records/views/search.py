import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..filters import DATE_RANGE, IdFilter
from ..models import Agency, Page, RecordsRequest, Statute
from ..review.binder import open_binders_for
from ..review.marks import filter_by_mark
from ..search import QueryError, search_pages, search_requests

PER_PAGE = 20
MAX_PAGE = 10_000  # beyond it the offset means nothing (and a huge one overflowed SQLite)
TEXT_PAGES_PER_SCREEN = 20  # the document page shows its pages' text 20 at a time


class PageSearchFilter(django_filters.FilterSet):
    """Narrows the team-scoped pages before the full-text match; state lives in the URL."""

    # A number, not a select: a desk has thousands of requests (a 5,000-option select cost 200 ms a page).
    # The pages are already team-scoped, so another team's id simply matches nothing.
    request = IdFilter(field_name="document__request_id", label="Request no.")
    # issue 11: only the files released in one campaign (a number, as for the request: pages are team-scoped).
    campaign = IdFilter(field_name="document__request__campaign_id", label="Campaign no.")
    agency = django_filters.ModelChoiceFilter(
        field_name="document__request__agency",
        label="Agency",
        queryset=Agency.objects.order_by("name"),
        empty_label="Any",
    )
    statute = django_filters.ModelChoiceFilter(
        field_name="document__request__statute",
        label="Statute",
        queryset=Statute.objects.order_by("code"),
        empty_label="Any",
    )
    released = django_filters.DateFromToRangeFilter(
        field_name="document__uploaded_at__date", label="Released between", widget=DATE_RANGE
    )
    type = django_filters.ChoiceFilter(
        field_name="document__detected_type", label="File type", empty_label="Any",
        choices=[("pdf", "PDF"), ("tiff", "TIFF"), ("jpeg", "JPEG"), ("png", "PNG")],
    )  # fmt: skip
    ocr = django_filters.BooleanFilter(
        field_name="ocr",
        label="Text from OCR",
        widget=forms.Select(choices=[("", "Any"), ("true", "OCR'd pages only"), ("false", "Text-layer pages only")]),
    )

    mark = django_filters.CharFilter(method="filter_mark", label="Tagged (review)")

    class Meta:
        model = Page
        fields = ["request", "campaign", "agency", "statute", "released", "type", "ocr", "mark"]

    def filter_mark(self, queryset, name, value):
        return filter_by_mark(queryset, value.strip())


@login_required
def search(request):
    query = request.GET.get("q", "").strip()
    pages = Page.objects.visible_to(request.user)
    filterset = PageSearchFilter(request.GET, queryset=pages)
    context = {"filter": filterset, "q": query, "results": None, "request_hits": None, "error": None}
    context["open_binders"] = open_binders_for(request.user)
    try:
        page_number = min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        page_number = 1
    if query:
        if not filterset.is_valid():
            context["error"] = "Some filters could not be read; fix them and search again."
        else:
            try:
                results = search_pages(query, pages=filterset.qs, limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE)
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
    context["querystring"] = query_string.urlencode()
    return render(request, "records/search.html", context)
