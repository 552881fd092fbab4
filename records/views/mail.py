"""Mail pages: a team's mailbox settings and "test connection", its triage inbox, a message, and
sending a letter from a request. Team admins edit the settings; members see their status; editors
triage and send; a stranger gets 404 everywhere."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import READ_ONLY, can_write, get_request_for_user, membership, teams_for
from ..ingest.errors import IngestError
from ..ingest.store import local_copy
from ..letters.placeholders import LetterError
from ..letters.render import KINDS, render_letter, requester_name
from ..mail.addresses import reply_address
from ..mail.connect import check_mailbox
from ..mail.filing import assign_from_triage, mark_not_records, new_request_from_message
from ..mail.forms import AssignForm, MailboxForm, SendLetterForm
from ..mail.parse import parse_message_file
from ..mail.send import CannotSend, queue_letter, retry_sending
from ..models import Mailbox, MailMessage, Membership


def _team_or_404(user, team_id):
    return get_object_or_404(teams_for(user), pk=team_id)


def _is_admin(user, team) -> bool:
    mine = membership(user, team)
    return mine is not None and mine.role == Membership.ADMIN


def _message_or_404(user, pk, *, write=False) -> MailMessage:
    message = get_object_or_404(MailMessage.objects.visible_to(user).select_related("team", "request"), pk=pk)
    if write and not can_write(user, message.team):
        raise PermissionDenied(READ_ONLY)
    return message


@login_required
def mail_settings(request, team_id):
    team = _team_or_404(request.user, team_id)
    mailbox = Mailbox.objects.filter(team=team).first()
    is_admin = _is_admin(request.user, team)
    form = None
    if is_admin:
        form = MailboxForm(request.POST or None, instance=mailbox or Mailbox(team=team))
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, "Mailbox settings saved. Use “Test connection” to check them.")
            return redirect("mail_settings", team_id=team.pk)
    elif request.method == "POST":
        raise PermissionDenied("Only a team admin can change the mailbox settings.")
    context = {"team": team, "mailbox": mailbox, "form": form, "is_admin": is_admin, "checks": None}
    context["triage_count"] = MailMessage.objects.for_team(team).triage().count()
    return render(request, "records/mail/settings.html", context)


@login_required
@require_POST
def mail_test_connection(request, team_id):
    team = _team_or_404(request.user, team_id)
    if not _is_admin(request.user, team):
        raise PermissionDenied("Only a team admin can test the mailbox connection.")
    mailbox = get_object_or_404(Mailbox, team=team)
    checks = check_mailbox(mailbox)
    form = MailboxForm(instance=mailbox)
    context = {"team": team, "mailbox": mailbox, "form": form, "is_admin": True, "checks": checks}
    context["triage_count"] = MailMessage.objects.for_team(team).triage().count()
    return render(request, "records/mail/settings.html", context)


@login_required
def triage(request, team_id):
    team = _team_or_404(request.user, team_id)
    waiting = MailMessage.objects.visible_to(request.user).for_team(team).triage().order_by("-created_at")[:200]
    return render(
        request, "records/mail/triage.html",
        {"team": team, "waiting": waiting, "can_write": can_write(request.user, team), "assign_form": AssignForm(team=team)},
    )  # fmt: skip


@login_required
def message_detail(request, pk):
    message = _message_or_404(request.user, pk)
    body, problem = "", ""
    if message.direction == MailMessage.OUTGOING:
        body = message.body
    elif message.raw_id:
        try:
            with local_copy(message.raw) as path:
                body = parse_message_file(str(path)).body
        except IngestError as error:
            problem = error.message
    return render(request, "records/mail/message.html", {"message": message, "body": body, "problem": problem})


@login_required
@require_POST
def message_assign(request, pk):
    message = _message_or_404(request.user, pk, write=True)
    form = AssignForm(request.POST, team=message.team)
    if not form.is_valid():
        messages.error(request, "Choose one of the team's requests to file the message on.")
        return redirect("mail_triage", team_id=message.team_id)
    records_request = form.cleaned_data["request"]
    if assign_from_triage(message, records_request, user=request.user):
        messages.success(request, f"Filed on “{records_request}”.")
    else:
        messages.info(request, "This message was already filed or set aside.")
    return redirect("mail_triage", team_id=message.team_id)


@login_required
@require_POST
def message_new_request(request, pk):
    message = _message_or_404(request.user, pk, write=True)
    if message.state != MailMessage.State.TRIAGE:
        messages.info(request, "This message was already filed or set aside.")
        return redirect("mail_triage", team_id=message.team_id)
    records_request = new_request_from_message(message, user=request.user)
    messages.success(request, "A new request was made from the message; check its agency and statute.")
    return redirect(records_request.get_absolute_url())


@login_required
@require_POST
def message_not_records(request, pk):
    message = _message_or_404(request.user, pk, write=True)
    mark_not_records(message, user=request.user)
    messages.success(request, "Marked as not records-related.")
    return redirect("mail_triage", team_id=message.team_id)


@login_required
@require_POST
def message_retry(request, pk):
    message = _message_or_404(request.user, pk, write=True)
    if retry_sending(message):
        messages.success(request, "The letter is queued to be sent again.")
    return redirect(message.request.get_absolute_url() if message.request else "home")


@login_required
def send_letter(request, pk):
    records_request = get_request_for_user(request.user, pk, write=True)
    mailbox = Mailbox.objects.filter(team=records_request.team).first()
    initial = {"to": records_request.agency.email}
    kind = request.GET.get("kind", "")
    if kind in KINDS:
        try:
            rendered = render_letter(records_request, kind, requester_name=requester_name(request.user))
            initial.update(subject=rendered.subject, body=rendered.body, letter_kind=kind)
        except LetterError as error:
            messages.error(request, str(error))
    form = SendLetterForm(request.POST or None, initial=initial, records_request=records_request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                queue_letter(
                    records_request, user=request.user, to=data["to"], subject=data["subject"], body=data["body"],
                    attachments=data["attachments"], letter_kind=data["letter_kind"] if data["letter_kind"] in KINDS else "",
                )  # fmt: skip
        except CannotSend as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "The letter is being sent; it appears on the timeline once the mail server took it."
            )
            return redirect(records_request.get_absolute_url())
    context = {
        "object": records_request, "form": form, "mailbox": mailbox, "kinds": KINDS,
        "reply_address": reply_address(records_request, mailbox.address) if mailbox else "",
        "settings_url": reverse("mail_settings", args=[records_request.team_id]),
    }  # fmt: skip
    return render(request, "records/mail/send.html", context)
