"""Review pages of a request or a campaign (issue 14): the draft Vaughn index, as a printable page and as CSV."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from records import exports
from records.access import get_request_for_user
from records.models import Page
from records.review.withholding import (
    CAMPAIGN_VAUGHN_COLUMNS,
    VAUGHN_COLUMNS,
    campaign_cells,
    campaign_vaughn_rows,
    vaughn_rows,
)

from .campaigns import get_campaign_for_user


@login_required
def vaughn_index(request, pk):
    records_request = get_request_for_user(request.user, pk)
    context = {"object": records_request, "columns": VAUGHN_COLUMNS, "rows": vaughn_rows(records_request)}
    return render(request, "records/vaughn.html", context)


@login_required
def vaughn_csv(request, pk):
    records_request = get_request_for_user(request.user, pk)
    rows = [VAUGHN_COLUMNS] + [row.cells() for row in vaughn_rows(records_request)]
    response = HttpResponse("".join(exports.csv_lines(rows)), content_type="text/csv; charset=utf-8")
    name = slugify(records_request.title)[:60] or "request"
    response["Content-Disposition"] = f'attachment; filename="vaughn-{records_request.pk}-{name}.csv"'
    return response


def _campaign_rows(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    pages = Page.objects.visible_to(request.user).filter(document__request__campaign=campaign)
    return campaign, campaign_vaughn_rows(pages)


@login_required
def campaign_vaughn_index(request, pk):
    campaign, rows = _campaign_rows(request, pk)
    context = {"campaign": campaign, "columns": CAMPAIGN_VAUGHN_COLUMNS, "rows": rows}
    return render(request, "records/campaigns/vaughn.html", context)


@login_required
def campaign_vaughn_csv(request, pk):
    campaign, rows = _campaign_rows(request, pk)
    lines = [CAMPAIGN_VAUGHN_COLUMNS] + [campaign_cells(row) for row in rows]
    response = HttpResponse("".join(exports.csv_lines(lines)), content_type="text/csv; charset=utf-8")
    name = slugify(campaign.title)[:60] or "campaign"
    response["Content-Disposition"] = f'attachment; filename="vaughn-campaign-{campaign.pk}-{name}.csv"'
    return response
