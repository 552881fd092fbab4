"""The campaign's draft Vaughn index (issue 14): every request's withheld passages, CSV and printable page."""

import csv
import io

import pytest

from records.models import Campaign
from tests import factories
from tests.test_withholding import make_document

LETTER_A = "Names were withheld under 5 U.S.C. § 552(b)(6) to protect personal privacy of officers."
LETTER_B = "Records of the investigation are withheld under Exemption 7(E) of the FOIA, 5 U.S.C. 552."


@pytest.fixture
def campaign(team):
    campaign = Campaign.objects.create(team=team, title="Stingrays everywhere", request_text="All records.")
    to_a = factories.make_request(
        team, agency=factories.make_agency("Police A"), code="FOIA", campaign=campaign, title="To A"
    )
    to_b = factories.make_request(
        team, agency=factories.make_agency("Police B"), code="FOIA", campaign=campaign, title="To B"
    )
    make_document(to_a, "a-letter.pdf", [LETTER_A])
    make_document(to_b, "b-letter.pdf", ["Cover page.", LETTER_B], boxed=(1,))
    outside = factories.make_request(team, code="FOIA", title="Not in the campaign")
    make_document(outside, "outside.pdf", [LETTER_A])
    return campaign


def test_csv_has_one_row_per_withheld_passage_across_requests(campaign, login, viewer):
    response = login(viewer).get(f"/campaigns/{campaign.pk}/vaughn.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Agency", "Request", "Document", "Page", "Exemption cited", "Meaning", "Text around it",
                       "Agency's justification", "Our challenge"]  # fmt: skip
    body = rows[1:]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in body] == [
        ("Police A", "To A", "a-letter.pdf", "1", "FOIA (b)(6)"),
        ("Police B", "To B", "b-letter.pdf", "2", "FOIA (b)(7)(E)"),
        ("Police B", "To B", "b-letter.pdf", "1", "Redaction box over extractable text"),
    ]
    assert "personal privacy" in body[0][6] and body[0][7:] == ["", ""]
    assert "outside.pdf" not in response.content.decode()


def test_printable_page_links_requests_and_pages_and_the_board_links_it(campaign, login, viewer):
    client = login(viewer)
    body = client.get(f"/campaigns/{campaign.pk}/vaughn/").content.decode()
    assert "Draft Vaughn index" in body and "Police A" in body and "FOIA (b)(7)(E)" in body
    assert "outside.pdf" not in body and f"/campaigns/{campaign.pk}/vaughn.csv" in body
    assert f"/campaigns/{campaign.pk}/vaughn/" in client.get(f"/campaigns/{campaign.pk}/").content.decode()


def test_strangers_get_404(campaign, login, stranger):
    client = login(stranger)
    assert client.get(f"/campaigns/{campaign.pk}/vaughn/").status_code == 404
    assert client.get(f"/campaigns/{campaign.pk}/vaughn.csv").status_code == 404
