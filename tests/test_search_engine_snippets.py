"""issue 15: the engine path's snippets, cut in Python from the page text it reads back, mark what
the engine matched (stemmed forms, phrases, a prefix's words, both sides of NEAR) and stay escaped."""

import pytest

from records.models import Page
from records.search import parse_query, search_pages
from records.search.engine_snippets import SNIPPET_WORDS, snippet
from records.search.scope import scope_for_user
from records.search.snippets import to_html

from . import factories
from .test_search_page import add_pages

FILLER = "Lorem ipsum dolor sit amet consectetur adipiscing elit. " * 300  # 2,400 words before the match
DEEP = FILLER + "The agency investigated the Chief of Staff's overtime records on 3 May. " + FILLER


def _snippets(editor, query: str, texts: list[str]) -> list[str]:
    """The search page's engine path (scope and read-back as the page does), snippet per hit."""
    request = factories.make_request(editor.memberships.get().team)
    add_pages(request, "release.pdf", texts)
    results = search_pages(query, pages=Page.objects.visible_to(editor), scope=scope_for_user(editor))
    return [str(hit.snippet) for hit in results]


def test_a_stemmed_form_is_marked(editor):
    assert _snippets(editor, "investigate", ["The board investigated the contract."]) == [
        "The board <mark>investigated</mark> the contract."
    ]


def test_a_phrase_is_marked_as_one_run_and_its_words_alone_are_not(editor):
    [found] = _snippets(editor, '"chief of staff"', ["The chief spoke. Later the Chief of Staff signed."])
    assert "<mark>Chief of Staff</mark>" in found and "The chief spoke" in found


def test_a_stop_word_phrase_is_marked(editor):
    [found] = _snippets(editor, '"of the"', ["Some of the pages. Of them none."])
    assert found == "Some <mark>of the</mark> pages. Of them none."


def test_a_prefix_marks_the_words_it_matched_on_the_page(editor):
    [found] = _snippets(editor, "regulat*", ["Regulators read the regulations; the rules regulate."])
    assert found.count("<mark>") == 3
    assert "<mark>Regulators</mark>" in found and "<mark>regulations</mark>" in found


def test_near_marks_both_sides_only_where_they_are_close(editor):
    [found] = _snippets(editor, "police NEAR/3 overtime", ["Police budget. " + "word " * 30 + "police paid overtime."])
    assert "<mark>police</mark> paid <mark>overtime</mark>" in found
    assert "Police budget" not in found  # the lone far "police" is neither the window nor marked


def test_released_text_is_escaped_and_the_marks_balance(editor):
    [found] = _snippets(editor, "script", ['<script>alert("x")</script> <b>bold</b> & \ue000 stray \ue001 sentinels'])
    assert "<script" not in found and "<b>" not in found
    assert "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt;" in found
    assert found.count("<mark>") == found.count("</mark>") == 2


def test_a_match_deep_in_a_long_page_gets_a_snippet_around_it(editor):
    [found] = _snippets(editor, '"chief of staff" overtime', [DEEP])
    assert "<mark>Chief of Staff</mark>&#x27;s <mark>overtime</mark>" in found
    assert found.startswith("…") and found.endswith("…")
    assert len(found.replace("<mark>", "").replace("</mark>", "").split()) <= SNIPPET_WORDS + 2


@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("records", ["records"]),
        ("budget OR overtime", ["overtime"]),
        ("overtime -budget", ["overtime"]),
        ("u.s.", ["U.S"]),
    ],
)
def test_snippet_marks_each_kind_of_term(query, marked):
    text = "In the U.S. the overtime records were filed."
    found = to_html(snippet(text, parse_query(query)))
    assert [piece.split("</mark>")[0] for piece in found.split("<mark>")[1:]] == marked


def test_a_page_without_the_match_shows_its_start_unmarked():
    assert snippet("A page of text.", parse_query("zanzibar")) == "A page of text."
    assert snippet("", parse_query("zanzibar")) == ""


def test_a_word_too_long_to_be_a_token_is_a_position_the_phrase_cannot_cross():
    long_word = "x" * 40
    assert "\ue000" not in snippet(f"police {long_word} overtime", parse_query('"police overtime"'))
    assert "\ue000" in snippet(f"police {long_word[:-1]} overtime", parse_query("police NEAR/1 overtime"))
