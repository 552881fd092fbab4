"""Personas shared by every feature test: a team admin, an editor, a read-only teammate, a stranger."""

import datetime as dt
from collections import deque
from pathlib import Path

import pytest
import time_machine

from records.models import Membership

from . import factories

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def team(db):
    return factories.make_team("Records Desk")


@pytest.fixture
def editor(team):
    user = factories.make_user("editor")
    factories.add_member(user, team, Membership.EDITOR)
    return user


@pytest.fixture
def viewer(team):
    user = factories.make_user("viewer")
    factories.add_member(user, team, Membership.VIEWER)
    return user


@pytest.fixture
def stranger(db):
    user = factories.make_user("stranger")
    factories.add_member(user, factories.make_team("Other Newsroom"), Membership.ADMIN)
    return user


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def shared_dir():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared corpus and tables live beside the project as ../shared")
    return SHARED


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Hashing with PBKDF2's full work factor costs ~0.3 s a user; tests only need a working hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(team):
    """The team admin: manages members (and does everything an editor does)."""
    user = factories.make_user("teamadmin")
    factories.add_member(user, team, Membership.ADMIN)
    return user


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Released files of each test go to its own folder, never into the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# The day deadline tests are written against: a Friday before Thanksgiving week, mid-morning in the desk's zone.
FROZEN_NOW = dt.datetime(2026, 11, 20, 12, 0)


@pytest.fixture
def frozen_today():
    """Time stands still at FROZEN_NOW (modules opt in with pytest.mark.usefixtures)."""
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield


@pytest.fixture
def ticking_today():
    """FROZEN_NOW's day, with the clock running: for tests that order saves by their timestamps."""
    with time_machine.travel(FROZEN_NOW, tick=True):
        yield


@pytest.fixture
def broker(monkeypatch):
    """The messages sent to the broker, in order, as (step, document id); the tasks are not run."""
    from records import tasks

    sent: deque = deque()
    monkeypatch.setattr(tasks.extract_document_task, "delay", lambda pk: sent.append(("extract", pk)))
    monkeypatch.setattr(tasks.ocr_document_task, "delay", lambda pk: sent.append(("ocr", pk)))
    monkeypatch.setattr(tasks.compare_release_task, "delay", lambda *args: None)  # tests/test_production_diff*.py
    return sent


@pytest.fixture(autouse=True)
def seeded_statutes(request):
    """A transactional test empties the database when it ends, the statutes seeded by migration 0002
    included; the transactional tests after it get them back, as a freshly migrated database has them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from records.models import Statute
    from records.statute_updates import apply_updates, plan_updates

    if not Statute.objects.exists():
        apply_updates(plan_updates())


@pytest.fixture(autouse=True)
def search_engine(settings, tmp_path, monkeypatch):
    """The ranking engine of each test in its own folder, re-derived from the database before each
    search (tests write pages directly, not through the pipeline's outbox); drains run inline."""
    from records import tasks
    from records.search import engine, outbox

    settings.SEARCH_ENGINE_DIR = tmp_path / "search-engine"
    settings.SEARCH_ENGINE_REBUILD_BEFORE_SEARCH = True
    monkeypatch.setattr(tasks.drain_search_outbox_task, "delay", lambda: outbox.drain())
    engine.forget_index()
    yield settings.SEARCH_ENGINE_DIR
    engine.forget_index()
