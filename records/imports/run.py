"""The import itself: create exactly what the plan lists, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .. import timeline
from ..models import Agency, Event, RecordsRequest, Tag, TrackingNumber
from .plan import Plan


@dataclass
class ImportResult:
    created: list[RecordsRequest]
    agencies_created: list[Agency]
    skipped_duplicates: int
    skipped_errors: int


def run_import(plan: Plan, *, team, user) -> ImportResult:
    """Create exactly what the plan lists, in one transaction: any failure leaves nothing behind."""
    created: list[RecordsRequest] = []
    with transaction.atomic():
        agencies = {
            new.key: Agency.objects.create(
                name=new.name, abbreviation=new.abbreviation, level=new.level, state=new.state
            )
            for new in plan.new_agencies
        }
        tags: dict[str, Tag] = {t.name.lower(): t for t in Tag.objects.filter(team=team)}
        for row in plan.rows:
            agency = row.agency or agencies[row.new_agency.key]
            records_request = RecordsRequest.objects.create(
                team=team, title=row.title, agency=agency, statute=row.statute, body=row.body,
                reference=row.reference, sent_date=row.sent_date, received_date=row.received_date,
                assignee=row.assignee, project=row.project, fee_estimate=row.fee_estimate, fee_paid=row.fee_paid,
                fee_waiver_requested=row.fee_waiver_requested, created_by=user,
            )  # fmt: skip
            for number in row.tracking_numbers:
                TrackingNumber.objects.create(request=records_request, number=number, agency=agency)
            row_tags = []
            for name in row.tags:
                if name.lower() not in tags:
                    tags[name.lower()] = Tag.objects.create(team=team, name=name)
                row_tags.append(tags[name.lower()])
            if row_tags:
                records_request.tags.set(row_tags)
            for event in row.events:
                Event.objects.create(
                    request=records_request, kind=event.kind, date=event.date, outcome=event.outcome,
                    note=event.note, created_by=user,
                )  # fmt: skip
            timeline.recompute(records_request)
            created.append(records_request)
    return ImportResult(
        created=created,
        agencies_created=list(agencies.values()),
        skipped_duplicates=len(plan.duplicates),
        skipped_errors=len(plan.errors),
    )
