"""The campaign text's placeholders: the letters' own (records/letters/placeholders.py), one syntax and one
list of names, so a desk writes `{{ agency.name }}` in a campaign exactly as in a letter template.

A campaign's text is filled in per agency before its requests exist, so it may use the names that need
no request (CAMPAIGN_PLACEHOLDERS: the agency's, the law's, the team's, today); a request's own names are
refused with a sentence saying they belong to letters.
"""

from __future__ import annotations

import re

from ..letters.placeholders import CAMPAIGN_PLACEHOLDERS, LetterError, campaign_values, substitute, template_errors

PLACEHOLDERS = CAMPAIGN_PLACEHOLDERS

# The single-brace names campaigns used before they shared the letters' syntax, and what to write now.
_OLD_NAMES = {
    "agency": "agency.name",
    "agency_abbreviation": "agency.abbreviation",
    "records_officer": "agency.records_officer",
    "statute": "statute.name",
    "statute_code": "statute.code",
    "statute_citation": "statute.citation",
}
_OLD_PLACEHOLDER = re.compile(r"(?<!\{)\{\s*(" + "|".join(_OLD_NAMES) + r")\s*\}(?!\})")


class CampaignTextError(ValueError):
    """The campaign's text cannot be filled in for an agency; the message says why in plain words."""


def text_errors(text: str) -> list[str]:
    """What is wrong with a campaign's text, as sentences; empty when it can be filled in."""
    errors = template_errors(text, PLACEHOLDERS)
    old = list(dict.fromkeys(_OLD_PLACEHOLDER.findall(text)))
    if old:
        fixes = ", ".join(f"{{{name}}} → {{{{ {_OLD_NAMES[name]} }}}}" for name in old)
        errors.append(f"Placeholders are written with double braces, as in letters: {fixes}.")
    return errors


def render(text: str, agency, statute, team) -> str:
    """The text for one agency; CampaignTextError if it cannot be filled in (never a raw placeholder left)."""
    errors = text_errors(text)
    if errors:
        raise CampaignTextError(" ".join(errors))
    try:
        return substitute(text, campaign_values(agency, statute, team))
    except LetterError as error:
        raise CampaignTextError(f"For {agency}: {error}") from None
