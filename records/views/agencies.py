from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from .. import audit
from ..access import writable_teams
from ..campaigns import directory, stats
from ..filters import AgencyFilter
from ..forms import AgencyForm
from ..models import Agency, RecordsRequest


def _require_editor(user):
    # The directory is shared: any editor of any team may add or correct an agency.
    if not writable_teams(user).exists():
        raise PermissionDenied("Only editors can change the agency directory.")


@login_required
def agency_list(request):
    filterset = AgencyFilter(request.GET or None, queryset=Agency.objects.select_related("parent", "default_statute"))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else Agency.objects.all()
    page = Paginator(queryset.order_by("name"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "records/agency_list.html",
        {"filter": filterset, "page": page, "querystring": query.urlencode(),
         "can_edit": writable_teams(request.user).exists()},
    )  # fmt: skip


@login_required
def agency_detail(request, pk):
    agency = get_object_or_404(Agency.objects.select_related("parent", "default_statute"), pk=pk)
    requests = RecordsRequest.objects.visible_to(request.user).filter(agency=agency).with_list_data()
    return render(
        request,
        "records/agency_detail.html",
        {"agency": agency, "requests": requests, "can_edit": writable_teams(request.user).exists(),
         # issue 11: this team's numbers for the agency, and the agencies merged into it
         "agency_performance": stats.performance(requests, by="agency"),
         "agency_merges": agency.merges_in.select_related("merged_by")},
    )  # fmt: skip


@login_required
def agency_create(request):
    _require_editor(request.user)
    form = AgencyForm(request.POST or None)
    similar = []
    if request.method == "POST" and form.is_valid():
        # issue 11: a name or email domain close to an existing agency warns first (and links to it)
        similar = directory.similar_agencies(form.cleaned_data["name"], form.cleaned_data.get("email", ""))
    if request.method == "POST" and form.is_valid() and (not similar or request.POST.get("confirm_new")):
        agency = form.save(commit=False)
        agency._history_user = request.user
        agency.save()
        messages.success(request, f"Added {agency}.")
        return redirect("agency_detail", pk=agency.pk)
    return render(request, "records/agency_form.html", {"form": form, "similar": similar})


@login_required
def agency_edit(request, pk):
    _require_editor(request.user)
    agency = get_object_or_404(Agency, pk=pk)
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        agency = form.save(commit=False)
        agency._history_user = request.user
        agency.save()
        messages.success(request, "Agency updated; the change is in its history.")
        return redirect("agency_detail", pk=agency.pk)
    return render(request, "records/agency_form.html", {"form": form, "agency": agency})


@login_required
def agency_history(request, pk):
    # The directory is shared, so its history is too: any signed-in user reads who changed what
    # (by username only: no team, no email).
    agency = get_object_or_404(Agency, pk=pk)
    return render(
        request,
        "records/agency_history.html",
        {"agency": agency, "history": audit.agency_history(agency), "can_edit": writable_teams(request.user).exists()},
    )


@login_required
def agency_revert(request, pk, history_id):
    """GET: what reverting would change, and a confirm button; POST: revert (a new version)."""
    _require_editor(request.user)
    agency = get_object_or_404(Agency, pk=pk)
    try:
        version = audit.agency_version(agency, history_id)
    except Agency.history.model.DoesNotExist:
        raise Http404("This agency has no such version.") from None
    if request.method == "POST":
        audit.revert_agency(agency, version, request.user)
        messages.success(request, "Agency reverted; the revert is in its history and can itself be undone.")
        return redirect("agency_history", pk=agency.pk)
    return render(
        request,
        "records/agency_revert.html",
        {"agency": agency, "version": version, "changes": audit.revert_preview(agency, version)},
    )
