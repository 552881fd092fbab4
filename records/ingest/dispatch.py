"""Fair turns between teams: which waiting documents go to the queues next.

Documents wait in the database (state queued, or ocr and unclaimed), not as
messages in the broker. For each step at most limits.dispatch_ahead documents
are sent and not yet claimed; which ones is decided by dispatch_order(): the
team with the fewest documents in progress goes first, then the next, in turn.
A team that uploads an email with 3,000 attachments gets its turns like every
other team, instead of standing 3,000 messages deep in front of the next team's
single upload. The order lives in the database, so it is the same on the
embedded filesystem broker and on Redis (no broker priorities needed).

Sending is the caller's part (records.tasks.dispatch_documents): take_turns()
marks the documents as dispatched, and the caller sends one message each once
its transaction commits. A worker's claim clears the mark (pipeline._claim).
"""

from collections import deque
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from records.models import Document, Page

from .limits import Limits, current_limits
from .pipeline import OCR, WAITING_STATE, WORKING_STATE


def dispatch_order(waiting: dict[int, list[int]], busy: dict[int, int], slots: int) -> list[int]:
    """The documents to send next, at most `slots`: each turn goes to the team with the fewest in progress.

    waiting: each team's waiting document ids, oldest first; busy: how many documents each team
    already has in progress. Ties go to the team whose next document has waited longest (lowest id).
    """
    lines = {team: deque(ids) for team, ids in waiting.items() if ids}
    load = {team: busy.get(team, 0) for team in lines}
    chosen: list[int] = []
    while lines and len(chosen) < slots:
        team = min(lines, key=lambda t: (load[t], lines[t][0]))
        chosen.append(lines[team].popleft())
        load[team] += 1
        if not lines[team]:
            del lines[team]
    return chosen


def waiting_for(step: str):
    """Documents ready for `step` that nobody has been sent or has claimed.

    OCR goes by chunks: a document some workers are reading is ready again while it has pages
    nobody holds, and not once every page left is held (see pipeline._claim_chunk).
    """
    waiting = Document.objects.filter(state=WAITING_STATE[step], dispatched_at__isnull=True, heartbeat_at__isnull=True)
    if step == OCR:
        waiting = waiting.exclude(Exists(_ocr_pages(held=True)) & ~Exists(_ocr_pages(held=False)))
    return waiting


def in_progress_for(step: str):
    """Documents sent for `step` and not yet claimed, or claimed and being worked on (OCR: some pages held)."""
    sent = Q(state=WAITING_STATE[step], dispatched_at__isnull=False)
    working = Q(state=WORKING_STATE[step], heartbeat_at__isnull=False)
    if step == OCR:
        working |= Q(state=WORKING_STATE[step]) & Exists(_ocr_pages(held=True))
    return Document.objects.filter(sent | working)


def _ocr_pages(*, held: bool):
    return Page.objects.filter(document=OuterRef("pk"), needs_ocr=True, ocr_claimed_at__isnull=not held)


def take_turns(step: str, *, limits: Limits | None = None, now=None) -> list[int]:
    """Mark the documents whose turn it is for `step` as dispatched; return their ids, in order.

    The caller sends one message for each, on commit. Free slots are dispatch_ahead minus the
    documents already sent and not yet claimed for this step.
    """
    limits = limits or current_limits()
    unclaimed = Document.objects.filter(
        state=WAITING_STATE[step], dispatched_at__isnull=False, heartbeat_at__isnull=True
    ).count()
    slots = limits.dispatch_ahead - unclaimed
    if slots <= 0:
        return []
    waiting = waiting_for(step)
    teams = waiting.order_by().values_list("request__team_id", flat=True).distinct()
    waiting_by_team = {
        team: list(waiting.filter(request__team_id=team).order_by("pk").values_list("pk", flat=True)[:slots])
        for team in teams
    }
    busy = dict(
        in_progress_for(step)
        .filter(request__team_id__in=list(waiting_by_team))
        .order_by()
        .values("request__team_id")
        .annotate(count=Count("pk"))
        .values_list("request__team_id", "count")
    )
    now = now or timezone.now()
    taken = []
    for document_id in dispatch_order(waiting_by_team, busy, slots):
        # Conditional on still waiting: two dispatchers never both send the same document.
        if waiting.filter(pk=document_id).update(dispatched_at=now):
            taken.append(document_id)
    return taken


def forget_lost_dispatches(*, older_than: timedelta, now=None) -> int:
    """Documents sent this long ago and never claimed wait for a turn again; return how many.

    Their message is presumed lost (a worker died holding it; the filesystem broker does not
    redeliver). Sending again is safe: a worker's claim is conditional, so a late duplicate
    message finds nothing to claim and does nothing.
    """
    cutoff = (now or timezone.now()) - older_than
    return Document.objects.filter(
        state__in=list(WAITING_STATE.values()), heartbeat_at__isnull=True, dispatched_at__lte=cutoff
    ).update(dispatched_at=None)
