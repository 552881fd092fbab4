from django.db import models

from .documents import Page
from .teams import TeamScopedQuerySet


class PageCitationQuerySet(TeamScopedQuerySet):
    team_path = "page__document__request__team"


class PageCitation(models.Model):
    """One exemption (or procedural) citation found on a page's text (records/review/exemptions.py).

    Written when the page's text is written (extraction, OCR) and by `manage.py detect_exemptions`.
    """

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="citations")
    statute = models.CharField(max_length=20, help_text="Statute code, e.g. FOIA, IL-FOIA, CPRA.")
    code = models.CharField(max_length=40, help_text="Normalised: (b)(6), 7(1)(d)(v), 7922.000.")
    kind = models.CharField(max_length=12, default="exemption", help_text="exemption or procedural.")
    text = models.CharField(max_length=200, help_text="As written on the page.")
    offset = models.PositiveIntegerField(help_text="Where it starts in the page's text.")

    objects = PageCitationQuerySet.as_manager()

    class Meta:
        ordering = ["page", "offset"]

    def __str__(self) -> str:
        return f"{self.statute} {self.code} on {self.page}"
