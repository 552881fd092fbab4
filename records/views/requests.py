from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import audit, timeline
from ..access import (
    can_write,
    current_team,
    get_request_for_user,
    get_scoped_or_404,
    teams_for,
    writable_current_team,
    writable_teams,
)  # fmt: skip
from ..deadlines import DISCLAIMER
from ..filters import RecordsRequestFilter
from ..forms import CommunicationForm, EventForm, RecordsRequestForm
from ..models import Agency, Communication, Event, RecordsRequest
from ..proposals import log_communication_and_read
from ..review.marks import request_progress
from ..timeline_writes import Conflict, delete_event, log_event, save_event, save_request

PAGE_SIZE = 50
RECENT_HISTORY = 8  # the request page shows the latest changes; the history page shows all


@login_required
def request_list(request):
    teams = teams_for(request.user)
    base = RecordsRequest.objects.visible_to(request.user).with_list_data()
    filterset = RecordsRequestFilter(request.GET or None, queryset=base, teams=teams)
    queryset = filterset.qs if filterset.is_bound else base
    if filterset.is_bound and not filterset.is_valid():
        queryset = base.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    team = current_team(request)
    return render(
        request,
        "records/request_list.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": query.urlencode(),
            "can_create": team is not None and can_write(request.user, team),
        },
    )


@login_required
def request_create(request):
    team = writable_current_team(request, request.POST.get("team") or request.GET.get("team"))  # "Filed into team"
    form = RecordsRequestForm(request.POST or None, team=team, initial=_agency_initial(request.GET.get("agency")))
    if request.method == "POST" and form.is_valid():
        records_request = form.instance
        records_request.team = team
        _save_request_form(form, request.user)
        messages.success(request, "Request saved.")
        return redirect(records_request)
    writable = writable_teams(request.user).order_by("name")
    statutes = dict(Agency.objects.filter(default_statute__isnull=False).values_list("pk", "default_statute_id"))
    context = {"form": form, "team": team, "writable_teams": writable, "agency_statutes": statutes}
    return render(request, "records/request_form.html", context)


def _agency_initial(agency_id) -> dict:
    """`?agency=ID` (the agency page's "new request" link): that agency, and its default statute."""
    agency = Agency.objects.filter(pk=agency_id).first() if str(agency_id or "").isdigit() else None
    if agency is None:
        return {}
    return {"agency": agency.pk, "statute": agency.default_statute_id}


@login_required
def request_edit(request, pk):
    records_request = get_request_for_user(request.user, pk, write=True)
    form = RecordsRequestForm(request.POST or None, instance=records_request, team=records_request.team)
    if request.method == "POST" and form.is_valid():
        try:
            _save_request_form(form, request.user)
        except Conflict as conflict:
            context = {"object": conflict.current, "conflict": _conflict_context(conflict, form)}
            context["form"] = RecordsRequestForm(
                _with_version(request.POST, conflict), instance=conflict.current, team=records_request.team
            )
            return render(request, "records/request_form.html", context, status=409)
        messages.success(request, "Request updated.")
        return redirect(records_request)
    return render(request, "records/request_form.html", {"form": form, "object": records_request})


def _save_request_form(form, user):
    data = form.cleaned_data
    return save_request(
        form.instance, user=user, tags=data["tags_text"], tracking_numbers=data["tracking_text"],
        expected_version=data.get("version"),
    )  # fmt: skip


def _with_version(post, conflict):
    """What the user typed, now based on the stored version: saving again is a knowing choice."""
    data = post.copy()
    data["version"] = conflict.current.version
    return data


def _conflict_context(conflict, form):
    """The message, and each field the other save changed: theirs beside what this user typed.
    `form` is the user's own, validated: its cleaned values are what they typed."""
    saved_at = conflict.saved_at()
    when = f" at {timezone.localtime(saved_at):%H:%M}" if saved_at else ""
    noun = conflict.current._meta.verbose_name.replace("records ", "")
    yours = {name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data}
    return {
        "message": f"Someone else saved this {noun}{when} since you opened it. What you typed is kept below "
        "and not saved yet: compare it with theirs, then save again to keep yours.",
        "changes": conflict.changes(form.cleaned_data.get("version"), yours),
    }


def _timeline_items(records_request):
    """Events and communications, newest first, in one list."""
    events = list(records_request.events.select_related("created_by"))
    comms = list(records_request.communications.select_related("event"))
    items = [("event", e.date, e.created_at, e) for e in events] + [("comm", c.date, c.created_at, c) for c in comms]
    items.sort(key=lambda item: (item[1], item[2]), reverse=True)
    return [(kind, obj) for kind, _, _, obj in items]


@login_required
def request_detail(request, pk):
    records_request = get_request_for_user(request.user, pk)
    writable = can_write(request.user, records_request.team)
    return render(request, "records/request_detail.html", _detail_context(records_request, writable))


def _detail_context(records_request, writable, *, event_form=None, comm_form=None):
    """Everything the request page shows; the add forms only for those who may write."""
    if writable:
        event_form = event_form or EventForm(records_request=records_request, auto_id="event_%s")
        comm_form = comm_form or CommunicationForm(records_request=records_request, auto_id="comm_%s")
    return {
        "object": records_request,
        "items": _timeline_items(records_request),
        "can_write": writable,
        "event_form": event_form,
        "comm_form": comm_form,
        "documents": records_request.documents.filter(archive__isnull=True).order_by("-uploaded_at"),
        "document_rows": records_request.documents.order_by("-uploaded_at", "-id").as_tree(),
        "history": audit.request_history(records_request)[:RECENT_HISTORY],
        "review_progress": request_progress(records_request),
        **_deadline_context(records_request),
    }


def _deadline_context(records_request):
    return {
        "deadlines": timeline.deadline_list(timeline.request_deadlines(records_request)),
        "deadlines_disclaimer": DISCLAIMER,
    }


def _add_to_timeline(request, pk, *, form_class, prefix, write, logged):
    """Log an event or a communication from the form on the request page (its fields are `prefix`_…)."""
    records_request = get_request_for_user(request.user, pk, write=True)
    form = form_class(request.POST, records_request=records_request, auto_id=f"{prefix}_%s")
    if not form.is_valid():
        return _detail_with_errors(request, records_request, **{f"{prefix}_form": form})
    entry = write(records_request, user=request.user, **form.entry_fields())
    messages.success(request, logged(entry))
    return redirect(records_request)


@login_required
@require_POST
def event_add(request, pk):
    return _add_to_timeline(
        request, pk, form_class=EventForm, prefix="event", write=log_event, logged=lambda event: f"Logged: {event}."
    )


@login_required
def event_edit(request, pk):
    event = get_scoped_or_404(Event.objects.select_related("request__team"), request.user, write=True, pk=pk)
    records_request = event.request
    form = EventForm(request.POST or None, instance=event, records_request=records_request)
    context = {"form": form, "event": event, "object": records_request}
    if request.method == "POST" and form.is_valid():
        try:
            save_event(form.instance, user=request.user, expected_version=form.cleaned_data.get("version"))
        except Conflict as conflict:
            context["conflict"] = _conflict_context(conflict, form)
            context["form"] = EventForm(
                _with_version(request.POST, conflict), instance=conflict.current, records_request=records_request
            )
            return render(request, "records/event_form.html", context, status=409)
        messages.success(request, "Event updated.")
        return redirect(records_request)
    return render(request, "records/event_form.html", context)


@login_required
@require_POST
def event_delete(request, pk):
    event = get_scoped_or_404(Event.objects.select_related("request__team"), request.user, write=True, pk=pk)
    records_request = delete_event(event, user=request.user)
    messages.success(request, "Event deleted; status and deadlines recomputed.")
    return redirect(records_request)


@login_required
@require_POST
def communication_add(request, pk):
    return _add_to_timeline(
        request, pk, form_class=CommunicationForm, prefix="comm", write=log_communication_and_read,
        logged=lambda comm: "Communication logged.",
    )  # fmt: skip


@login_required
def communication_detail(request, pk):
    comm = get_scoped_or_404(Communication.objects.select_related("request__team"), request.user, pk=pk)
    return render(
        request,
        "records/communication_detail.html",
        {"comm": comm, "object": comm.request, "documents": comm.documents.order_by("-uploaded_at"),
         "document_rows": comm.documents.order_by("-uploaded_at", "-id").as_tree(),
         "can_write": can_write(request.user, comm.request.team)},
    )  # fmt: skip


def _detail_with_errors(request, records_request, *, event_form=None, comm_form=None):
    context = _detail_context(records_request, True, event_form=event_form, comm_form=comm_form)
    return render(request, "records/request_detail.html", context, status=400)
