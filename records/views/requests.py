from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import audit, timeline
from ..deadlines import DISCLAIMER
from ..filters import RecordsRequestFilter
from ..forms import CommunicationForm, EventForm, RecordsRequestForm
from ..models import Communication, Event, RecordsRequest
from .access import can_write, current_team, get_request_for_user, get_scoped_or_404, teams_for, writable_teams

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
    chosen = request.POST.get("team") or request.GET.get("team")  # the "Filed into team" select
    team = get_object_or_404(teams_for(request.user), pk=chosen if chosen.isdigit() else 0) if chosen else None
    team = team or current_team(request)
    if team is None:
        raise PermissionDenied("You are not in a team yet. Ask a team admin to add you.")
    if not can_write(request.user, team):
        raise PermissionDenied("Your role in this team is read-only.")
    form = RecordsRequestForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            records_request = form.save(commit=False)
            records_request.team = team
            records_request.created_by = request.user
            records_request.save()
            form.save_related(records_request)
            timeline.recompute(records_request)
        messages.success(request, "Request saved.")
        return redirect(records_request)
    writable = writable_teams(request.user).order_by("name")
    return render(request, "records/request_form.html", {"form": form, "team": team, "writable_teams": writable})


@login_required
def request_edit(request, pk):
    records_request = get_request_for_user(request.user, pk, write=True)
    form = RecordsRequestForm(request.POST or None, instance=records_request, team=records_request.team)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            records_request = form.save()
            form.save_related(records_request)
            timeline.recompute(records_request)
        messages.success(request, "Request updated.")
        return redirect(records_request)
    return render(request, "records/request_form.html", {"form": form, "object": records_request})


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
        "history": audit.request_history(records_request)[:RECENT_HISTORY],
        **_deadline_context(records_request),
    }


def _deadline_context(records_request):
    return {
        "deadlines": timeline.deadline_list(timeline.request_deadlines(records_request)),
        "deadlines_disclaimer": DISCLAIMER,
    }


@login_required
@require_POST
def event_add(request, pk):
    records_request = get_request_for_user(request.user, pk, write=True)
    form = EventForm(request.POST, records_request=records_request, auto_id="event_%s")
    if not form.is_valid():
        return _detail_with_errors(request, records_request, event_form=form)
    with transaction.atomic():
        event = form.save(commit=False)
        event.request = records_request
        event.created_by = request.user
        event.save()
        timeline.recompute(records_request)
    messages.success(request, f"Logged: {event}.")
    return redirect(records_request)


@login_required
def event_edit(request, pk):
    event = get_scoped_or_404(Event.objects.select_related("request__team"), request.user, write=True, pk=pk)
    records_request = event.request
    form = EventForm(request.POST or None, instance=event, records_request=records_request)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            timeline.recompute(records_request)
        messages.success(request, "Event updated.")
        return redirect(records_request)
    return render(request, "records/event_form.html", {"form": form, "event": event, "object": records_request})


@login_required
@require_POST
def event_delete(request, pk):
    event = get_scoped_or_404(Event.objects.select_related("request__team"), request.user, write=True, pk=pk)
    records_request = event.request
    with transaction.atomic():
        event.delete()
        timeline.recompute(records_request)
    messages.success(request, "Event deleted; status and deadlines recomputed.")
    return redirect(records_request)


@login_required
@require_POST
def communication_add(request, pk):
    records_request = get_request_for_user(request.user, pk, write=True)
    form = CommunicationForm(request.POST, records_request=records_request, auto_id="comm_%s")
    if not form.is_valid():
        return _detail_with_errors(request, records_request, comm_form=form)
    comm = form.save(commit=False)
    comm.request = records_request
    comm.created_by = request.user
    comm.save()
    messages.success(request, "Communication logged.")
    return redirect(records_request)


@login_required
def communication_detail(request, pk):
    comm = get_scoped_or_404(Communication.objects.select_related("request__team"), request.user, pk=pk)
    return render(
        request,
        "records/communication_detail.html",
        {"comm": comm, "object": comm.request, "documents": comm.documents.order_by("-uploaded_at"),
         "can_write": can_write(request.user, comm.request.team)},
    )  # fmt: skip


def _detail_with_errors(request, records_request, *, event_form=None, comm_form=None):
    context = _detail_context(records_request, True, event_form=event_form, comm_form=comm_form)
    return render(request, "records/request_detail.html", context, status=400)
