"""The campaign preview and its confirmation.

`build_plan` turns the form (a directory filter, pasted names, an uploaded list) into rows, one per agency
or input line, each with its match and its proposed law; it is stored in a CampaignDraft. Nothing is
created until `confirm_draft`, which applies the user's per-row choices in one transaction and is
idempotent: the draft remembers its campaign, and a second confirmation returns it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from .. import timeline_writes
from ..models import Agency, Campaign, CampaignDraft, RecordsRequest, Statute
from . import matching, placeholders
from .statutes import STATE_STATUTES, choose_statute

SKIP, NEW = "skip", "new"
AN_ID = re.compile(r"[0-9]{1,18}")  # "²".isdigit() is True, and a 30-digit id overflows PostgreSQL's bigint
INCLUDED_KINDS = (matching.DIRECTORY, matching.EXACT, matching.ABBREVIATION, matching.NEAR, matching.NEW)


def _statute_reason(agency: Agency, statute: Statute | None) -> str:
    if agency.default_statute_id is not None:
        return "the agency's default"
    if statute is None:
        return "choose one: we cannot tell from its level and state"
    where = (
        "federal agency" if agency.level == Agency.FEDERAL else f"{agency.state} {agency.get_level_display().lower()}"
    )
    return f"{where} → {statute.code}"


def _row(source: str, text: str, kind: str, agency: Agency | None, statutes: dict, **extra) -> dict:
    statute = choose_statute(agency, statutes) if agency is not None else None
    return {
        "source": source,
        "text": text,
        "kind": kind,
        "agency_id": agency.pk if agency is not None else None,
        "agency_name": str(agency) if agency is not None else "",
        "statute": statute.code if statute is not None else "",
        "statute_reason": _statute_reason(agency, statute) if agency is not None else "",
        "candidates": [],
        "duplicate_of": None,
        **extra,
    }


def build_plan(*, title: str, request_text: str, filtered_agencies=(), lines=(), directory=None) -> dict:
    """Rows for the preview: the filter's agencies first, then each pasted or uploaded line."""
    statutes = {s.code: s for s in Statute.objects.all()}
    rows = []
    chosen: dict[int, int] = {}
    for agency in filtered_agencies:
        if agency.pk in chosen:
            continue
        rows.append(_row("filter", agency.name, matching.DIRECTORY, agency, statutes, line=None))
        chosen[agency.pk] = 0
    for number, m in enumerate(matching.match_lines(list(lines), directory, chosen=chosen), start=1):
        row = _row("list", m.line, m.kind, m.agency, statutes, line=number)
        row["duplicate_of"] = m.duplicate_of
        row["candidates"] = [[a.pk, str(a)] for a in m.candidates]
        rows.append(row)
    return {"title": title, "request_text": request_text, "rows": rows}


def default_choice(row: dict) -> str:
    """What the preview preselects: the match for found agencies, adding it for a new name, else skip."""
    if row["kind"] in (matching.DIRECTORY, matching.EXACT, matching.ABBREVIATION, matching.NEAR):
        return str(row["agency_id"])
    if row["kind"] == matching.NEW:
        return NEW
    return SKIP


def create_draft(plan: dict, *, team, user) -> CampaignDraft:
    return CampaignDraft.objects.create(team=team, created_by=user, plan=plan)


class PlanError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass
class Choice:
    """The user's decision for one preview row."""

    action: str  # an agency id, NEW or SKIP
    statute: str = ""
    level: str = Agency.CITY
    state: str = ""


def choices_from_post(plan: dict, data) -> list[Choice]:
    choices = []
    for index, row in enumerate(plan["rows"]):
        choices.append(
            Choice(
                action=data.get(f"agency_{index}", default_choice(row)),
                statute=data.get(f"statute_{index}", row["statute"]).strip(),
                level=data.get(f"level_{index}", Agency.CITY),
                state=data.get(f"state_{index}", "").strip().upper()[:2],
            )
        )
    return choices


def _label(row: dict) -> str:
    return f"line {row['line']} ({row['text']})" if row.get("line") else row["text"]


def resolve(plan: dict, choices: list[Choice]) -> list[tuple[Agency | None, dict, Statute]]:
    """(agency or None for a new one, the row, its statute) for every included row; PlanError lists every
    problem at once."""
    statutes = {s.code: s for s in Statute.objects.all()}
    ids = [int(c.action) for c in choices if AN_ID.fullmatch(c.action)]
    agencies = Agency.objects.select_related("default_statute").in_bulk(ids)
    levels = {code for code, _ in Agency.LEVEL_CHOICES}
    errors, resolved, taken = [], [], {}
    for row, choice in zip(plan["rows"], choices, strict=True):
        if choice.action == SKIP:
            continue
        if choice.action == NEW:
            if row["kind"] in (matching.BLANK,):
                continue
            if choice.level not in levels:
                errors.append(f"Choose a level for the new agency on {_label(row)}.")
                continue
            agency = None
        else:
            allowed = {row["agency_id"], *(pk for pk, _ in row["candidates"])}
            agency = agencies.get(int(choice.action)) if AN_ID.fullmatch(choice.action) else None
            if agency is None or agency.pk not in allowed:
                errors.append(f"The agency chosen on {_label(row)} is no longer in the directory; choose again.")
                continue
            if agency.pk in taken:
                errors.append(f"{agency} is chosen twice ({taken[agency.pk]} and {_label(row)}); skip one of them.")
                continue
            taken[agency.pk] = _label(row)
        statute = statutes.get(choice.statute)
        if statute is None:
            errors.append(f"Choose the law for {_label(row)}.")
            continue
        resolved.append((agency, {**row, "level": choice.level, "state": choice.state}, statute))
    if not resolved and not errors:
        errors.append("No agency is chosen: pick at least one before creating the campaign.")
    if errors:
        raise PlanError(errors)
    return resolved


def confirm_draft(draft: CampaignDraft, choices: list[Choice], *, user) -> tuple[Campaign, bool]:
    """Create the campaign and one request per chosen agency; (campaign, created).

    Confirming a draft twice (a double click, a resubmitted form) returns the first campaign.
    """
    with transaction.atomic():
        # Claim the draft with a write before reading it: a second confirmation waits on this row (its
        # lock in PostgreSQL, the database lock in SQLite) and then finds the campaign set.
        claimed = CampaignDraft.objects.filter(pk=draft.pk, campaign__isnull=True).update(plan=F("plan"))
        draft = CampaignDraft.objects.select_related("campaign").get(pk=draft.pk)
        if not claimed:
            return draft.campaign, False
        plan = draft.plan
        text_errors = placeholders.text_errors(plan["request_text"])
        if text_errors:  # a draft saved before campaigns shared the letters' placeholders
            raise PlanError([*text_errors, "Start the campaign again with the text corrected."])
        resolved = resolve(plan, choices)
        new_agencies = [
            Agency(name=row["text"][:300], level=row["level"], state=row["state"])
            for agency, row, _ in resolved
            if agency is None
        ]
        created_agencies = iter(Agency.objects.bulk_create(new_agencies))
        campaign = Campaign.objects.create(
            team=draft.team, title=plan["title"], request_text=plan["request_text"], created_by=user
        )
        requests, errors = [], []
        for agency, _row, statute in resolved:
            agency = agency or next(created_agencies)
            try:
                body = placeholders.render(campaign.request_text, agency, statute, draft.team)
            except placeholders.CampaignTextError as error:  # a "{{" brought in by an agency's name
                errors.append(str(error))
                continue
            requests.append(
                RecordsRequest(
                    team=draft.team,
                    campaign=campaign,
                    agency=agency,
                    statute=statute,
                    title=f"{campaign.title} — {agency.abbreviation or agency.name}"[:300],
                    body=body,
                    project=campaign.title[:200],
                )  # fmt: skip
            )
        if errors:
            raise PlanError(errors)  # rolls back the campaign and the new agencies
        timeline_writes.create_requests_for_campaign(requests, user=user)
        draft.campaign = campaign
        draft.save(update_fields=["campaign"])
    return campaign, True


STATE_CHOICES = sorted(STATE_STATUTES)
