"""Precision and recall of the letter reader over the hand-labelled letters of ../shared/corpus/formats.

Each label was written by reading the letter: (kind, outcome, event date, promised date, tracking number,
citations). A proposal counts as right only when every one of those is right.
"""

import os
import shutil
from datetime import date

import pytest

from records.letter_reader import read_letter
from records.letter_reader.files import letter_text

TEMPLATE_DAY = date(2024, 3, 1)  # the BC letters are templates with no date: the day they are "received"
IL = "5 ILCS 140/"

TEXT_LETTERS = {
    ("CA_OCSD_CPRA_extension_6253c1_2022-11-14.pdf", "CPRA"): {
        ("extension", "", date(2022, 11, 14), date(2022, 11, 28), "", ("Gov. Code 6253(c)(1)",)),
    },
    ("US_DOJ_OIP_FOIA_log_response_2018-02-01.pdf", "FOIA"): {
        ("final_response", "granted", date(2018, 2, 1), None, "DOJ-2018-001822", ()),
    },
    ("IL_ChicagoPoliceBoard_FOIA_email_chain_extension.pdf", "IL-FOIA"): {
        ("final_response", "granted", date(2017, 5, 1), None, "", ()),
        ("extension", "", date(2017, 4, 24), date(2017, 5, 1), "", (IL + "3(e)(ii)",)),
        # Not labelled: the 28 Feb 2017 reply quoted at the bottom answered an earlier request.
    },
    ("IL_CPD_P054496_Responsive.pdf", "IL-FOIA"): {
        ("final_response", "denied", date(2016, 11, 23), None, "P054496", tuple(IL + c for c in ("7(1)(c)", "7(1)(d)(v)", "7(1)(f)"))),
        ("clarification_asked", "", date(2016, 11, 23), None, "P054496", ()),
    },
    ("IL_CPD_FOIA14-5298_Hailstorm_ResponseLetter.pdf", "IL-FOIA"): {
        ("final_response", "partly_granted", date(2014, 12, 8), None, "14-5298",
         tuple(IL + c for c in ("7(1)(a)", "7(1)(d)(v)", "7(1)(f)", "7(1)(g)", "7(1)(i)", "7(1)(v)"))),
    },
    ("BC_FOIPPA_acknowledgement_letter.docx", ""): {
        ("acknowledged", "", TEMPLATE_DAY, None, "", ()),
    },
    ("BC_FOIPPA_fee_ack_and_extension_letter.docx", ""): {
        ("fee_paid", "", TEMPLATE_DAY, None, "", ()),
        ("extension", "", TEMPLATE_DAY, None, "", ("FOIPPA s. 10",)),
    },
}  # fmt: skip

SCANNED_LETTERS = {
    ("IL_CPD_response_letter_2015-09-17.pdf", "IL-FOIA"): {
        ("final_response", "partly_granted", date(2015, 9, 17), None, "15-4790", (IL + "7(1)(b)", IL + "7(1)(c)")),
    },
    ("IL_CPD_FOIA15-6526_Coady_1505checks_redacted.pdf", "IL-FOIA"): {
        ("final_response", "partly_granted", date(2015, 11, 18), None, "15-6526",
         tuple(IL + c for c in ("7(1)(b)", "7(1)(c)", "7(1)(d)", "7(1)(d)(v)", "7(1)(d)(vi)"))),
        ("extension", "", date(2015, 11, 10), date(2015, 11, 18), "15-6526", (IL + "3(e)",)),
    },
}  # fmt: skip


def _as_label(p) -> tuple:
    return (p.kind, p.outcome, p.date, p.promised_date, p.tracking_number, tuple(sorted(p.citations)))


def _score(letters, folder, max_pages=6):
    found_right = found_all = expected_all = kinds_right = 0
    wrong = []
    for (name, statute), labels in letters.items():
        letter = letter_text(folder / name, max_pages=max_pages)
        reading = read_letter(letter.text, letter_date=letter.date or TEMPLATE_DAY, statute=statute)
        got = {_as_label(p) for p in reading.proposals}
        expected = {(k, o, d, pd, t, tuple(sorted(c))) for k, o, d, pd, t, c in labels}
        found_right += len(got & expected)
        kinds_right += len({g[0] for g in got} & {e[0] for e in expected})
        found_all += len(got)
        expected_all += len(expected)
        wrong += [(name, label) for label in got ^ expected]
    precision, recall = found_right / found_all, found_right / expected_all
    print(f"\nletter reader: {found_right} right of {found_all} proposed, {expected_all} expected: "
          f"precision {precision:.2f}, recall {recall:.2f}; kinds right {kinds_right}")  # fmt: skip
    return precision, recall, wrong


@pytest.fixture
def formats(shared_dir):
    folder = shared_dir / "corpus" / "formats"
    if not (folder / "MANIFEST.tsv").exists():
        pytest.skip(f"{folder} is absent: the real letters live in ../shared/corpus/formats")
    return folder


def test_precision_and_recall_on_letters_with_text(formats):
    precision, recall, wrong = _score(TEXT_LETTERS, formats)
    # The one proposal not labelled: the quoted 28 Feb 2017 reply in the Chicago chain (10 right of 11).
    assert [name for name, _ in wrong] == ["IL_ChicagoPoliceBoard_FOIA_email_chain_extension.pdf"]
    assert recall == 1.0 and precision >= 0.9


@pytest.mark.same_on_every_database  # tesseract and the reader; no database
@pytest.mark.slow
def test_precision_and_recall_on_scanned_letters_after_ocr(formats):
    """tesseract on the first three pages of each scan: about a minute a letter on a shared 2-core machine."""
    if shutil.which("tesseract") is None and os.environ.get("CI") != "true":
        pytest.skip("tesseract is not installed (Debian: tesseract-ocr); CI installs it")
    precision, recall, wrong = _score(SCANNED_LETTERS, formats, max_pages=3)
    assert wrong == [] and precision == recall == 1.0
