from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse

from .search_engine import ReindexedWhenMoved, SearchOutbox
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

    def delete(self):
        """Delete these documents (and, by cascade, their archives' members); their pages leave
        the ranking engine too (records/search/outbox.py), queued in this transaction."""
        with transaction.atomic(using=self.db):
            SearchOutbox.queue(SearchOutbox.DOCUMENT, self.ids_with_members())
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True  # as_manager() must not offer Document.objects.delete()

    def update(self, **kwargs):
        """As QuerySet.update; moving documents to another request re-indexes their pages (the
        engine files each page under its request and team), queued in this transaction."""
        if not {"request", "request_id"} & set(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            SearchOutbox.queue(SearchOutbox.DOCUMENT, self.ids_with_members())
            return super().update(**kwargs)

    update.alters_data = True

    def ids_with_members(self) -> list[int]:
        """These documents' ids and those of every member of their archives, at any depth: what
        deleting them deletes (Document.archive cascades)."""
        ids = set(self.order_by().values_list("pk", flat=True))
        found = ids
        while found:
            found = set(Document.objects.filter(archive_id__in=found).values_list("pk", flat=True)) - ids
            ids |= found
        return sorted(ids)

    def as_tree(self) -> list["TreeRow"]:
        """These documents in one query, each archive's or email's members indented under it, the
        folders inside an archive as rows of their own (see TreeRow).

        Top-level files come in this queryset's order, members by path; a member whose archive is
        not in the set is shown at the top level.
        """
        documents = list(self.select_related("duplicate_of"))
        present = {document.pk for document in documents}
        children: dict[int | None, list[Document]] = {}
        for document in documents:
            parent = document.archive_id if document.archive_id in present else None
            children.setdefault(parent, []).append(document)
        rows: list[TreeRow] = []

        def add(document: "Document", depth: int, name: str) -> None:
            rows.append(TreeRow(document, depth, name))
            members = sorted(children.get(document.pk, []), key=lambda m: (m.original_name.lower(), m.pk))
            opened: list[str] = []  # the folders of the member before
            for member in members:
                *folders, base = [part for part in member.original_name.split("/") if part] or [member.original_name]
                shared = 0
                while shared < min(len(opened), len(folders)) and opened[shared] == folders[shared]:
                    shared += 1
                for level in range(shared, len(folders)):
                    rows.append(TreeRow(None, depth + 1 + level, folders[level] + "/"))
                opened = folders
                add(member, depth + 1 + len(folders), base)

        for document in children.get(None, []):
            add(document, 0, document.original_name)
        return rows


@dataclass(frozen=True)
class TreeRow:
    """One line of a file tree: a document (named by its last path part inside an archive), or a folder
    inside an archive (document None), at a depth (0: top level)."""

    document: "Document | None"
    depth: int
    name: str


class Document(ReindexedWhenMoved, models.Model):
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
    # Issue 13, office files. The released bytes stay in stored_file; these are derived from them.
    converted_file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The PDF LibreOffice made from a word-processing or presentation file.",
    )  # fmt: skip
    decrypted_file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="A password-protected Office file, decrypted with the password a user gave (never stored).",
    )  # fmt: skip
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates",
        help_text="A file in an archive with the same bytes as an earlier file of the request: listed, not read twice.",
    )  # fmt: skip
    has_macros = models.BooleanField(default=False, help_text="The file contains macros; they are never run.")
    tracked_changes = models.JSONField(
        default=dict, blank=True, help_text="A DOCX's tracked insertions, deletions, moves and comments."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Set when the dispatcher sends this document's next step to a queue; cleared when a worker claims it.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = DocumentQuerySet.as_manager()
    moved_by = "request_id"  # the engine files each page under it (ReindexedWhenMoved)

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
        with transaction.atomic():
            # An archive's members go with it (cascade): their pages leave the engine as well.
            SearchOutbox.queue(SearchOutbox.DOCUMENT, Document.objects.filter(pk=self.pk).ids_with_members())
            return super().delete(*args, **kwargs)

    def queue_reindex(self) -> None:
        # Moved to another request (the admin): the engine files each page under its request and team.
        SearchOutbox.queue(SearchOutbox.DOCUMENT, Document.objects.filter(pk=self.pk).ids_with_members())

    @property
    def sha256(self) -> str:
        return self.stored_file.sha256

    @property
    def readable_file(self) -> StoredFile:
        """The bytes the readers open: the decrypted copy of a password-protected file, else the released file."""
        return self.decrypted_file or self.stored_file

    @property
    def pdf_file(self) -> StoredFile:
        """The PDF whose pages are this document's pages: LibreOffice's conversion, else the file itself."""
        return self.converted_file or self.stored_file

    @property
    def pages_kind(self) -> str:
        """The type of pdf_file: an office file's pages are those of the PDF LibreOffice made of it."""
        return "pdf" if self.converted_file_id else self.detected_type

    def tracked_changes_summary(self) -> str:
        """ "3 tracked deletions and 2 comments", or "" when the file has none (records/ingest/revisions.py)."""
        counts = (self.tracked_changes or {}).get("counts") or {}
        parts = [
            f"{counts[kind]} {plural if counts[kind] != 1 else singular}"
            for kind, singular, plural in _CHANGE_NAMES
            if counts.get(kind)
        ]
        if len(parts) <= 1:
            return "".join(parts)
        return ", ".join(parts[:-1]) + " and " + parts[-1]

    def tracked_change_entries(self) -> list[tuple[str, dict]]:
        """Each tracked change and comment kept, labelled, for the document page."""
        labels = {"insertions": "Inserted", "deletions": "Deleted", "moves": "Moved", "comments": "Comment"}
        changes = self.tracked_changes or {}
        return [(labels[kind], entry) for kind, *_ in _CHANGE_NAMES for entry in changes.get(kind, [])]

    @property
    def is_spreadsheet(self) -> bool:
        """Read as sheets of rows: page_count counts rows (records/ingest/sheets.py sets the type)."""
        return self.detected_type in ("xlsx", "xls", "ods", "csv", "tsv")


_CHANGE_NAMES = (
    ("insertions", "tracked insertion", "tracked insertions"),
    ("deletions", "tracked deletion", "tracked deletions"),
    ("moves", "moved passage", "moved passages"),
    ("comments", "comment", "comments"),
)


class PageQuerySet(TeamScopedQuerySet):
    team_path = "document__request__team"


class Page(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    ocr = models.BooleanField(default=False, help_text="The text came from OCR, not the file's own text layer.")
    needs_ocr = models.BooleanField(default=False, help_text="No usable text layer: queued for OCR.")
    # OCR is shared out by chunks of pages (records/ingest/pipeline.py): the worker holding this page,
    # since when (refreshed as it goes; a dead worker's claim goes stale), and how often it was tried.
    ocr_claimed_at = models.DateTimeField(null=True, blank=True)
    ocr_attempts = models.PositiveSmallIntegerField(default=0)
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
