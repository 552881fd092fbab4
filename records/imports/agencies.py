"""Matching a row's agency and statute to the directory, and the agencies a sheet will add to it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..models import Agency, Statute


def agency_key(text: str) -> str:
    """Case-, spacing- and punctuation-insensitive form of an agency name or abbreviation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("'", "").replace(".", "").replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\bunited states\b", "us", text)
    words = [{"dept": "department", "depts": "departments", "dep": "department"}.get(w, w) for w in text.split()]
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


_PAREN = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")


@dataclass
class NewAgency:
    key: str
    name: str
    abbreviation: str = ""
    level: str = Agency.OTHER
    state: str = ""
    first_row: int = 0

    @property
    def level_label(self) -> str:
        return dict(Agency.LEVEL_CHOICES).get(self.level, self.level)


class AgencyDirectory:
    """The shared directory, indexed once, plus the agencies this sheet will add."""

    def __init__(self):
        self.by_key: dict[str, list[Agency]] = {}
        for agency in Agency.objects.select_related("default_statute"):
            for key in {agency_key(agency.name), agency_key(agency.abbreviation) if agency.abbreviation else ""}:
                if key:
                    self.by_key.setdefault(key, []).append(agency)
        self.new: dict[str, NewAgency] = {}

    def find(self, text: str) -> tuple[Agency | None, str, str]:
        """The directory's agency for this cell, or None with the name and abbreviation to create."""
        name, abbreviation = text.strip(), ""
        if m := _PAREN.match(name):
            name, abbreviation = m[1].strip(), m[2].strip()
        for candidate in (text, name, abbreviation):
            key = agency_key(candidate) if candidate else ""
            if not key:
                continue
            found = {a.pk: a for a in self.by_key.get(key, [])}
            if len(found) > 1:
                names = "; ".join(sorted(str(a) for a in found.values()))
                raise ValueError(
                    f"agency “{text.strip()}” matches several agencies in the directory ({names}): use the full name"
                )
            if found:
                return next(iter(found.values())), name, abbreviation
        return None, name, abbreviation


JURISDICTIONS = [
    ("", "from the statute column (FOIA: federal; CPRA: California)"),
    ("federal", "federal (FOIA)"),
    ("CA", "California state or local (CPRA)"),
]


# How desks write the seeded laws besides their code and name (compared as agency_key does).
STATUTE_ALIASES = {
    "cal public records act": "CPRA", "calif public records act": "CPRA", "ca public records act": "CPRA",
    "california pra": "CPRA", "cal pra": "CPRA", "ca pra": "CPRA", "cpra": "CPRA",
    "federal foia": "FOIA", "us foia": "FOIA", "5 usc 552": "FOIA", "freedom of information act": "FOIA",
    "foil": "NY-FOIL", "ny foil": "NY-FOIL", "new york foil": "NY-FOIL",
    "tpia": "TX-PIA", "texas pia": "TX-PIA", "tx pia": "TX-PIA", "texas public information act": "TX-PIA",
    "public information act": "TX-PIA",  # the only seeded law by that name
    "illinois foia": "IL-FOIA", "il foia": "IL-FOIA", "michigan foia": "MI-FOIA", "mi foia": "MI-FOIA",
    "opra": "NJ-OPRA", "rtkl": "PA-RTKL", "right to know law": "PA-RTKL", "right-to-know law": "PA-RTKL",
}  # fmt: skip
# Names several states give their law: the agency's state decides which one is meant.
GENERIC_STATUTE_NAMES = {"public records act", "pra", "public records law", "open records act", "public records"}


def statute_state(statute: Statute) -> str:
    """The state whose law it is ("" for federal): CPRA is California's, NY-FOIL New York's."""
    if statute.code == "CPRA":
        return "CA"
    prefix = re.match(r"^([A-Z]{2})-", statute.code)
    return prefix[1] if prefix else ""


class Statutes:
    """The statutes, found by code, name or a desk's usual spelling ("Cal. Public Records Act", "NY FOIL")."""

    def __init__(self):
        self.all = list(Statute.objects.all())
        self.by_code = {s.code.upper(): s for s in self.all}
        self.by_key = {}
        for s in self.all:
            self.by_key[agency_key(s.code)] = s
            self.by_key.setdefault(agency_key(s.name), s)
        for alias, code in STATUTE_ALIASES.items():
            if code in self.by_code:
                self.by_key.setdefault(agency_key(alias), self.by_code[code])

    def find(self, text: str, state: str = "") -> Statute:
        """The law a cell names; a name several states use ("Public Records Act") is the agency's state's."""
        key = agency_key(text)
        if key in GENERIC_STATUTE_NAMES:
            of_state = [s for s in self.all if state and statute_state(s) == state]
            if len(of_state) == 1:
                return of_state[0]
            where = f"{state} has no law of ours by that name" if state else "the agency's state is not known"
            raise ValueError(
                f"statute “{text.strip()}” is the name of several states' laws and {where}: write its code (CPRA, WA-PRA, …)"
            )
        statute = self.by_key.get(key)
        if statute is None:
            codes = ", ".join(s.code for s in self.all[:12])
            raise ValueError(f"statute “{text.strip()}” is not one we know ({codes}, …)")
        return statute

    def code(self, code: str) -> Statute | None:
        return self.by_code.get(code)


def _spelling_score(name: str) -> tuple:
    # "Oakland Police Department" over "oakland police dept.": mixed case first, then the fuller form.
    return (not name.islower() and not name.isupper(), len(name))


def new_agency_for(directory, name, abbreviation, statute, jurisdiction, row_number) -> NewAgency | None:
    key = agency_key(name)
    known = directory.new.get(key) or (directory.new.get(agency_key(abbreviation)) if abbreviation else None)
    if known is not None:
        if _spelling_score(name) > _spelling_score(known.name):
            known.name = name
        if abbreviation and not known.abbreviation:
            known.abbreviation = abbreviation[:40]
        return known
    if jurisdiction == "federal" or (not jurisdiction and statute is not None and statute.code == "FOIA"):
        level, state = Agency.FEDERAL, ""
    elif jurisdiction == "CA" or (not jurisdiction and statute is not None and statute.code == "CPRA"):
        level, state = Agency.OTHER, "CA"
    elif not jurisdiction and statute is not None:
        # A state law: its code starts with the postal code (NY-FOIL, TX-PIA).
        prefix = re.match(r"^([A-Z]{2})-", statute.code)
        level, state = Agency.OTHER, prefix[1] if prefix else ""
    else:
        return None
    new = NewAgency(key=key, name=name, abbreviation=abbreviation[:40], level=level, state=state, first_row=row_number)
    directory.new[key] = new
    if abbreviation:
        directory.new.setdefault(agency_key(abbreviation), new)
    return new


def default_statute(agency, new_agency, statutes: Statutes) -> Statute | None:
    if agency is not None and agency.default_statute is not None:
        return agency.default_statute
    level = agency.level if agency else new_agency.level
    state = agency.state if agency else new_agency.state
    if level == Agency.FEDERAL:
        return statutes.code("FOIA")
    if state == "CA":
        return statutes.code("CPRA")
    return None
