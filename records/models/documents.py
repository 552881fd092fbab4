from django.conf import settings
from django.db import models, transaction
from django.urls import reverse

from .teams import TeamScopedQuerySet


class StoredFile(models.Model):
    """Bytes stored once per content hash, however many documents point at them."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    path = models.CharField(max_length=300, help_text="Relative to MEDIA_ROOT.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class DocumentQuerySet(TeamScopedQuerySet):
    team_path = "request__team"


class Document(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        EXTRACTING = "extracting", "Extracting text"
        OCR = "ocr", "Reading scanned pages (OCR)"
        DONE = "done", "Done"
        NEEDS_PASSWORD = "needs_password", "Password-protected"
        FAILED = "failed", "Failed"

    request = models.ForeignKey("records.RecordsRequest", on_delete=models.CASCADE, related_name="documents")
    communication = models.ForeignKey(
        "records.Communication", null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    archive = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="members")
    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="documents")
    original_name = models.CharField(max_length=500)
    size = models.BigIntegerField()
    detected_type = models.CharField(max_length=40, blank=True, help_text="From the content, not the extension.")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    ocr_pages_total = models.PositiveIntegerField(default=0, help_text="Pages that need OCR.")
    ocr_pages_done = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True, help_text="Why it failed, in plain words.")
    password = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Set when the dispatcher sends this document's next step to a queue; cleared when a worker claims it.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        # The dispatcher looks for documents waiting for their next step (records/ingest/dispatch.py).
        indexes = [models.Index(fields=["state", "dispatched_at"], name="document_dispatch_idx")]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("document_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        # Its pages leave the ranking engine too (records/search/outbox.py), in this transaction.
        from .search_engine import SearchOutbox

        with transaction.atomic():
            SearchOutbox.queue(SearchOutbox.DOCUMENT, [self.pk])
            return super().delete(*args, **kwargs)

    @property
    def sha256(self) -> str:
        return self.stored_file.sha256

    @property
    def is_spreadsheet(self) -> bool:
        """Read as sheets of rows: page_count counts rows (records/ingest/sheets.py sets the type)."""
        return self.detected_type in ("xlsx", "xls", "ods", "csv", "tsv")


class PageQuerySet(TeamScopedQuerySet):
    team_path = "document__request__team"


class Page(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    ocr = models.BooleanField(default=False, help_text="The text came from OCR, not the file's own text layer.")
    needs_ocr = models.BooleanField(default=False, help_text="No usable text layer: queued for OCR.")
    text_under_box = models.BooleanField(
        default=False, help_text="Some of this page's text lies under a drawn box (a redaction that did not remove it)."
    )
    # A spreadsheet is stored one Page per row (the unit of search); these say which row.
    sheet = models.CharField(max_length=255, blank=True, help_text="The sheet's name, for a spreadsheet row.")
    row = models.PositiveIntegerField(null=True, blank=True, help_text="The row number as the spreadsheet shows it.")
    cells = models.JSONField(null=True, blank=True, help_text="The row's values as displayed, for the table view.")

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="one_page_per_number")]

    def __str__(self) -> str:
        return f"{self.document} p.{self.number}"


class Sheet(models.Model):
    """One sheet of a spreadsheet document: what the table view needs besides the rows (Page.cells)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sheets")
    index = models.PositiveIntegerField(help_text="Position in the workbook, from 0.")
    name = models.CharField(max_length=255)
    hidden = models.BooleanField(default=False, help_text="Hidden by the agency (hidden or very hidden).")
    header_row = models.PositiveIntegerField(null=True, blank=True, help_text="Row number of the header, if any.")
    header = models.JSONField(default=list, help_text="Column names, from the header row or A, B, C.")
    row_count = models.PositiveIntegerField(default=0, help_text="Rows with data below the header.")
    hidden_rows = models.JSONField(default=list, help_text="Row numbers hidden by the agency.")
    hidden_columns = models.JSONField(default=list, help_text="Column positions (from 0) hidden by the agency.")
    merged = models.JSONField(default=list, help_text="Merged ranges, e.g. A1:C1.")

    class Meta:
        ordering = ["document", "index"]
        constraints = [models.UniqueConstraint(fields=["document", "index"], name="one_sheet_per_index")]

    def __str__(self) -> str:
        return f"{self.document} / {self.name}"
