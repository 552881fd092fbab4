"""The search box's query language, parsed by us into a small tree.

    words            every word must match (English stemming where the backend has it)
    "exact phrase"   the words next to each other, in this order
    OR               either side (binds tighter than the implicit AND: `smith OR smyth memo`
                     means (smith or smyth) and memo)
    -word -"phrase"  pages with it are left out
    prefix*          any word starting with `prefix` (at least MIN_PREFIX letters)

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

# Control characters (NUL above all: PostgreSQL text can't hold it) read as spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A term must hold at least one letter or digit; "&", "--" or "(" alone are punctuation.
_WORD_CHAR = re.compile(r"[^\W_]")


class QueryError(ValueError):
    """A query we can't run; str(error) is a message for the user."""


@dataclass(frozen=True)
class Term:
    text: str
    kind: Literal["word", "phrase", "prefix"] = "word"

    def __str__(self) -> str:
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
        return any(term.kind == "prefix" for term in self.terms)

    def __str__(self) -> str:
        parts = [" OR ".join(str(term) for term in group) for group in self.groups]
        parts += [f"-{term}" for term in self.excluded]
        return " ".join(parts)


@dataclass(frozen=True)
class _Token:
    term: Term | None  # None for the OR operator
    excluded: bool = False


_OR = _Token(term=None)


def parse_query(text: str) -> Query:
    if not isinstance(text, str):
        raise QueryError('Type a word or a "phrase" to search for.')
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"That search is too long: keep it under {MAX_QUERY_LENGTH} characters.")
    tokens = _tokenize(_CONTROL.sub(" ", text))
    if not tokens:
        raise QueryError('Type a word or a "phrase" to search for.')

    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # the previous token was OR
    previous: _Token | None = None
    for token in tokens:
        if token is _OR:
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
    if not groups:
        raise QueryError("Add at least one word to look for: a search can't be only -exclusions.")

    query = Query(groups=tuple(tuple(group) for group in groups), excluded=tuple(excluded))
    if len(query.terms) > MAX_TERMS:
        raise QueryError(f"That search has too many terms: use at most {MAX_TERMS}.")
    return query


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
    is_prefix = raw.endswith("*")
    text = raw.rstrip("*")
    if not _WORD_CHAR.search(text):
        return None  # punctuation only: nothing to look for
    if is_prefix:
        if len(_WORD_CHAR.findall(text)) < MIN_PREFIX:
            raise QueryError(f"Give at least {MIN_PREFIX} letters before the *, as in: investigat*")
        return _Token(Term(text, "prefix"), excluded)
    return _Token(Term(text, "word"), excluded)
