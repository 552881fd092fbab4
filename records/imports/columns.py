"""Our columns, the desk's words for them, and the guess of which of their columns holds which of ours."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    synonyms: tuple[str, ...]
    help: str = ""


FIELDS = [
    ImportField("agency", "Agency", (
        "agency", "agency name", "agency department", "department", "dept", "public body", "public agency",
        "government body", "entity", "organization", "office", "filed with", "sent to", "recipient", "to",
        "requested from", "request to", "agency requested from",
    ), "Required. Matched to the directory by name or abbreviation; new names are added to it."),
    ImportField("title", "Title / subject", (
        "title", "subject", "request title", "request subject", "short title", "topic", "summary", "name",
        "request name", "re", "request",
    ), "Required, unless the request text is given (then its start becomes the title)."),
    ImportField("tracking_numbers", "Agency tracking number(s)", (
        "tracking number", "tracking", "tracking id", "tracking no", "agency tracking number", "request number",
        "agency request number", "agency number", "agency reference", "agency ref", "case number",
        "foia number", "foia case number", "control number", "reference number", "request id", "confirmation number",
    ), "Several in one cell: separate them with ; or a new line."),
    ImportField("sent_date", "Date sent", (
        "date sent", "sent", "sent date", "sent on", "date filed", "filed", "filed on", "filing date", "date submitted",
        "submitted", "submitted on", "submission date", "date requested", "request date", "requested", "date",
    )),
    ImportField("received_date", "Date received by agency", (
        "date received", "received", "received date", "received by agency", "date received by agency", "receipt date",
        "date recd", "recd", "date rec", "rec date", "recd date",
    )),
    ImportField("status", "Status", ("status", "current status", "state", "disposition", "outcome", "result", "stage")),
    ImportField("status_date", "Date of the status (response, closing)", (
        "status date", "date closed", "closed", "closed date", "closed on", "date of response", "response date",
        "responded", "date responded", "completed", "date completed", "completion date", "last action",
        "last action date", "last update", "resolved", "resolution date", "disposition date", "decision date",
        "final disposition", "date of final disposition",
    ), "The date the status events are logged on. Without it they are dated on the date sent, and say so."),
    ImportField("due_date", "Due date (kept as a note)", (
        "due", "due date", "date due", "deadline", "response due", "response deadline", "due by",
    ), "Our due dates are computed from the statute; the sheet's is kept in the filing event's note."),
    ImportField("statute", "Statute / law", (
        "statute", "law", "act", "legal basis", "statute code", "records law", "request type", "type",
        # A column headed with the law's name holds the law (a desk filing under several states' laws).
        "cal public records act", "california public records act", "cpra", "public records act", "pra",
        "foia", "freedom of information act", "foil", "public records law", "open records act",
    ), "FOIA, CPRA, … Without it: the agency's default statute, else FOIA (federal) or CPRA (California)."),
    ImportField("reference", "Our reference", (
        "our reference", "our ref", "reference", "ref", "internal reference", "internal id", "our id", "file number",
    )),
    ImportField("body", "Text of the request", (
        "request text", "text", "text sent", "description", "details", "request details", "request language",
        "records requested", "records sought", "body",
        "information requested", "records requested description",
    )),
    ImportField("notes", "Notes", ("notes", "note", "comments", "comment", "remarks", "memo", "internal notes")),
    ImportField("project", "Project / story", ("project", "story", "project story", "beat", "investigation", "matter")),
    ImportField("tags", "Tags", ("tags", "tag", "labels", "label", "keywords", "category", "categories", "topics")),
    ImportField("assignee", "Assignee", (
        "assignee", "assigned to", "assigned", "owner", "reporter", "requester", "filed by", "attorney", "staff",
    ), "A member of the team: username, full name or email."),
    ImportField("fee_estimate", "Fee estimate", (
        "fee estimate", "estimated fee", "fee", "fees", "estimate", "cost", "estimated cost", "fees quoted",
        "copying fees",
    )),
    ImportField("fee_paid", "Fee paid", ("fee paid", "fees paid", "paid", "amount paid", "payment")),
    ImportField("fee_waiver_requested", "Fee waiver asked", (
        "fee waiver", "waiver", "fee waiver requested", "waiver requested", "fee waiver asked",
    ), "yes / no"),
]  # fmt: skip
FIELDS_BY_KEY = {f.key: f for f in FIELDS}
REQUIRED = ("agency",)
DATE_FIELDS = {"sent_date", "received_date", "status_date", "due_date"}

Mapping = dict[str, "int | None"]


def normalize_header(text: str) -> str:
    # "Date Rec'd" / "Date Rec’d" → "date recd": an apostrophe joins the word, it does not split it.
    text = text.lower().replace("'", "").replace("\u2019", "").replace("#", " number ").replace("&", " and ")
    text = re.sub(r"\bno\.?(?=\s|$)", " number ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def guess_mapping(headers: list[str]) -> Mapping:
    """Each of our fields → the index of the desk's column that most likely holds it, or None.

    Exact synonyms first (in FIELDS order, so "request" means the title, not the text); then a
    synonym contained in a longer header ("Date sent (mm/dd/yyyy)"), the longest synonym first, so
    "Date Written Request Received By Agency" is the date received, not the agency. A contained synonym
    must be at least a third of the header: a header that is a whole question ("Does the request seek
    …") is not named by one word in it. A column is used once.
    """
    normalized = [normalize_header(h) for h in headers]
    mapping: Mapping = {f.key: None for f in FIELDS}
    taken: set[int] = set()
    for f in FIELDS:
        for synonym in f.synonyms:
            match = next((i for i, h in enumerate(normalized) if i not in taken and h == synonym), None)
            if match is not None:
                mapping[f.key] = match
                taken.add(match)
                break
    candidates = [
        (len(synonym), -order, -i, f.key, i)
        for order, f in enumerate(FIELDS)
        if mapping[f.key] is None
        for synonym in f.synonyms
        if len(synonym) >= 4  # "to", "re", "ref" inside a longer header would be noise
        for i, h in enumerate(normalized)
        if i not in taken
        and 3 * len(synonym) >= len(h)
        and re.search(rf"\b{synonym}\b", h)
        and (f.key in DATE_FIELDS or "date" not in h.split())  # "Agency review date" is a date, not the agency
    ]
    for *_, key, i in sorted(candidates, reverse=True):
        if mapping[key] is None and i not in taken:
            mapping[key] = i
            taken.add(i)
    return mapping
