"""Nothing lost, nothing twice, on the real IMAP server: a fetch SIGKILLed mid-run and two fetches at
once. The fetches run as `manage.py fetch_mail` subprocesses against a database of their own (a SQLite
file, or a fresh database on DATABASE_URL's PostgreSQL server), so the test's database and process are
untouched (as in test_ingest_worker.py)."""

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.mail_helpers import agency_message
from tests.test_ingest_support import PROJECT

pytest_plugins = ["tests.mail_servers"]

MESSAGES = 60

SETUP = """
from records.mail.secrets import encrypt
from records.models import Agency, Mailbox, RecordsRequest, Statute, Team, TrackingNumber
team = Team.objects.create(name="Desk", slug="desk")
agency = Agency.objects.create(name="City", level="city", email="records@city.example.gov")
request = RecordsRequest.objects.create(team=team, title="Audits", agency=agency, statute=Statute.objects.get(code="CPRA"))
TrackingNumber.objects.create(request=request, number="R-2026-0042")
Mailbox.objects.create(team=team, address="{address}", imap_host="127.0.0.1", imap_port={port}, imap_security="none",
    imap_user="{user}", imap_password_encrypted=encrypt("{password}"), smtp_host="127.0.0.1", smtp_port=25,
    smtp_security="none")
"""


@pytest.fixture
def own_database(tmp_path):
    """(DATABASE_URL for the subprocesses, how to query it): a fresh database on the test's backend."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        path = tmp_path / "tracker.sqlite3"
        yield f"sqlite:///{path}", lambda sql: _sqlite_query(path, sql)
        return
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"mail_kill_{secrets.token_hex(4)}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    own = f"{base}/{name}"

    def query(sql):
        with psycopg.connect(own) as connection:
            return connection.execute(sql).fetchall()

    try:
        yield own, query
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _sqlite_query(path, sql):
    with sqlite3.connect(path, timeout=30) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def fetch_env(tmp_path, imap_account, own_database):
    (tmp_path / "mail_kill_settings.py").write_text(
        "from config.settings import *  # noqa: F403\nMAIL_LEASE_SECONDS = 2\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{PROJECT}",
        "DJANGO_SETTINGS_MODULE": "mail_kill_settings",
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": own_database[0],
        "MEDIA_ROOT": str(tmp_path / "var" / "files"),
        "MAIL_SECRET_KEY": "test-only-mail-secret-key",
    }
    for name in ("CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "TEST_SQLITE_NAME"):
        env.pop(name, None)
    manage(env, "migrate", "--noinput")
    setup = SETUP.format(
        address=imap_account.address, port=imap_account.server.port, user=imap_account.user,
        password=imap_account.password,
    )  # fmt: skip
    manage(env, "shell", "-c", setup)
    for number in range(MESSAGES):
        message = agency_message(
            to=imap_account.address, subject=f"R-2026-0042 part {number}", body=f"Part {number} of the release.",
            attachments=[(f"part-{number}.pdf", b"%PDF-1.4\n" + os.urandom(150_000))],
        )  # fmt: skip
        imap_account.deliver(message.as_bytes())
    return env, own_database[1]


def manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def start_fetch(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "fetch_mail", "--batch", "1000"], cwd=PROJECT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip


def query(run_query, sql: str):
    return run_query(sql)


def filed_counts(database):
    (row,) = query(
        database,
        "select count(*), count(distinct message_id), "
        "(select count(*) from records_communication where direction = 'in'), "
        "(select count(*) from records_document where original_name like '%.eml') "
        "from records_mailmessage where state = 'filed'",
    )
    return row


def test_a_fetch_killed_mid_run_loses_nothing_and_files_nothing_twice(fetch_env):
    env, database = fetch_env
    first = start_fetch(env)
    try:
        while first.poll() is None:  # wait until it is part-way through filing, then kill it
            if query(database, "select count(*) from records_mailmessage where state = 'filed'")[0][0] >= 5:
                break
            time.sleep(0.02)
        assert first.poll() is None, "the fetch finished before it could be killed: give it more messages"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    filed_before, *_ = filed_counts(database)
    assert 5 <= filed_before < MESSAGES

    time.sleep(2.5)  # the killed fetch's lease (MAIL_LEASE_SECONDS = 2) runs out
    output = manage(env, "fetch_mail", "--batch", "1000")
    assert output.startswith("desk\tdownloaded")
    assert filed_counts(database) == (MESSAGES, MESSAGES, MESSAGES, MESSAGES)
    assert query(database, "select count(*) from records_mailmessage")[0][0] == MESSAGES


def test_two_fetches_at_once_file_each_message_once(fetch_env):
    env, database = fetch_env
    first, second = start_fetch(env), start_fetch(env)
    outputs = [process.communicate(timeout=300)[0].decode() for process in (first, second)]
    assert all(process.returncode == 0 for process in (first, second)), outputs
    manage(env, "fetch_mail", "--batch", "1000")  # whatever a busy one left
    assert filed_counts(database) == (MESSAGES, MESSAGES, MESSAGES, MESSAGES)
    assert query(database, "select count(*) from records_mailmessage")[0][0] == MESSAGES
