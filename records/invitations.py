"""Team invitations: joining a team takes the invitee's consent.

`invite` answers nothing about whether the person has an account: the caller shows one sentence
whatever happens, so the add-member form cannot be used to probe usernames.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db.models import Q
from django.template.loader import render_to_string

from .models import Invitation, Membership, Team

SENT_MESSAGE = "If that person has an account, they will see the invitation on their next sign-in."


def find_invitee(who: str):
    """The account named by a username or an email address, or None."""
    who = who.strip()
    if not who:
        return None
    matches = get_user_model().objects.filter(Q(username=who) | Q(email__iexact=who), is_active=True)
    # An email address shared by two accounts names neither: invite nobody rather than a guess.
    found = list(matches[:2])
    return found[0] if len(found) == 1 else None


def invite(team: Team, who: str, role: str, invited_by, accept_url) -> Invitation | None:
    """Invite the person named by `who` (username or email). `accept_url(invitation)` builds the
    absolute link for the email. Returns the invitation, or None when nobody was invited."""
    user = find_invitee(who)
    if user is None:
        return _invite_address(team, who, role, invited_by)
    existing = Membership.objects.filter(team=team, user=user).first()
    if existing is not None:
        return None  # already in the team: roles are changed in the member list
    invitation = Invitation.objects.pending().filter(team=team, user=user).first()
    if invitation is None:
        invitation = Invitation.objects.create(team=team, user=user, email=user.email, role=role, invited_by=invited_by)
    elif invitation.role != role:
        invitation.role = role
        invitation.save(update_fields=["role"])
    if user.email:
        body = render_to_string(
            "records/email/invitation.txt",
            {"invitation": invitation, "user": user, "url": accept_url(invitation)},
        )
        send_mail(f"Invitation to join {team} on the records tracker", body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return invitation


def _invite_address(team, who, role, invited_by) -> Invitation | None:
    """An email address with no account yet: kept, and shown to whoever signs in with that address
    (staff create accounts). No mail is sent: we do not write to strangers."""
    try:
        validate_email(who.strip())
    except ValidationError:
        return None
    pending = Invitation.objects.pending().filter(team=team, user__isnull=True, email__iexact=who.strip())
    return pending.first() or Invitation.objects.create(team=team, email=who.strip(), role=role, invited_by=invited_by)


def pending_invitations(user):
    return Invitation.objects.pending().for_user(user).select_related("team", "invited_by")
