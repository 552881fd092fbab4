"""The query language: every construct and every malformed query (no database needed)."""

import pytest

from records.search import Query, QueryError, Term, parse_query
from records.search.postgres import tsquery_sql
from records.search.sqlite import match_expression


def word(text):
    return Term(text, "word")


def phrase(text):
    return Term(text, "phrase")


def prefix(text):
    return Term(text, "prefix")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("smith", Query(groups=((word("smith"),),))),
        ("smith  memo", Query(groups=((word("smith"),), (word("memo"),)))),
        ('"chief of staff"', Query(groups=((phrase("chief of staff"),),))),
        ('"  chief   of staff "', Query(groups=((phrase("chief of staff"),),))),
        ("smith OR smyth", Query(groups=((word("smith"), word("smyth")),))),
        (
            "smith OR smyth OR smithe memo",
            Query(groups=((word("smith"), word("smyth"), word("smithe")), (word("memo"),))),
        ),
        ("memo -draft", Query(groups=((word("memo"),),), excluded=(word("draft"),))),
        ('memo -"first draft"', Query(groups=((word("memo"),),), excluded=(phrase("first draft"),))),
        ("memo -negotiat*", Query(groups=((word("memo"),),), excluded=(prefix("negotiat"),))),
        ("negotiat*", Query(groups=((prefix("negotiat"),),))),
        ("negotiat**", Query(groups=((prefix("negotiat"),),))),
        ("smith or smyth", Query(groups=((word("smith"),), (word("or"),), (word("smyth"),)))),  # only OR is an operator
        ('"OR"', Query(groups=((phrase("OR"),),))),
        ("2019-0042 O'Brien", Query(groups=((word("2019-0042"),), (word("O'Brien"),)))),
        ("smith - memo", Query(groups=((word("smith"),), (word("memo"),)))),  # a lone dash is punctuation
        ("smith & ( memo )", Query(groups=((word("smith"),), (word("memo"),)))),
        ('smith"chief of staff"', Query(groups=((word("smith"),), (phrase("chief of staff"),)))),
        ("smith\x00memo\tfile", Query(groups=((word("smith"),), (word("memo"),), (word("file"),)))),
    ],
)
def test_parses(text, expected):
    assert parse_query(text) == expected


def test_str_gives_back_a_canonical_query():
    assert str(parse_query('smith  OR smyth  "chief of staff" negotiat* -draft')) == (
        'smith OR smyth "chief of staff" negotiat* -draft'
    )


def test_has_prefix():
    assert parse_query("memo negotiat*").has_prefix
    assert parse_query("memo -negotiat*").has_prefix
    assert not parse_query('memo "negotiation"').has_prefix


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Type a word"),
        ("   ", "Type a word"),
        ("&& ( )", "Type a word"),
        ('"chief of staff', "quote is not closed"),
        ('smith "chief', "quote is not closed"),
        ('""', "empty phrase"),
        ('" -- "', "empty phrase"),
        ("OR", "OR needs a word on each side"),
        ("OR smith", "OR needs a word on each side"),
        ("smith OR", "OR needs a word on each side"),
        ("smith OR OR smyth", "OR needs a word on each side"),
        ("smith OR -smyth", "can't join an excluded"),
        ("-smith OR smyth", "can't join an excluded"),
        ("-draft", "can't be only -exclusions"),
        ('-draft -"first draft"', "can't be only -exclusions"),
        ("ne*", "at least 3 letters"),
        ("*", "Type a word"),
        ("x" * 501, "too long"),
        (" ".join(f"w{i}" for i in range(33)), "too many terms"),
        (None, "Type a word"),
    ],
)
def test_malformed_queries_raise_query_error(text, message):
    with pytest.raises(QueryError, match=message):
        parse_query(text)


def test_query_error_is_a_value_error():
    assert issubclass(QueryError, ValueError)


# The engines' syntax is built from the tree, every term quoted.


def test_fts5_match_expression_quotes_every_term():
    query = parse_query('smith OR "o""brien" memo* -"first draft" -x:y')
    assert match_expression(query) == '(("smith" OR "o") AND ("brien") AND ("memo" *)) NOT ("first draft" OR "x:y")'


def test_fts5_match_expression_escapes_double_quotes():
    query = Query(groups=((word('say "hi"'),),))
    assert match_expression(query) == '("say ""hi""")'


def test_tsquery_is_built_from_quoted_literals():
    sql, params = tsquery_sql(parse_query("smith OR o'brien negotiat* -back\\slash"))
    assert params == [*["'smith'"] * 3, *["'o''brien'"] * 3, "'negotiat':*", *["'back\\\\slash'"] * 3]
    assert sql.count("%s") == len(params)
    assert "!!" in sql and "&&" in sql and "||" in sql
