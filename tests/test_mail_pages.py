"""The mail pages: settings (admin edits, members see status, passwords never shown), test connection
in words against the real dovecot, triage in one click, sending from the request page, and team
isolation (a stranger gets 404; a team B reply address never files on team A)."""

import pytest
from django.urls import reverse

from records.mail.addresses import reply_address, reply_token
from records.mail.connect import check_mailbox
from records.mail.fetch import fetch_mailbox
from records.mail.secrets import decrypt
from records.models import Communication, Mailbox, MailMessage
from tests import factories
from tests.mail_helpers import agency_message, connect_mailbox, send_as_agency

pytest_plugins = ["tests.mail_servers"]
pytestmark = pytest.mark.usefixtures("mail_key")


def closed_port() -> int:
    from tests.mail_servers import free_port  # a port bound and released: nothing listens there

    return free_port()


def settings_form(**overrides):
    data = {
        "address": "records@desk.example", "active": "on",
        "imap_host": "imap.desk.example", "imap_port": "993", "imap_security": "ssl", "imap_user": "records",
        "imap_password": "app-password-1", "imap_folder": "INBOX",
        "smtp_host": "smtp.desk.example", "smtp_port": "587", "smtp_security": "starttls", "smtp_user": "records",
        "smtp_password": "smtp-password-1",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_admin_saves_settings_password_encrypted_and_never_shown(login, admin, team):
    client = login(admin)
    url = reverse("mail_settings", args=[team.pk])
    response = client.post(url, settings_form())
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(team=team)
    assert "app-password-1" not in mailbox.imap_password_encrypted
    assert decrypt(mailbox.imap_password_encrypted) == "app-password-1"
    page = client.get(url).content.decode()
    assert "app-password-1" not in page and mailbox.imap_password_encrypted not in page
    assert "Saved — type to replace." in page
    # Saving again without typing the passwords keeps them.
    client.post(url, settings_form(imap_password="", smtp_password="", imap_folder="Agencies"))
    mailbox.refresh_from_db()
    assert mailbox.imap_folder == "Agencies" and decrypt(mailbox.imap_password_encrypted) == "app-password-1"


def test_no_tls_is_refused_for_a_remote_server(login, admin, team):
    response = login(admin).post(reverse("mail_settings", args=[team.pk]), settings_form(imap_security="none"))
    assert response.status_code == 200
    assert "only allowed for a server on this machine" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_production_without_mail_secret_key_refuses_clearly(login, admin, team, settings):
    settings.MAIL_SECRET_KEY, settings.DEBUG = "", False
    response = login(admin).post(reverse("mail_settings", args=[team.pk]), settings_form())
    assert "no MAIL_SECRET_KEY" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_editor_and_viewer_see_status_but_cannot_edit(login, editor, viewer, team):
    Mailbox.objects.create(team=team, address="records@desk.example", imap_host="h", imap_user="u", smtp_host="s")
    url = reverse("mail_settings", args=[team.pk])
    for user in (editor, viewer):
        client = login(user)
        page = client.get(url)
        assert page.status_code == 200 and "records@desk.example" in page.content.decode()
        assert '<form method="post">' not in page.content.decode()
        assert client.post(url, settings_form()).status_code == 403


def test_stranger_gets_404_on_settings_triage_and_messages(login, stranger, team):
    Mailbox.objects.create(team=team, address="records@desk.example", imap_host="h", imap_user="u", smtp_host="s")
    message = MailMessage.objects.create(team=team, direction="in", state="triage", subject="secret")
    client = login(stranger)
    for name, args in (("mail_settings", [team.pk]), ("mail_triage", [team.pk]), ("mail_message", [message.pk])):
        assert client.get(reverse(name, args=args)).status_code == 404
    for name in ("mail_message_assign", "mail_message_new_request", "mail_message_not_records"):
        assert client.post(reverse(name, args=[message.pk])).status_code == 404
    records_request = factories.make_request(team)
    assert client.get(reverse("mail_send", args=[records_request.pk])).status_code == 404


def test_test_connection_says_which_step_failed(team, imap_account, smtp_sink):
    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port)
    assert [check.ok for check in check_mailbox(mailbox)] == [True, True]

    def failure(**change):
        for name, value in change.items():
            setattr(mailbox, name, value)
        (imap, _smtp) = check_mailbox(mailbox)
        assert not imap.ok
        return imap.message

    from records.mail.secrets import encrypt

    assert "refused the user name or password" in failure(imap_password_encrypted=encrypt("wrong"))
    mailbox.imap_password_encrypted = encrypt(imap_account.password)
    assert "folder 'Nope' does not exist" in failure(imap_folder="Nope")
    mailbox.imap_folder = "INBOX"
    assert "connection refused" in failure(imap_port=closed_port())
    mailbox.imap_port = imap_account.server.port
    assert "could not be found (DNS)" in failure(imap_host="no-such-host.invalid")
    mailbox.imap_host = "127.0.0.1"
    assert "TLS" in failure(imap_security="ssl")  # a plain-text port spoken to with TLS


def test_test_connection_button(login, admin, team, imap_account, smtp_sink):
    controller, _ = smtp_sink
    connect_mailbox(team, imap_account, controller.port, imap_folder="Missing")
    page = login(admin).post(reverse("mail_test_connection", args=[team.pk])).content.decode()
    assert "folder &#x27;Missing&#x27; does not exist" in page, page[page.find("<h1") : page.find("<h1") + 3000]
    assert "SMTP:</strong> works." in page


def test_login_failure_marks_the_mailbox_failing_backs_off_and_warns(login, editor, team, imap_account, smtp_sink):
    from records.mail.secrets import encrypt
    from records.models import Mailbox as MailboxModel

    controller, _ = smtp_sink
    mailbox = connect_mailbox(team, imap_account, controller.port, imap_password_encrypted=encrypt("changed"))
    result = fetch_mailbox(mailbox.pk)
    assert "refused the user name or password" in result.error
    mailbox.refresh_from_db()
    assert mailbox.is_failing and mailbox.retry_after is not None
    assert not MailboxModel.objects.due_for_fetch().filter(pk=mailbox.pk).exists()  # backs off
    page = login(editor).get(reverse("home")).content.decode()
    assert "is not being fetched" in page and "refused the user name or password" in page
    # Fixed: the next fetch clears the warning.
    mailbox.imap_password_encrypted = encrypt(imap_account.password)
    mailbox.save()
    fetch_mailbox(mailbox.pk)
    mailbox.refresh_from_db()
    assert not mailbox.is_failing


def test_team_b_reply_address_never_files_on_team_a(team, imap_account, smtp_sink):
    controller, _ = smtp_sink
    mailbox_a = connect_mailbox(team, imap_account, controller.port)
    request_a = factories.make_request(team)
    team_b = factories.make_team("Other desk")
    request_b = factories.make_request(team_b)
    # Team B's token for its own request, and a forged one naming team A's request id with B's token.
    b_address = reply_address(request_b, imap_account.address)
    forged = imap_account.address.replace("@", f"+r{request_a.pk}-{reply_token(team_b.pk, request_a.pk)}@")
    for to in (b_address, forged):
        send_as_agency(controller.port, agency_message(to=to, subject="Hello", body="Hi", sender="x@nowhere.example"))
    result = fetch_mailbox(mailbox_a.pk)
    assert (result.filed, result.triaged) == (0, 2)
    assert not Communication.objects.filter(request__in=[request_a, request_b]).exists()


def test_triage_one_click_assign_new_request_and_not_records(login, editor, team):
    from records.ingest.store import store_file

    records_request = factories.make_request(team, title="Budget")
    raws = [
        store_file(agency_message(to="desk@desk.example", subject=f"Mail {n}", body="text").as_bytes())
        for n in range(3)
    ]
    messages = [
        MailMessage.objects.create(team=team, direction="in", state="triage", raw=raw, subject=f"Mail {n}")
        for n, raw in enumerate(raws)
    ]
    client = login(editor)
    page = client.get(reverse("mail_triage", args=[team.pk])).content.decode()
    assert "Mail 0" in page and "Budget" in page
    client.post(reverse("mail_message_assign", args=[messages[0].pk]), {"request": records_request.pk})
    messages[0].refresh_from_db()
    assert messages[0].state == "filed" and messages[0].communication.request == records_request
    response = client.post(reverse("mail_message_new_request", args=[messages[1].pk]))
    messages[1].refresh_from_db()
    assert messages[1].request.title == "Mail 1" and response["Location"] == messages[1].request.get_absolute_url()
    client.post(reverse("mail_message_not_records", args=[messages[2].pk]))
    messages[2].refresh_from_db()
    assert messages[2].state == "not_records"
    other = factories.make_request(factories.make_team("Elsewhere"))
    assert client.post(reverse("mail_message_assign", args=[messages[2].pk]), {"request": other.pk}).status_code == 302
    assert not Communication.objects.filter(request=other).exists()


def test_send_page_queues_the_letter_and_a_failure_is_shown_in_words(
    login, editor, team, monkeypatch, imap_account, django_capture_on_commit_callbacks
):
    from records.mail import tasks
    from records.mail.send import send_queued

    sent = []
    monkeypatch.setattr(tasks.send_mail_task, "delay", sent.append)
    mailbox = connect_mailbox(team, imap_account, closed_port())  # nothing listens at its SMTP port
    agency = factories.make_agency(email="records@city.example.gov")
    records_request = factories.make_request(team, agency=agency)
    client = login(editor)
    form = client.get(reverse("mail_send", args=[records_request.pk]) + "?kind=follow_up").content.decode()
    assert "records@city.example.gov" in form and f"+r{records_request.pk}-" in form
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("mail_send", args=[records_request.pk]),
            {"to": "records@city.example.gov", "subject": "Follow-up", "body": "Any news?", "letter_kind": "follow_up"},
        )
    message = MailMessage.objects.get(direction="out")
    assert message.body == "Any news?" and message.mailbox == mailbox
    send_queued(message.pk)
    message.refresh_from_db()
    assert message.state == "send_failed" and "connection refused" in message.reason
    page = client.get(records_request.get_absolute_url()).content.decode()
    assert "Not sent:" in page and "connection refused" in page and "Send again" in page


def test_failing_mailbox_is_in_the_digest_until_fixed(team, editor, mailoutbox):
    from django.utils import timezone

    from records.notifications import send_reminder_digests

    editor.email = "editor@desk.example"
    editor.save()
    Mailbox.objects.create(
        team=team, address="records@desk.example", imap_host="h", imap_user="u", smtp_host="s",
        failing_since=timezone.now(), last_error="The IMAP server refused the user name or password.",
    )  # fmt: skip
    assert send_reminder_digests() == 1
    (sent,) = mailoutbox
    assert "MAIL NOT BEING FETCHED" in sent.body and "refused the user name or password" in sent.body
