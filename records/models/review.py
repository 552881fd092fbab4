"""Review marks (tags and notes on pages) and exhibit binders: all team-scoped."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .teams import TeamScopedQuerySet

# Tags every team has; a team adds its own as ReviewTag rows. "reviewed" drives the progress figures.
REVIEWED = "reviewed"
BUILTIN_TAGS = ("responsive", "hot", "privileged", "follow-up", REVIEWED)


class ReviewTag(models.Model):
    """A team's own tag for pages, besides the built-in ones."""

    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="review_tags")
    name = models.CharField(max_length=40)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="one_review_tag_name_per_team")]

    def __str__(self) -> str:
        return self.name


class PageMark(models.Model):
    """One tag on one page, as one team sees it."""

    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey("records.Page", on_delete=models.CASCADE, related_name="marks")
    tag = models.CharField(max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["team", "page", "tag"], name="one_mark_per_tag_and_page")]
        indexes = [models.Index(fields=["team", "tag"], name="pagemark_team_tag_idx")]

    def __str__(self) -> str:
        return f"{self.page}: {self.tag}"


class PageNote(models.Model):
    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey("records.Page", on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.page}: {self.text[:40]}"


class BatesCounter(models.Model):
    """A team's Bates prefix and the next number to give out; numbers continue across binders."""

    team = models.OneToOneField("records.Team", on_delete=models.CASCADE, related_name="bates_counter")
    prefix = models.CharField(max_length=30, help_text="Printed before each number, e.g. ACLU-ICE.")
    next_number = models.PositiveBigIntegerField(default=1)

    objects = TeamScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix} from {self.next_number}"


class BinderQuerySet(TeamScopedQuerySet):
    pass


class Binder(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        DONE = "done", "Built"
        FAILED = "failed", "Failed"

    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="binders")
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    progress = models.PositiveIntegerField(default=0, help_text="Pages stamped so far.")
    # Written when a build is asked for and as it goes; a busy binder silent for long had its worker die.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the build failed, in plain words.")
    # The Bates range given to this binder when it was first built (kept for rebuilds of the same pages).
    bates_prefix = models.CharField(max_length=30, blank=True)
    bates_start = models.PositiveBigIntegerField(null=True, blank=True)
    bates_count = models.PositiveIntegerField(default=0)
    built_file = models.ForeignKey(
        "records.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    STALE_AFTER = timedelta(minutes=30)

    objects = BinderQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("binder_detail", args=[self.pk])

    @property
    def is_busy(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.BUILDING)

    @property
    def is_stale(self) -> bool:
        """Busy, but nothing heard for STALE_AFTER: its worker died (or its message was lost); build again."""
        since = self.heartbeat_at or self.created
        return self.is_busy and since is not None and timezone.now() - since > self.STALE_AFTER

    @property
    def sha256(self) -> str:
        return self.built_file.sha256 if self.built_file_id else ""


class BinderPageQuerySet(TeamScopedQuerySet):
    team_path = "binder__team"


class BinderPage(models.Model):
    binder = models.ForeignKey(Binder, on_delete=models.CASCADE, related_name="binder_pages")
    order = models.PositiveIntegerField()
    page = models.ForeignKey("records.Page", on_delete=models.CASCADE, related_name="+")
    # Set at build: consecutive pages of one document form one exhibit.
    exhibit_number = models.PositiveIntegerField(null=True, blank=True)

    objects = BinderPageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.binder} #{self.order}: {self.page}"
