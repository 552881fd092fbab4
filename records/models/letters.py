from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .teams import TeamScopedQuerySet


class LetterKind(models.TextChoices):
    INITIAL = "initial", "Initial request"
    FOLLOW_UP = "follow_up", "Follow-up on a missed deadline"
    APPEAL = "appeal", "Appeal of a denial"
    FEE_WAIVER = "fee_waiver", "Fee-waiver request"
    EXPEDITED = "expedited", "Expedited-processing request"


class LetterTemplateQuerySet(TeamScopedQuerySet):
    team_path = "team"

    def readable_by(self, user):
        """A team's own templates and the shipped defaults (team empty), which every member may read."""
        from .teams import team_ids_for

        return self.filter(models.Q(team__isnull=True) | models.Q(team__in=team_ids_for(user)))


class LetterTemplate(models.Model):
    """The wording of one kind of letter. No team: a shipped default; no statute: any statute.

    Subject and body hold `{{ placeholder }}` names from records.letters.placeholders, filled in by
    plain substitution (never the Django template engine: a team edits this text).
    """

    team = models.ForeignKey(
        "records.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="letter_templates"
    )
    statute = models.ForeignKey("records.Statute", null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    subject = models.CharField(max_length=500)
    body = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = LetterTemplateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "statute__code", "id"]
        # One per (team, statute, kind) is kept by the editor's form: NULLs are distinct in a unique
        # constraint on SQLite and on PostgreSQL before 15.

    def __str__(self) -> str:
        whose = self.team.name if self.team_id else "Default"
        statute = self.statute.code if self.statute_id else "any statute"
        return f"{whose}: {self.get_kind_display()} ({statute})"

    @property
    def is_default(self) -> bool:
        return self.team_id is None
