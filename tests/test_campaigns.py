"""Campaigns (issue 11): creation from a directory filter, pasted names or an uploaded list; the preview;
statute choice per agency; idempotent confirmation; team isolation."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from records.campaigns import matching, placeholders, plan
from records.campaigns.statutes import choose_statute
from records.letters import placeholders as letter_placeholders
from records.models import Agency, Campaign, CampaignDraft, RecordsRequest, Statute

from . import factories


@pytest.fixture
def statutes(db):
    return {s.code: s for s in Statute.objects.all()}


@pytest.mark.parametrize(
    ("level", "state", "code"),
    [
        ("city", "CA", "CPRA"), ("county", "CA", "CPRA"), ("federal", "", "FOIA"), ("county", "TX", "TX-PIA"),
        ("state", "NY", "NY-FOIL"), ("city", "IL", "IL-FOIA"), ("city", "FL", "FL-PRA"), ("county", "WA", "WA-PRA"),
        ("state", "PA", "PA-RTKL"), ("city", "MA", "MA-PRL"), ("city", "MI", "MI-FOIA"), ("county", "NJ", "NJ-OPRA"),
        ("city", "GA", "GA-ORA"), ("city", "OH", "OH-PRA"), ("federal", "CA", "FOIA"),
    ],
)  # fmt: skip
def test_statute_by_level_and_state(statutes, level, state, code):
    agency = factories.make_agency(level=level, state=state)
    assert choose_statute(agency, statutes).code == code


def test_statute_agency_default_wins_and_unknown_state_has_none(statutes):
    agency = factories.make_agency(level="city", state="CA", default_statute=statutes["FOIA"])
    assert choose_statute(agency, statutes).code == "FOIA"
    assert choose_statute(factories.make_agency(level="city", state="VT"), statutes) is None
    assert choose_statute(factories.make_agency(level="other", state=""), statutes) is None


def test_placeholders_are_the_letters_own_rendered_per_agency(statutes, team):
    agency = factories.make_agency("Fresno Police Department", abbreviation="FPD", records_officer="Ms. Ruiz")
    text = (
        "Dear {{ agency.records_officer }}, under {{statute.citation}} ({{ statute.code }}) "
        "I ask {{ agency.abbreviation }} ({{ agency.name }})."
    )
    assert placeholders.render(text, agency, statutes["CPRA"], team) == (
        f"Dear Ms. Ruiz, under {statutes['CPRA'].citation} (CPRA) I ask FPD (Fresno Police Department)."
    )
    # One list of names: every campaign name is a letter name, and letters know the campaign's extras.
    assert set(placeholders.PLACEHOLDERS) <= set(letter_placeholders.PLACEHOLDERS)
    assert {"agency.abbreviation", "statute.code"} <= set(letter_placeholders.PLACEHOLDERS)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Dear {{ agency.officer }}", "Unknown placeholder: {{ agency.officer }}. Use one of the names listed."),
        ("Due {{ request.due_date }}", "{{ request.due_date }} can be used in letters only"),
        ("Dear {agency}, under {statute_citation}",
         "double braces, as in letters: {agency} → {{ agency.name }}, {statute_citation} → {{ statute.citation }}."),
        ("Dear {{ agency.name", "A “{{” or “}}” is not part of a placeholder"),
    ],
)  # fmt: skip
def test_an_unknown_letters_only_old_style_or_broken_placeholder_is_refused(text, sentence):
    assert any(sentence in error for error in placeholders.text_errors(text))


def test_single_braces_that_are_no_placeholder_are_plain_text(statutes, team):
    agency = factories.make_agency("Fresno Police Department")
    assert placeholders.text_errors("Records {for 2024} please") == []
    assert (
        placeholders.render("Records {for 2024} please", agency, statutes["CPRA"], team) == "Records {for 2024} please"
    )


def test_unknown_placeholder_is_a_form_error(login, editor):
    response = login(editor).post(
        reverse("campaign_create"), {"title": "T", "request_text": "Dear {{ recordsofficer }}", "names": "X"}
    )
    assert response.status_code == 200
    assert "Unknown placeholder: {{ recordsofficer }}" in response.content.decode()
    assert not CampaignDraft.objects.exists()


def test_an_agency_name_carrying_a_placeholder_never_leaves_one_raw(login, editor, team):
    client = login(editor)
    response = _create(client, names="Bad {{ agency.name }} Office")
    assert response.status_code == 302
    draft = CampaignDraft.objects.get()
    rows = draft.plan["rows"]
    post = {f"agency_{i}": "new" for i in range(len(rows))}
    post.update({f"statute_{i}": "CPRA" for i in range(len(rows))})
    post.update({f"level_{i}": "city" for i in range(len(rows))})
    post.update({f"state_{i}": "CA" for i in range(len(rows))})
    page = client.post(reverse("campaign_preview", args=[draft.token]), post)
    assert page.status_code == 200
    assert "raw placeholder" in page.content.decode()
    assert not RecordsRequest.objects.filter(team=team).exists()
    assert not Agency.objects.filter(name__contains="{{").exists()  # the new agency rolled back too


@pytest.fixture
def directory(db):
    cpra = Statute.objects.get(code="CPRA")
    return {
        "lapd": factories.make_agency("Los Angeles Police Department", abbreviation="LAPD"),
        "lasd": factories.make_agency("Los Angeles County Sheriff's Department", level="county", abbreviation="LASD"),
        "sfpd": factories.make_agency("San Francisco Police Department", abbreviation="SFPD", default_statute=cpra),
        "ice": factories.make_agency(
            "U.S. Immigration and Customs Enforcement", level="federal", state="", abbreviation="ICE"
        ),  # fmt: skip
    }


def test_matching_bad_input_each_case(directory):
    lines = [
        "Los Angeles Police Department",
        "",
        "los angeles police dept.",  # a second spelling of line 1
        "LASD",
        "San Fransisco Police Department",  # misspelt: near
        "Podunk Water Board",  # new
        "Podunk Water Board",  # duplicate of a new name
        "   ",
        "LAPD",  # the same agency by abbreviation
    ]
    found = matching.match_lines(lines)
    kinds = [m.kind for m in found]
    assert kinds == ["exact", "blank", "duplicate", "abbreviation", "near", "new", "duplicate", "blank", "duplicate"]
    assert found[2].duplicate_of == 1 and found[8].duplicate_of == 1 and found[6].duplicate_of == 6
    assert found[3].agency == directory["lasd"]
    assert found[4].candidates[0] == directory["sfpd"]


def _create(client, **data):
    payload = {
        "title": "ALPR sharing",
        "request_text": "To {{ agency.name }}: under {{ statute.name }} I ask for ALPR records.",
    }
    payload.update(data)
    return client.post(reverse("campaign_create"), payload)


def test_preview_shows_every_case_and_creates_nothing_until_confirmed(login, editor, team, directory):
    client = login(editor)
    names = "Los Angeles Police Department\n\nLos Angeles Police Dept\nSan Fransisco Police Dept\nPodunk Water Board\n"
    response = _create(client, names=names)
    assert response.status_code == 302
    draft = CampaignDraft.objects.get()
    page = client.get(response["Location"]).content.decode()
    for text in ("blank line: skipped", "duplicate of line 1", "near match: check it", "not in the directory",
                 "the agency&#x27;s default", "CA city → CPRA"):  # fmt: skip
        assert text in page, text
    assert not RecordsRequest.objects.exists() and not Campaign.objects.exists()
    assert Agency.objects.count() == 4

    # The new agency needs a law chosen: nothing is created, and the page says why.
    response = client.post(response["Location"], {"agency_4": "new", "level_4": "city", "state_4": ""})
    assert response.status_code == 200
    assert "Choose the law for line 5 (Podunk Water Board)." in response.content.decode()
    assert not RecordsRequest.objects.exists() and Agency.objects.count() == 4

    confirm = {"agency_4": "new", "level_4": "county", "state_4": "tx", "statute_4": "TX-PIA"}
    url = reverse("campaign_preview", args=[draft.token])
    first = client.post(url, confirm)
    second = client.post(url, confirm)  # a double click, a resubmitted form
    campaign = Campaign.objects.get()
    assert first["Location"] == second["Location"] == campaign.get_absolute_url()
    assert campaign.requests.count() == 3
    podunk = Agency.objects.get(name="Podunk Water Board")
    assert (podunk.level, podunk.state) == ("county", "TX")
    by_agency = {r.agency.name: r for r in campaign.requests.select_related("agency", "statute")}
    assert by_agency["Podunk Water Board"].statute.code == "TX-PIA"
    assert by_agency["San Francisco Police Department"].statute.code == "CPRA"
    lapd = by_agency["Los Angeles Police Department"]
    assert lapd.body == f"To Los Angeles Police Department: under {lapd.statute.name} I ask for ALPR records."
    assert lapd.team == team and lapd.status == "draft" and lapd.created_by == editor and lapd.version == 1
    created = lapd.history.get(history_type="+")  # audit history written by the batch insert
    assert created.history_user == editor


def test_directory_filter_and_user_overrides_statute(login, editor, directory):
    client = login(editor)
    response = _create(client, filter_state="CA", filter_name="police, sheriff")
    draft = CampaignDraft.objects.get()
    texts = [row["text"] for row in draft.plan["rows"]]
    assert sorted(texts) == sorted([a.name for k, a in directory.items() if k != "ice"])
    index = texts.index("Los Angeles Police Department")
    client.post(response["Location"], {f"statute_{index}": "FOIA"})
    assert RecordsRequest.objects.get(agency=directory["lapd"]).statute.code == "FOIA"
    assert RecordsRequest.objects.count() == 3


def test_upload_csv_and_xlsx(login, editor, directory):
    import openpyxl

    client = login(editor)
    csv_file = SimpleUploadedFile("list.csv", b"Agency\nLAPD\nICE\n", content_type="text/csv")
    _create(client, upload=csv_file)
    rows = CampaignDraft.objects.latest("id").plan["rows"]
    assert [(r["kind"], r["statute"]) for r in rows] == [("abbreviation", "CPRA"), ("abbreviation", "FOIA")]

    book = openpyxl.Workbook()
    book.active.append(["name"])
    book.active.append(["Los Angeles County Sheriff's Department"])
    book.active.append(["Nowhere Sheriff"])
    data = io.BytesIO()
    book.save(data)
    _create(client, upload=SimpleUploadedFile("list.xlsx", data.getvalue()))
    rows = CampaignDraft.objects.latest("id").plan["rows"]
    assert [r["kind"] for r in rows] == ["exact", "new"]


def test_unreadable_upload_is_a_sentence_not_a_500(login, editor):
    response = _create(login(editor), upload=SimpleUploadedFile("list.xlsx", b"PK\x03\x04 not really a workbook"))
    assert response.status_code == 200
    assert "That spreadsheet could not be opened" in response.content.decode()
    response = _create(login(editor), upload=SimpleUploadedFile("list.pdf", b"%PDF-1.4"))
    assert "Upload a .csv or .xlsx file" in response.content.decode()


def test_no_agencies_is_a_form_error(login, editor):
    response = _create(login(editor))
    assert "Choose agencies" in response.content.decode()


def test_viewer_cannot_create_and_stranger_gets_404(login, editor, viewer, stranger, directory):
    assert login(viewer).get(reverse("campaign_create")).status_code == 403
    client = login(editor)
    _create(client, names="LAPD")
    draft = CampaignDraft.objects.get()
    client.post(reverse("campaign_preview", args=[draft.token]))
    campaign = Campaign.objects.get()
    client = login(stranger)
    assert client.get(reverse("campaign_preview", args=[draft.token])).status_code == 404
    assert client.get(reverse("campaign_board", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("campaign_export", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("campaign_bulk", args=[campaign.pk]), {"action": "follow_up"}).status_code == 404
    assert campaign.title not in client.get(reverse("campaign_list")).content.decode()
    assert login(viewer).get(reverse("campaign_board", args=[campaign.pk])).status_code == 200
    assert login(viewer).post(reverse("campaign_bulk", args=[campaign.pk]), {"action": "follow_up"}).status_code == 403


def test_confirm_draft_twice_directly_creates_once(team, editor, directory):
    draft = plan.create_draft(
        plan.build_plan(title="T", request_text="{{ agency.name }}", lines=["LAPD", "ICE"]), team=team, user=editor
    )
    choices = plan.choices_from_post(draft.plan, {})
    first, created = plan.confirm_draft(draft, choices, user=editor)
    again, created_again = plan.confirm_draft(draft, choices, user=editor)
    assert (created, created_again) == (True, False) and first == again
    assert RecordsRequest.objects.count() == 2


def test_hostile_choices_are_sentences_not_500s(login, editor, directory):
    client = login(editor)
    response = _create(client, names="LAPD\nICE")
    for bad in ("²", "9" * 30, "-1", "abc"):
        page = client.post(response["Location"], {"agency_0": bad, "agency_1": "skip"})
        assert page.status_code == 200
        assert "is no longer in the directory; choose again." in page.content.decode()
    other = factories.make_agency("Somewhere else entirely")
    page = client.post(response["Location"], {"agency_0": str(other.pk), "agency_1": "skip"})
    assert "is no longer in the directory" in page.content.decode()  # not one of this row's matches
    page = client.post(response["Location"], {"agency_0": "skip", "agency_1": "skip"})
    assert "No agency is chosen" in page.content.decode()
    assert not RecordsRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_create_one_campaign(team, editor, directory):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs a database server with row locks and two connections (PostgreSQL)")
    draft = plan.create_draft(
        plan.build_plan(title="T", request_text="{{ agency.name }}", lines=["LAPD"]), team=team, user=editor
    )
    choices = plan.choices_from_post(draft.plan, {})
    barrier = threading.Barrier(2)
    results = []

    def confirm():
        try:
            barrier.wait()
            results.append(plan.confirm_draft(draft, choices, user=editor)[1])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert Campaign.objects.count() == 1 and RecordsRequest.objects.count() == 1


def test_the_demo_campaign_text_uses_the_letters_placeholders():
    from records.campaigns import demo

    assert placeholders.text_errors(demo.TEXT) == []
    assert "{{ agency.name }}" in demo.TEXT
