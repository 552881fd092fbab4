"""The query language: every construct and every malformed query (no database needed)."""

import pytest

from records.models import Page
from records.search import Query, QueryError, Term, parse_query, search_pages
from records.search.postgres import tsquery_sql
from records.search.sqlite import match_expression

from . import factories


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


# --- AND and NEAR/n (issue 15) ---------------------------------------------------------------


def near(left, right, distance):
    return Term(f"{left} NEAR/{distance} {right}", "near", (left, right), distance)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("smith AND jones", Query(groups=((word("smith"),), (word("jones"),)))),
        ("smith AND jones OR smyth", Query(groups=((word("smith"),), (word("jones"), word("smyth"))))),
        ("smith and jones", Query(groups=((word("smith"),), (word("and"),), (word("jones"),)))),
        ('"AND"', Query(groups=((phrase("AND"),),))),
        ('"license plate" NEAR/10 ICE', Query(groups=((near(phrase("license plate"), word("ICE"), 10),),))),
        ("plate NEAR ice", Query(groups=((near(word("plate"), word("ice"), 10),),))),
        ("vigil* NEAR/2 plate memo", Query(groups=((near(prefix("vigil"), word("plate"), 2),), (word("memo"),)))),
        ("x OR a NEAR/3 b", Query(groups=((word("x"), near(word("a"), word("b"), 3)),))),
    ],
)
def test_parses_and_and_near(text, expected):
    assert parse_query(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("AND smith", "AND needs a word on each side"),
        ("smith AND", "AND needs a word on each side"),
        ("smith AND AND jones", "AND needs a word on each side"),
        ("smith AND OR jones", "AND needs a word on each side"),
        ("smith OR AND jones", "AND needs a word on each side"),
        ("NEAR/3 plate", "NEAR needs a word"),
        ("plate NEAR/3", "NEAR needs a word"),
        ("plate OR NEAR/3 ice", "NEAR needs a word"),
        ("plate NEAR/ ice", "a number of words from 1 to 50"),
        ("plate NEAR/x ice", "a number of words from 1 to 50"),
        ("plate NEAR/0 ice", "a number of words from 1 to 50"),
        ("plate NEAR/51 ice", "a number of words from 1 to 50"),
        ("plate NEAR/3 -ice", "NEAR can't join an excluded"),
        ("a NEAR/3 b NEAR/3 c", "NEAR joins two terms only"),
    ],
)
def test_malformed_and_near_raise_query_error(text, message):
    with pytest.raises(QueryError, match=message):
        parse_query(text)


def test_near_in_engine_syntax():
    query = parse_query('"license plate" NEAR/2 ICE')
    assert match_expression(query) == '(NEAR("license plate" "ICE", 2))'
    sql, params = tsquery_sql(query)
    expression = "'license plate' <1> 'ICE' | 'ICE' <1> 'license plate' | 'license plate' <2> 'ICE' | "
    assert params[2].startswith(expression) and params[2].endswith("'ICE' <3> 'license plate'")


@pytest.fixture
def layouts(db, team):
    from .test_search_page import add_pages

    r = factories.make_request(team, title="Scans")
    add_pages(r, "near.pdf", [
        "the license plate data shared with ICE agents",  # 3 words between
        "ICE asked for every license plate read",  # reversed order, 3 words between
        "license plate readers " + "filler " * 20 + "ICE",  # 21 words between
        "licensed plates near ICE",  # stemmed forms, adjacent-ish
        "and then the and",
    ])  # fmt: skip
    return Page.objects.for_team(team)


def _pages(query, pages):
    return sorted(hit.page for hit in search_pages(query, pages=pages, limit=100))


def test_near_finds_terms_within_n_words_in_either_order(layouts):
    assert _pages('"license plate" NEAR/3 ICE', layouts) == [1, 2, 4]
    assert _pages('"license plate" NEAR/2 ICE', layouts) == [4]
    assert _pages('"license plate" NEAR/21 ICE', layouts) == [1, 2, 3, 4]
    assert _pages("plate NEAR/1 ice", layouts) == [4]
    assert _pages("licens* NEAR/3 ICE", layouts) == [2, 4]  # page 1: four words between


def test_and_is_the_operator_not_a_word(layouts):
    assert _pages("license AND ICE", layouts) == [1, 2, 3, 4]
    assert _pages("license AND readers", layouts) == [3]
