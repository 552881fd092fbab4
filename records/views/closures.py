from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import timeline
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


def _require_any_team_admin(user):
    # Closure days are facts about agencies, shared by every team: team admins keep them.
    if not Membership.objects.filter(user=user, role=Membership.ADMIN).exists():
        raise PermissionDenied("Only team admins can change closure days.")


@login_required
def closure_list(request):
    is_admin = Membership.objects.filter(user=request.user, role=Membership.ADMIN).exists()
    form = ClosureDayForm(request.POST or None) if is_admin else None
    if request.method == "POST":
        _require_any_team_admin(request.user)
        if form.is_valid():
            closure = form.save()
            count = timeline.recompute_open_requests(calendar=closure.calendar or None, agency_id=closure.agency_id)
            messages.success(request, f"Added {closure}; {count} open requests recomputed.")
            return redirect("closure_list")
    closures = ClosureDay.objects.select_related("agency").order_by("-date")
    return render(request, "records/closures.html", {"closures": closures, "form": form, "is_admin": is_admin})


@login_required
@require_POST
def closure_delete(request, pk):
    _require_any_team_admin(request.user)
    closure = get_object_or_404(ClosureDay, pk=pk)
    closure.delete()
    count = timeline.recompute_open_requests(calendar=closure.calendar or None, agency_id=closure.agency_id)
    messages.success(request, f"Removed {closure}; {count} open requests recomputed.")
    return redirect("closure_list")
