"""Proposals stored from letters and decided by a person: nothing reaches the timeline without a click."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from records.ingest import add_document, run_to_completion
from records.models import Communication, Event, Membership, Proposal
from records.proposals import (
    ProposalError,
    confirm_proposal,
    propose_for_communication,
    propose_for_document,
    reject_proposal,
)
from records.timeline_writes import log_communication

from . import factories

# The Orange County Sheriff's letter of 14 Nov 2022 (../shared/corpus/formats), as an email body.
EXTENSION_LETTER = """November 14, 2022

Dear Mr. Maass:

This letter is in response to the above-referenced request which was received by the Orange County Sheriff's
Department Records Division on Friday, November 4, 2022.

Because of the need to search for and collect records from other divisions, the date for response to your request is
extended, pursuant to Government Code § 6253 (c) (1). We expect to make a determination of your request on or before
Monday, November 28, 2022.

Sincerely,
Edward Lee, Director
"""

FEE_LETTER = """Re: Request No. 2022-0042

The estimated cost of duplicating the responsive records is $25.00. Please remit payment so that we can proceed."""


@pytest.fixture
def ca_request(team):
    # Received Friday 4 Nov 2022: CPRA's 10 calendar days → due Monday 14 Nov.
    return factories.make_request(team, code="CPRA", sent=dt.date(2022, 11, 4), received=dt.date(2022, 11, 4))


def incoming(records_request, body, *, on=dt.date(2022, 11, 14), subject="Your CPRA request"):
    return log_communication(
        records_request,
        user=None,
        direction=Communication.INCOMING,
        channel="email",
        date=on,
        subject=subject,
        body=body,
    )


@pytest.fixture
def extension_letter(ca_request):
    return incoming(ca_request, EXTENSION_LETTER)


def test_reading_a_letter_proposes_but_changes_nothing(ca_request, extension_letter):
    due_before = ca_request.due_date
    proposals = propose_for_communication(extension_letter)
    assert [(p.kind, p.status) for p in proposals] == [("extension", "proposed")]
    assert proposals[0].fields["promised_date"] == "2022-11-28"
    assert proposals[0].fields["citations"] == ["Gov. Code 6253(c)(1)"]
    assert "within what the law allows" in proposals[0].statute_note
    ca_request.refresh_from_db()
    assert ca_request.events.count() == 0 and ca_request.due_date == due_before == dt.date(2022, 11, 14)


def test_reading_the_same_letter_twice_proposes_once(extension_letter):
    first = propose_for_communication(extension_letter)
    again = propose_for_communication(extension_letter)
    assert [p.pk for p in again] == [p.pk for p in first]
    assert Proposal.objects.count() == 1


def test_confirm_logs_exactly_one_event_and_the_deadline_moves(ca_request, extension_letter, editor):
    (proposal,) = propose_for_communication(extension_letter)
    event = confirm_proposal(proposal, editor)
    ca_request.refresh_from_db()
    assert list(ca_request.events.values_list("kind", "date")) == [("extension", dt.date(2022, 11, 14))]
    assert ca_request.due_date == dt.date(2022, 11, 28)  # 14 more calendar days (Gov. Code 7922.535(b))
    assert event.created_by == editor and "Gov. Code 6253(c)(1)" in event.note
    assert event.history.count() == 1  # the write path recorded who logged it
    proposal.refresh_from_db()
    assert (proposal.status, proposal.event, proposal.decided_by) == ("confirmed", event, editor)
    extension_letter.refresh_from_db()
    assert extension_letter.event == event
    with pytest.raises(ProposalError, match="already confirmed"):
        confirm_proposal(proposal, editor)
    assert ca_request.events.count() == 1


def test_reject_logs_nothing(ca_request, extension_letter, editor):
    (proposal,) = propose_for_communication(extension_letter)
    reject_proposal(proposal, editor)
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and proposal.event is None
    assert ca_request.events.count() == 0
    # A later re-reading keeps the decision: the rejected proposal is not proposed again.
    assert [p.status for p in propose_for_communication(extension_letter)] == ["rejected"]


def test_edit_and_confirm_uses_the_corrected_values(ca_request, editor):
    (proposal,) = propose_for_communication(incoming(ca_request, FEE_LETTER, on=dt.date(2022, 11, 10)))
    assert (proposal.kind, proposal.fields["amount"], proposal.fields["tracking_number"]) == (
        "fee_estimate", "25.00", "2022-0042"
    )  # fmt: skip
    from decimal import Decimal

    event = confirm_proposal(proposal, editor, {"amount": Decimal("30.00"), "date": dt.date(2022, 11, 9)})
    assert (event.kind, event.amount, event.date) == ("fee_estimate", Decimal("30.00"), dt.date(2022, 11, 9))
    proposal.refresh_from_db()
    assert proposal.status == "edited"
    assert list(ca_request.tracking_numbers.values_list("number", flat=True)) == ["2022-0042"]


def test_a_date_before_the_request_was_sent_is_refused_in_words(ca_request, extension_letter, editor):
    (proposal,) = propose_for_communication(extension_letter)
    with pytest.raises(ProposalError, match="before the request was sent"):
        confirm_proposal(proposal, editor, {"date": dt.date(2022, 11, 1)})
    assert ca_request.events.count() == 0


def test_outgoing_messages_are_not_read(ca_request):
    comm = log_communication(
        ca_request, user=None, direction=Communication.OUTGOING, date=dt.date(2022, 11, 4), body=EXTENSION_LETTER
    )
    assert propose_for_communication(comm) == []


def test_a_message_moved_to_another_request_moves_its_undecided_proposals(team, ca_request, extension_letter):
    (proposal,) = propose_for_communication(extension_letter)
    other = factories.make_request(team, code="CPRA", sent=dt.date(2022, 11, 4), received=dt.date(2022, 11, 4))
    Communication.objects.filter(pk=extension_letter.pk).update(request=other)  # as triage would, then read again
    extension_letter.refresh_from_db()
    assert [p.pk for p in propose_for_communication(extension_letter)] == [proposal.pk]
    proposal.refresh_from_db()
    assert proposal.request == other


# The pipeline reads a letter once its text is in.


def test_a_letter_uploaded_as_a_pdf_is_read_when_extraction_is_done(shared_dir, ca_request):
    path = shared_dir / "corpus" / "formats" / "CA_OCSD_CPRA_extension_6253c1_2022-11-14.pdf"
    with open(path, "rb") as file:
        document = add_document(ca_request, name=path.name, data_or_fileobj=file)[0]
    assert not Proposal.objects.exists()
    run_to_completion(document.pk)
    (proposal,) = Proposal.objects.filter(document=document)
    assert (proposal.kind, proposal.fields["date"], proposal.fields["promised_date"]) == (
        "extension", "2022-11-14", "2022-11-28"
    )  # fmt: skip
    assert (proposal.first_page, proposal.last_page) == (1, 1)
    document.refresh_from_db()
    assert propose_for_document(document)[0].pk == proposal.pk  # idempotent


def test_an_uploaded_email_and_its_attached_letter_are_read(shared_dir, ca_request, django_capture_on_commit_callbacks):
    from email.message import EmailMessage

    letter = shared_dir / "corpus" / "formats" / "CA_OCSD_CPRA_extension_6253c1_2022-11-14.pdf"
    message = EmailMessage()
    message["From"], message["To"] = "records@ocsd.example", "desk@example.org"
    message["Subject"], message["Date"] = "CPRA request: fee", "Mon, 14 Nov 2022 09:30:00 -0800"
    message.set_content("The estimated cost of copying the records is $12.50. Please remit payment.")
    message.add_attachment(letter.read_bytes(), maintype="application", subtype="pdf", filename=letter.name)
    document = add_document(ca_request, name="reply.eml", data_or_fileobj=message.as_bytes())[0]
    with django_capture_on_commit_callbacks(execute=True):  # the message is read once its filing commits
        run_to_completion(document.pk)
    for member in document.members.all():
        run_to_completion(member.pk)
    found = {(p.kind, p.source_key.split(":")[0]) for p in Proposal.objects.filter(request=ca_request)}
    assert found == {("fee_estimate", "communication"), ("extension", "document")}
    fee = Proposal.objects.get(kind="fee_estimate")
    assert (fee.fields["amount"], fee.fields["date"]) == ("12.50", "2022-11-14")
    assert ca_request.events.count() == 0


# The panel: editors act, viewers see, strangers get 404.


@pytest.fixture
def proposal(extension_letter):
    return propose_for_communication(extension_letter)[0]


def test_request_page_shows_the_panel_with_the_statute_note(login, viewer, proposal, ca_request):
    page = login(viewer).get(ca_request.get_absolute_url()).content.decode()
    assert "Proposed from letters" in page
    assert "is extended, pursuant to Government Code § 6253 (c) (1)" in page
    assert "The promised date is within what the law allows." in page
    assert 'value="confirm"' not in page  # a viewer sees, and cannot act


def test_the_panel_says_when_the_event_is_already_on_the_timeline(login, editor, proposal, ca_request):
    from records.timeline_writes import log_event

    log_event(ca_request, user=editor, kind="extension", date=dt.date(2022, 11, 14))
    page = login(editor).get(ca_request.get_absolute_url()).content.decode()
    assert "The timeline already has this kind of event on this date" in page


def test_a_message_that_implies_nothing_says_so_on_its_own_page_only(login, editor, ca_request):
    comm = incoming(ca_request, "Thank you for your patience. Our office is closed on Friday.")
    assert propose_for_communication(comm) == []
    client = login(editor)
    assert "Proposed from letters" not in client.get(ca_request.get_absolute_url()).content.decode()
    assert (
        "No event was recognised in this text."
        in client.get(reverse("communication_detail", args=[comm.pk])).content.decode()
    )


def test_communication_page_shows_its_proposals(login, editor, proposal, extension_letter):
    page = login(editor).get(reverse("communication_detail", args=[extension_letter.pk])).content.decode()
    assert "Proposed from letters" in page and 'value="confirm"' in page


def test_editor_confirms_from_the_page(login, editor, proposal, ca_request):
    response = login(editor).post(reverse("proposal_decide", args=[proposal.pk]), {"action": "confirm"})
    assert response.status_code == 302
    assert list(ca_request.events.values_list("kind", flat=True)) == ["extension"]


def test_htmx_confirm_returns_the_panel(login, editor, proposal, ca_request):
    response = login(editor).post(
        reverse("proposal_decide", args=[proposal.pk]), {"action": "confirm"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="proposals-request-{ca_request.pk}"' in response.content.decode()
    assert "Confirmed by editor" in response.content.decode()


def test_edit_with_a_bad_date_is_an_error_in_words_not_a_500(login, editor, proposal, ca_request):
    client = login(editor)
    url = reverse("proposal_decide", args=[proposal.pk])
    response = client.post(url, {"action": "edit", "date": "next tuesday"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    response = client.post(url, {"action": "edit", "date": "2022-11-14", "amount": "-3"}, follow=True)
    assert "greater than or equal to 0" in response.content.decode()
    assert ca_request.events.count() == 0


def test_edit_and_confirm_from_the_page(login, editor, proposal, ca_request):
    data = {"action": "edit", "date": "2022-11-14", "promised_date": "2022-12-12", "citations": "Gov. Code 7922.535"}
    login(editor).post(reverse("proposal_decide", args=[proposal.pk]), data)
    proposal.refresh_from_db()
    assert proposal.status == "edited" and proposal.fields["citations"] == ["Gov. Code 7922.535"]
    assert "2022-12-12" in proposal.event.note


def test_confirm_applies_what_was_typed_in_the_fields(login, editor, proposal, ca_request):
    data = {
        "action": "confirm",
        "date": "2022-11-15",
        "promised_date": "2022-11-28",
        "citations": "Gov. Code 6253(c)(1)",
    }
    login(editor).post(reverse("proposal_decide", args=[proposal.pk]), data)
    proposal.refresh_from_db()
    assert proposal.status == "edited" and proposal.event.date == dt.date(2022, 11, 15)


def test_confirm_with_the_fields_as_read_is_a_plain_confirmation(login, editor, proposal, ca_request):
    data = {"action": "confirm", "date": "2022-11-14", "promised_date": "2022-11-28", "citations": "Gov. Code 6253(c)(1)",
            "tracking_number": ""}  # fmt: skip
    login(editor).post(reverse("proposal_decide", args=[proposal.pk]), data)
    proposal.refresh_from_db()
    assert proposal.status == "confirmed" and proposal.event.date == dt.date(2022, 11, 14)


def test_editor_rejects_from_the_page(login, editor, proposal, ca_request):
    login(editor).post(reverse("proposal_decide", args=[proposal.pk]), {"action": "reject"})
    proposal.refresh_from_db()
    assert proposal.status == "rejected" and ca_request.events.count() == 0


def test_viewer_cannot_confirm(login, viewer, proposal, ca_request):
    response = login(viewer).post(reverse("proposal_decide", args=[proposal.pk]), {"action": "confirm"})
    assert response.status_code == 403
    assert ca_request.events.count() == 0


def test_stranger_gets_404(login, stranger, proposal, ca_request, extension_letter):
    client = login(stranger)
    assert client.post(reverse("proposal_decide", args=[proposal.pk]), {"action": "confirm"}).status_code == 404
    assert client.get(reverse("communication_detail", args=[extension_letter.pk])).status_code == 404
    assert ca_request.events.count() == 0
    assert Proposal.objects.visible_to(stranger).count() == 0


def test_logging_an_incoming_letter_on_the_page_reads_it(login, editor, ca_request):
    data = {
        "direction": "in", "channel": "letter", "date": "2022-11-14", "subject": "Extension", "body": EXTENSION_LETTER,
    }  # fmt: skip
    login(editor).post(reverse("communication_add", args=[ca_request.pk]), data)
    assert list(Proposal.objects.filter(request=ca_request).values_list("kind", flat=True)) == ["extension"]
    assert ca_request.events.count() == 0


# The command.


def test_read_letter_command_json(shared_dir):
    path = shared_dir / "corpus" / "formats" / "CA_OCSD_CPRA_extension_6253c1_2022-11-14.pdf"
    out = _command("read_letter", str(path), "--statute", "CPRA", "--json")
    assert out.returncode == 0, out.stderr
    (item,) = json.loads(out.stdout)
    assert (item["kind"], item["date"], item["citations"], item["tracking_number"]) == (
        "extension", "2022-11-28", ["Gov. Code 6253(c)(1)"], None
    )  # fmt: skip


def test_read_letter_command_lines_and_errors(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text(
        "We have received your request and assigned it tracking number 12-345. We will respond by the end of next month."
    )
    out = _command("read_letter", str(letter), "--date", "2025-02-03")
    assert out.stdout.splitlines()[0].split("\t")[:3] == ["acknowledged", "2025-02-03", "-"]
    assert "Not read: A date-like phrase “the end of next month” was not understood" in out.stderr
    assert _command("read_letter", str(letter), "--statute", "XX").returncode == 2
    assert _command("read_letter", str(letter), "--date", "3 Feb").returncode == 2
    missing = _command("read_letter", str(tmp_path / "nope.pdf"))
    assert missing.returncode == 2 and "cannot be read" in missing.stderr


def _command(*args):
    project = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=project, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.usefixtures("db")
def test_membership_roles_used_here_are_the_apps():
    assert Membership.WRITE_ROLES == ("admin", "editor") and Event.Kind.EXTENSION == "extension"
