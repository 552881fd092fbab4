from django.conf import settings
from django.db import models

from .teams import TeamScopedQuerySet


class SavedSearchQuerySet(TeamScopedQuerySet):
    pass


class SavedSearch(models.Model):
    """A team's saved page search, with its filters; newly released pages matching it are announced
    in the morning digest (to whoever saved it) and on the dashboard."""

    team = models.ForeignKey("records.Team", on_delete=models.CASCADE, related_name="saved_searches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=120)
    query = models.CharField(max_length=500)
    # The search page's filters as its URL query string (agency=3&ocr=true), without q or paging.
    filters = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # High-water mark: pages with a larger id are new to it. Advanced only when a digest saying so
    # was sent, so each new page is announced once.
    alerted_through = models.BigIntegerField(default=0)

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name}: {self.query}"
