"""A real Celery worker killed with SIGKILL mid-extraction: the next worker finishes the
document with exactly its pages, none twice.

Everything runs in subprocesses against a temporary SQLite file and broker folder
(VAR_DIR), so the test's own database and process are untouched.
"""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.test_ingest_support import PROJECT, corpus_file

BIG_FILE = ("hostile", "synthetic-50000-pages.pdf")
PAGES = 50000


@pytest.fixture
def worker_env(tmp_path):
    # A settings module of our own: the stock one plus a short stale time, so the
    # second worker's start-up sweep recognises the dead worker's document at once.
    (tmp_path / "ingest_kill_settings.py").write_text(
        "from config.settings import *  # noqa: F403\nINGEST_STALE_AFTER_SECONDS = 2\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{PROJECT}",
        "DJANGO_SETTINGS_MODULE": "ingest_kill_settings",
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "var" / "files"),
    }
    for name in ("CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "TEST_SQLITE_NAME"):
        env.pop(name, None)
    env["DATABASE_PATH"] = str(tmp_path / "tracker.sqlite3")
    return env


def manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def start_worker(env, log_path):
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    log = open(log_path, "ab")
    return subprocess.Popen(
        [celery, "-A", "config", "worker", "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def kill_group(process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def document_row(db_path, document_id):
    with sqlite3.connect(db_path, timeout=20) as db:
        return db.execute(
            "SELECT state, page_count, pages_done, attempts, error FROM records_document WHERE id = ?", (document_id,)
        ).fetchone()


def wait_for(predicate, seconds: float, what: str, log_path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log_path.read_text(errors='replace')[-3000:]}")


@pytest.mark.same_on_every_database  # the workers use their own SQLite file
@pytest.mark.slow
def test_sigkilled_worker_loses_and_duplicates_nothing(worker_env, tmp_path):
    big_file = corpus_file(*BIG_FILE)
    db_path = worker_env["DATABASE_PATH"]
    log_path = tmp_path / "worker.log"
    manage(worker_env, "migrate", "--verbosity=0")
    manage(
        worker_env, "shell", "-c",
        "from records.models import Statute; Statute.objects.get_or_create(code='FOIA', "
        "defaults={'name': 'Freedom of Information Act', 'citation': '5 U.S.C. 552', 'calendar': 'US-FED'})",
    )  # fmt: skip
    line = manage(worker_env, "import_documents", str(big_file), "--new-request", "Kill test").strip()
    document_id, state, *_ = line.split("\t")
    assert state == "queued"

    first = start_worker(worker_env, log_path)
    try:

        def well_under_way():
            row = document_row(db_path, document_id)
            return row if row[0] == "extracting" and row[2] >= 3000 else None

        state, page_count, pages_done, attempts, _ = wait_for(well_under_way, 120, "extraction to start", log_path)
    finally:
        kill_group(first)
    state, page_count, pages_done, attempts, _ = document_row(db_path, document_id)
    assert state == "extracting" and pages_done < PAGES, "the worker was meant to die mid-file"
    assert attempts == 1

    time.sleep(2.5)  # past INGEST_STALE_AFTER_SECONDS: the dead worker's heartbeat is stale
    second = start_worker(worker_env, log_path)
    try:
        wait_for(
            lambda: document_row(db_path, document_id)[0] not in ("queued", "extracting"),
            180,
            "the document to finish",
            log_path,
        )
    finally:
        kill_group(second)

    state, page_count, pages_done, attempts, error = document_row(db_path, document_id)
    assert (state, page_count, pages_done, error) == ("done", PAGES, PAGES, "")
    assert attempts == 2  # claimed once by each worker
    with sqlite3.connect(db_path) as db:
        total, distinct, lowest, highest = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT number), MIN(number), MAX(number) FROM records_page WHERE document_id = ?",
            (document_id,),
        ).fetchone()
    assert (total, distinct, lowest, highest) == (PAGES, PAGES, 1, PAGES)
