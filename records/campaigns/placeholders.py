"""The campaign text's placeholders: checked when the form is saved, filled in per agency."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# name → (what it becomes, for the form's help text)
PLACEHOLDERS = {
    "agency": "the agency's name",
    "agency_abbreviation": "the agency's abbreviation (or its name)",
    "records_officer": "the records officer (or “Records Officer”)",
    "statute": "the law's name",
    "statute_code": "the law's code, e.g. CPRA",
    "statute_citation": "the law's citation",
}


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text) if name.strip() not in PLACEHOLDERS})


def values_for(agency, statute) -> dict[str, str]:
    return {
        "agency": agency.name,
        "agency_abbreviation": agency.abbreviation or agency.name,
        "records_officer": agency.records_officer or "Records Officer",
        "statute": statute.name,
        "statute_code": statute.code,
        "statute_citation": statute.citation,
    }


def render(text: str, agency, statute) -> str:
    values = values_for(agency, statute)
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), text)
