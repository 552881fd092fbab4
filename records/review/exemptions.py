"""Exemption citations on a page's text: "(b)(6)", "5 ILCS 140/7(1)(c)", "Gov. Code § 7922.000".

Pure functions over text. The patterns and plain-word meanings are data beside each statute
(records/statute_data.py EXEMPTION_PATTERNS, keyed by statute code).

Context rule: a form that is ambiguous on its own (a bare "7(1)(c)", "b6", "Exemption 6", "section 6254(f)")
counts for a statute only when the page's text mentions that statute (statute_data.CONTEXT: "ILCS" or
"Illinois" for IL-FOIA, "U.S.C."/"FOIA" for the federal act, "Government Code"/"California" for CPRA), or
when the caller passes the statute as `hint` (the statute of the request the document belongs to).
A fully qualified form ("5 ILCS 140/7(1)(c)", "(b)(6)", "5 U.S.C. § 552(b)(5)") counts anywhere.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from records.statute_data import CONTEXT, EXEMPTION_PATTERNS

EXEMPTION, PROCEDURAL = "exemption", "procedural"
NOT_DESCRIBED = "Meaning not yet described."
# Between the items of one list: "Exemptions 6, 7(C) and 7(E)", "sections 6254(f) and 6255".
_LIST_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|or|&)?|;|and/or|and|or|&)\s*")
_OCR_ONE = str.maketrans({"l": "1", "I": "1", "|": "1"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Citation:
    statute: str  # statute code: FOIA, IL-FOIA, CPRA…
    code: str  # normalised: (b)(6), 7(1)(d)(v), 7922.000
    text: str  # as written (whitespace collapsed)
    start: int
    end: int
    kind: str = EXEMPTION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Pattern:
    statute: str
    item: re.Pattern
    lead: re.Pattern | None
    code: str
    needs_context: bool
    kind: str
    clean: dict[str, str]
    also: tuple[
        tuple[str, str], ...
    ]  # (group, code): another citation in the same words when group matched  # group name -> "digits" | "upper" | "lower"


@cache
def _patterns() -> tuple[tuple[_Pattern, ...], dict[str, re.Pattern]]:
    compiled = []
    for statute, spec in EXEMPTION_PATTERNS.items():
        clean = {group: how for how in ("digits", "upper", "lower") for group in spec.get(how, [])}
        for pattern in spec["patterns"]:
            compiled.append(
                _Pattern(
                    statute=statute,
                    item=re.compile(pattern["item"]),
                    lead=re.compile(pattern["lead"]) if pattern.get("lead") else None,
                    code=pattern["code"],
                    needs_context=pattern.get("context", False),
                    kind=pattern.get("kind", EXEMPTION),
                    clean=clean,
                    also=tuple((extra["when"], extra["code"]) for extra in pattern.get("also", [])),
                )
            )
    contexts = {statute: re.compile(regex) for statute, regex in CONTEXT.items()}
    return tuple(compiled), contexts


def find_citations(text: str, *, hint: str = "") -> list[Citation]:
    """Every exemption (and procedural) citation in `text`, in reading order, none overlapping."""
    if not text:
        return []
    patterns, contexts = _patterns()
    in_context = {statute for statute, regex in contexts.items() if regex.search(text)}
    if hint:
        in_context.add(hint)
    found: list[Citation] = []
    for pattern in patterns:
        if pattern.needs_context and pattern.statute not in in_context:
            continue
        found.extend(_matches(pattern, text))
    return _without_overlaps(found)


def exemptions_only(citations: list[Citation]) -> list[Citation]:
    return [c for c in citations if c.kind == EXEMPTION]


def meaning(statute: str, code: str) -> str:
    """The plain-words meaning of a code; for "7(1)(d)(v)(vi)" the nearest described parent."""
    meanings = EXEMPTION_PATTERNS.get(statute, {}).get("meanings", {})
    while code:
        if code in meanings:
            return meanings[code]
        if not code.endswith(")") or "(" not in code:
            break
        code = code[: code.rindex("(")]
    return NOT_DESCRIBED


def _matches(pattern: _Pattern, text: str):
    if pattern.lead is None:
        for match in pattern.item.finditer(text):
            yield from _citations(pattern, match, text, match.start())
        return
    for lead in pattern.lead.finditer(text):
        position, first = lead.end(), lead.start()
        while (match := pattern.item.match(text, position)) is not None:
            yield from _citations(pattern, match, text, first)
            separator = _LIST_SEPARATOR.match(text, match.end())
            if separator is None or separator.end() == match.end():
                break
            position, first = separator.end(), None


def _citations(pattern: _Pattern, match: re.Match, text: str, start: int | None) -> list[Citation]:
    values: dict[str, str] = {}
    for group, value in match.groupdict().items():
        value = _SPACES.sub("", value or "")
        how = pattern.clean.get(group)
        if value and how == "digits":
            value = value.translate(_OCR_ONE)
        elif how == "upper":
            value = value.upper()
        elif how == "lower":
            value = value.lower()
        values[group] = value
        values[f"{group}_p"] = f"({value})" if value else ""
    begin = match.start() if start is None else start
    codes = [pattern.code] + [code for group, code in pattern.also if values.get(group)]
    return [
        Citation(
            statute=pattern.statute,
            code=code.format(**values),
            text=_SPACES.sub(" ", text[begin : match.end()]).strip(),
            start=begin,
            end=match.end(),
            kind=pattern.kind,
        )
        for code in codes
    ]


def _without_overlaps(found: list[Citation]) -> list[Citation]:
    """Where two patterns read the same words, keep the longer reading ("5 ILCS 140/7(1)(c)" over "7(1)(c)")."""
    kept: list[Citation] = []
    for citation in sorted(found, key=lambda c: (c.start, -(c.end - c.start))):
        if kept and citation.start < kept[-1].end and (citation.start, citation.end) != (kept[-1].start, kept[-1].end):
            continue
        if kept and citation == kept[-1]:
            continue
        kept.append(citation)
    return kept
