"""The letter reader on real agency letters: expected kinds, dates, sections, amounts and tracking numbers
written by hand after reading each letter (../shared/corpus/formats, MANIFEST.tsv)."""

from datetime import date
from decimal import Decimal

import pytest

from records.deadlines import default_rule
from records.letter_reader import read_letter
from records.letter_reader.dates import find_dates
from records.letter_reader.files import letter_text
from records.letter_reader.statute_check import statute_note


@pytest.fixture
def formats(shared_dir):
    folder = shared_dir / "corpus" / "formats"
    if not (folder / "MANIFEST.tsv").exists():
        pytest.skip(f"{folder} is absent: the real letters live in ../shared/corpus/formats")
    return folder


def read(formats, name, statute, **kwargs):
    letter = letter_text(formats / name)
    return read_letter(letter.text, letter_date=kwargs.pop("letter_date", letter.date), statute=statute, **kwargs)


def by_kind(reading):
    return {p.kind: p for p in reading.proposals}


def test_orange_county_extension_with_section_and_promised_date(formats):
    reading = read(formats, "CA_OCSD_CPRA_extension_6253c1_2022-11-14.pdf", "CPRA")
    assert [p.kind for p in reading.proposals] == ["extension"]
    extension = reading.proposals[0]
    assert extension.date == date(2022, 11, 14)  # the letter's dateline
    assert extension.promised_date == date(2022, 11, 28)  # "on or before Monday, November 28, 2022"
    assert extension.citations == ["Gov. Code 6253(c)(1)"]
    assert "is extended, pursuant to Government Code § 6253 (c) (1)" in extension.evidence
    # Received Friday 4 Nov 2022 (the letter says so): 10 calendar days → 14 Nov, 14 more → 28 Nov.
    assert (
        "allows at most 14 calendar days past the original due date (2022-11-14): 2022-11-28" in extension.statute_note
    )
    assert "within what the law allows" in extension.statute_note
    assert reading.unread == []


def test_doj_release_in_full_with_tracking_number(formats):
    reading = read(formats, "US_DOJ_OIP_FOIA_log_response_2018-02-01.pdf", "FOIA")
    assert [(p.kind, p.outcome, p.date) for p in reading.proposals] == [
        ("final_response", "granted", date(2018, 2, 1))
    ]  # "appropriate for release without excision, and copies are enclosed": not a partial grant
    assert reading.proposals[0].tracking_number == "DOJ-2018-001822"
    assert "copies are enclosed" in reading.proposals[0].evidence


def test_chicago_police_board_chain_extension_then_release(formats):
    reading = read(formats, "IL_ChicagoPoliceBoard_FOIA_email_chain_extension.pdf", "IL-FOIA")
    found = {(p.kind, p.date) for p in reading.proposals}
    assert ("final_response", date(2017, 5, 1)) in found  # the newest message: the spreadsheet attached
    extension = next(p for p in reading.proposals if p.kind == "extension")
    assert extension.date == date(2017, 4, 24)  # the quoted message's "Sent:" line, not the chain's top date
    assert extension.promised_date == date(2017, 5, 1)  # "forthcoming by May 1, 2017"
    assert extension.citations == ["5 ILCS 140/3(e)(ii)"]
    # The requester's own message ("let me know if I can clarify anything") asks for no clarification.
    assert not any(p.kind == "clarification_asked" for p in reading.proposals)
    # Known extra: the chain quotes the answer to an earlier request (28 Feb 2017); it is dated so a reader can tell.
    assert ("final_response", date(2017, 2, 28)) in found
    assert len(reading.proposals) == 3


def test_chicago_extension_checked_against_illinois_five_business_days(formats):
    # Sent Sunday 16 April 2017; taken as received Monday 17 April: due 24 April, extended by 5 business days to 1 May.
    reading = read(
        formats, "IL_ChicagoPoliceBoard_FOIA_email_chain_extension.pdf", "IL-FOIA", received=date(2017, 4, 17)
    )
    extension = next(p for p in reading.proposals if p.kind == "extension")
    assert "(2017-04-24): 2017-05-01" in extension.statute_note
    assert "within what the law allows" in extension.statute_note


def test_a_quoted_reply_older_than_the_request_is_not_read(formats):
    # Sam Stecklow's new request went out on 16 April 2017: the 28 Feb reply quoted below answered an older one.
    reading = read(formats, "IL_ChicagoPoliceBoard_FOIA_email_chain_extension.pdf", "IL-FOIA", sent=date(2017, 4, 16))
    assert sorted((p.kind, p.date) for p in reading.proposals) == [
        ("extension", date(2017, 4, 24)), ("final_response", date(2017, 5, 1))
    ]  # fmt: skip
    assert "A quoted message of 2017-02-28 is older than this request; it was not read." in reading.unread


def test_cpd_denial_with_exemptions_and_clarification(formats):
    reading = read(formats, "IL_CPD_P054496_Responsive.pdf", "IL-FOIA")
    kinds = by_kind(reading)
    assert sorted(kinds) == ["clarification_asked", "final_response"]
    denial = kinds["final_response"]
    assert (denial.outcome, denial.date, denial.tracking_number) == ("denied", date(2016, 11, 23), "P054496")
    assert denial.citations == ["5 ILCS 140/7(1)(d)(v)", "5 ILCS 140/7(1)(f)", "5 ILCS 140/7(1)(c)"]
    assert denial.evidence.endswith("your request for documents relating to the CPD Strategic Subject List is denied.")
    assert kinds["clarification_asked"].evidence == (
        "To the extent you seek email communications, your request requires further information."
    )
    # One word a line in the text layer: the evidence reads as a sentence all the same.
    assert "  " not in denial.evidence


def test_hailstorm_partial_release_with_exemptions(formats):
    reading = read(formats, "IL_CPD_FOIA14-5298_Hailstorm_ResponseLetter.pdf", "IL-FOIA")
    assert [(p.kind, p.outcome) for p in reading.proposals] == [("final_response", "partly_granted")]
    response = reading.proposals[0]
    assert response.date == date(2014, 12, 8)
    assert response.tracking_number == "14-5298"
    assert set(response.citations) == {
        "5 ILCS 140/7(1)(d)(v)", "5 ILCS 140/7(1)(f)", "5 ILCS 140/7(1)(g)", "5 ILCS 140/7(1)(a)",
        "5 ILCS 140/7(1)(i)", "5 ILCS 140/7(1)(v)",
    }  # fmt: skip
    # "your request … a copy of which is attached" is not a release; the enclosed documents are.
    assert response.evidence.startswith("The enclosed documents appear to be responsive")


def test_bc_acknowledgement_template_reports_its_placeholders(formats):
    reading = read(formats, "BC_FOIPPA_acknowledgement_letter.docx", "", letter_date=date(2024, 3, 1))
    assert [p.kind for p in reading.proposals] == ["acknowledged"]
    assert reading.proposals[0].promised_date is None  # "respond to your request by [DUEDATE]": not guessed
    assert reading.proposals[0].tracking_number == ""
    assert any("[REQUESTNUMBER]" in note for note in reading.unread)
    assert any("[DUEDATE]" in note and "not understood" in note for note in reading.unread)


def test_bc_acknowledgement_mentions_extension_and_fees_but_invokes_neither(formats):
    # "We will notify you … if there is a need to extend", "you will be contacted … with a fee estimate".
    reading = read(formats, "BC_FOIPPA_acknowledgement_letter.docx", "", letter_date=date(2024, 3, 1))
    assert not {"extension", "fee_estimate", "final_response"} & {p.kind for p in reading.proposals}


def test_bc_fee_payment_and_extension_template(formats):
    reading = read(formats, "BC_FOIPPA_fee_ack_and_extension_letter.docx", "", letter_date=date(2024, 3, 1))
    kinds = by_kind(reading)
    assert sorted(kinds) == ["extension", "fee_paid"]  # "Further to our letter … we estimated": no new estimate
    assert kinds["extension"].citations == ["FOIPPA s. 10"]
    assert kinds["extension"].promised_date is None
    assert kinds["fee_paid"].amount is None
    assert any("[EXTENDED_DUE_DATE]" in note for note in reading.unread)
    assert any("[PAIDAMOUNT]" in note for note in reading.unread)


def test_mail_in_the_corpus_that_implies_no_event_says_so(formats):
    reading = read(formats, "alaveteli_iso8859-2_FOI_reply.eml", "")
    assert reading.proposals == []
    assert reading.unread == ["No event was recognised in this text."]


# Letters written for the rules the corpus does not exercise.


def test_fee_estimate_with_amount_and_tracking_number():
    text = (
        "March 3, 2025\n\nRe: Request No. 2025-0142\n\nDear Ms. Lee:\n\n"
        "The estimated cost of duplicating the responsive records is $1,234.50. "
        "Please remit payment before we proceed."
    )
    reading = read_letter(text, statute="FOIA")
    assert [(p.kind, p.amount, p.tracking_number, p.date) for p in reading.proposals] == [
        ("fee_estimate", Decimal("1234.50"), "2025-0142", date(2025, 3, 3))
    ]


def test_extension_in_passing_is_not_an_extension():
    text = (
        "May 2, 2025\n\nWe have received your request for public records. "
        "Should an extension of time become necessary, we will let you know. "
        "In limited circumstances the time may be extended under the Act."
    )
    reading = read_letter(text, statute="CPRA")
    assert [p.kind for p in reading.proposals] == ["acknowledged"]


def test_an_unparseable_promised_date_is_reported_not_guessed():
    text = "June 2, 2025\n\nThe time to respond is extended under Government Code 7922.535. We will respond by the end of next month."
    reading = read_letter(text, statute="CPRA", received=date(2025, 5, 28))
    extension = reading.proposals[0]
    assert extension.kind == "extension" and extension.promised_date is None
    assert extension.citations == ["Gov. Code 7922.535"]
    assert any("the end of next month" in note and "no date was guessed" in note for note in reading.unread)


def test_within_days_counts_from_the_letter_date():
    text = "June 2, 2025\n\nThe time to respond has been extended. We will respond within 14 days."
    reading = read_letter(text, statute="CPRA")
    assert reading.proposals[0].promised_date == date(2025, 6, 16)


def test_within_business_days_skips_weekends_and_holidays():
    text = "July 1, 2025\n\nYour request is extended. A response will be provided within ten business days."
    reading = read_letter(text, statute="FOIA")
    assert reading.proposals[0].promised_date == date(2025, 7, 16)  # 4 July is a federal holiday


def test_a_promise_later_than_the_law_allows_says_by_how_much():
    note = statute_note(default_rule("CPRA"), date(2022, 12, 12), date(2022, 11, 4))
    assert note == (
        "The agency promises 2022-12-12; Cal. Gov. Code 7922.535(b) allows at most 14 calendar days past the "
        "original due date (2022-11-14): 2022-11-28. The promised date is 14 days later than the law allows."
    )


def test_a_promise_with_no_received_date_is_not_checked():
    note = statute_note(default_rule("IL-FOIA"), date(2017, 5, 1), None)
    assert "could not be checked" in note and "received" in note


def test_a_law_with_no_extension_period_says_there_is_nothing_to_compare():
    assert "sets no fixed extension period" in statute_note(
        default_rule("NY-FOIL"), date(2025, 1, 10), date(2025, 1, 2)
    )


def test_no_text_is_said_plainly():
    assert read_letter("", scanned=True).unread == ["No text: the pages are scanned and have no OCR text yet."]
    assert read_letter("  \n").unread == ["No text to read."]


def test_ocr_noise_is_reported():
    noise = "\n".join(["Th1s 1s @ l3tt3r ~~ %% ^^ ||", "xzq vbnm rtpl kjhg", "Dear Sir,", "^^^ ### ;;; ,,,"] * 5)
    reading = read_letter(noise)
    assert any("OCR noise on 75% of lines" in note for note in reading.unread)


def test_a_letter_without_a_date_asks_for_one():
    reading = read_letter("We have received your request for records and assigned it tracking number 77-123.")
    assert reading.proposals[0].date is None
    assert reading.proposals[0].tracking_number == "77-123"
    assert any("date was not found" in note for note in reading.unread)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Monday, November 28, 2022", date(2022, 11, 28)),
        ("by 5/1/2015.", date(2015, 5, 1)),
        ("28 Nov. 2022", date(2022, 11, 28)),
        ("2022-11-28", date(2022, 11, 28)),
        ("Sept. 3, 2024", date(2024, 9, 3)),
    ],
)
def test_dates_as_letters_write_them(text, expected):
    assert [f.day for f in find_dates(text)] == [expected]


def test_impossible_dates_are_not_dates():
    assert find_dates("February 30, 2022 and 13/45/2020") == []


def test_a_promise_earlier_than_the_latest_says_so():
    note = statute_note(default_rule("CPRA"), date(2022, 11, 21), date(2022, 11, 4))
    assert note.endswith("The promised date is within what the law allows (7 days before the latest).")
