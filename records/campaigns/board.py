"""The campaign board: one row per agency, a matrix of agency × status, and its CSV export.

Every figure comes from one annotated queryset, so the board costs the same number of queries at 30
rows and at 500.
"""

from __future__ import annotations

import csv
import io

import django_filters
from django import forms
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Communication, Document, Event, RecordsRequest, Status

# The matrix's columns: what a desk asks first is "who has not answered?"
MATRIX_COLUMNS = [
    ("not_sent", "Not sent", {Status.DRAFT}),
    ("no_answer", "No answer yet", {Status.FILED}),
    ("working", "Acknowledged / working", {
        Status.ACKNOWLEDGED, Status.AWAITING_REQUESTER, Status.FEE_PENDING, Status.PROCESSING, Status.PARTIAL}),
    ("released", "Granted / partly", {Status.GRANTED, Status.PARTLY_GRANTED}),
    ("denied", "Denied", {Status.DENIED}),
    ("no_records", "No records", {Status.NO_RECORDS}),
    ("appeal", "Appeal / lawsuit", {Status.APPEALED, Status.APPEAL_DECIDED, Status.LITIGATION}),
    ("closed", "Closed / withdrawn", {Status.CLOSED, Status.WITHDRAWN}),
]  # fmt: skip
COLUMN_OF_STATUS = {status: key for key, _, statuses in MATRIX_COLUMNS for status in statuses}

SORTS = {
    "agency": "agency__name", "status": "status", "sent": "sent_date", "due": "due_date",
    "last_contact": "last_contact", "files": "files", "pages": "pages", "outcome": "outcome",
}  # fmt: skip


def board_queryset(campaign):
    """The campaign's requests with everything a row shows, in one query."""
    documents = Document.objects.filter(request=OuterRef("pk")).order_by().values("request")
    latest_outcome = (
        Event.objects.filter(request=OuterRef("pk"), kind__in=Event.OUTCOME_KINDS)
        .exclude(outcome="")
        .order_by("-date", "-id")
        .values("outcome")[:1]
    )
    last_contact = (
        Communication.objects.filter(request=OuterRef("pk")).order_by().values("request").annotate(d=Max("date"))
    )
    return (
        RecordsRequest.objects.filter(campaign=campaign)
        .select_related("agency", "statute")
        .prefetch_related("tracking_numbers")
        .annotate(
            files=Coalesce(
                Subquery(documents.annotate(c=Count("pk")).values("c")), Value(0), output_field=IntegerField()
            ),
            pages=Coalesce(
                Subquery(documents.annotate(p=Sum("page_count")).values("p")), Value(0), output_field=IntegerField()
            ),
            last_contact=Subquery(last_contact.values("d")),
            outcome=Coalesce(Subquery(latest_outcome), Value("")),
        )
    )


class BoardFilter(django_filters.FilterSet):
    """Applied on top of board_queryset (already one team's campaign); state lives in the URL."""

    agency = django_filters.CharFilter(label="Agency contains", method="filter_agency")
    column = django_filters.ChoiceFilter(
        label="Status", choices=[(key, label) for key, label, _ in MATRIX_COLUMNS], method="filter_column",
        empty_label="Any",
    )  # fmt: skip
    overdue = django_filters.BooleanFilter(
        label="Overdue", method="filter_overdue",
        widget=forms.Select(choices=[("", "Any"), ("true", "Overdue only"), ("false", "Not overdue")]),
    )  # fmt: skip
    outcome = django_filters.ChoiceFilter(
        label="Outcome", choices=Event.Outcome.choices, empty_label="Any", field_name="outcome"
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", method="filter_noop", empty_label="Agency",
        choices=[(v, f"{k.replace('_', ' ').capitalize()}{' (desc.)' if v.startswith('-') else ''}")
                 for k in SORTS for v in (k, f"-{k}")],
    )  # fmt: skip

    class Meta:
        model = RecordsRequest
        fields = ["agency", "column", "overdue", "outcome", "sort"]

    def filter_agency(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(agency__name__icontains=value) | Q(agency__abbreviation__icontains=value))

    def filter_column(self, queryset, name, value):
        statuses = next((s for key, _, s in MATRIX_COLUMNS if key == value), set())
        return queryset.filter(status__in=statuses)

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_noop(self, queryset, name, value):
        return queryset


def sorted_rows(queryset, sort: str | None):
    key = (sort or "agency").lstrip("-")
    field = SORTS.get(key, "agency__name")
    descending = bool(sort) and sort.startswith("-")
    order = field if not descending else f"-{field}"
    if field in ("sent_date", "due_date", "last_contact"):  # empty dates last, either way
        order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return queryset.order_by(order, "agency__name", "pk")


def days_overdue(records_request, today=None) -> int:
    today = today or timezone.localdate()
    if not records_request.is_overdue(today):
        return 0
    return (today - records_request.due_date).days


def matrix(rows, today=None) -> list[tuple]:
    """(request, its column key, days overdue) per row: the template draws one mark a row."""
    outcomes = dict(Event.Outcome.choices)
    for r in rows:
        r.outcome_label = outcomes.get(r.outcome, "")
    return [(r, COLUMN_OF_STATUS.get(r.status, "closed"), days_overdue(r, today)) for r in rows]


def column_counts(rows) -> dict[str, int]:
    counts = {key: 0 for key, _, _ in MATRIX_COLUMNS}
    for r in rows:
        counts[COLUMN_OF_STATUS.get(r.status, "closed")] += 1
    return counts


CSV_HEADER = [
    "request_id", "agency", "statute", "status", "sent", "due", "days_overdue", "last_contact",
    "files", "pages", "outcome", "tracking_numbers", "url",
]  # fmt: skip


def board_csv(rows, *, base_url: str = "", today=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    outcomes = dict(Event.Outcome.choices)
    for r in rows:
        writer.writerow([
            r.pk, _safe(r.agency.name), r.statute.code, r.get_status_display(),
            r.sent_date or "", r.due_date or "", days_overdue(r, today) or "", r.last_contact or "",
            r.files, r.pages, outcomes.get(r.outcome, ""),
            "; ".join(_safe(t.number) for t in r.tracking_numbers.all()), f"{base_url}{r.get_absolute_url()}",
        ])  # fmt: skip
    return out.getvalue()


def _safe(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheet programs (CSV injection).
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
