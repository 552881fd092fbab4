"""issue 15: several web servers on PostgreSQL see the same results as soon as a page (or a letter) is indexed.

Two real server processes share the database and the engine's directory; the indexing worker
(here: this test, draining the outbox) commits, and the next search on each server returns the
page, because every search reloads the engine's reader first.
"""

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from records.models import Communication, Page, SearchOutbox
from records.search import letters, outbox

from . import factories
from .test_search_page import add_pages

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db(transaction=True)
STARTUP_SECONDS = 120  # a loaded two-core machine starts Django slowly; only readiness waits


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _get(port: int, token: str, path: str) -> dict | None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except OSError:
        return None  # not listening yet


def _search(port: int, token: str, query: str) -> list[str] | None:
    body = _get(port, token, f"/api/search/?q={query}")
    return None if body is None else sorted(hit["filename"] for hit in body["results"] if hit["kind"] == "page")


def _letters(port: int, token: str, query: str) -> list[int]:
    body = _get(port, token, f"/api/search/?q={query}&kind=request")
    return sorted(hit["communication_id"] for hit in body["results"] if hit["kind"] == "communication")


@pytest.fixture
def two_servers(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Several web servers share one PostgreSQL database (the production shape); "
            "the SQLite test database lives in this process's memory, where no other process can read it."
        )
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "SEARCH_ENGINE_DIR": str(settings.SEARCH_ENGINE_DIR),
        "DEBUG": "1",
        "VAR_DIR": str(tmp_path / "var"),
    }
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for port in ports
    ]
    yield ports
    for server in servers:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(port: int, token: str) -> list[str]:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        found = _search(port, token, "quokka")
        if found is not None:
            return found
        time.sleep(0.5)
    raise AssertionError(f"The server on port {port} did not start within {STARTUP_SECONDS} s.")


def test_two_web_servers_return_a_page_on_the_first_search_after_it_is_indexed(
    team, editor, settings, monkeypatch, two_servers
):
    from records import tasks

    settings.SEARCH_ENGINE_REBUILD_BEFORE_SEARCH = False
    monkeypatch.setattr(tasks.drain_search_outbox_task, "delay", lambda: None)  # the worker drains below
    token = Token.objects.create(user=editor).key
    request = factories.make_request(team)
    add_pages(request, "first.pdf", ["The quokka memo."])
    outbox.rebuild()
    letters.rebuild()
    assert [_wait_until_up(port, token) for port in two_servers] == [["first.pdf"], ["first.pdf"]]

    second = add_pages(request, "second.pdf", ["Another quokka page."])
    outbox.queue_document(second.pk)
    # Written to the database but not yet indexed: both servers answer from the engine, without it.
    assert [_search(port, token, "quokka") for port in two_servers] == [["first.pdf"], ["first.pdf"]]
    outbox.drain()  # the search worker's commit
    assert [_search(port, token, "quokka") for port in two_servers] == [["first.pdf", "second.pdf"]] * 2
    assert Page.objects.filter(document=second).exists()

    # The letters' index: a letter shows on both at once (the database answers while it waits for
    # the worker) and still once drained (the letters' index answers, reloaded by each server).
    letter = Communication.objects.create(
        request=request, direction=Communication.INCOMING, date=dt.date(2026, 11, 3), subject="Re", body="A quokka."
    )
    assert [_letters(port, token, "quokka") for port in two_servers] == [[letter.pk], [letter.pk]]
    outbox.drain()
    assert not SearchOutbox.objects.exists()
    assert [_letters(port, token, "quokka") for port in two_servers] == [[letter.pk], [letter.pk]]
    # Proof that the letters' index answered: the text changed behind its back (no trigger, so no
    # outbox row) still matches there, where the database would no longer match it.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE records_communication DISABLE TRIGGER USER")
        cursor.execute("UPDATE records_communication SET body = 'A wombat.' WHERE id = %s", [letter.pk])
        cursor.execute("ALTER TABLE records_communication ENABLE TRIGGER USER")
    assert [_letters(port, token, "quokka") for port in two_servers] == [[letter.pk], [letter.pk]]
    assert not Communication.objects.filter(body__icontains="quokka").exists()
