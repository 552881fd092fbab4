"""Requests and letters in the ranking engine: its second index (engine.LETTERS).

One engine document per request (title, text sent) and per communication (subject, body),
ranked by BM25 over every match like pages, ties by `key`: by id, a request before a
communication of the same id (the database's ranking breaks ties the same way). The scope is the caller's queryset of
requests, as a must clause on request_id, so only rows inside it can rank.

Kept in step by the database itself: triggers on both tables add a SearchOutbox row for every
insert, text change and delete, whichever code path wrote it (a form, mail, a campaign, the API,
the admin, bulk_create, update()), in the same transaction; the search worker drains them
(outbox.py) like pages. Nothing here is the only copy of anything: rebuild() re-derives it.
"""

from collections.abc import Iterable

import tantivy
from django.db.models import Q, QuerySet

from records.models import Communication, RecordsRequest, SearchOutbox

from . import engine
from .query import MAX_NEAR

REQUEST, COMMUNICATION = 0, 1  # a key's lowest bit
REQUEST_FIELDS = ("id", "title", "body")
COMMUNICATION_FIELDS = ("id", "request_id", "subject", "body")
TARGETS = {SearchOutbox.REQUEST_TEXT: REQUEST, SearchOutbox.LETTER: COMMUNICATION}


def key_of(kind: int, pk: int) -> int:
    """Ties go by key: by id, a request before a communication of the same id. Dense keys (not
    requests first, then communications): engine_query._settle_tie searches a tie in key ranges
    from 0 up, and a gap of 2**48 empty keys between the two kinds cost it dozens of passes."""
    return pk << 1 | kind


def split_key(key: int) -> tuple[int, int]:
    """(REQUEST or COMMUNICATION, its id)."""
    return key & 1, key >> 1


# Between the title and the text: positions without tokens (words over MAX_TOKEN are dropped
# but still counted), so a phrase or NEAR/50 never joins the end of a subject to the body's start.
GAP = " ".join(["x" * engine.MAX_TOKEN] * (MAX_NEAR + 2))


def _document(key: int, request_id: int, title: str, body: str) -> tantivy.Document:
    title, body = title or "", body or ""
    text = f"{title}\n{GAP}\n{body}"
    document = tantivy.Document()
    document.add_unsigned("key", key)
    document.add_unsigned("request_id", request_id)
    document.add_text("text", text)
    document.add_text("exact", text)
    document.add_text("pairs", f"{engine.stop_pairs(title)} {engine.stop_pairs(body)}")
    document.add_text("title", title)
    return document


def add_requests(writer: tantivy.IndexWriter, rows: Iterable[dict]) -> int:
    added = 0
    for row in rows:
        writer.add_document(_document(key_of(REQUEST, row["id"]), row["id"], row["title"], row["body"]))
        added += 1
    return added


def add_communications(writer: tantivy.IndexWriter, rows: Iterable[dict]) -> int:
    added = 0
    for row in rows:
        key = key_of(COMMUNICATION, row["id"])
        writer.add_document(_document(key, row["request_id"], row["subject"], row["body"]))
        added += 1
    return added


def waiting(requests: QuerySet) -> bool:
    """Whether a row of `requests` (a caller's scoped queryset of requests) waits in the outbox
    for the worker: the index may miss it, or still hold its old text or request. Each queued row
    names its request (letter_triggers), so another team's backlog (a mail import of thousands of
    letters) leaves this scope's search in the engine. A deleted request's rows wait for nobody:
    no scope holds it. Usually the outbox is empty and this costs one small query."""
    pending = SearchOutbox.objects.filter(target__in=TARGETS)
    if not pending.exists():
        return False
    mine = Q(request_id__in=requests.order_by().values("pk")) | Q(request_id__isnull=True)
    return pending.filter(mine).exists()


def apply(writer: tantivy.IndexWriter, rows: list[SearchOutbox]) -> None:
    """Make the letters' index match the database for these outbox rows (delete, then add what
    still exists); the caller commits."""
    wanted: dict[int, set[int]] = {REQUEST: set(), COMMUNICATION: set()}
    for row in rows:
        kind = TARGETS[row.target]
        engine.delete_where(writer, "key", key_of(kind, row.target_id), kind=engine.LETTERS)
        wanted[kind].add(row.target_id)
    if wanted[REQUEST]:
        add_requests(writer, RecordsRequest.objects.filter(pk__in=wanted[REQUEST]).values(*REQUEST_FIELDS))
    if wanted[COMMUNICATION]:
        found = Communication.objects.filter(pk__in=wanted[COMMUNICATION]).values(*COMMUNICATION_FIELDS)
        add_communications(writer, found.iterator(chunk_size=2000))


def rebuild(chunk: int = 5000) -> dict[str, int]:
    """Re-derive the letters' index from every request and communication; the counts. The outbox
    rows for them present at the start are done by it."""
    pending = SearchOutbox.objects.filter(target__in=TARGETS).order_by("-id").values_list("id", flat=True).first()
    try:
        engine.open_index(kind=engine.LETTERS)
    except engine.EngineUnavailable:
        engine.clear_directory(engine.LETTERS)
    with engine.committing(engine.writer(kind=engine.LETTERS)) as writer:
        writer.delete_all_documents()
        requests = add_requests(writer, RecordsRequest.objects.values(*REQUEST_FIELDS).order_by("id").iterator(chunk))
        communications = Communication.objects.values(*COMMUNICATION_FIELDS).order_by("id").iterator(chunk)
        letters = add_communications(writer, communications)
    if pending is not None:
        SearchOutbox.objects.filter(target__in=TARGETS, id__lte=pending).delete()
    return {"request": requests, "communication": letters}
