"""How much one file may cost us: sizes, counts, time and memory.

Each limit can be overridden in settings under the same name prefixed with
INGEST_ (e.g. INGEST_PARSE_MEMORY_MB = 2048); the defaults suit a 2-core,
a few-GB worker.
"""

from dataclasses import dataclass, fields

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    # Parsing one PDF or image runs in a child process with these bounds.
    parse_memory_mb: int = 1024  # address space on top of what the worker already has
    parse_seconds: int = 1800  # a whole document, however many pages
    page_seconds: int = 120  # one page; also the longest silence before the watchdog fires

    # Pages are written to the database in batches: whichever comes first.
    page_batch_size: int = 500
    page_batch_seconds: float = 1.0

    # A page whose text layer has fewer letters than this (after ECF stamps and
    # line numbers are removed) is treated as a scan and queued for OCR.
    min_letters_per_page: int = 16

    # OCR: pages rendered at this resolution; one tesseract run per page.
    ocr_dpi: int = 300
    ocr_page_seconds: int = 180
    # One OCR task reads a chunk of this many pages; the other chunks of the same document go to the
    # other workers (and machines) at the same time, so one big scan uses them all (see pipeline.py).
    ocr_pages_per_task: int = 10
    # Tesseract runs at once in one process (each single-threaded). A Celery worker already runs one
    # task per core, so 1 there; import_documents --sync passes the number of cores.
    ocr_parallel_pages: int = 1

    # The page viewer (records/ingest/render.py): drawing one page on demand, and what is drawn
    # ahead after extraction (the rest is drawn when someone opens it).
    viewer_render_seconds: int = 30
    viewer_prerender_thumbnails: int = 60
    viewer_prerender_pages: int = 3

    # ZIP and email unpacking. Members and megabytes count for one upload, across
    # all the archives nested in it (see budget.py), as well as for each archive.
    zip_max_members: int = 5000
    zip_max_total_mb: int = 4096
    zip_max_ratio: int = 200  # uncompressed/compressed for one member, however small: more is a bomb
    max_nesting: int = 3  # archive in an email in an archive ...
    max_image_frames: int = 10000

    # Spreadsheets (records/ingest/sheets.py): every cell read counts, empty padding included;
    # an XLSX or ODS whose parts would expand past this many MB is not opened.
    sheet_max_cells: int = 2_000_000
    sheet_max_xml_mb: int = 512

    # Word-processing and presentation files (records/ingest/office.py): LibreOffice's conversion
    # to PDF is stopped after this long; the PDF is then read within the limits above.
    office_seconds: int = 300

    # The extraction task's own time limits (records/tasks.py) sit this far past the longest a step may
    # legitimately take (extract_step_seconds), so a slow but working file is never cut off by Celery.
    task_margin_seconds: int = 120

    # With released files in a bucket (S3), the files downloaded to this machine are kept (by content hash,
    # least recently used go first) up to this many MB, so page images and OCR chunks do not download again.
    released_cache_mb: int = 2048

    # A worker that has not written for this long is presumed dead; see release_stale_documents.
    stale_after_seconds: int = 300
    max_attempts: int = 3

    # Fairness (records/ingest/dispatch.py): documents wait in the database and at most this many
    # per step sit in the broker unclaimed, so a newcomer waits behind these, not behind a backlog.
    # Set it to at least the number of worker processes consuming that queue.
    dispatch_ahead: int = 4
    # A message sent this long ago and never claimed is presumed lost (a worker died holding it,
    # and the filesystem broker does not redeliver): the document is sent again.
    dispatch_resend_seconds: int = 1800

    def office_conversion_seconds(self) -> int:
        """LibreOffice's conversion in the sandboxed child: its own limit plus the child's start and clean-up."""
        return self.office_seconds + 30

    def extract_step_seconds(self) -> int:
        """The longest one extraction step may legitimately take: a word-processing file is converted first
        (its tracked changes read, then LibreOffice), and only then is its PDF read within parse_seconds."""
        return self.page_seconds + self.office_conversion_seconds() + self.parse_seconds


def current_limits() -> Limits:
    overrides = {}
    for field in fields(Limits):
        name = f"INGEST_{field.name.upper()}"
        if hasattr(settings, name):
            overrides[field.name] = getattr(settings, name)
    return Limits(**overrides)
