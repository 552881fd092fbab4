"""Released files in, searchable pages out: detect, store, unpack, extract, OCR.

What views and commands call (records.tasks sends the work to the Celery queues):
    records.tasks.submit_document(request, *, name, data_or_fileobj, user=None, communication=None, archive=None)
        -> (document, created): stored (add_document) and sent for extraction, in its team's turn, on commit
    retry_with_password(document, password) -> bool; then records.tasks.dispatch_documents() when True
    reset_for_extraction(document); then records.tasks.dispatch_documents()
    next_step(document) -> "extract" | "ocr" | None: the one place that decides what comes next
"""

from .pipeline import (
    extract_document,
    next_step,
    ocr_document,
    release_stale_documents,
    reset_for_extraction,
    retry_with_password,
    run_to_completion,
)
from .store import add_document, store_file

__all__ = [
    "add_document", "extract_document", "next_step", "ocr_document", "release_stale_documents",
    "reset_for_extraction", "retry_with_password", "run_to_completion", "store_file",
]  # fmt: skip
