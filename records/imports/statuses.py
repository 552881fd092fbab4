"""The desk's status words → the events that leave a request in that status (status is derived, never typed)."""

from __future__ import annotations

import re

from ..models import Event

Kind = Event.Kind
Outcome = Event.Outcome


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "


def _has(text: str, *phrases: str) -> bool:
    return any(f" {p} " in text for p in phrases)


def _outcome(text: str) -> str | None:
    if _has(text, "no records", "no responsive", "no responsive records", "no documents", "none found",
            "no record", "records not found", "not found", "nonexistent"):  # fmt: skip
        return Outcome.NO_RECORDS
    if _has(text, "partial", "partially", "partly", "in part"):
        return Outcome.PARTLY_GRANTED
    if _has(text, "denied", "denial", "rejected", "refused", "withheld", "exempt"):
        return Outcome.DENIED
    if _has(text, "granted", "fulfilled", "complete", "completed", "released", "produced", "provided",
            "full release", "records received", "done", "satisfied"):  # fmt: skip
        return Outcome.GRANTED
    return None


DRAFT = "draft"


def status_events(text: str) -> list[tuple[str, str]] | str:
    """The events that leave a request in the status the desk wrote, as (kind, outcome).

    "Closed - denied" → a final response, denied; "Denied, appealed" → that, then an appeal;
    "Appeal granted" → an appeal filed and decided. Returns DRAFT for a request never sent, and
    raises ValueError for words we cannot read (a row error, never a guess).
    """
    t = _words(text)
    if not t.strip():
        return []
    if _has(t, "draft", "not sent", "unsent", "to send", "not filed", "not yet sent"):
        return DRAFT
    if _has(t, "withdrawn", "withdrew", "cancelled", "canceled", "abandoned"):
        return [(Kind.WITHDRAWN, "")]
    for keywords, kind in ((("lawsuit", "litigation", "sued", "suit", "court"), Kind.LAWSUIT_FILED),
                           (("appeal", "appealed", "appealing", "appeals"), Kind.APPEAL_FILED)):  # fmt: skip
        positions = [t.find(f" {k} ") for k in keywords if f" {k} " in t]
        if not positions:
            continue
        pos = min(positions)
        before, after = t[: pos + 1], t[pos:]
        events = []
        if (first := _outcome(before)) is not None:
            events.append((Kind.FINAL_RESPONSE, first))
        events.append((kind, ""))
        if kind == Kind.APPEAL_FILED:
            decided = _outcome(after)
            if decided is not None:
                events.append((Kind.APPEAL_DECIDED, decided))
            elif _has(after, "decided", "decision"):
                raise ValueError(f"status “{text.strip()}”: say how the appeal was decided (granted, denied, …)")
        return events
    if _has(t, "interim", "rolling", "partial release", "partial production", "installment", "first release"):
        return [(Kind.INTERIM_RELEASE, "")]
    if (outcome := _outcome(t)) is not None:
        return [(Kind.FINAL_RESPONSE, outcome)]
    if _has(t, "closed", "close"):
        return [(Kind.CLOSED, "")]
    if _has(t, "fee paid", "paid"):
        return [(Kind.FEE_PAID, "")]
    if _has(t, "fee", "fees", "payment", "invoice", "estimate"):
        return [(Kind.FEE_ESTIMATE, "")]
    if _has(t, "clarification", "clarify", "more information", "more info", "needs info", "awaiting requester",
            "waiting on us", "question"):  # fmt: skip
        return [(Kind.CLARIFICATION_ASKED, "")]
    if _has(t, "extension", "extended"):
        return [(Kind.EXTENSION, "")]
    if _has(t, "acknowledged", "ack", "acknowledgement", "acknowledgment", "received", "in progress", "processing",
            "under review", "assigned", "being processed", "in process", "working"):  # fmt: skip
        return [(Kind.ACKNOWLEDGED, "")]
    if _has(t, "pending", "open", "submitted", "sent", "filed", "awaiting", "waiting", "new", "outstanding",
            "no response", "overdue", "late", "active"):  # fmt: skip
        return []
    raise ValueError(
        f"status “{text.strip()}” is not one we can read (e.g. pending, acknowledged, closed - denied, appealed)"
    )
