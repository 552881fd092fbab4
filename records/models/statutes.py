from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .teams import Membership, team_ids_for

UNIT_CHOICES = [("business", "business days"), ("calendar", "calendar days")]


class Statute(models.Model):
    """A public-records law as data (seeded from shared/statutes.md; editable in the admin).

    Field names match `records.deadlines.Rule`, so `as_rule()` is a plain copy.
    A period left blank means the law sets no fixed period.
    """

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    citation = models.CharField(max_length=200)
    response_days = models.PositiveSmallIntegerField(null=True, blank=True)
    response_unit = models.CharField(max_length=10, choices=UNIT_CHOICES, default="business")
    response_citation = models.CharField(max_length=200, blank=True)
    extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_unit = models.CharField(max_length=10, choices=UNIT_CHOICES, default="business")
    extension_citation = models.CharField(max_length=200, blank=True)
    roll_forward = models.BooleanField(
        default=True,
        help_text="Move a calendar-day deadline that lands on a weekend or holiday to the next business day.",
    )
    calendar = models.CharField(max_length=20, help_text="Holiday calendar key, e.g. US-FED, CA-JUDICIAL.")
    tolling_allowed = models.BooleanField(
        default=False, help_text="The clock stops while the agency awaits the requester."
    )
    tolling_citation = models.CharField(max_length=200, blank=True)
    appeal_window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    appeal_window_unit = models.CharField(max_length=10, choices=UNIT_CHOICES, default="calendar")
    appeal_window_citation = models.CharField(max_length=200, blank=True)
    appeal_decision_days = models.PositiveSmallIntegerField(null=True, blank=True)
    appeal_decision_unit = models.CharField(max_length=10, choices=UNIT_CHOICES, default="business")
    appeal_decision_citation = models.CharField(max_length=200, blank=True)
    expedited_days = models.PositiveSmallIntegerField(null=True, blank=True)
    expedited_unit = models.CharField(max_length=10, choices=UNIT_CHOICES, default="calendar")
    expedited_citation = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    # The rule values as last seeded from the shipped data (records/statute_data.py): a row whose values
    # differ from them was edited locally, and `update_statutes` leaves it alone unless forced.
    seeded_values = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    RULE_FIELDS = (
        "code", "name", "citation", "response_days", "response_unit", "response_citation",
        "extension_days", "extension_unit", "extension_citation", "roll_forward", "calendar",
        "tolling_allowed", "tolling_citation", "appeal_window_days", "appeal_window_unit",
        "appeal_window_citation", "appeal_decision_days", "appeal_decision_unit",
        "appeal_decision_citation", "expedited_days", "expedited_unit", "expedited_citation", "notes",
    )  # fmt: skip

    def as_rule(self):
        from records.deadlines import Rule

        return Rule(**self.rule_values())

    def rule_values(self) -> dict:
        return {name: getattr(self, name) for name in self.RULE_FIELDS}

    def edited_fields(self) -> list[str]:
        """The rule fields changed since the row was seeded (every field if it never was)."""
        current = self.rule_values()
        if not self.seeded_values:
            return list(current)
        return [name for name, value in current.items() if self.seeded_values.get(name) != value]


class ClosureDayQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Days for every team (no team: staff keep them in the admin) and the user's teams' own days."""
        return self.filter(Q(team__isnull=True) | Q(team__in=team_ids_for(user)))

    def editable_by(self, user):
        """A team's own closure days, kept by that team's admins."""
        return self.filter(team__in=team_ids_for(user, [Membership.ADMIN]))

    def applying_to(self, *, calendar: str, agency_id: int | None, team_id: int | None):
        """The days that close a request's calendar or agency: everyone's (no team), and its team's own."""
        where = Q(agency__isnull=True, calendar=calendar)
        if agency_id is not None:
            where |= Q(agency_id=agency_id)
        return self.filter(where).filter(Q(team__isnull=True) | Q(team_id=team_id))


class ClosureDay(models.Model):
    """A day an office is closed on top of its holiday calendar (CCP 12b; executive-order closures).

    With an agency it closes that agency only; without one it closes the whole calendar.
    With a team it moves only that team's deadlines (a team's reading of a closure is its own
    business); without one it moves every team's, so only staff add those, in the admin.
    """

    calendar = models.CharField(max_length=20, blank=True)
    agency = models.ForeignKey(
        "records.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="closure_days"
    )
    team = models.ForeignKey(
        "records.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closure_days",
        help_text="Blank: a closure day for every team (staff only).",
    )
    date = models.DateField()
    reason = models.CharField(max_length=200)
    history = HistoricalRecords()

    objects = ClosureDayQuerySet.as_manager()

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"
