"""The one write path for the timeline: every page, API call, admin action, import and command that
saves a request or logs, edits or deletes an event or a communication comes through here.

Each function runs in one transaction and ends with `timeline.recompute`, so status and due dates are
never stale. Requests and events carry a `version`; a save that names the version the caller read
and finds another one stored raises `Conflict` (two editors, or a stale API PUT), instead of
silently overwriting. The acting user is recorded in the audit history (django-simple-history).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from . import timeline
from .models import Communication, Event, RecordsRequest, Tag, TrackingNumber


class Conflict(Exception):
    """Someone else saved this object after the caller read it. `current` is the stored one."""

    def __init__(self, current):
        super().__init__(f"{current._meta.verbose_name} {current.pk} was saved by someone else.")
        self.current = current

    def saved_at(self):
        """When the other save happened (the audit history's latest row for this object)."""
        record = self.current.history.order_by("-history_date").first()
        return record.history_date if record is not None else None

    def changes(self, opened_version: int | None, yours: dict) -> list[tuple[str, str, str]]:
        """(field label, their value, your value) for each field the other save changed since
        `opened_version` and where what you typed differs from theirs."""
        opened = self.current.history.filter(version=opened_version).order_by("-history_date").first()
        rows = []
        for name, your_value in yours.items():
            field = self.current._meta.get_field(name)
            theirs = getattr(self.current, field.attname)
            if hasattr(your_value, "pk"):
                your_value = your_value.pk
            if opened is not None and getattr(opened, field.attname) == theirs:
                continue  # they did not touch this one
            if theirs != your_value:
                rows.append((str(field.verbose_name).capitalize(), _shown(field, theirs), _shown(field, your_value)))
        return rows


def _shown(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _as_user(obj, user) -> None:
    # simple-history reads the acting user from here outside a web request (commands, imports, tests).
    if user is not None:
        obj._history_user = user


def _claim_version(obj, expected_version: int | None) -> None:
    """Move the stored version on by one; a stale expected version is a Conflict.

    One conditional UPDATE, so two saves racing on the same version cannot both win.
    """
    model = type(obj)
    if obj.pk is None:
        obj.version = 1
        return
    rows = model.objects.filter(pk=obj.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1):
        raise Conflict(model.objects.get(pk=obj.pk))
    obj.version = model.objects.values_list("version", flat=True).get(pk=obj.pk)


def save_request(
    records_request: RecordsRequest,
    *,
    user,
    tags: list[str] | None = None,
    tracking_numbers: list[tuple[str, str]] | None = None,
    expected_version: int | None = None,
) -> RecordsRequest:
    """Create or update a request with its tags and tracking numbers ((kind, number) pairs).

    tags / tracking_numbers of None leave those as they are.
    """
    with transaction.atomic():
        _claim_version(records_request, expected_version)
        if records_request.received_is_assumed and _received_date_changed(records_request):
            records_request.received_is_assumed = False  # someone entered the real date
        if records_request.pk is None and records_request.created_by_id is None:
            records_request.created_by = user
        _as_user(records_request, user)
        records_request.save()
        if tags is not None:
            _set_tags(records_request, tags)
        if tracking_numbers is not None:
            _set_tracking_numbers(records_request, tracking_numbers)
        return timeline.recompute(records_request)


def _received_date_changed(records_request: RecordsRequest) -> bool:
    stored = RecordsRequest.objects.filter(pk=records_request.pk).values_list("received_date", flat=True).first()
    return stored != records_request.received_date


def _set_tags(records_request: RecordsRequest, names: list[str]) -> None:
    wanted = sorted({name.strip() for name in names if name.strip()})
    records_request.tags.set([Tag.objects.get_or_create(team=records_request.team, name=name)[0] for name in wanted])


def _set_tracking_numbers(records_request: RecordsRequest, entries: list[tuple[str, str]]) -> None:
    records_request.tracking_numbers.exclude(number__in=[number for _, number in entries]).delete()
    for kind, number in entries:
        TrackingNumber.objects.update_or_create(
            request=records_request, number=number, defaults={"kind": kind, "agency": records_request.agency}
        )


def log_event(records_request: RecordsRequest, *, user, channel: str | None = None, **fields) -> Event:
    """`channel`: how a "Filed" event's request went out (email, portal, letter…), for its received date."""
    event = Event(request=records_request, created_by=user, **fields)
    with transaction.atomic():
        if event.kind == Event.Kind.FILED:
            _start_clock(records_request, event.date, channel or _sending_channel(records_request, event.date))
        return save_event(event, user=user)


def edit_event(event: Event, *, user, expected_version: int | None = None, **fields) -> Event:
    for name, value in fields.items():
        setattr(event, name, value)
    return save_event(event, user=user, expected_version=expected_version)


def save_event(event: Event, *, user, expected_version: int | None = None) -> Event:
    """An event built or changed by the caller (a form, the admin's inline): saved, then recomputed."""
    with transaction.atomic():
        _claim_version(event, expected_version)
        _as_user(event, user)
        event.save()
        timeline.recompute(event.request)
    return event


def delete_event(event: Event, *, user) -> RecordsRequest:
    records_request = event.request
    with transaction.atomic():
        _as_user(event, user)
        event.delete()
        return timeline.recompute(records_request)


def delete_events(events, *, user) -> int:
    """Many at once (the admin's "delete selected"): every request they were on is recomputed."""
    return _delete_and_recompute(events, user=user)


def log_communication(records_request: RecordsRequest, *, user, **fields) -> Communication:
    comm = Communication(request=records_request, created_by=user, **fields)
    with transaction.atomic():
        if comm.direction == Communication.OUTGOING and comm.event is not None and comm.event.kind == Event.Kind.FILED:
            _start_clock(records_request, comm.date, comm.channel)  # this message is the sending of the request
        return save_communication(comm, user=user)


# Channels by which the agency has the request the day it is sent. By mail the day of receipt is unknown,
# so the user is asked for it; no date is guessed.
SAME_DAY_CHANNELS = {"email", "portal", "fax", "in_person"}


def _sending_channel(records_request: RecordsRequest, sent_on) -> str | None:
    """How the request went out, from an outgoing communication logged that day (None if there is none)."""
    comm = records_request.communications.filter(direction=Communication.OUTGOING, date=sent_on).first()
    return comm.channel if comm is not None else None


def _start_clock(records_request: RecordsRequest, sent_on, channel: str | None) -> None:
    """The request was sent: set the sent date if empty and, for a same-day channel, assume the agency
    received it that day (flagged as an assumption the page asks the user to correct)."""
    changed = []
    if records_request.sent_date is None:
        records_request.sent_date = sent_on
        changed.append("sent_date")
    if records_request.received_date is None and channel in SAME_DAY_CHANNELS:
        records_request.received_date = records_request.sent_date
        records_request.received_is_assumed = True
        changed += ["received_date", "received_is_assumed"]
    if changed:
        records_request.save(update_fields=[*changed, "updated_at"])


def edit_communication(comm: Communication, *, user, **fields) -> Communication:
    for name, value in fields.items():
        setattr(comm, name, value)
    return save_communication(comm, user=user)


def save_communication(comm: Communication, *, user) -> Communication:
    with transaction.atomic():
        _as_user(comm, user)
        comm.save()
        timeline.recompute(comm.request)
    return comm


def delete_communications(comms, *, user) -> int:
    return _delete_and_recompute(comms, user=user)


def _delete_and_recompute(queryset, *, user) -> int:
    with transaction.atomic():
        objects = list(queryset.select_related("request"))
        requests = {obj.request_id: obj.request for obj in objects}
        for obj in objects:  # one by one, so the audit history records each deletion and who made it
            _as_user(obj, user)
            obj.delete()
        for records_request in requests.values():
            timeline.recompute(records_request)
    return len(objects)


def delete_requests(requests, *, user) -> int:
    with transaction.atomic():
        objects = list(requests)
        for records_request in objects:
            _as_user(records_request, user)
            records_request.delete()
    return len(objects)


def create_requests_for_campaign(requests: list[RecordsRequest], *, user) -> list[RecordsRequest]:
    """Many new requests at once (a campaign): one bulk insert with their audit history, then the
    recompute of each that has deadlines. save_request one by one costs ~10 queries a request; a
    500-agency campaign must be created within seconds."""
    with transaction.atomic():
        for records_request in requests:
            records_request.version = 1
            if records_request.created_by_id is None:
                records_request.created_by = user
            # No events yet: the status follows from the dates alone.
            records_request.status = timeline.derive_status(records_request, [])
        created = bulk_create_with_history(requests, RecordsRequest, batch_size=500, default_user=user)
        for records_request in created:
            if records_request.received_date is not None:  # only then are there deadlines to derive
                timeline.recompute(records_request)
    return created
