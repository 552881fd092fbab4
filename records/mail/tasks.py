"""Thin Celery tasks for mail (queue "mail", config/settings.py): each calls one tested function."""

from celery import shared_task

from records.models import MailMessage

from .fetch import fetch_all_mailboxes
from .send import send_queued


@shared_task(name="records.mail.fetch_all", acks_late=True, time_limit=1800)
def fetch_all_mailboxes_task() -> int:
    return sum(result.downloaded for result in fetch_all_mailboxes())


@shared_task(name="records.mail.send", acks_late=True, time_limit=600)
def send_mail_task(message_id: int) -> None:
    if MailMessage.objects.filter(pk=message_id).exists():
        send_queued(message_id)
