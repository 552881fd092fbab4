"""Snippets for the engine's hits, cut in Python from the page text read back with the hit.

The SQL backends' snippet functions (FTS5 snippet(), ts_headline) re-run the full-text match for
each screen: FTS5 walks a frequent word's whole doclist, PostgreSQL parses every page again. The
engine path has each page's text in hand already, so it splits the text into words the way the
engine's tokenizer does (runs of letters and digits; a word of MAX_TOKEN bytes or more is a
position but no token), puts the words through the engine's own analyzers (engine.STEM,
engine.EXACT) and marks what the engine matched: stemmed words, phrases, prefixes' words, both
sides of NEAR. The text stays untrusted: marks are the private sentinels of snippets.py, which
escapes everything before it turns them into <mark>.
"""

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from . import engine
from .query import Query, Term
from .snippets import ELLIPSIS, START, STOP

SNIPPET_WORDS = 24  # as the SQL backends' snippets (FTS5 SNIPPET_TOKENS, ts_headline MaxWords)
LEAD_WORDS = 3  # words shown before the first mark, when the page has them
# One capturing group: split() alternates separator, word, separator, … (words at odd indexes).
_WORDS = re.compile(r"([^\W_]+)")
_SENTINELS = {ord(START): None, ord(STOP): None}
_CACHE_SIZE = 200_000  # analyzed words kept between searches (a corpus's working vocabulary)
# Words as each analyzer (stemmed: True, as typed: False) indexed them, None for a word too long
# to be a token; kept between searches.
_KNOWN: dict[bool, dict[str, str | None]] = {True: {}, False: {}}


@dataclass(frozen=True)
class _Pattern:
    """What one leaf of the query matches: a run of tokens, each equal to (or, for a prefix's
    last one, starting with) the given token, on the stemmed or the unstemmed analysis."""

    tokens: tuple[str, ...]
    stemmed: bool
    prefix: bool = False


def snippets(texts: list[str], query: Query) -> list[str]:
    """For each of `texts`, about SNIPPET_WORDS words around its best cluster of matches of
    `query`, the matches between START and STOP, "…" where text was cut (raw:
    pass each through snippets.to_html); the start of the page, unmarked, when nothing in it
    matches. One screen at a time: the words of every page go through the analyzers at once."""
    pages = [_WORDS.split(text or "") for text in texts]
    leaves = [(number, leaf) for number, leaf in enumerate(term for group in query.groups for term in group)]
    vocabulary = {word for parts in pages for word in parts[1::2]}
    for stemmed in {pattern.stemmed for _, term in leaves for pattern in _patterns(term)}:
        _learn(vocabulary, stemmed)
    return [_snippet(parts, leaves) for parts in pages]


def snippet(text: str, query: Query) -> str:
    """snippets() of one text."""
    return snippets([text], query)[0]


def _snippet(parts: list[str], leaves: list[tuple[int, Term]]) -> str:
    words = parts[1::2]
    if not words:
        return ""
    spans = _matches(words, leaves)
    first = _window(spans, len(words))
    last = min(first + SNIPPET_WORDS, len(words))
    marked = [(max(start, first), min(end, last - 1)) for start, end, _ in spans if start < last and end >= first]
    return _render(parts, first, last, _merged(marked))


def _matches(words: list[str], leaves: list[tuple[int, Term]]) -> list[tuple[int, int, int]]:
    """(first word, last word, leaf number) of each match, by first word (exclusions match
    nothing on a hit: only the groups' terms are leaves)."""
    spans = []
    for number, term in leaves:
        found = _near(words, term) if term.kind == "near" else _find(words, _pattern(term))
        spans += [(start, end, number) for start, end in found]
    return sorted(spans)


def _patterns(term: Term) -> list["_Pattern"]:
    if term.kind != "near":
        return [_pattern(term)]
    exact = any(side.kind == "prefix" for side in term.near)
    return [_pattern(side, exact=exact) for side in term.near]


@lru_cache(maxsize=1024)
def _pattern(term: Term, *, exact: bool = False) -> _Pattern:
    """The engine's reading of one typed term (engine_query._term): words and phrases on the
    stemmed field, a phrase of stop words ("of the") and a prefix on the unstemmed one."""
    if term.kind == "prefix":
        return _Pattern(tuple(engine.EXACT.analyze(term.text)), stemmed=False, prefix=True)
    exact_tokens = tuple(engine.EXACT.analyze(term.text))
    if exact or (term.kind == "phrase" and exact_tokens and all(w in engine.STOP_WORDS for w in exact_tokens)):
        return _Pattern(exact_tokens, stemmed=False)
    return _Pattern(tuple(engine.STEM.analyze(term.text)), stemmed=True)


def _near(words: list[str], term: Term) -> list[tuple[int, int]]:
    """Both sides of `a NEAR/n b` where the other side is at most n words away, either order
    (on the unstemmed words when a side is a prefix, as the engine does)."""
    lefts, rights = (_find(words, pattern) for pattern in _patterns(term))
    near = set()
    for one, other in ((lefts, rights), (rights, lefts)):  # `other` after `one`, then the other way round
        starts = [start for start, _ in other]
        for span in one:
            following = other[bisect_left(starts, span[1] + 1) : bisect_left(starts, span[1] + 2 + term.distance)]
            if following:
                near.add(span)
                near.update(following)
    return sorted(near)


def _find(words: list[str], pattern: _Pattern) -> list[tuple[int, int]]:
    """(first, last) word of each place `pattern` matches in `words`."""
    if not pattern.tokens:
        return []
    analyzed = _analyze(words, pattern.stemmed)
    *whole, last = pattern.tokens
    if pattern.prefix:
        ends = [i for i, token in enumerate(analyzed) if token is not None and token.startswith(last)]
    else:
        ends = [i for i, token in enumerate(analyzed) if token == last]
    length = len(whole)
    return [
        (end - length, end)
        for end in ends
        if end >= length and all(analyzed[end - length + k] == word for k, word in enumerate(whole))
    ]


def _analyze(words: list[str], stemmed: bool) -> list[str | None]:
    """Each word as the engine's analyzer indexed it (None: too long to be a token)."""
    return list(map(_learn(words, stemmed).__getitem__, words))


def _learn(words, stemmed: bool) -> dict[str, str | None]:
    """The analyzer's known words, with those not analyzed yet put through it in one call. A full
    cache is replaced, not cleared, so a search in another thread keeps the one it holds."""
    known = _KNOWN[stemmed]
    missing = set(words).difference(known)
    if not missing:
        return known
    if len(known) + len(missing) > _CACHE_SIZE:
        known = _KNOWN[stemmed] = {}
        missing = set(words)
    analyzer = engine.STEM if stemmed else engine.EXACT
    kept = [word for word in missing if len(word.encode()) < engine.MAX_TOKEN]
    tokens = analyzer.analyze(" ".join(kept))
    if len(tokens) != len(kept):  # a word the engine splits otherwise: one at a time
        tokens = [" ".join(analyzer.analyze(word)) for word in kept]
    known.update(dict.fromkeys(missing))
    known.update(zip(kept, tokens, strict=True))
    return known


def _window(spans: list[tuple[int, int, int]], count: int) -> int:
    """The first word of the window showing the most distinct terms (then the most matches;
    then the earliest), starting LEAD_WORDS before its first match."""
    if not spans:
        return 0
    starts = [start for start, _, _ in spans]
    best, best_score = 0, (-1, -1)
    for index, (start, _, _) in enumerate(spans):
        first = max(0, min(start - LEAD_WORDS, count - SNIPPET_WORDS))
        inside = spans[bisect_left(starts, first) : bisect_left(starts, first + SNIPPET_WORDS)]
        score = (len({leaf for _, _, leaf in inside}), len(inside))
        if score > best_score:
            best, best_score = first, score
        if index > 1000:  # a page made of one word: the first windows are as good as any
            break
    return best


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _render(parts: list[str], first: int, last: int, marks: list[tuple[int, int]]) -> str:
    """Words first..last-1 with what lies between them, the marked runs between sentinels."""
    pieces = [part.translate(_SENTINELS) for part in parts[2 * first + 1 : 2 * last]]  # word, separator, word, …
    for start, end in marks:
        pieces[2 * (start - first)] = START + pieces[2 * (start - first)]
        pieces[2 * (end - first)] += STOP
    # Cut text gets "…"; the page's own start or end keeps what stands around its words (a quote, a stop).
    lead = ELLIPSIS if first > 0 else parts[0].translate(_SENTINELS)
    tail = ELLIPSIS if last < len(parts) // 2 else parts[-1].translate(_SENTINELS)
    return lead + "".join(pieces) + tail
