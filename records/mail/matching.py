"""Which of a team's requests an incoming message belongs to.

In order, the first rule that finds anything decides: the request's reply address (token verified
for this team), In-Reply-To/References against messages already on the team's requests, a tracking
number or our reference in the subject or body, the sender's domain against the agency's. A rule
that finds more than one request makes the message ambiguous: it goes to triage with the reason.
Every lookup is within the mailbox's team, so nothing can be filed on another team's request.
"""

import re
from dataclasses import dataclass, field
from email.utils import getaddresses

from records.models import MailMessage, RecordsRequest, TrackingNumber

from .addresses import requests_addressed
from .parse import ParsedMessage

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.#:]{2,99}")
_BODY_SCAN = 20_000  # characters of the body searched for tracking numbers (they sit near the top)
_MAX_TOKENS = 3000


@dataclass
class Match:
    request: RecordsRequest | None
    rule: str = ""  # "reply address", "thread", "tracking number", "agency domain"
    reason: str = ""  # why it goes to triage, in words
    candidates: list = field(default_factory=list)


def match_message(team, team_address: str, parsed: ParsedMessage) -> Match:
    requests = RecordsRequest.objects.filter(team=team)
    rules = (
        ("reply address", lambda: _by_reply_address(team, team_address, parsed)),
        ("thread", lambda: _by_thread(team, parsed)),
        ("tracking number", lambda: _by_tracking_number(team, parsed)),
        ("agency domain", lambda: _by_sender_domain(team, parsed)),
    )
    for rule, find in rules:
        ids = set(find())
        if len(ids) == 1:
            return Match(requests.get(pk=ids.pop()), rule=rule)
        if len(ids) > 1:
            found = list(requests.filter(pk__in=ids).order_by("pk"))
            names = ", ".join(f"#{r.pk} {r.title}" for r in found[:5])
            return Match(None, rule=rule, reason=f"It matches several requests by {rule}: {names}.", candidates=found)
    return Match(None, reason="Nothing in it points to one of the team's requests (reply address, thread, tracking "
                 "number or the agency's email domain).")  # fmt: skip


def _by_reply_address(team, team_address: str, parsed: ParsedMessage) -> set[int]:
    headers = [parsed.get(name) for name in ("to", "cc", "delivered-to", "x-original-to")]
    ids = requests_addressed(headers, team.pk, team_address)
    return set(RecordsRequest.objects.filter(team=team, pk__in=ids).values_list("pk", flat=True))


def _by_thread(team, parsed: ParsedMessage) -> set[int]:
    ids = parsed.thread_ids
    if not ids:
        return set()
    known = MailMessage.objects.filter(team=team, message_id__in=ids, request__isnull=False)
    return set(known.values_list("request_id", flat=True))


def _by_tracking_number(team, parsed: ParsedMessage) -> set[int]:
    text = f"{parsed.get('subject')}\n{parsed.body[:_BODY_SCAN]}"
    tokens = set()
    for raw in _TOKEN.findall(text):
        token = raw.rstrip(".:/#-_")
        tokens.update((token, token.upper()))
        if len(tokens) > _MAX_TOKENS:
            break
    if not tokens:
        return set()
    by_number = TrackingNumber.objects.filter(request__team=team, number__in=tokens).values_list(
        "request_id", flat=True
    )
    by_reference = RecordsRequest.objects.filter(team=team, reference__in=tokens).values_list("pk", flat=True)
    return set(by_number) | set(by_reference)


def _by_sender_domain(team, parsed: ParsedMessage) -> set[int]:
    addresses = [address for _, address in getaddresses([parsed.get("from")]) if "@" in address]
    if not addresses:
        return set()
    domain = addresses[0].rsplit("@", 1)[1].lower()
    open_requests = RecordsRequest.objects.filter(team=team).open()
    return set(open_requests.filter(agency__email__iendswith="@" + domain).values_list("pk", flat=True))
