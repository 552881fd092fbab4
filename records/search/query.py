"""The search box's query language, parsed by us into a small tree.

    words            every word must match (English stemming where the backend has it)
    "exact phrase"   the words next to each other, in this order
    OR               either side (binds tighter than the implicit AND: `smith OR smyth memo`
                     means (smith or smyth) and memo)
    -word -"phrase"  pages with it are left out
    prefix*          any word starting with `prefix` (at least MIN_PREFIX letters)
    AND              the same as a space: both sides must match (never searched as a word)
    a NEAR/n b       a and b (words, "phrases" or prefixes) with at most n words between
                     them, in either order; NEAR alone is NEAR/10. OCR'd layouts split
                     phrases across lines and columns, so "license plate" NEAR/10 ICE finds
                     what an exact phrase would miss.

The backends build their own engine syntax (FTS5 MATCH, tsquery) from this tree and quote
every term, so what a user types never reaches the engine's own parser. Anything we can't
make sense of raises QueryError with a message meant for the person who typed it.
"""

import re
from dataclasses import dataclass
from typing import Literal

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32
MIN_PREFIX = 3
MAX_NEAR = 50  # words between the two sides of NEAR/n
DEFAULT_NEAR = 10
_NEAR = re.compile(r"NEAR(?:/(.*))?")

# Control characters (NUL above all: PostgreSQL text can't hold it) read as spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A term must hold at least one letter or digit; "&", "--" or "(" alone are punctuation.
_WORD_CHAR = re.compile(r"[^\W_]")


class QueryError(ValueError):
    """A query we can't run; str(error) is a message for the user."""


@dataclass(frozen=True)
class Term:
    text: str
    kind: Literal["word", "phrase", "prefix", "near"] = "word"
    # NEAR terms: the two sides and the most words allowed between them.
    near: tuple["Term", ...] = ()
    distance: int = 0

    @property
    def leaves(self) -> tuple["Term", ...]:
        return self.near if self.kind == "near" else (self,)

    def __str__(self) -> str:
        if self.kind == "near":
            return f"{self.near[0]} NEAR/{self.distance} {self.near[1]}"
        if self.kind == "phrase":
            return f'"{self.text}"'
        if self.kind == "prefix":
            return f"{self.text}*"
        return self.text


@dataclass(frozen=True)
class Query:
    """All `groups` must match (each group: any one of its terms); no `excluded` term may."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(term for group in self.groups for term in group) + self.excluded

    @property
    def has_prefix(self) -> bool:
        return any(leaf.kind == "prefix" for term in self.terms for leaf in term.leaves)

    def __str__(self) -> str:
        parts = [" OR ".join(str(term) for term in group) for group in self.groups]
        parts += [f"-{term}" for term in self.excluded]
        return " ".join(parts)


@dataclass(frozen=True)
class _Token:
    term: Term | None  # None for an operator
    excluded: bool = False
    near: int = 0  # the NEAR operator: its distance


_OR = _Token(term=None)
_AND = _Token(term=None)
_AND_MESSAGE = "AND needs a word on each side, as in: smith AND jones"
_NEAR_MESSAGE = 'NEAR needs a word or "phrase" on each side, as in: "license plate" NEAR/10 ICE'


def parse_query(text: str) -> Query:
    if not isinstance(text, str):
        raise QueryError('Type a word or a "phrase" to search for.')
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"That search is too long: keep it under {MAX_QUERY_LENGTH} characters.")
    tokens = _join_near(_tokenize(_CONTROL.sub(" ", text)))
    if not tokens:
        raise QueryError('Type a word or a "phrase" to search for.')

    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # the previous token was OR
    previous: _Token | None = None
    for token in tokens:
        if token is _AND:
            # AND is what a space means already: check it has two sides, then drop it.
            if previous is None or previous is _OR or previous is _AND:
                raise QueryError(_AND_MESSAGE)
        elif previous is _AND and token is _OR:
            raise QueryError(_AND_MESSAGE)
        elif token is _OR:
            if previous is None or previous is _OR:
                raise QueryError("OR needs a word on each side, as in: smith OR smyth")
            if previous.excluded:
                raise QueryError("OR can't join an excluded (-) term; leave out the - or the OR.")
            joining = True
        elif token.excluded:
            if joining:
                raise QueryError("OR can't join an excluded (-) term; leave out the - or the OR.")
            excluded.append(token.term)
        elif joining:
            groups[-1].append(token.term)
            joining = False
        else:
            groups.append([token.term])
        previous = token
    if joining:
        raise QueryError("OR needs a word on each side, as in: smith OR smyth")
    if previous is _AND:
        raise QueryError(_AND_MESSAGE)
    if not groups:
        raise QueryError("Add at least one word to look for: a search can't be only -exclusions.")

    query = Query(groups=tuple(tuple(group) for group in groups), excluded=tuple(excluded))
    if len(query.terms) > MAX_TERMS:
        raise QueryError(f"That search has too many terms: use at most {MAX_TERMS}.")
    return query


def _join_near(tokens: list[_Token]) -> list[_Token]:
    """Fold each `a NEAR/n b` into one NEAR term (it binds tighter than AND and OR)."""
    joined: list[_Token] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if not token.near:
            joined.append(token)
            position += 1
            continue
        left = joined.pop() if joined else None
        right = tokens[position + 1] if position + 1 < len(tokens) else None
        for side in (left, right):
            if side is None or side.term is None:
                raise QueryError(_NEAR_MESSAGE)
            if side.excluded:
                raise QueryError("NEAR can't join an excluded (-) term; leave out the -.")
            if side.term.kind == "near":
                raise QueryError("NEAR joins two terms only: write a NEAR/5 b c NEAR/5 d, not a NEAR b NEAR c.")
        near = Term(f"{left.term} NEAR/{token.near} {right.term}", "near", (left.term, right.term), token.near)
        joined.append(_Token(near))
        position += 2
    return joined


def _near_token(raw: str) -> _Token | None:
    """NEAR or NEAR/n as an operator; None when `raw` is not one."""
    match = _NEAR.fullmatch(raw)
    if not match:
        return None
    if match.group(1) is None:
        return _Token(term=None, near=DEFAULT_NEAR)
    distance = match.group(1)
    if not distance.isascii() or not distance.isdigit() or not 1 <= int(distance) <= MAX_NEAR:
        raise QueryError(f'Write NEAR/ with a number of words from 1 to {MAX_NEAR}, as in: "license plate" NEAR/10 ICE')
    return _Token(term=None, near=int(distance))


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
            continue
        excluded = char == "-" and position + 1 < len(text) and not text[position + 1].isspace()
        if excluded:
            position += 1
        if text[position] == '"':
            end = text.find('"', position + 1)
            if end == -1:
                raise QueryError('A quote is not closed: put a second " at the end of the phrase.')
            words = " ".join(text[position + 1 : end].split())
            if not _WORD_CHAR.search(words):
                raise QueryError('An empty phrase "": put the words between the quotes.')
            tokens.append(_Token(Term(words, "phrase"), excluded))
            position = end + 1
            continue
        end = position
        while end < len(text) and not text[end].isspace() and text[end] != '"':
            end += 1
        tokens.append(_bare_token(text[position:end], excluded))
        position = end
    return [token for token in tokens if token is not None]


def _bare_token(raw: str, excluded: bool) -> _Token | None:
    if raw == "OR" and not excluded:
        return _OR
    if raw == "AND" and not excluded:
        return _AND
    if not excluded and (near := _near_token(raw)):
        return near
    is_prefix = raw.endswith("*")
    text = raw.rstrip("*")
    if not _WORD_CHAR.search(text):
        return None  # punctuation only: nothing to look for
    if is_prefix:
        if len(_WORD_CHAR.findall(text)) < MIN_PREFIX:
            raise QueryError(f"Give at least {MIN_PREFIX} letters before the *, as in: investigat*")
        return _Token(Term(text, "prefix"), excluded)
    return _Token(Term(text, "word"), excluded)
