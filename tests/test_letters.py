"""Letters: templates per statute and kind, placeholders checked, text and PDF, logged as sent."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from records import timeline
from records.letters import LetterError, generate_letter, render_letter, template_errors
from records.letters.pdf import letter_pdf
from records.models import Communication, Event, LetterTemplate, Membership, TrackingNumber

from . import factories

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def cpra_request(team):
    agency = factories.make_agency("Orange County Sheriff's Department", records_officer="Edward Lee",
                                   address="550 N. Flower St\nSanta Ana, CA 92703", email="records@ocsd.example")  # fmt: skip
    r = factories.make_request(team, agency=agency, code="CPRA", title="ALPR data sharing", reference="RD-2026-014",
                               body="All records of ALPR data sharing since 2024.")  # fmt: skip
    TrackingNumber.objects.create(request=r, number="R001234-110422")
    return r


@pytest.fixture
def foia_request(team):
    agency = factories.make_agency("Office of Information Policy", level="federal", state="")
    return factories.make_request(team, agency=agency, code="FOIA", title="FOIA logs 2025", reference="RD-2026-015")


@pytest.fixture
def team_editor(team):
    user = factories.make_user("true_editor")
    factories.add_member(user, team, Membership.EDITOR)
    return user


KINDS = ["initial", "follow_up", "appeal", "fee_waiver", "expedited"]


@pytest.mark.parametrize("kind", ["initial", "follow_up"])
def test_cpra_letter_cites_7922_535_and_10_days(cpra_request, kind):
    letter = render_letter(cpra_request, kind, today=TODAY)
    assert "7922.535" in letter.body
    assert "10 days" in letter.body
    assert "Orange County Sheriff's Department" in letter.body
    assert "RD-2026-014" in letter.body and "R001234-110422" in letter.body
    assert "December 1, 2026" in letter.body  # the date line, as every real letter has


@pytest.mark.parametrize("kind", ["initial", "follow_up"])
def test_foia_letter_cites_552a6A_and_20_working_days(foia_request, kind):
    letter = render_letter(foia_request, kind, today=TODAY)
    assert "552(a)(6)(A)" in letter.body
    assert "20 working days" in letter.body


def test_foia_specific_letters_cite_their_sections(foia_request):
    assert "552(a)(4)(A)(iii)" in render_letter(foia_request, "fee_waiver").body
    assert "552(a)(6)(E)" in render_letter(foia_request, "expedited").body
    appeal = render_letter(foia_request, "appeal").body
    assert "90 days" in appeal and "552(a)(6)(A)(i)(III)(aa)" in appeal


def test_cpra_appeal_says_there_is_no_administrative_appeal(cpra_request):
    appeal = render_letter(cpra_request, "appeal").body
    assert "no administrative appeal" in appeal
    assert "7923.000" in appeal


@pytest.mark.parametrize("code", ["CPRA", "FOIA", "NY-FOIL", "IL-FOIA"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_for_every_statute_renders_with_no_placeholder_left(team, code, kind):
    r = factories.make_request(team, code=code)
    letter = render_letter(r, kind)
    assert "{{" not in letter.body + letter.subject and "}}" not in letter.body + letter.subject
    assert r.statute.citation in letter.body or r.statute.response_citation in letter.body


def test_follow_up_counts_days_overdue(cpra_request):
    # Received 2026-11-02; 10 calendar days → due 2026-11-12.
    assert cpra_request.due_date == dt.date(2026, 11, 12)
    letter = render_letter(cpra_request, "follow_up", today=dt.date(2026, 11, 20))
    assert "8 days overdue" in letter.body


def test_team_template_wins_over_default_and_statute_specific_over_any(team, cpra_request, foia_request):
    LetterTemplate.objects.create(team=team, kind="initial", subject="Ours", body="Any statute: {{ agency.name }}")
    LetterTemplate.objects.create(team=team, statute=cpra_request.statute, kind="initial", subject="Ours CPRA",
                                  body="CPRA only: {{ statute.response_citation }}")  # fmt: skip
    assert render_letter(cpra_request, "initial").body.startswith("CPRA only: Cal. Gov. Code 7922.535")
    assert render_letter(foia_request, "initial").body.startswith("Any statute: Office of Information Policy")
    other = factories.make_request(factories.make_team(), code="CPRA")
    assert render_letter(other, "initial").subject.startswith("California Public Records Act request")


def test_unknown_placeholder_is_an_error_that_names_it():
    errors = template_errors("Dear {{ agency.name }}, {{ agency.fax }} and {{ request.tilte }}")
    assert len(errors) == 1 and "{{ agency.fax }}" in errors[0] and "{{ request.tilte }}" in errors[0]
    assert template_errors("half open {{ agency.name")
    assert template_errors("Dear {{ agency.name }}") == []


def test_stored_template_with_unknown_placeholder_is_never_rendered(team, cpra_request):
    LetterTemplate.objects.create(team=team, kind="initial", subject="S", body="Dear {{ agency.boss }}")
    with pytest.raises(LetterError, match="agency.boss"):
        render_letter(cpra_request, "initial")


def test_a_value_that_sneaks_a_placeholder_in_is_refused(cpra_request):
    cpra_request.title = "Records about {{ team.name }}"
    cpra_request.save()
    with pytest.raises(LetterError, match="raw placeholder"):
        render_letter(cpra_request, "initial")
    with pytest.raises(LetterError):
        generate_letter(cpra_request, "follow_up", user=None)
    assert not Communication.objects.filter(request=cpra_request).exists()


def test_pdf_carries_letterhead_and_body_and_is_deterministic(team, cpra_request):
    team.letterhead_address = "1 Press Row\nOakland, CA 94612"
    team.letterhead_contact = "records@desk.example · 510-555-0100"
    team.save()
    letter = render_letter(cpra_request, "initial", today=TODAY)
    pdf = letter_pdf(letter, team)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Records Desk" in text and "1 Press Row" in text and "510-555-0100" in text
    assert "7922.535" in text and "All records of ALPR data sharing since 2024." in text
    assert pdf == letter_pdf(letter, team)


def test_long_letter_runs_onto_a_second_page(team, cpra_request):
    cpra_request.body = "\n".join(f"Item {n}: every record about subject {n}." for n in range(80))
    pdf = letter_pdf(render_letter(cpra_request, "initial"), team)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2 and "Records Desk" in reader.pages[1].extract_text()


def test_generate_letter_logs_one_outgoing_communication(cpra_request, team_editor):
    comm, letter = generate_letter(cpra_request, "follow_up", user=team_editor, when=TODAY, channel="email")
    assert Communication.objects.filter(request=cpra_request).count() == 1
    assert comm.direction == Communication.OUTGOING and comm.channel == "email" and comm.date == TODAY
    assert comm.subject == letter.subject and comm.body == letter.body and comm.created_by == team_editor
    assert not cpra_request.events.exists()  # a follow-up is not a filing


def test_generate_initial_letter_files_the_request_and_starts_the_clock(team, team_editor):
    r = factories.make_request(team, code="CPRA", sent=None, received=None)
    r.received_date = None
    r.save()
    comm, _ = generate_letter(r, "initial", user=team_editor, when=dt.date(2026, 11, 2), channel="portal")
    r.refresh_from_db()
    assert comm.event.kind == Event.Kind.FILED
    assert r.sent_date == dt.date(2026, 11, 2) and r.received_date == dt.date(2026, 11, 2) and r.received_is_assumed
    assert r.due_date == dt.date(2026, 11, 12)


# --- Pages -------------------------------------------------------------------------------------------


def test_editor_saves_a_template_and_unknown_placeholder_is_shown_before_saving(login, team, team_editor):
    client = login(team_editor)
    url = reverse("letter_template_new")
    bad = {"kind": "initial", "statute": "", "subject": "Hi", "body": "Dear {{ agency.boss }}", "action": "save"}
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "Unknown placeholder" in response.content.decode() and "agency.boss" in response.content.decode()
    assert not LetterTemplate.objects.filter(team=team).exists()
    good = {**bad, "body": "Dear {{ agency.records_officer }}"}
    response = client.post(url, good)
    saved = LetterTemplate.objects.get(team=team)
    assert response.status_code == 302 and saved.updated_by == team_editor
    edit = client.post(reverse("letter_template_edit", args=[saved.pk]), {**good, "body": "Hello {{ team.name }}"})
    assert edit.status_code == 302
    page = client.get(reverse("letter_template_edit", args=[saved.pk])).content.decode()
    assert "Hello {{ team.name }}" in page and page.count("by true_editor") == 2  # created, then changed


def test_preview_without_javascript_fills_in_a_team_request(login, team_editor, cpra_request):
    client = login(team_editor)
    data = {"kind": "initial", "statute": "", "subject": "S", "body": "Cite {{ statute.response_citation }}",
            "preview_request": cpra_request.pk, "action": "preview"}  # fmt: skip
    response = client.post(reverse("letter_template_new"), data)
    assert response.status_code == 200 and "Cite Cal. Gov. Code 7922.535(a)" in response.content.decode()
    assert not LetterTemplate.objects.filter(team__isnull=False).exists()


def test_viewer_reads_templates_but_cannot_save(login, team, viewer):
    template = LetterTemplate.objects.create(team=team, kind="initial", subject="S", body="B")
    client = login(viewer)
    assert client.get(reverse("letter_templates")).status_code == 200
    assert client.get(reverse("letter_template_edit", args=[template.pk])).status_code == 200
    post = {"kind": "initial", "subject": "S2", "body": "B2", "action": "save"}
    assert client.post(reverse("letter_template_edit", args=[template.pk]), post).status_code == 403
    assert client.get(reverse("letter_template_new")).status_code == 403


def test_request_letters_page_preview_pdf_and_log_as_sent(login, team_editor, cpra_request):
    client = login(team_editor)
    page = client.get(reverse("request_letters", args=[cpra_request.pk]), {"kind": "follow_up"})
    assert page.status_code == 200 and "7922.535" in page.content.decode()
    pdf = client.get(reverse("request_letter_pdf", args=[cpra_request.pk, "follow_up"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "7922.535" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    sent = client.post(reverse("request_letter_send", args=[cpra_request.pk]),
                       {"kind": "follow_up", "channel": "letter", "date": "2026-11-20"})  # fmt: skip
    assert sent.status_code == 302
    comm = Communication.objects.get(request=cpra_request)
    assert comm.channel == "letter" and "8 days overdue" in comm.body


def test_viewer_previews_but_cannot_log_a_letter(login, viewer, cpra_request):
    client = login(viewer)
    assert client.get(reverse("request_letters", args=[cpra_request.pk])).status_code == 200
    post = {"kind": "follow_up", "channel": "email", "date": "2026-11-20"}
    assert client.post(reverse("request_letter_send", args=[cpra_request.pk]), post).status_code == 403
    assert not Communication.objects.exists()


def test_stranger_gets_404_on_templates_previews_and_letters(login, team, stranger, cpra_request):
    template = LetterTemplate.objects.create(team=team, kind="initial", subject="S", body="B")
    client = login(stranger)
    assert client.get(reverse("letter_template_edit", args=[template.pk])).status_code == 404
    assert client.get(reverse("letter_template_new"), {"from": template.pk}).status_code == 404
    default = LetterTemplate.objects.filter(team__isnull=True).first()
    preview = client.get(reverse("letter_template_edit", args=[default.pk]), {"preview_request": cpra_request.pk})
    assert preview.status_code == 404
    assert client.get(reverse("request_letters", args=[cpra_request.pk])).status_code == 404
    assert client.get(reverse("request_letter_pdf", args=[cpra_request.pk, "initial"])).status_code == 404
    post = {"kind": "initial", "channel": "email", "date": "2026-11-20"}
    assert client.post(reverse("request_letter_send", args=[cpra_request.pk]), post).status_code == 404
    # A preview in the editor with another team's request is a form error, not its text.
    data = {"kind": "initial", "subject": "S", "body": "{{ request.title }}", "preview_request": cpra_request.pk,
            "action": "preview"}  # fmt: skip
    response = client.post(reverse("letter_template_new"), data)
    assert "ALPR data sharing" not in response.content.decode()


def test_unknown_kind_pdf_is_404(login, team_editor, cpra_request):
    client = login(team_editor)
    assert client.get(reverse("request_letter_pdf", args=[cpra_request.pk, "ransom"])).status_code == 404


def test_shipped_defaults_are_seeded(db):
    kinds = set(LetterTemplate.objects.filter(team__isnull=True, statute__isnull=True).values_list("kind", flat=True))
    assert kinds == set(KINDS)
    assert LetterTemplate.objects.filter(team__isnull=True, statute__code="FOIA", kind="fee_waiver").exists()


def test_editor_sets_the_letterhead_and_the_pdf_prints_it(login, team, team_editor, cpra_request):
    client = login(team_editor)
    data = {"letterhead_address": "1 Press Row\nOakland, CA 94612", "letterhead_contact": "desk@example.org"}
    assert client.post(reverse("letterhead_edit"), data).status_code == 302
    team.refresh_from_db()
    pdf = client.get(reverse("request_letter_pdf", args=[cpra_request.pk, "initial"])).content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Oakland, CA 94612" in text and "desk@example.org" in text


def test_viewer_cannot_set_the_letterhead_or_customize(login, team, viewer):
    client = login(viewer)
    assert client.post(reverse("letterhead_edit"), {"letterhead_contact": "x"}).status_code == 403
    team.refresh_from_db()
    assert team.letterhead_contact == ""
    default = LetterTemplate.objects.filter(team__isnull=True).first()
    assert "Customize for" not in client.get(reverse("letter_template_edit", args=[default.pk])).content.decode()


def test_pdf_of_text_outside_the_standard_fonts_does_not_fail(team, cpra_request):
    cpra_request.title = "Überwachung ◐ 监控 records"
    text = PdfReader(io.BytesIO(letter_pdf(render_letter(cpra_request, "initial"), team))).pages[0].extract_text()
    assert "Überwachung" in text


def test_user_without_a_team_sees_the_no_team_page(client, db):
    client.force_login(factories.make_user("loner"))
    assert "No team yet" in client.get(reverse("letter_templates")).content.decode()


def test_live_preview_shows_unknown_placeholder_errors_as_you_type(login, team, team_editor, cpra_request):
    client = login(team_editor)
    data = {"kind": "initial", "subject": "S", "body": "Dear {{ agency.chief }}", "preview_request": cpra_request.pk,
            "action": "preview"}  # fmt: skip
    response = client.post(reverse("letter_template_new"), data, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="letter-preview"' in page and "agency.chief" in page
    assert not LetterTemplate.objects.filter(team=team).exists()


def test_letters_page_warns_when_the_letter_mentions_a_date_not_recorded(login, team, team_editor):
    r = factories.make_request(team, code="CPRA", sent=dt.date(2026, 11, 2))
    r.received_date = None
    r.save()
    timeline.recompute(r)
    letter = render_letter(r, "follow_up")
    assert "request.due_date" in letter.unknown_values and "request.received_date" in letter.unknown_values
    page = login(team_editor).get(reverse("request_letters", args=[r.pk]), {"kind": "follow_up"}).content.decode()
    assert "the date the response is due" in page and "not recorded on the request yet" in page
