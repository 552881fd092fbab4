"""Two LibreOffice conversions run at once, and a hung one blocks nothing (issue 13).

Two import_documents --sync processes convert at the same time against one database. One meets a fake
soffice that hangs (a LibreOffice that hangs on purpose is hard to make; the fake stands in for it only):
the real conversion in the other finishes while it hangs; then the hung one is stopped at its limit and
ends failed in plain words, its upload kept, nothing left running."""

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest

from tests.test_ingest_office import docx_bytes, needs_libreoffice, paragraph
from tests.test_ingest_support import PROJECT
from tests.test_ingest_worker import manage, wait_for, worker_env  # noqa: F401  (fixture)

HANG = "sleep 3599"  # the fake LibreOffice's process, recognisable in ps


@pytest.mark.slow
def test_a_hung_conversion_does_not_block_another_and_is_stopped_at_its_limit(worker_env, tmp_path):  # noqa: F811
    needs_libreoffice()
    settings_file = tmp_path / "ingest_kill_settings.py"  # the worker_env fixture's settings module
    settings_file.write_text(settings_file.read_text() + "INGEST_OFFICE_SECONDS = 30\n")
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    started = tmp_path / "hung-conversion-started"
    (fake / "soffice").write_text(f'#!/bin/sh\ntouch "{started}"\nexec {HANG}\n')
    (fake / "soffice").chmod(0o755)
    hung_file, letter = tmp_path / "hangs.docx", tmp_path / "letter.docx"
    hung_file.write_bytes(docx_bytes(paragraph("This one never converts.")))
    letter.write_bytes(docx_bytes(paragraph("Converted while the other hung.")))
    manage(worker_env, "migrate", "--verbosity=0")

    hung_env = {**worker_env, "PATH": f"{fake}{os.pathsep}{worker_env['PATH']}"}
    hung = subprocess.Popen(
        [sys.executable, "manage.py", "import_documents", str(hung_file), "--new-request", "Hung", "--sync"],
        cwd=PROJECT, env=hung_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(started.exists, 120, "the hung conversion to start", tmp_path / "no.log")
        line = manage(worker_env, "import_documents", str(letter), "--new-request", "Other", "--sync")
        _, state, pages, name, error = line.rstrip("\n").split("\t")
        assert (state, pages, name, error) == ("done", "1", "letter.docx", "-")
        assert hung.poll() is None, "the hung conversion should still be running while the other finished"
        out, err = hung.communicate(timeout=180)
    finally:
        if hung.poll() is None:
            hung.kill()
            hung.wait()
    assert hung.returncode == 0, err
    document_id, state, _, name, error = out.rstrip("\n").split("\t")
    assert (state, name) == ("failed", "hangs.docx")
    assert "LibreOffice took longer than 30 seconds" in error and "The file is kept" in error
    with sqlite3.connect(worker_env["DATABASE_PATH"]) as db:
        (path,) = db.execute(
            "SELECT f.path FROM records_storedfile f JOIN records_document d ON d.stored_file_id = f.id WHERE d.id = ?",
            (document_id,),
        ).fetchone()
    kept = os.path.join(worker_env["MEDIA_ROOT"], path)
    with open(kept, "rb") as file:
        assert hashlib.sha256(file.read()).digest() == hashlib.sha256(hung_file.read_bytes()).digest()
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert HANG not in processes.splitlines()
