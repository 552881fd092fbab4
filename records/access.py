"""Access helpers: the object a user may touch, or 404; a write by a viewer, 403.

Every view and the API get their objects through these, and these start from `visible_to(user)`.
They sit beside the models (not under views/) so the API and the pages share one set.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Membership, RecordsRequest, Team

READ_ONLY = "Your role in this team is read-only."


def get_request_for_user(user, pk, *, write=False) -> RecordsRequest:
    records_request = get_object_or_404(RecordsRequest.objects.visible_to(user).select_related("team"), pk=pk)
    if write and not can_write(user, records_request.team):
        raise PermissionDenied(READ_ONLY)
    return records_request


def get_scoped_or_404(queryset, user, *, write=False, **lookup):
    """For events, communications, documents: visible to the user, else 404."""
    obj = get_object_or_404(queryset.visible_to(user), **lookup)
    if write:
        team = obj.request.team
        if not can_write(user, team):
            raise PermissionDenied(READ_ONLY)
    return obj


def membership(user, team) -> Membership | None:
    return Membership.objects.filter(user=user, team=team).first()


def can_write(user, team) -> bool:
    m = membership(user, team)
    return m is not None and m.can_write


def teams_for(user):
    return Team.objects.filter(memberships__user=user).order_by("name")


def writable_teams(user):
    # One filter() call, so the role condition applies to this user's own membership.
    return Team.objects.filter(memberships__user=user, memberships__role__in=Membership.WRITE_ROLES)


def current_team(request) -> Team | None:
    """The team the user is working in: chosen in the session, else their first."""
    teams = teams_for(request.user)
    chosen = request.session.get("team_id")
    team = teams.filter(pk=chosen).first() if chosen else None
    return team or teams.first()


def writable_current_team(request, chosen: str | None = None) -> Team:
    """The team the user is working in (or `chosen`, a team id they picked: 404 if not theirs), which
    they must be able to write to; else 403 with a reason."""
    if chosen:
        team = get_object_or_404(teams_for(request.user), pk=chosen if str(chosen).isdigit() else 0)
    else:
        team = current_team(request)
    if team is None:
        raise PermissionDenied("You are not in a team yet. Ask a team admin to add you.")
    if not can_write(request.user, team):
        raise PermissionDenied(READ_ONLY)
    return team


def require_team_admin(user, team) -> None:
    m = membership(user, team)
    if m is None:
        raise Http404("No such team.")
    if m.role != Membership.ADMIN:
        raise PermissionDenied("Only a team admin can manage members.")
