"""Read one agency letter or message and propose the timeline events it implies.

Pure: text in, `Reading` out. Each proposal quotes the sentence it rests on; what could not be read
(a date in words, a template placeholder, OCR noise, no text at all) is listed in `unread` rather
than guessed. Nothing here touches the timeline: records/proposals.py stores proposals and a user
confirms them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from records import deadlines
from records.review.exemptions import EXEMPTION, find_citations

from . import patterns as P
from .dates import find_dates, within_days
from .statute_check import statute_note
from .text import Message, Sentence, before_closing, noise_share, sentences, split_messages, tidy

NOTHING_FOUND = "No event was recognised in this text."
NOISY_SHARE = 0.3  # above this share of noisy lines, say the proposals may be incomplete
# How citations are written in a proposal, by statute code (records/review/exemptions normalises the code).
_CITATION_PREFIX = {"CPRA": "Gov. Code ", "TX-PIA": "Gov. Code ", "IL-FOIA": "5 ILCS 140/", "FOIA": "5 U.S.C. 552"}


@dataclass
class ProposedEvent:
    kind: str  # a records.models.Event.Kind value
    evidence: str  # the sentence it rests on, whitespace tidied
    date: date | None = None  # the day of the event: the letter's (or message's) date
    outcome: str = ""  # final_response: granted / partly_granted / denied / no_records
    promised_date: date | None = None  # extension (or acknowledgment): the date the agency promises
    amount: Decimal | None = None  # fee estimate / fee paid
    tracking_number: str = ""
    citations: list[str] = field(default_factory=list)  # sections (extension) or exemptions cited
    statute_note: str = ""

    @property
    def shown_date(self) -> date | None:
        """The date a reader looks for: the promised date of an extension, else the event's."""
        return self.promised_date or self.date

    def to_dict(self) -> dict:
        data = asdict(self)
        for name in ("date", "promised_date"):
            data[name] = data[name].isoformat() if data[name] else None
        data["amount"] = str(self.amount) if self.amount is not None else None
        data["event_date"] = data.pop("date")
        data["date"] = self.shown_date.isoformat() if self.shown_date else None
        data["tracking_number"] = self.tracking_number or None
        return data


@dataclass
class Reading:
    proposals: list[ProposedEvent]
    unread: list[str]
    letter_date: date | None = None


def read_letter(
    text: str,
    *,
    letter_date: date | None = None,
    statute: str = "",
    received: date | None = None,
    rule: deadlines.Rule | None = None,
    closures: tuple[tuple[date, str], ...] = (),
    scanned: bool = False,
    sent: date | None = None,
) -> Reading:
    """Propose events from a letter's text.

    letter_date: the message's date where the text has no dateline of its own. statute: the request's
    statute code (helps read bare citations; picks the rule for the date check unless `rule` is given).
    received: when the agency received the request (else read from the letter where it says so).
    rule, closures: the request's statute rule and closure days, for the check of a promised date.
    scanned: the text is empty because the pages wait for OCR.
    sent: when the request went out: a quoted message older than that answered something else.
    """
    if not text.strip():
        why = "No text: the pages are scanned and have no OCR text yet." if scanned else "No text to read."
        return Reading([], [why], letter_date)
    if rule is None and statute.upper() in deadlines.DEFAULT_RULES:
        rule = deadlines.default_rule(statute)
    unread: list[str] = []
    noise = noise_share(text)
    if noise >= NOISY_SHARE:
        unread.append(f"The text looks like OCR noise on {round(noise * 100)}% of lines: some events may be missed.")
    messages = split_messages(text, letter_date)
    received = received or _received_date(tidy(text))
    proposals: list[ProposedEvent] = []
    for message in messages:
        if message.quoted and sent and message.date and message.date < sent:
            unread.append(f"A quoted message of {message.date} is older than this request; it was not read.")
            continue
        proposals += _read_message(message, statute, (rule, closures), received, unread)
    if messages and messages[0].date is None:
        unread.append("The letter's date was not found: enter the date of each event when confirming.")
    if not proposals:
        unread.append(NOTHING_FOUND)
    return Reading(proposals, _unique(unread), messages[0].date if messages else letter_date)


def _read_message(message: Message, statute: str, law, received: date | None, unread: list[str]) -> list[ProposedEvent]:
    rule, closures = law
    body = before_closing(message.text)
    sents = sentences(body)
    flat = tidy(body)
    citations = find_citations(flat, hint=statute)
    exemptions = _labels([c for c in citations if c.kind == EXEMPTION])
    tracking = _tracking_number(message.text, unread)
    found: list[ProposedEvent] = []

    def propose(kind: str, sentence: Sentence, **fields) -> ProposedEvent:
        event = ProposedEvent(kind, sentence.text, message.date, tracking_number=tracking, **fields)
        found.append(event)
        return event

    releases = [s for s in sents if P.RELEASE.search(s.text) and not P.HEDGES.search(s.text)]
    denials = [s for s in sents if P.DENIAL.search(s.text)]
    nothing = [s for s in sents if P.NO_RECORDS.search(s.text)]
    withheld = (
        any(P.WITHHELD.search(P.NOT_WITHHELD.sub("", s.text)) for s in sents) or bool(exemptions) or bool(denials)
    )
    if releases:
        interim = any(P.INTERIM.search(s.text) for s in sents)
        if interim:
            propose("interim_release", releases[0], citations=exemptions)
        else:
            outcome = "partly_granted" if withheld else "granted"
            propose("final_response", releases[0], outcome=outcome, citations=exemptions)
    elif denials:
        propose("final_response", denials[0], outcome="denied", citations=exemptions)
    elif nothing:
        propose("final_response", nothing[0], outcome="no_records")

    for index, sentence in enumerate(sents):
        if P.EXTENSION.search(sentence.text) and not P.HEDGES.search(sentence.text):
            _propose_extension(propose, sents, index, message.date, citations, law, received, unread)
            break
    for sentence in sents:
        if P.FEE_PAID.search(sentence.text):
            propose("fee_paid", sentence, amount=_amount(sentence.text, "payment", unread))
            break
    for sentence in sents:
        text = sentence.text
        signal = P.FEE_ESTIMATE.search(text) and not P.HEDGES.search(text) and not P.FEE_PAST.search(text)
        if signal and (P.AMOUNT.search(text) or P.PLACEHOLDER.search(text)):
            propose("fee_estimate", sentence, amount=_amount(text, "fee estimate", unread))
            break
    for sentence in sents:
        if P.CLARIFICATION.search(sentence.text) and not P.CLARIFICATION_HEDGES.search(sentence.text):
            propose("clarification_asked", sentence)
            break
    if not any(p.kind in ("final_response", "interim_release") for p in found):
        for index, sentence in enumerate(sents):
            if P.ACKNOWLEDGED.search(sentence.text) and not P.FEE_PAID.search(sentence.text):
                promised = _promised_date(sents[index : index + 5], message.date, rule, unread)
                propose("acknowledged", sentence, promised_date=promised)
                break
    return found


def _propose_extension(propose, sents, index, on: date | None, citations, law, received, unread) -> None:
    rule, closures = law
    window = sents[max(0, index - 5) : index + 4]  # the section is often cited a few sentences before
    span_start, span_end = window[0].start, window[-1].end
    sections = _labels([c for c in citations if c.kind != EXEMPTION and span_start - 200 <= c.start <= span_end + 200])
    text = " ".join(s.text for s in window)
    for pattern, label in P.EXTENSION_SECTIONS:
        for m in pattern.finditer(text):
            sections.append(label.format(text=tidy(m.group(0)).replace(" ", ""), **m.groupdict()))
    # "On November 10, 2015, CPD sought a … extension": an earlier extension the letter reports, on its own date.
    reported = [f.day for f in find_dates(sents[index].text[: P.EXTENSION.search(sents[index].text).start()])]
    if reported and (on is None or reported[0] < on):
        on = reported[0]
    promised = _promised_date(sents[index : index + 4], on, rule, unread)
    length = P.PLACEHOLDER.search(sents[index].text)
    if length:
        unread.append(
            f"The length of the extension was not understood: “{length.group(0)}” (a template not filled in?)."
        )
    note = statute_note(rule, promised, received, closures=closures)
    event = propose("extension", sents[index], promised_date=promised, citations=_unique(sections), statute_note=note)
    event.date = on


def _promised_date(window: list[Sentence], on: date | None, rule, unread: list[str]) -> date | None:
    """The date the agency says it will answer by, from the sentences after the signal."""
    for sentence in window:
        if not P.PROMISE.search(sentence.text):
            continue
        ahead = [f.day for f in find_dates(sentence.text) if on is None or f.day > on]
        if ahead:
            return max(ahead)
        is_open = None
        if rule is not None:
            from records.holiday_calendars import get_calendar

            is_open = get_calendar(rule.calendar).is_open
        within = within_days(sentence.text, on, is_open)
        if within is not None:
            day, phrase = within
            if day is None:
                unread.append(f"“{phrase}” could not be turned into a date: the letter's date is not known.")
            return day
        vague = P.VAGUE_DATE.search(sentence.text)
        if vague:
            unread.append(f"A date-like phrase “{vague.group('phrase')}” was not understood; no date was guessed.")
            return None
    return None


def _received_date(flat: str) -> date | None:
    """Where the letter says when the request was received: "received … on November 4, 2022"."""
    import re

    for m in re.finditer(r"\breceived\b", flat, re.I):
        found = find_dates(flat[m.end() : m.end() + 110])
        if found and not re.search(r"[.;]\s", flat[m.end() : m.end() + found[0].start]):
            return found[0].day
    return None


def _tracking_number(text: str, unread: list[str]) -> str:
    position = 0
    while (m := P.TRACKING.search(text, position)) is not None:
        position = m.start() + 1  # "Re: Request No. 12": after "Re:" finds a word, look again from the next one
        number = m.group("number").rstrip(".")
        if P.PLACEHOLDER.search(number):
            unread.append(f"The tracking number “{number}” is a template placeholder, not a number.")
            continue
        if any(ch.isdigit() for ch in number) and "@" not in number:
            return number
    return ""


def _amount(text: str, what: str, unread: list[str]) -> Decimal | None:
    m = P.AMOUNT.search(text)
    if m:
        return Decimal(m.group("amount").replace(",", ""))
    placeholder = P.PLACEHOLDER.search(text)
    shown = f"“{placeholder.group(0)}”" if placeholder else "no amount in figures"
    unread.append(f"The amount of the {what} was not understood ({shown}).")
    return None


def _labels(citations) -> list[str]:
    labels = []
    for c in citations:
        prefix = _CITATION_PREFIX.get(c.statute)
        labels.append(prefix + c.code if prefix else c.text)
    return _unique(labels)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
