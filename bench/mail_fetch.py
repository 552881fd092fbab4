"""Fetch and file 2,000 messages with attachments from a real IMAP server (dovecot on loopback).

    .venv/bin/python bench/mail_fetch.py [--messages 2000] [--batch 200]

Loads the messages into a fresh dovecot's Maildir (each a reply quoting a tracking number, with a small
PDF attached), then runs records.mail.fetch.fetch_all_mailboxes, the function the beat task calls,
until nothing new is left. Prints JSON: messages per second of fetch-and-file, and the peak RSS of
this worker process and of its sandboxed parser children. Attachments are unpacked later by the
ingestion pipeline (not timed here). Uses a throwaway test database (SQLite, or DATABASE_URL's server).
Needs dovecot (Debian package dovecot-imapd).
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def small_pdf(text: str) -> bytes:
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def run(count: int, batch: int) -> dict:
    from django.conf import settings
    from django.db import connection

    from records.mail.fetch import fetch_all_mailboxes
    from records.mail.secrets import encrypt
    from records.models import Agency, Mailbox, MailMessage, RecordsRequest, Statute, Team, TrackingNumber
    from tests.mail_helpers import agency_message
    from tests.mail_servers import running_dovecot

    settings.MAIL_FETCH_BATCH = batch
    team = Team.objects.create(name="Bench desk", slug="bench-desk")
    agency = Agency.objects.create(name="Bench City", level="city", email="records@city.example.gov")
    requests = [
        RecordsRequest.objects.create(
            team=team, title=f"Bench {n}", agency=agency, statute=Statute.objects.get(code="CPRA")
        )
        for n in range(20)
    ]
    for n, records_request in enumerate(requests):
        TrackingNumber.objects.create(request=records_request, number=f"B-2026-{n:04d}")
    with running_dovecot(pool=1) as server:
        user, password = server.take_account()
        address = f"{user}@desk.example"
        Mailbox.objects.create(
            team=team, address=address, imap_host="127.0.0.1", imap_port=server.port, imap_security="none",
            imap_user=user, imap_password_encrypted=encrypt(password), smtp_host="127.0.0.1", smtp_security="none",
        )  # fmt: skip
        loaded = 0
        for n in range(count):
            number = f"B-2026-{n % 20:04d}"
            message = agency_message(
                to=address, subject=f"Re: request {number}, part {n}", body=f"Part {n} of the release for {number}.",
                attachments=[(f"part-{n}.pdf", small_pdf(f"Released record {n} for {number}"))],
            )  # fmt: skip
            raw = message.as_bytes()
            loaded += len(raw)
            server.deliver(user, raw)
        start = time.perf_counter()
        runs = 0
        while True:
            runs += 1
            results = fetch_all_mailboxes()
            if not any(result.downloaded or result.filed for result in results):
                break
        seconds = time.perf_counter() - start
    filed = MailMessage.objects.filter(state="filed").count()
    return {
        "backend": connection.vendor,
        "messages": count,
        "megabytes_loaded": round(loaded / 1e6, 1),
        "filed": filed,
        "fetch_runs": runs,
        "seconds": round(seconds, 1),
        "messages_per_second": round(count / seconds, 1),
        "peak_rss_mb_worker": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_mb_parser_children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("MAIL_SECRET_KEY", "bench-only-mail-secret-key")

    import django
    from django.test.utils import get_runner, setup_test_environment

    django.setup()
    from django.conf import settings

    setup_test_environment()
    settings.MEDIA_ROOT = str(Path(os.environ.get("TMPDIR", "/tmp")) / f"mail-bench-media-{os.getpid()}")
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        print(json.dumps(run(args.messages, args.batch), indent=2))
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
