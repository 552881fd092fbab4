from rest_framework import permissions

from records.models import Membership, team_ids_for

from ..access import can_write


def team_of(obj):
    return obj.team if hasattr(obj, "team_id") else obj.request.team


class TeamWritePermission(permissions.BasePermission):
    """Reads: whatever `visible_to(user)` lets through (others' objects are 404 before this).
    Writes: an editor's (or team admin's) role in the object's own team, else 403."""

    message = "Your role in this team is read-only."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        # A viewer in every team they belong to can write nothing: say so before reading the body.
        return team_ids_for(request.user, Membership.WRITE_ROLES).exists()

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_write(request.user, team_of(obj))
