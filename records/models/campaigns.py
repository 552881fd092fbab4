import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from .teams import TeamScopedQuerySet


class CampaignQuerySet(TeamScopedQuerySet):
    team_path = "team"


class Campaign(models.Model):
    """One request text sent to many agencies: each agency gets its own ordinary request."""

    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField(max_length=300)
    request_text = models.TextField(
        help_text="Placeholders such as {{ agency.name }} (as in letters) are filled in per agency."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaign_board", args=[self.pk])


class CampaignDraftQuerySet(TeamScopedQuerySet):
    team_path = "team"


class CampaignDraft(models.Model):
    """The preview of a campaign, stored until the user confirms it.

    Confirming sets `campaign`; a second confirmation of the same token finds it set and creates nothing.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    plan = models.JSONField(help_text="Title, text and one row per input line (see records.campaigns.plan).")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = CampaignDraftQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Draft campaign {self.plan.get('title', '')}"


class AgencyMerge(models.Model):
    """An agency merged into another: who, when, and what moved (the directory is shared, so no team)."""

    target = models.ForeignKey("records.Agency", on_delete=models.CASCADE, related_name="merges_in")
    merged_agency_id = models.PositiveIntegerField()
    merged_name = models.CharField(max_length=300)
    merged_details = models.JSONField(default=dict, help_text="The merged agency's fields as they were.")
    requests_moved = models.PositiveIntegerField(default=0)
    tracking_numbers_moved = models.PositiveIntegerField(default=0)
    closure_days_moved = models.PositiveIntegerField(default=0)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_name} merged into {self.target}"
