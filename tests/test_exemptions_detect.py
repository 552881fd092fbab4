"""Exemption citations on page text: every form agencies use is caught, and nothing is invented.

The corpus test compares the detector with citations written by hand, page by page, after reading each
shared file (pypdf text; tesseract for the scanned pages), and prints precision and recall.
"""

import pytest

from records.review.exemptions import NOT_DESCRIBED, PROCEDURAL, find_citations, meaning


def codes(text, **kwargs):
    return [(c.statute, c.code) for c in find_citations(text, **kwargs) if c.kind != PROCEDURAL]


# (text, expected citations): each a form a human reader takes for a citation.
CAUGHT = [
    ("Withheld under (b)(6).", [("FOIA", "(b)(6)")]),
    ("Withheld under (b) (6).", [("FOIA", "(b)(6)")]),  # OCR's space
    ("FOIA: redacted b6 and b(6)", [("FOIA", "(b)(6)"), ("FOIA", "(b)(6)")]),
    ("Redacted (b)(7)(C)", [("FOIA", "(b)(7)(C)")]),
    ("FOIA exemption stamp: b7c", [("FOIA", "(b)(7)(C)")]),
    ("FOIA exemption stamp: B7(C)", [("FOIA", "(b)(7)(C)")]),
    ("Under FOIA Exemption 6, names were withheld.", [("FOIA", "(b)(6)")]),
    ("FOIA Exemptions 6 and 7(C) apply.", [("FOIA", "(b)(6)"), ("FOIA", "(b)(7)(C)")]),
    ("FOIA Exemptions 5, 6, and 7(E).", [("FOIA", "(b)(5)"), ("FOIA", "(b)(6)"), ("FOIA", "(b)(7)(E)")]),
    ("protected by 5 U.S.C. § 552(b)(5)", [("FOIA", "(b)(5)")]),
    ("protected by 5 U.S.C. 552 (b)(4)", [("FOIA", "(b)(4)")]),
    ("exempt under 5 ILCS 140/7(1)(c).", [("IL-FOIA", "7(1)(c)")]),
    ("5 ILCS 140/7(1)(d)(v) applies.", [("IL-FOIA", "7(1)(d)(v)")]),
    ("Illinois FOIA Section 7(1)(d)(v).", [("IL-FOIA", "7(1)(d)(v)")]),
    ("exempt under 5 ILCS 140/7(l)(c)", [("IL-FOIA", "7(1)(c)")]),  # OCR: lowercase L for 1
    ("5 ILCS 140/7 (1)(c)", [("IL-FOIA", "7(1)(c)")]),
    ("withheld under 5 ILCS\n140/7(1)(c) because", [("IL-FOIA", "7(1)(c)")]),  # split across lines
    ("Illinois: Section 7(1)(c) and §7(1)(b).", [("IL-FOIA", "7(1)(c)"), ("IL-FOIA", "7(1)(b)")]),
    ("exempt pursuant to Government Code section 6254(f).", [("CPRA", "6254(f)")]),
    ("Gov. Code § 7922.000", [("CPRA", "7922.000")]),
    ("Gov. Code sections 7923.600 and 7927.705", [("CPRA", "7923.600"), ("CPRA", "7927.705")]),
    ("Government Code sections 6254(c), 6254(k) and 6255", [("CPRA", "6254(c)"), ("CPRA", "6254(k)"), ("CPRA", "6255")]),
    ("Public Officers Law § 87(2)(b)", [("NY-FOIL", "87(2)(b)")]),
    ("Tex. Gov't Code § 552.101", [("TX-PIA", "552.101")]),
]

# Text with no citation in it, though it looks like one to a careless pattern.
NOT_CITATIONS = [
    "In 2014 the department received 6254 requests.",
    "Call (714) 647-6254 or 312-745-7922.",
    "See section 6 of the agreement.",
    "The ab6 unit and the b6x sensor.",  # b6 inside a word
    "(b) the agency shall respond; (c) the requester may appeal.",  # list items
    "Item 7(1)(c) of the contract.",  # no statute on the page
    "FOIA case 2014-6 and exemption 2014.",
    "Form B6 of the Illinois tax return.",  # b6 with no federal FOIA on the page
    "Our FOIA office is at 552 Main Street (b) (floor 6).",
    "Section 7(1) provides that a public body may redact.",  # the section, not an exemption
    "Dated 6/25/2015, case 7922.",
    "Government Code section 6253(c)(1) allows 14 more days.",  # an extension: procedural, not an exemption
]


@pytest.mark.parametrize(("text", "expected"), CAUGHT)
def test_catches_the_forms_agencies_use(text, expected):
    assert codes(text) == expected


@pytest.mark.parametrize("text", NOT_CITATIONS)
def test_never_invents_a_citation(text):
    assert codes(text) == []


def test_a_bare_illinois_section_counts_in_a_request_under_illinois_foia():
    assert codes("Withheld under Section 7(1)(c).") == []
    assert codes("Withheld under Section 7(1)(c).", hint="IL-FOIA") == [("IL-FOIA", "7(1)(c)")]


def test_procedural_sections_are_labelled_not_counted_as_exemptions():
    found = find_citations("extended under 5 ILCS 140/3(e); unduly burdensome, 5 ILCS 140/3(g).")
    assert [(c.code, c.kind) for c in found] == [("3(e)", PROCEDURAL), ("3(g)", PROCEDURAL)]


def test_the_fuller_reading_wins_and_keeps_the_words_as_written():
    (citation,) = find_citations("exempt under 5 ILCS\n140/7(l)(c).")
    assert (citation.text, citation.code) == ("5 ILCS 140/7(l)(c)", "7(1)(c)")
    assert "exempt under 5 ILCS\n140/7(l)(c)."[citation.start : citation.end].startswith("5 ILCS")


def test_meanings_in_plain_words_and_an_honest_gap():
    assert "privacy" in meaning("FOIA", "(b)(6)")
    assert "investigative techniques" in meaning("IL-FOIA", "7(1)(d)(v)")
    assert "clearly outweighs" in meaning("CPRA", "7922.000")
    assert meaning("IL-FOIA", "7(1)(d)(v)(vi)") == meaning("IL-FOIA", "7(1)(d)(v)")  # nearest parent
    assert meaning("IL-FOIA", "7(1)(zz)") == NOT_DESCRIBED
    assert meaning("NO-SUCH", "1") == NOT_DESCRIBED
