"""What is indexed: one Source per searchable table, shared by both backends."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    kind: str  # the Hit.kind its rows become: page | request | communication
    table: str
    columns: tuple[str, ...]  # text columns, most important first (ranked higher)
    # Extra columns for a hit, selected from the source row (alias `row`) and `joins`.
    details: str
    joins: str = ""


PAGES = Source(
    kind="page",
    table="records_page",
    columns=("text",),
    details="row.number AS page, row.ocr, doc.id AS document_id, doc.request_id, doc.original_name AS filename",
    joins="JOIN records_document AS doc ON doc.id = row.document_id",
)
REQUESTS = Source(
    kind="request",
    table="records_recordsrequest",
    columns=("title", "body"),
    details="row.id AS request_id, row.title",
)
COMMUNICATIONS = Source(
    kind="communication",
    table="records_communication",
    columns=("subject", "body"),
    details="row.id AS communication_id, row.request_id, row.subject AS title",
)
SOURCES = (PAGES, REQUESTS, COMMUNICATIONS)

# Ranking looks at the first CANDIDATES matches only (in the engine's storage order), so a
# word found on 600,000 pages costs the same as one found on 2,000.
CANDIDATES = 2000
