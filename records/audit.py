"""Audit history: who changed what, and when, on a request, its events and its communications,
and on the shared agency directory (with a revert to an earlier version).

django-simple-history keeps a row per save and per delete (models: `history = HistoricalRecords()`);
this module turns those rows into entries a person reads: "editor changed Status: Filed → Denied".
The caller has already checked the request is visible to the user (records.access); the events and
communications are found by their request id, so deleted ones still show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from .models import Agency, Communication, Event, RecordsRequest, Statute

# Bookkeeping that changes on every save and says nothing a reader needs.
SKIPPED_FIELDS = {"id", "updated_at", "created_at", "version"}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
MAX_VALUE_LENGTH = 200


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    object_type: str  # request | event | communication
    what: str  # e.g. "Event: Acknowledged (2026-11-04)"
    action: str  # created | changed | deleted
    changes: list[FieldChange] = field(default_factory=list)
    history_id: int = 0
    note: str = ""  # the recorded reason, e.g. "Reverted to the version of …"


def request_history(records_request: RecordsRequest) -> list[HistoryEntry]:
    """Every recorded change to the request and to its events and communications, newest first."""
    sources = [
        ("request", RecordsRequest, RecordsRequest.history.filter(id=records_request.pk)),
        ("event", Event, Event.history.filter(request_id=records_request.pk)),
        ("communication", Communication, Communication.history.filter(request_id=records_request.pk)),
    ]
    entries: list[HistoryEntry] = []
    labels = _RelatedLabels()
    for object_type, model, records in sources:
        entries.extend(_entries(object_type, model, records, labels))
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries


def agency_history(agency: Agency) -> list[HistoryEntry]:
    """Every recorded version of a shared directory entry, newest first (issue 10)."""
    entries = _entries("agency", Agency, Agency.history.filter(id=agency.pk), _RelatedLabels())
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries


def agency_version(agency: Agency, history_id: int):
    """One recorded version of the agency that can be restored (not a deletion), or DoesNotExist."""
    return Agency.history.filter(id=agency.pk).exclude(history_type="-").get(history_id=history_id)


def revert_preview(agency: Agency, version) -> list[FieldChange]:
    """What reverting would change: each field from its current value to the version's."""
    labels = _RelatedLabels()
    fields = [f for f in Agency._meta.concrete_fields if f.name not in SKIPPED_FIELDS]
    return [
        FieldChange(str(f.verbose_name).capitalize(), labels.show(agency, f), labels.show(version, f))
        for f in fields
        if getattr(agency, f.attname) != getattr(version, f.attname)
    ]


def revert_agency(agency: Agency, version, user) -> Agency:
    """Restore the agency as one of its recorded versions; the revert is itself a new version."""
    restored = version.instance
    # A parent agency or statute deleted since that version cannot come back: leave it blank.
    if restored.parent_id and not Agency.objects.filter(pk=restored.parent_id).exists():
        restored.parent_id = None
    if restored.default_statute_id and not Statute.objects.filter(pk=restored.default_statute_id).exists():
        restored.default_statute_id = None
    restored._history_user = user
    when = timezone.localtime(version.history_date)
    restored._change_reason = f"Reverted to the version of {when:%Y-%m-%d %H:%M}"
    restored.save()
    return restored


def _entries(object_type: str, model, records, labels: _RelatedLabels) -> list[HistoryEntry]:
    """One entry per history row; a change lists the fields that differ from the row before it."""
    records = records.select_related("history_user").order_by("id", "history_date", "history_id")
    fields = [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS]
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        if previous is not None and previous.id != record.id:
            previous = None
        entry = HistoryEntry(
            when=record.history_date,
            who=record.history_user.username if record.history_user_id and record.history_user else "",
            object_type=object_type,
            what=_describe(object_type, record),
            action=ACTIONS.get(record.history_type, record.history_type),
            history_id=record.history_id,
            note=record.history_change_reason or "",
        )
        if record.history_type == "~" and previous is not None:
            entry.changes = [
                FieldChange(str(f.verbose_name).capitalize(), labels.show(previous, f), labels.show(record, f))
                for f in fields
                if getattr(previous, f.attname) != getattr(record, f.attname)
            ]
            if not entry.changes:
                previous = record
                continue  # a save that changed nothing (e.g. a recompute with the same result)
        entries.append(entry)
        previous = record
    return entries


def _describe(object_type: str, record) -> str:
    if object_type == "request":
        return "Request"
    if object_type == "agency":
        return "Agency"
    if object_type == "event":
        label = dict(Event.Kind.choices).get(record.kind, record.kind)
        if record.outcome:
            label += f": {dict(Event.Outcome.choices).get(record.outcome, record.outcome)}"
        return f"Event: {label} ({record.date:%Y-%m-%d})"
    direction = dict(Communication.DIRECTION_CHOICES).get(record.direction, record.direction).split(" (")[0]
    return f"Communication: {direction.lower()}, {record.date:%Y-%m-%d}, {record.subject or '(no subject)'}"


class _RelatedLabels:
    """Shows a field's value as a person reads it: choice labels, names of related things, yes/no."""

    def __init__(self):
        self.cache: dict[tuple, str] = {}

    def show(self, record, f: models.Field) -> str:
        value = getattr(record, f.attname)
        if value is None or value == "":
            return "—"
        if f.is_relation:
            return self._related(f.related_model, value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value)
        return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"

    def _related(self, model, pk) -> str:
        key = (model._meta.label, pk)
        if key not in self.cache:
            obj = model._default_manager.filter(pk=pk).first()
            self.cache[key] = str(obj) if obj is not None else f"#{pk} (deleted)"
        return self.cache[key]
