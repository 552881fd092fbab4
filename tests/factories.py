"""Small builders for test data; shared by the feature test modules."""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model

from records import timeline
from records.models import Agency, Membership, RecordsRequest, Statute, Team

_seq = itertools.count(1)


def make_user(username=None, password="pw-for-tests-123"):
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password=password)


def make_team(name=None):
    n = next(_seq)
    return Team.objects.create(name=name or f"Team {n}", slug=f"team-{n}")


def add_member(user, team, role=Membership.EDITOR):
    return Membership.objects.create(user=user, team=team, role=role)


def statute(code="CPRA"):
    """The seeded statute (migration 0002), so tests use the real rules."""
    return Statute.objects.get(code=code)


def make_agency(name=None, level=Agency.CITY, state="CA", **extra):
    return Agency.objects.create(name=name or f"Agency {next(_seq)}", level=level, state=state, **extra)


def make_request(team, *, agency=None, code="CPRA", title=None, sent=dt.date(2026, 11, 2), received=None, **extra):
    r = RecordsRequest.objects.create(
        team=team,
        title=title or f"Request {next(_seq)}",
        agency=agency or make_agency(),
        statute=statute(code),
        sent_date=sent,
        received_date=received if received is not None else sent,
        **extra,
    )
    return timeline.recompute(r)
