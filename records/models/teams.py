import datetime as dt
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class TeamQuerySet(models.QuerySet):
    def delete(self):
        """Delete these teams (their requests, documents and pages by cascade); their pages leave
        the ranking engine too (records/search/outbox.py), queued in this transaction."""
        from .search_engine import SearchOutbox

        with transaction.atomic(using=self.db):
            SearchOutbox.queue(SearchOutbox.TEAM, self.order_by().values_list("pk", flat=True))
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True  # as_manager() must not offer Team.objects.delete()


class Team(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    # Reminder digests list what falls due within this many days.
    reminder_days = models.PositiveSmallIntegerField(default=3)
    # Statutes with no fixed period (FL, OH, TX production): the desk's own target, shown as internal.
    internal_target_days = models.PositiveSmallIntegerField(
        null=True, blank=True, default=30, help_text="Internal target (calendar days) where the law sets no deadline."
    )
    # Teams holding sensitive records: members must sign in with a second factor (records/two_factor.py).
    require_two_factor = models.BooleanField(
        default=False, help_text="Members must sign in with a code from an authenticator app."
    )
    # Printed at the top of the team's letters (records.letters.pdf).
    letterhead_address = models.TextField("letterhead address", blank=True)
    letterhead_contact = models.CharField(
        "letterhead contact", max_length=300, blank=True, help_text="Phone, email, website: one line."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def delete(self, *args, **kwargs):
        # Its pages leave the ranking engine too (records/search/outbox.py), in this transaction.
        from .search_engine import SearchOutbox

        with transaction.atomic():
            SearchOutbox.queue(SearchOutbox.TEAM, [self.pk])
            return super().delete(*args, **kwargs)


class Membership(models.Model):
    ADMIN, EDITOR, VIEWER = "admin", "editor", "viewer"
    ROLE_CHOICES = [
        (ADMIN, "Team admin (members, and everything an editor does)"),
        (EDITOR, "Editor (file, log, upload)"),
        (VIEWER, "Viewer (read, search)"),
    ]
    WRITE_ROLES = (ADMIN, EDITOR)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, default=EDITOR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role in self.WRITE_ROLES

    def end(self) -> int:
        """Remove this member (removed by an admin, or leaving): their open assignments in this team
        are cleared in the same transaction, each with a visible note. Returns how many were unassigned."""
        from .requests import RecordsRequest

        with transaction.atomic():
            assigned = RecordsRequest.objects.for_team(self.team).filter(assignee=self.user)
            count = 0
            for records_request in assigned.select_for_update():
                records_request.assignee = None
                records_request._change_reason = f"{self.user.username} left the team"
                records_request.save(update_fields=["assignee", "updated_at"])
                Unassignment.objects.create(request=records_request, username=self.user.username)
                count += 1
            self.delete()
        return count


class Unassignment(models.Model):
    """A request lost its assignee because they left the team: shown on the request page."""

    request = models.ForeignKey("records.RecordsRequest", on_delete=models.CASCADE, related_name="unassignments")
    username = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Unassigned: {self.username} left the team on {self.created_at:%Y-%m-%d}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + dt.timedelta(days=Invitation.VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, declined_at__isnull=True, expires_at__gt=timezone.now())

    def for_user(self, user):
        """Invitations addressed to this user: by account, or by their email address."""
        match = models.Q(user=user)
        if user.email:
            match |= models.Q(user__isnull=True, email__iexact=user.email)
        return self.filter(match)


class Invitation(models.Model):
    """Joining a team takes the person's consent: an admin invites, the invitee accepts or declines.

    Only on acceptance does a Membership appear. (Staff can still add memberships in the Django admin:
    that is the path for an administrator of the whole organisation.)
    """

    VALID_DAYS = 14

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=10, choices=Membership.ROLE_CHOICES, default=Membership.EDITOR)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation to {self.team} for {self.user or self.email} ({self.role})"

    def is_for(self, user) -> bool:
        if self.user_id is not None:
            return self.user_id == user.pk
        return bool(user.email) and self.email.lower() == user.email.lower()

    def is_pending(self) -> bool:
        return self.accepted_at is None and self.declined_at is None and self.expires_at > timezone.now()

    def accept(self, user) -> Membership:
        """The invitee says yes: the membership appears now (an existing one keeps its role)."""
        with transaction.atomic():
            member, _ = Membership.objects.get_or_create(user=user, team=self.team, defaults={"role": self.role})
            self.user = user
            self.accepted_at = timezone.now()
            self.save(update_fields=["user", "accepted_at"])
        return member

    def decline(self) -> None:
        self.declined_at = timezone.now()
        self.save(update_fields=["declined_at"])


def team_ids_for(user, roles=None) -> models.QuerySet:
    """The ids of the teams a user belongs to: the root of every visibility check."""
    if user is None or not user.is_authenticated:
        return Team.objects.none().values("id")
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.values("team_id")


class TeamScopedQuerySet(models.QuerySet):
    """The one place that decides who sees what.

    Subclasses name the path from their model to its Team in `team_path`.
    Every view, search, download and export starts from `visible_to(user)`.
    """

    team_path = "team"

    def visible_to(self, user):
        return self.filter(**{f"{self.team_path}__in": team_ids_for(user)})

    def visible_team_ids(self, user) -> list[int]:
        """The teams whose rows visible_to(user) returns, as ids (for a search engine's own scope)."""
        return [team_id for row in team_ids_for(user) for team_id in row.values()]

    def editable_by(self, user):
        return self.filter(**{f"{self.team_path}__in": team_ids_for(user, Membership.WRITE_ROLES)})

    def for_team(self, team):
        return self.filter(**{self.team_path: team})
