from django.db import models
from simple_history.models import HistoricalRecords


class Agency(models.Model):
    """A shared directory: every team sees every agency (requests stay private)."""

    FEDERAL, STATE, COUNTY, CITY, OTHER = "federal", "state", "county", "city", "other"
    LEVEL_CHOICES = [(FEDERAL, "Federal"), (STATE, "State"), (COUNTY, "County"), (CITY, "City"), (OTHER, "Other")]

    name = models.CharField(max_length=300)
    abbreviation = models.CharField(max_length=40, blank=True)
    level = models.CharField(max_length=10, choices=LEVEL_CHOICES)
    state = models.CharField(max_length=2, blank=True, help_text="Two-letter postal code; blank for federal.")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="components")
    records_officer = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    portal_url = models.URLField(blank=True)
    address = models.TextField("postal address", blank=True)
    default_statute = models.ForeignKey("records.Statute", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    # Any team's editor may correct the shared directory: every change is kept (who, when, what)
    # and can be reverted from the agency's history page.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name
