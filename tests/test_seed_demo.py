"""`manage.py seed_demo`: a living desk for a newcomer, safe to run twice."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from records.models import Agency, Campaign, Membership, RecordsRequest


def test_seed_demo_builds_a_varied_desk_and_is_idempotent(db, settings):
    settings.DEBUG = True  # a development machine (with DEBUG off it refuses: test_refuses_…)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert RecordsRequest.objects.filter(campaign=None).count() == 30
    # issue 11: one campaign, the same questions to ICE and the 12 California departments, in varied states
    campaign = Campaign.objects.get()
    assert campaign.requests.count() == 13
    assert {"draft", "filed", "denied", "granted", "appealed"} <= set(
        campaign.requests.values_list("status", flat=True)
    )
    assert campaign.requests.overdue().exists()
    # its text is filled in with the letters' placeholders: every body names its agency, none keeps a brace
    for body, agency in campaign.requests.values_list("body", "agency__name"):
        assert agency in body and "{" not in body and "}" not in body
    assert "demo / reporter / reader" in out.getvalue()
    assert Agency.objects.filter(abbreviation="ICE", level="federal").exists()
    assert Agency.objects.filter(level__in=["city", "county"], state="CA").count() == 12
    statuses = set(RecordsRequest.objects.values_list("status", flat=True))
    assert {"acknowledged", "denied", "appealed", "granted", "awaiting_requester"} <= statuses
    assert set(Membership.objects.values_list("role", flat=True)) == {"admin", "editor", "viewer"}
    dated = RecordsRequest.objects.exclude(due_date=None)
    assert dated.exists() and all(r.communications.exists() for r in dated)


def test_refuses_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force") as refused:
        call_command("seed_demo", stdout=StringIO())
    assert refused.value.returncode == 2
    assert not RecordsRequest.objects.exists()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert RecordsRequest.objects.filter(campaign=None).count() == 30 and RecordsRequest.objects.count() == 43
