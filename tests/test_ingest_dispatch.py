"""Fair turns between teams, one next-step rule, one submit call, a queue per kind of work.

The fairness tests drain the dispatcher in order (no clocks): a fake broker is a FIFO list of
the messages dispatch_documents sends, and a "worker" runs the real task for each in turn.
"""

import sqlite3
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app
from records import tasks
from records.ingest import next_step, pipeline
from records.ingest.dispatch import dispatch_order, take_turns
from records.ingest.limits import Limits
from records.models import Document
from tests import test_ingest_worker as real_worker
from tests.test_ingest_support import corpus_file, make_request

AHEAD = 4
worker_env = real_worker.worker_env  # the fixture: a worker's own settings, database and broker folder


@pytest.fixture(autouse=True)
def dispatch_ahead(settings):
    settings.INGEST_DISPATCH_AHEAD = AHEAD


def submit(request, number: int, capture) -> Document:
    # Plain notes: extraction turns them down at once (no parser), which is all the order needs.
    with capture(execute=True):
        document, created = tasks.submit_document(
            request, name=f"note-{request.team.slug}-{number}.txt", data_or_fileobj=f"note {number}".encode()
        )
    assert created
    return document


@pytest.fixture
def worker_start(monkeypatch):
    """The worker-start hook, minus its last act: it closes the database connections (for the pool's
    children), which inside a test's transaction would drop the messages waiting for the commit."""
    monkeypatch.setattr(tasks.connections, "close_all", lambda: None)
    return tasks._requeue_at_worker_start


@pytest.fixture
def claims(monkeypatch):
    """The documents a worker claimed (and so worked on), in order: a spy on the real claim."""
    claimed = []
    real_claim = pipeline._claim

    def spy(document_id, *args, **kwargs):
        document = real_claim(document_id, *args, **kwargs)
        if document is not None:
            claimed.append(document_id)
        return document

    monkeypatch.setattr(pipeline, "_claim", spy)
    return claimed


def drain(broker, capture) -> None:
    """Run every message in the order it was sent, as one worker would, until none is left."""
    while broker:
        step, document_id = broker.popleft()
        with capture(execute=True):
            {"extract": tasks.extract_document_task, "ocr": tasks.ocr_document_task}[step](document_id)


# The order itself: a plain function.


def test_a_single_upload_goes_ahead_of_a_backlog():
    order = dispatch_order({1: list(range(100, 150)), 2: [200]}, busy={}, slots=10)
    assert order.index(200) <= 1
    assert len(order) == 10


def test_the_team_with_the_fewest_in_progress_goes_first():
    assert dispatch_order({1: [10, 11, 12], 2: [20, 21]}, busy={1: 3}, slots=3) == [20, 21, 10]


def test_turns_go_round_between_teams_oldest_first():
    order = dispatch_order({1: [10, 11, 12], 2: [20, 21], 3: [5]}, busy={}, slots=6)
    assert order == [5, 10, 20, 11, 21, 12]


def test_no_slots_no_documents():
    assert dispatch_order({1: [10]}, busy={}, slots=0) == []


# The one next-step rule.


@pytest.mark.parametrize(
    "state, step",
    [
        ("queued", "extract"),
        ("ocr", "ocr"),
        ("extracting", None),
        ("done", None),
        ("failed", None),
        ("needs_password", None),
    ],
)
def test_next_step(state, step):
    assert next_step(Document(state=state)) == step


# Submit and dispatch against the database.


@pytest.mark.django_db
def test_another_teams_single_upload_is_not_stuck_behind_a_flood(broker, claims, django_capture_on_commit_callbacks):
    flood_request, single_request = make_request("flood"), make_request("single")
    flood = [submit(flood_request, number, django_capture_on_commit_callbacks) for number in range(50)]
    assert len(broker) == AHEAD  # the rest wait in the database, not in the broker
    single = submit(single_request, 1, django_capture_on_commit_callbacks)

    drain(broker, django_capture_on_commit_callbacks)

    assert single.pk in claims[: AHEAD + 2], "the other team's upload waited behind the flood"
    assert sorted(claims) == sorted([document.pk for document in flood] + [single.pk])  # each once
    assert not Document.objects.filter(state__in=["queued", "extracting"]).exists()


@pytest.mark.django_db
def test_a_scan_goes_from_extraction_to_ocr_through_the_dispatcher(broker, claims, django_capture_on_commit_callbacks):
    path = corpus_file("real", "1505_CPD_FOIA14-5298Hailstorm.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        scan, _ = tasks.submit_document(make_request(), name=path.name, data_or_fileobj=path.read_bytes())
    drain(broker, django_capture_on_commit_callbacks)
    assert claims[:2] == [scan.pk, scan.pk]  # extracted, then its OCR round was dispatched
    assert Document.objects.get(pk=scan.pk).state == "done"


@pytest.mark.django_db
def test_ocr_rounds_take_turns_too(broker):
    flood_request, single_request = make_request("flood"), make_request("single")
    for request, count in ((flood_request, 10), (single_request, 1)):
        for number in range(count):
            tasks.submit_document(request, name=f"{number}.txt", data_or_fileobj=f"{request.pk}-{number}".encode())
    Document.objects.update(state="ocr")
    taken = take_turns("ocr")
    assert len(taken) == AHEAD
    assert Document.objects.get(request=single_request).pk in taken[:2]
    assert take_turns("ocr") == []  # the buffer is full until a worker claims one


@pytest.mark.django_db
def test_a_lost_message_is_sent_again_and_a_duplicate_does_nothing(broker, claims, django_capture_on_commit_callbacks):
    document = submit(make_request(), 1, django_capture_on_commit_callbacks)
    assert list(broker) == [("extract", document.pk)]
    broker.clear()  # the worker that fetched it died before claiming it

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stale_documents() == 0  # too recent to be presumed lost
    assert list(broker) == []
    an_hour_later = timezone.now() - timedelta(hours=1)
    Document.objects.filter(pk=document.pk).update(dispatched_at=an_hour_later)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stale_documents() == 1
    assert list(broker) == [("extract", document.pk)]

    broker.append(("extract", document.pk))  # the first message turns up after all
    drain(broker, django_capture_on_commit_callbacks)
    assert claims == [document.pk]  # claimed once, not twice
    assert Document.objects.get(pk=document.pk).attempts == 1


@pytest.mark.django_db
def test_a_starting_worker_sends_unclaimed_and_stale_documents_again(
    broker, claims, worker_start, django_capture_on_commit_callbacks
):
    request = make_request()
    unclaimed = submit(request, 1, django_capture_on_commit_callbacks)
    killed = submit(request, 2, django_capture_on_commit_callbacks)
    Document.objects.filter(pk=killed.pk).update(
        state="extracting", heartbeat_at=timezone.now() - timedelta(hours=1), dispatched_at=None
    )
    broker.clear()  # the broker lost both messages with the dead worker

    with django_capture_on_commit_callbacks(execute=True):
        worker_start()

    assert sorted(broker) == sorted([("extract", unclaimed.pk), ("extract", killed.pk)])
    drain(broker, django_capture_on_commit_callbacks)
    assert sorted(claims) == sorted([unclaimed.pk, killed.pk])


@pytest.mark.django_db
def test_a_document_being_worked_on_is_not_sent_again(broker, worker_start, django_capture_on_commit_callbacks):
    document = submit(make_request(), 1, django_capture_on_commit_callbacks)
    broker.clear()
    Document.objects.filter(pk=document.pk).update(state="extracting", heartbeat_at=timezone.now(), dispatched_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        worker_start()
    assert list(broker) == []


# A queue per kind of work.


@pytest.mark.parametrize(
    "task, queue",
    [
        ("records.extract_document", "extraction"),
        ("records.ocr_document", "ocr"),
        ("records.requeue_stale_documents", "housekeeping"),
        ("records.send_reminder_digests", "housekeeping"),
        ("records.clean_abandoned_uploads", "housekeeping"),
        ("records.mail.fetch_mailboxes", "mail"),
    ],
)
def test_each_kind_of_work_has_its_queue(task, queue):
    route = app.amqp.router.route({}, task)["queue"]
    # Its own binding key too: queues sharing one key on the exchange would each get a copy.
    assert (route.name, route.routing_key) == (queue, queue)


def test_every_periodic_task_has_a_queue_of_its_own():
    from django.conf import settings

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert app.amqp.router.route({}, entry["task"])["queue"].name != "celery", entry["task"]


def test_the_embedded_worker_consumes_every_queue():
    from tests.test_ingest_support import PROJECT

    run = (PROJECT / "scripts" / "run.sh").read_text()
    assert "-Q extraction,ocr,mail,housekeeping,celery" in run
    assert "-Q search --concurrency=1" in run  # the ranking engine's one writer, in a worker of its own
    queues = {"extraction", "ocr", "mail", "housekeeping", "celery", "search"}
    assert set(app.amqp.queues) == queues
    assert {queue.routing_key for queue in app.amqp.queues.values()} == queues


# With a real Celery worker on the embedded filesystem broker.


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF with a text layer (so no OCR), different for each text."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


@pytest.mark.same_on_every_database  # the worker uses its own SQLite file
@pytest.mark.slow
def test_a_real_worker_reads_another_teams_upload_before_the_flood(worker_env, tmp_path):
    flood_count = 20
    (tmp_path / "flood").mkdir()
    for number in range(flood_count):
        (tmp_path / "flood" / f"{number:02}.pdf").write_bytes(tiny_pdf(f"Released record number {number} of the flood"))
    (tmp_path / "single.pdf").write_bytes(tiny_pdf("The other team's single released record"))
    db_path, log_path = worker_env["DATABASE_PATH"], tmp_path / "worker.log"
    manage, document_row, wait_for = real_worker.manage, real_worker.document_row, real_worker.wait_for
    manage(worker_env, "migrate", "--verbosity=0")
    manage(
        worker_env, "shell", "-c",
        "from records.models import Statute, Team\n"
        "Statute.objects.get_or_create(code='FOIA', defaults={'name': 'FOIA', 'citation': '5 U.S.C. 552', 'calendar': 'US-FED'})\n"
        "Team.objects.create(name='Flood', slug='flood'); Team.objects.create(name='Single', slug='single')",
    )  # fmt: skip
    flood_lines = manage(
        worker_env, "import_documents", str(tmp_path / "flood"), "--new-request", "F", "--team", "flood"
    )
    assert len(flood_lines.splitlines()) == flood_count
    single_id = manage(worker_env, "import_documents", str(tmp_path / "single.pdf"), "--new-request", "S", "--team", "single").split("\t")[0]  # fmt: skip

    worker = real_worker.start_worker(worker_env, log_path)
    try:
        wait_for(lambda: document_row(db_path, single_id)[0] == "done", 180, "the single upload to be read", log_path)
    finally:
        real_worker.kill_group(worker)

    # Pages are written as documents are read, so page ids give the order, whatever the clock did.
    with sqlite3.connect(db_path) as db:
        (read_before,) = db.execute(
            "SELECT COUNT(DISTINCT document_id) FROM records_page WHERE document_id != ? "
            "AND id < (SELECT MIN(id) FROM records_page WHERE document_id = ?)",
            (single_id, single_id),
        ).fetchone()
    # dispatch_ahead (default 4) in the broker, and as many sent again when the worker starts.
    assert read_before <= 2 * Limits().dispatch_ahead < flood_count
