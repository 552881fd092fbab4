"""The extraction task's Celery time limits leave room for LibreOffice's conversion on top of the
extraction (issue 13): a slow, legitimate conversion followed by reading its PDF is not killed by the task."""

import sqlite3

import pytest

from records.ingest.limits import current_limits
from records.tasks import extract_document_task
from tests.test_ingest_office import docx_bytes, needs_libreoffice, paragraph
from tests.test_ingest_worker import kill_group, manage, start_worker, wait_for, worker_env  # noqa: F401  (fixture)


def test_extract_task_limits_cover_conversion_then_extraction():
    limits = current_limits()
    # Tracked changes (one answer, page_seconds), LibreOffice (its own budget), then the PDF (parse_seconds).
    longest_step = limits.page_seconds + limits.office_seconds + limits.parse_seconds
    assert extract_document_task.soft_time_limit > longest_step
    assert extract_document_task.time_limit > extract_document_task.soft_time_limit


@pytest.mark.slow
def test_a_real_worker_finishes_a_docx_whose_conversion_outlasts_the_extraction_budget(worker_env, tmp_path):  # noqa: F811
    """A real prefork worker (its time limits enforced) with an extraction budget of a few seconds and a
    conversion budget of 30: LibreOffice alone takes longer than the extraction budget (starting it twice
    with a fresh profile takes seconds), so limits counting only extraction would stop the task."""
    needs_libreoffice()
    settings_file = tmp_path / "ingest_kill_settings.py"  # the worker_env fixture's settings module
    settings_file.write_text(
        settings_file.read_text()
        + "INGEST_PARSE_SECONDS = 3\nINGEST_PAGE_SECONDS = 3\nINGEST_TASK_MARGIN_SECONDS = 1\nINGEST_OFFICE_SECONDS = 30\n"
    )
    letter = tmp_path / "letter.docx"
    letter.write_bytes(docx_bytes(paragraph("Released after a slow conversion.")))
    db_path, log_path = worker_env["DATABASE_PATH"], tmp_path / "worker.log"
    manage(worker_env, "migrate", "--verbosity=0")
    document_id, state, *_ = manage(worker_env, "import_documents", str(letter), "--new-request", "Slow").split("\t")
    assert state == "queued"

    worker = start_worker(worker_env, log_path)
    try:

        def finished():
            with sqlite3.connect(db_path, timeout=20) as db:
                row = db.execute("SELECT state, error FROM records_document WHERE id = ?", (document_id,)).fetchone()
            return row if row[0] in ("done", "failed") else None

        state, error = wait_for(finished, 240, "the letter to be converted and read", log_path)
    finally:
        kill_group(worker)
    assert (state, error) == ("done", ""), log_path.read_text(errors="replace")[-3000:]
    with sqlite3.connect(db_path) as db:
        (text,) = db.execute("SELECT text FROM records_page WHERE document_id = ?", (document_id,)).fetchone()
    assert "slow conversion" in text
    assert "SoftTimeLimitExceeded" not in log_path.read_text(errors="replace")
