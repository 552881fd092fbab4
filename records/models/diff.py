"""Production diff (issue 14): page fingerprints written at ingestion, and each release compared with earlier ones."""

from django.db import models

from .documents import Document, Page
from .teams import TeamScopedQuerySet


class PageFingerprint(models.Model):
    """What a page looks like to the diff (records/review/fingerprints.py), written with its text."""

    page = models.OneToOneField(Page, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint")
    text_hash = models.CharField(
        max_length=32, blank=True, db_index=True, help_text="Of the normalised words; empty for a page with too few."
    )
    minhash = models.BinaryField(blank=True, default=b"", help_text="MinHash signature of its word shingles.")
    image_hash = models.CharField(
        max_length=64, blank=True, help_text="Difference hash of the rendered page (scanned pages only), hex."
    )

    def __str__(self) -> str:
        return f"Fingerprint of {self.page_id}"


class ReleaseDiffQuerySet(TeamScopedQuerySet):
    team_path = "document__request__team"


class ReleaseDiff(models.Model):
    """One release (a document) compared with everything released before it on its request or campaign."""

    class Scope(models.TextChoices):
        REQUEST = "request", "This request"
        CAMPAIGN = "campaign", "The whole campaign"

    class State(models.TextChoices):
        COMPUTING = "computing", "Computing…"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="release_diffs")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.REQUEST)
    state = models.CharField(max_length=10, choices=State.choices, default=State.COMPUTING)
    pages = models.PositiveIntegerField(default=0)
    already_released = models.PositiveIntegerField(default=0, help_text="Exact and near duplicates of earlier pages.")
    changed = models.PositiveIntegerField(default=0, help_text="Earlier pages re-released with different redactions.")
    new = models.PositiveIntegerField(default=0)
    earlier_pages = models.PositiveIntegerField(default=0, help_text="How many earlier pages it was compared with.")
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(null=True, blank=True, help_text="When it was last sent to be computed.")
    computed_at = models.DateTimeField(null=True, blank=True)

    objects = ReleaseDiffQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "scope"], name="one_diff_per_scope")]

    def __str__(self) -> str:
        return f"Diff of {self.document} ({self.scope})"


class PageComparison(models.Model):
    """One page of a release and what it is: a duplicate, a re-release with changed redactions, or new."""

    class Kind(models.TextChoices):
        SAME = "same", "Exact duplicate"
        NEAR = "near", "Near duplicate"
        CHANGED = "changed", "Different redactions"
        NEW = "new", "New"

    diff = models.ForeignKey(ReleaseDiff, on_delete=models.CASCADE, related_name="comparisons")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    earlier = models.ForeignKey(Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    matched_by = models.CharField(max_length=10, blank=True, help_text="text, words or image.")
    similarity = models.FloatField(default=0)
    hidden = models.JSONField(default=list, help_text="Words on the earlier page that this page no longer shows.")
    revealed = models.JSONField(default=list, help_text="Words this page shows that the earlier page did not.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["diff", "page__number"]
        constraints = [models.UniqueConstraint(fields=["diff", "page"], name="one_comparison_per_page")]

    def __str__(self) -> str:
        return f"{self.page} {self.kind}"
