"""Review pages of a request (issue 14): the draft Vaughn index, as a printable page and as CSV."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from records import exports
from records.access import get_request_for_user
from records.review.withholding import VAUGHN_COLUMNS, vaughn_rows


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
