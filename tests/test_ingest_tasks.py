"""The Celery tasks are thin: a pk in, one pipeline call, the next step dispatched on commit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from records import tasks
from records.ingest import add_document
from records.models import Document
from tests.test_ingest_support import corpus_file, make_request


def upload(name, kind="real"):
    path = corpus_file(kind, name)
    return add_document(make_request(), name=path.name, data_or_fileobj=path.read_bytes())[0]


def test_tasks_are_named_and_acknowledged_late():
    for task, name in [
        (tasks.extract_document_task, "records.extract_document"),
        (tasks.ocr_document_task, "records.ocr_document"),
        (tasks.requeue_stale_documents_task, "records.requeue_stale_documents"),
    ]:
        assert task.name == name and task.acks_late and task.time_limit


@pytest.mark.django_db
def test_submit_document_sends_it_after_the_commit(broker, django_capture_on_commit_callbacks):
    path = corpus_file("real", "1505_CCSAO_FOIA121515.pdf")
    request = make_request()
    with django_capture_on_commit_callbacks(execute=True):
        document, created = tasks.submit_document(request, name=path.name, data_or_fileobj=path.read_bytes())
        assert created and not broker
    assert list(broker) == [("extract", document.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        again, created = tasks.submit_document(request, name="copy.pdf", data_or_fileobj=path.read_bytes())
    assert (again, created) == (document, False) and len(broker) == 1  # the same file is not sent twice


@pytest.mark.django_db
def test_extraction_of_a_scan_queues_its_ocr(broker, django_capture_on_commit_callbacks):
    document = upload("1505_CPD_FOIA14-5298Hailstorm.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.extract_document_task(document.pk)
    assert list(broker) == [("ocr", document.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        tasks.ocr_document_task(document.pk)
    assert Document.objects.get(pk=document.pk).state == "done" and len(broker) == 1


@pytest.mark.django_db
def test_a_deleted_document_is_ignored_quietly(broker):
    document = upload("1505_CCSAO_FOIA121515.pdf")
    Document.objects.filter(pk=document.pk).delete()
    tasks.extract_document_task(document.pk)
    tasks.ocr_document_task(document.pk)
    assert not broker


@pytest.mark.django_db
def test_stale_documents_are_queued_again(broker, django_capture_on_commit_callbacks):
    extracting, ocr, fresh = (upload(name) for name in (
        "1505_CCSAO_FOIA121515.pdf", "1505_CPD_FOIA14-5298Hailstorm.pdf", "flp_ca1-opinion.pdf"
    ))  # fmt: skip
    long_ago = timezone.now() - timedelta(hours=1)
    Document.objects.filter(pk=extracting.pk).update(state="extracting", heartbeat_at=long_ago)
    Document.objects.filter(pk=ocr.pk).update(state="ocr", heartbeat_at=long_ago)
    Document.objects.filter(pk=fresh.pk).update(state="extracting", heartbeat_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stale_documents_task() == 2
    assert sorted(broker) == [("extract", extracting.pk), ("ocr", ocr.pk)]
    assert Document.objects.get(pk=extracting.pk).state == "queued"
    assert Document.objects.get(pk=fresh.pk).state == "extracting"
