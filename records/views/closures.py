"""Closure days a team keeps for its own deadlines.

A closure day added here belongs to the team the user is working in and moves only that team's
requests: one team's reading of a furlough day must not move another team's dates. Days for every
team (an executive-order closure) are kept by staff in the Django admin and listed here, labelled.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import timeline
from ..access import current_team, membership
from ..holiday_calendars import CALENDARS
from ..models import Agency, ClosureDay, Membership


class ClosureDayForm(forms.ModelForm):
    class Meta:
        model = ClosureDay
        fields = ["date", "reason", "agency", "calendar"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "agency": "Closes this agency only (a furlough day, an office closure).",
            "calendar": "Or close a whole holiday calendar (an executive-order closure).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.order_by("name")
        self.fields["calendar"] = forms.ChoiceField(
            required=False, choices=[("", "—")] + [(key, key) for key in sorted(CALENDARS)]
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("agency")) == bool(data.get("calendar")):
            raise forms.ValidationError("Choose an agency or a calendar (one of the two).")
        return data


def _is_team_admin(user, team) -> bool:
    mine = membership(user, team) if team is not None else None
    return mine is not None and mine.role == Membership.ADMIN


def _recompute(closure: ClosureDay) -> int:
    return timeline.recompute_open_requests(
        calendar=closure.calendar or None, agency_id=closure.agency_id, team_id=closure.team_id
    )


@login_required
def closure_list(request):
    team = current_team(request)
    is_admin = _is_team_admin(request.user, team)
    form = ClosureDayForm(request.POST or None) if is_admin else None
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied("Only a team admin can change this team's closure days.")
        if form.is_valid():
            closure = form.save(commit=False)
            closure.team = team
            closure._history_user = request.user
            closure.save()
            count = _recompute(closure)
            messages.success(request, f"Added {closure} for {team}; {count} open requests recomputed.")
            return redirect("closure_list")
    # This team's days and those for every team (never another team's).
    closures = ClosureDay.objects.filter(Q(team__isnull=True) | Q(team=team)).select_related("agency", "team")
    return render(
        request,
        "records/closures.html",
        {"closures": closures.order_by("-date"), "form": form, "is_admin": is_admin, "team": team},
    )


@login_required
@require_POST
def closure_delete(request, pk):
    # Another team's day, or one for every team, is not this page's to touch: 404.
    closure = get_object_or_404(ClosureDay.objects.visible_to(request.user).filter(team__isnull=False), pk=pk)
    if not _is_team_admin(request.user, closure.team):
        raise PermissionDenied("Only a team admin can change this team's closure days.")
    closure._history_user = request.user
    closure.delete()
    count = _recompute(closure)
    messages.success(request, f"Removed {closure}; {count} open requests recomputed.")
    return redirect("closure_list")
