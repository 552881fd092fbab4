"""The import itself: create exactly what the plan lists, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .. import timeline_writes
from ..models import Agency, RecordsRequest, Tag, TrackingNumber
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
        tags = {t.name.lower(): t.name for t in Tag.objects.filter(team=team)}  # a tag keeps its first spelling
        for row in plan.rows:
            agency = row.agency or agencies[row.new_agency.key]
            records_request = timeline_writes.save_request(
                RecordsRequest(
                    team=team, title=row.title, agency=agency, statute=row.statute, body=row.body,
                    reference=row.reference, sent_date=row.sent_date, received_date=row.received_date,
                    assignee=row.assignee, project=row.project, fee_estimate=row.fee_estimate, fee_paid=row.fee_paid,
                    fee_waiver_requested=row.fee_waiver_requested,
                ),
                user=user,
                tags=[tags.setdefault(name.lower(), name) for name in row.tags],
                tracking_numbers=[(TrackingNumber.INITIAL, number) for number in row.tracking_numbers],
            )  # fmt: skip
            for event in row.events:
                timeline_writes.log_event(
                    records_request, user=user, kind=event.kind, date=event.date, outcome=event.outcome,
                    note=event.note,
                )  # fmt: skip
            created.append(records_request)
    return ImportResult(
        created=created,
        agencies_created=list(agencies.values()),
        skipped_duplicates=len(plan.duplicates),
        skipped_errors=len(plan.errors),
    )
