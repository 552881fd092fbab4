"""The production diff of a release (issue 14): its summary and lists, and one page beside its earlier release."""

from functools import partial
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import render

from ..access import get_scoped_or_404
from ..models import Document, PageComparison, ReleaseDiff
from ..review.diff import diff_for, word_diff
from ..tasks import compare_release_task

Kind = PageComparison.Kind
# The summary's three numbers, and the kinds each one lists.
LISTS = {
    "already": ("already released", [Kind.SAME, Kind.NEAR]),
    "changed": ("with different redactions", [Kind.CHANGED]),
    "new": ("new", [Kind.NEW]),
}


def _scope(request, document: Document) -> str:
    wants_campaign = request.GET.get("campaign") == "1" and document.request.campaign_id
    return ReleaseDiff.Scope.CAMPAIGN if wants_campaign else ReleaseDiff.Scope.REQUEST


def _document(request, pk) -> Document:
    return get_scoped_or_404(Document.objects.select_related("request__team", "request__campaign"), request.user, pk=pk)


@login_required
def release_diff(request, pk):
    document = _document(request, pk)
    scope = _scope(request, document)
    diff, queue = diff_for(document, scope)
    if queue:  # first view of an older document, or of the campaign scope: computed once, in the background
        transaction.on_commit(partial(compare_release_task.delay, document.pk, scope))
    shown = request.GET.get("kind") if request.GET.get("kind") in LISTS else None
    comparisons = None
    if diff is not None and diff.state == ReleaseDiff.State.DONE:
        rows = diff.comparisons.select_related("page", "earlier__document").defer("page__text", "page__cells")
        if shown:
            rows = rows.filter(kind__in=LISTS[shown][1])
        comparisons = Paginator(rows.order_by("page__number"), 100).get_page(request.GET.get("page"))
    context = {
        "document": document,
        "object": document.request,
        "diff": diff,
        "scope": scope,
        "campaign_param": "&campaign=1" if scope == ReleaseDiff.Scope.CAMPAIGN else "",
        "shown": shown,
        "shown_label": LISTS[shown][0] if shown else "",
        "comparisons": comparisons,
        "pagination_querystring": urlencode(
            {k: v for k, v in (("kind", shown), ("campaign", scope == "campaign" and "1")) if v}
        ),
    }
    return render(request, "records/release_diff.html", context)


@login_required
def page_diff(request, pk, number):
    document = _document(request, pk)
    scope = _scope(request, document)
    diff = ReleaseDiff.objects.filter(document=document, scope=scope, state=ReleaseDiff.State.DONE).first()
    comparison = (
        None
        if diff is None
        else diff.comparisons.select_related("page", "earlier__document").filter(page__number=number).first()
    )
    if comparison is None:
        raise Http404("This page has not been compared.")
    earlier = comparison.earlier
    if earlier is not None and earlier.document.request.team_id != document.request.team_id:
        raise Http404("This page has not been compared.")  # never show another team's page (belt and braces)
    context = {
        "document": document,
        "object": document.request,
        "comparison": comparison,
        "earlier": earlier,
        "words": word_diff(earlier.text, comparison.page.text) if earlier is not None else None,
        "campaign_param": "?campaign=1" if scope == ReleaseDiff.Scope.CAMPAIGN else "",
    }
    return render(request, "records/page_diff.html", context)
