"""Which law a campaign request to an agency goes under: the agency's own default, else its level and state."""

from __future__ import annotations

from ..models import Agency, Statute

# The seeded statute for each state's public-records law (records/deadlines.py DEFAULT_RULES).
STATE_STATUTES = {
    "CA": "CPRA", "NY": "NY-FOIL", "TX": "TX-PIA", "IL": "IL-FOIA", "FL": "FL-PRA", "WA": "WA-PRA",
    "PA": "PA-RTKL", "MA": "MA-PRL", "MI": "MI-FOIA", "NJ": "NJ-OPRA", "GA": "GA-ORA", "OH": "OH-PRA",
}  # fmt: skip


def statute_code_for(agency: Agency) -> str | None:
    """The code of the law that governs requests to this agency, or None when we cannot tell."""
    if agency.level == Agency.FEDERAL:
        return "FOIA"
    return STATE_STATUTES.get((agency.state or "").upper())


def choose_statute(agency: Agency, statutes_by_code: dict[str, Statute]) -> Statute | None:
    if agency.default_statute_id is not None:
        return agency.default_statute
    code = statute_code_for(agency)
    return statutes_by_code.get(code) if code else None
