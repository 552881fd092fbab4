"""Mail on other pages: the request page's mail panel, the dashboard's failing-mailbox warning, the nav link."""

from django import template

from ..access import can_write, current_team
from ..mail.addresses import reply_address
from ..models import Mailbox, MailMessage

register = template.Library()


@register.inclusion_tag("records/mail/request_panel.html", takes_context=True)
def request_mail_panel(context, records_request):
    """Letters waiting or failed, bounces, and the request's reply address."""
    mailbox = Mailbox.objects.filter(team_id=records_request.team_id).first()
    problems = MailMessage.objects.filter(request=records_request).filter(
        state__in=[MailMessage.State.QUEUED, MailMessage.State.SENDING, MailMessage.State.SEND_FAILED]
    ) | MailMessage.objects.filter(request=records_request, kind=MailMessage.Kind.BOUNCE)
    user = context["request"].user
    return {
        "object": records_request,
        "mailbox": mailbox,
        "reply_address": reply_address(records_request, mailbox.address) if mailbox else "",
        "problems": problems.order_by("-created_at")[:20],
        "can_write": can_write(user, records_request.team),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("records/mail/failing_warning.html", takes_context=True)
def failing_mailboxes(context):
    user = context["request"].user
    return {"failing": Mailbox.objects.visible_to(user).filter(failing_since__isnull=False).select_related("team")}


@register.simple_tag(takes_context=True)
def mail_settings_team(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    team = current_team(request) if user is not None and user.is_authenticated else None
    return team.pk if team else ""
