"""Agency directory hygiene (issue 11): near-duplicate warning on create; merging two agencies."""

import datetime as dt

from django.urls import reverse

from records.models import Agency, AgencyMerge, ClosureDay, Membership, RecordsRequest, TrackingNumber

from . import factories


def test_close_name_or_same_email_domain_warns_and_links(login, editor):
    lapd = factories.make_agency("Los Angeles Police Department", email="records@lapd.lacity.org")
    client = login(editor)
    data = {"name": "Los Angeles Police Dept.", "level": "city", "state": "CA"}
    response = client.post(reverse("agency_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "looks like an agency already in the directory" in body
    assert reverse("agency_detail", args=[lapd.pk]) in body
    assert Agency.objects.count() == 1
    by_domain = {"name": "LA Police Foundation Liaison", "level": "city", "state": "CA", "email": "x@lapd.lacity.org"}
    assert "looks like an agency" in client.post(reverse("agency_create"), by_domain).content.decode()
    assert Agency.objects.count() == 1
    response = client.post(reverse("agency_create"), {**data, "confirm_new": "1"})
    assert response.status_code == 302 and Agency.objects.count() == 2


def test_unrelated_name_and_webmail_do_not_warn(login, editor):
    factories.make_agency("Los Angeles Police Department", email="someone@gmail.com")
    data = {"name": "Fresno County Sheriff", "level": "county", "state": "CA", "email": "clerk@gmail.com"}
    assert login(editor).post(reverse("agency_create"), data).status_code == 302


def test_merge_moves_requests_tracking_numbers_and_closures_and_is_recorded(login, editor, team, stranger):
    keep = factories.make_agency("Los Angeles Police Department", abbreviation="LAPD")
    dupe = factories.make_agency("L.A. Police Dept", records_officer="Ms. Ruiz", email="records@lapd.example")
    ours = factories.make_request(team, agency=dupe)
    theirs = factories.make_request(stranger.memberships.get().team, agency=dupe)
    TrackingNumber.objects.create(request=ours, number="R-1", agency=dupe)
    ClosureDay.objects.create(agency=dupe, date=dt.date(2026, 11, 27), reason="Furlough")
    client = login(editor)
    response = client.post(reverse("agency_merge", args=[keep.pk]), {"source": dupe.pk, "confirm": "on"})
    assert response.status_code == 302
    assert not Agency.objects.filter(pk=dupe.pk).exists()
    assert set(RecordsRequest.objects.filter(agency=keep).values_list("pk", flat=True)) == {ours.pk, theirs.pk}
    assert TrackingNumber.objects.get(number="R-1").agency == keep
    assert ClosureDay.objects.get(reason="Furlough").agency == keep
    keep.refresh_from_db()
    assert (keep.records_officer, keep.email, keep.abbreviation) == ("Ms. Ruiz", "records@lapd.example", "LAPD")
    record = AgencyMerge.objects.get()
    assert (record.merged_name, record.merged_agency_id, record.merged_by) == ("L.A. Police Dept", dupe.pk, editor)
    assert (record.requests_moved, record.tracking_numbers_moved, record.closure_days_moved) == (2, 1, 1)
    assert ours.history.filter(agency=keep).exists()  # the move went through the write path's audit history
    page = client.get(reverse("agency_detail", args=[keep.pk])).content.decode()
    assert "Merged into this agency" in page and "L.A. Police Dept" in page


def test_merge_needs_confirmation_two_agencies_and_an_editor(login, editor, team):
    keep = factories.make_agency("A")
    client = login(editor)
    response = client.post(reverse("agency_merge", args=[keep.pk]), {"source": keep.pk, "confirm": "on"})
    assert response.status_code == 200 and not AgencyMerge.objects.exists()  # itself is not a choice
    other = factories.make_agency("B")
    response = client.post(reverse("agency_merge", args=[keep.pk]), {"source": other.pk})
    assert response.status_code == 200 and Agency.objects.filter(pk=other.pk).exists()
    reader = factories.make_user("reader-only")
    factories.add_member(reader, team, Membership.VIEWER)
    assert (
        login(reader).post(reverse("agency_merge", args=[keep.pk]), {"source": other.pk, "confirm": "on"}).status_code
        == 403
    )
    assert Agency.objects.filter(pk=other.pk).exists()
