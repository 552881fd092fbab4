from django.conf import settings
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    # Reminder digests list what falls due within this many days.
    reminder_days = models.PositiveSmallIntegerField(default=3)
    # Statutes with no fixed period (FL, OH, TX production): the desk's own target, shown as internal.
    internal_target_days = models.PositiveSmallIntegerField(
        null=True, blank=True, default=30, help_text="Internal target (calendar days) where the law sets no deadline."
    )
    # Printed at the top of the team's letters (records.letters.pdf).
    letterhead_address = models.TextField("letterhead address", blank=True)
    letterhead_contact = models.CharField(
        "letterhead contact", max_length=300, blank=True, help_text="Phone, email, website: one line."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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

    def editable_by(self, user):
        return self.filter(**{f"{self.team_path}__in": team_ids_for(user, Membership.WRITE_ROLES)})

    def for_team(self, team):
        return self.filter(**{self.team_path: team})
