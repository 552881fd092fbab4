"""Released files in, searchable pages out: detect, store, unpack, extract, OCR.

What views and commands call:
    add_document(request, *, name, data_or_fileobj, user=None, communication=None, archive=None)
        -> (document, created); then records.tasks.queue_extraction(document) when created
    retry_with_password(document, password) -> bool; then queue_extraction(document) when True
    reset_for_extraction(document); then queue_extraction(document)
"""

from .pipeline import (
    extract_document,
    ocr_document,
    release_stale_documents,
    reset_for_extraction,
    retry_with_password,
    run_to_completion,
)
from .store import add_document, store_file

__all__ = [
    "add_document", "extract_document", "ocr_document", "release_stale_documents",
    "reset_for_extraction", "retry_with_password", "run_to_completion", "store_file",
]  # fmt: skip
