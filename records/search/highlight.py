"""The search terms marked in a whole page's text (the viewer), escaped first like snippets.

Snippets come marked by the engine; a whole page is marked here from the parsed query. The engines
stem English words, so a word matches where a page's word starts with it ("redact" marks
"redacted"); phrases match their words in order across any spaces or line breaks.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .query import QueryError, Term, parse_query


def highlight(text: str, query: str) -> SafeString:
    """`text` escaped, with what `query` matches wrapped in <mark>; line breaks kept."""
    pattern = _pattern(query)
    if pattern is None:
        return escape(text)
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [str(escape(text[last : match.start()])), f"<mark>{escape(match.group())}</mark>"]
        last = match.end()
    pieces.append(str(escape(text[last:])))
    return mark_safe("".join(pieces))


def _pattern(query: str) -> re.Pattern | None:
    if not query.strip():
        return None
    try:
        parsed = parse_query(query)
    except QueryError:
        return None
    leaves = [leaf for group in parsed.groups for term in group for leaf in term.leaves]
    alternatives = [_leaf_pattern(leaf) for leaf in leaves]
    alternatives = [alternative for alternative in alternatives if alternative]
    if not alternatives:
        return None
    # Longest first, so a phrase wins over one of its own words.
    alternatives.sort(key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _leaf_pattern(term: Term) -> str:
    words = re.findall(r"[^\W_]+", term.text)
    if not words:
        return ""
    if term.kind == "phrase":
        return r"(?<!\w)" + r"\W+".join(re.escape(word) for word in words) + r"\w*"
    return r"(?<!\w)" + r"\W*".join(re.escape(word) for word in words) + r"\w*"
