from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..access import current_team, membership, require_team_admin, teams_for
from ..forms import InviteForm, RoleForm
from ..invitations import SENT_MESSAGE, invite, pending_invitations
from ..models import Invitation, Membership


@login_required
def team_page(request):
    team = current_team(request)
    if team is None:
        return render(request, "records/no_team.html", {"invitations": pending_invitations(request.user)})
    mine = membership(request.user, team)
    is_admin = mine is not None and mine.role == Membership.ADMIN
    form = InviteForm(request.POST or None) if is_admin else None
    if request.method == "POST":
        require_team_admin(request.user, team)  # 403 with the reason for an editor or viewer
        if form.is_valid():

            def accept_url(invitation):
                return request.build_absolute_uri(reverse("invitation", args=[invitation.token]))

            invite(team, form.cleaned_data["who"], form.cleaned_data["role"], request.user, accept_url)
            messages.success(request, SENT_MESSAGE)
            return redirect("team")
    members = team.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "records/team.html",
        {
            "team": team,
            "members": members,
            "form": form,
            "is_admin": is_admin,
            "roles": Membership.ROLE_CHOICES,
            "teams": teams_for(request.user),
        },
    )


@login_required
@require_POST
def member_role(request, pk):
    member = get_object_or_404(Membership.objects.select_related("team", "user"), pk=pk)
    require_team_admin(request.user, member.team)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
    elif member.user == request.user and form.cleaned_data["role"] != Membership.ADMIN:
        messages.error(request, "You cannot take away your own admin role; ask another team admin.")
    else:
        member.role = form.cleaned_data["role"]
        member.save(update_fields=["role"])
        messages.success(request, f"{member.user} is now {member.get_role_display().split(' (')[0].lower()}.")
    return redirect("team")


@login_required
@require_POST
def member_remove(request, pk):
    member = get_object_or_404(Membership.objects.select_related("team", "user"), pk=pk)
    require_team_admin(request.user, member.team)
    if member.user == request.user:
        messages.error(request, "You cannot remove yourself; ask another team admin.")
    else:
        count = member.end()
        messages.success(request, f"Removed {member.user} from {member.team}; {count} request(s) now unassigned.")
    return redirect("team")


@login_required
@require_POST
def team_two_factor(request):
    """A team admin requires (or stops requiring) two-factor sign-in of the current team's members."""
    team = current_team(request)
    if team is None:
        raise Http404("No such team.")
    require_team_admin(request.user, team)
    team.require_two_factor = request.POST.get("require") == "on"
    team.save(update_fields=["require_two_factor"])
    if team.require_two_factor:
        messages.success(request, f"{team} now requires two-factor sign-in; members without it are asked to set it up.")
    else:
        messages.success(request, f"{team} no longer requires two-factor sign-in.")
    return redirect("team")


@login_required
@require_POST
def team_leave(request):
    team = current_team(request)
    mine = membership(request.user, team) if team else None
    if mine is None:
        raise Http404("No such team.")
    other_admins = team.memberships.filter(role=Membership.ADMIN).exclude(pk=mine.pk)
    if mine.role == Membership.ADMIN and not other_admins.exists():
        messages.error(request, "You are this team's only admin; make someone else admin before you leave.")
        return redirect("team")
    count = mine.end()
    request.session.pop("team_id", None)
    messages.success(request, f"You left {team}; {count} request(s) assigned to you are now unassigned.")
    return redirect("home")


@login_required
def invitation_list(request):
    return render(request, "records/invitations.html", {"invitations": pending_invitations(request.user)})


@login_required
def invitation_detail(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("team", "invited_by"), token=token)
    if not invitation.is_for(request.user):
        raise Http404("No such invitation.")
    if not invitation.is_pending():
        messages.info(request, "This invitation has already been answered or has expired.")
        return redirect("invitation_list")
    if request.method == "POST":
        if request.POST.get("answer") == "accept":
            # Keep the team the user is working in: joining never switches it silently.
            working_in = current_team(request)
            if working_in is not None:
                request.session["team_id"] = working_in.pk
            invitation.accept(request.user)
            messages.success(
                request, f"You joined {invitation.team}. Switch to it from the team page when you want to work there."
            )
        else:
            invitation.decline()
            messages.info(request, f"You declined the invitation to {invitation.team}.")
        return redirect("invitation_list")
    return render(request, "records/invitation.html", {"invitation": invitation})


@login_required
@require_POST
def team_switch(request):
    chosen = request.POST.get("team", "")
    team = get_object_or_404(teams_for(request.user), pk=chosen if chosen.isdigit() else 0)
    request.session["team_id"] = team.pk
    # Back to the page the switch was made on, if it is a path on this site (not "//evil.com", not a URL name).
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("home")
