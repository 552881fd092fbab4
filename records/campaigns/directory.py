"""Directory hygiene: warn about an agency that is probably already there; merge two agencies."""

from __future__ import annotations

import difflib

from django.db import transaction
from django.forms.models import model_to_dict

from .. import timeline_writes
from ..models import Agency, AgencyMerge, ClosureDay, RecordsRequest, TrackingNumber
from .matching import NEAR_CUTOFF, normalize

# Shared mail services say nothing about which agency an address belongs to.
PUBLIC_MAIL_DOMAINS = {"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com"}


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in (email or "") else ""


def similar_agencies(name: str, email: str = "", *, exclude_pk=None, limit: int = 5) -> list[Agency]:
    """Agencies whose name is the same or close (after normalising), or whose email domain is the same."""
    key = normalize(name or "")
    domain = email_domain(email)
    found = []
    for agency in Agency.objects.exclude(pk=exclude_pk).only("pk", "name", "abbreviation", "email"):
        other = normalize(agency.name)
        close = key and (other == key or difflib.SequenceMatcher(None, key, other).ratio() >= NEAR_CUTOFF)
        same_domain = domain and domain not in PUBLIC_MAIL_DOMAINS and email_domain(agency.email) == domain
        if close or same_domain:
            found.append(agency)
            if len(found) >= limit:
                break
    return found


class MergeError(ValueError):
    pass


def merge_agencies(source: Agency, target: Agency, *, user) -> AgencyMerge:
    """Move everything of `source` onto `target`, record the merge, and delete `source`.

    Requests move through the write path (their deadlines may change: closure days and city calendars
    belong to the agency), tracking numbers and closure days move with them.
    """
    if source.pk == target.pk:
        raise MergeError("Choose two different agencies to merge.")
    with transaction.atomic():
        requests = list(RecordsRequest.objects.filter(agency=source).select_related("team", "statute"))
        tracking = TrackingNumber.objects.filter(agency=source).update(agency=target)
        closures = ClosureDay.objects.filter(agency=source).update(agency=target)
        Agency.objects.filter(parent=source).exclude(pk=target.pk).update(parent=target)
        for records_request in requests:
            records_request.agency = target
            timeline_writes.save_request(records_request, user=user)
        if target.parent_id == source.pk:
            target.parent = source.parent
            target.save(update_fields=["parent"])
        details = {k: v for k, v in model_to_dict(source).items() if isinstance(v, (str, int, type(None)))}
        record = AgencyMerge.objects.create(
            target=target, merged_agency_id=source.pk, merged_name=source.name, merged_details=details,
            requests_moved=len(requests), tracking_numbers_moved=tracking, closure_days_moved=closures,
            merged_by=user,
        )  # fmt: skip
        # Fill the target's blanks from the source, so nothing typed into the directory is lost.
        filled = [name for name in ("abbreviation", "records_officer", "email", "portal_url", "address")
                  if not getattr(target, name) and getattr(source, name)]  # fmt: skip
        for name in filled:
            setattr(target, name, getattr(source, name))
        if target.default_statute_id is None and source.default_statute_id is not None:
            target.default_statute_id = source.default_statute_id
            filled.append("default_statute")
        if filled:
            target.save(update_fields=filled)
        source.delete()
    return record
