from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..forms import MemberForm
from ..models import Membership
from .access import current_team, membership, require_team_admin, teams_for


@login_required
def team_page(request):
    team = current_team(request)
    if team is None:
        return render(request, "records/no_team.html")
    mine = membership(request.user, team)
    is_admin = mine is not None and mine.role == Membership.ADMIN
    form = MemberForm(request.POST or None) if is_admin else None
    if request.method == "POST":
        require_team_admin(request.user, team)
        if form.is_valid():
            Membership.objects.update_or_create(
                user=form.cleaned_data["username"], team=team, defaults={"role": form.cleaned_data["role"]}
            )
            messages.success(request, f"{form.cleaned_data['username']} is now {form.cleaned_data['role']} of {team}.")
            return redirect("team")
    members = team.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "records/team.html",
        {"team": team, "members": members, "form": form, "is_admin": is_admin, "teams": teams_for(request.user)},
    )


@login_required
@require_POST
def member_remove(request, pk):
    member = get_object_or_404(Membership.objects.select_related("team", "user"), pk=pk)
    require_team_admin(request.user, member.team)
    if member.user == request.user:
        messages.error(request, "You cannot remove yourself; ask another team admin.")
    else:
        member.delete()
        messages.success(request, f"Removed {member.user} from {member.team}.")
    return redirect("team")


@login_required
@require_POST
def team_switch(request):
    team = get_object_or_404(teams_for(request.user), pk=request.POST.get("team"))
    request.session["team_id"] = team.pk
    # Back to the page the switch was made on, if it is a path on this site (not "//evil.com", not a URL name).
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("home")
