from .agencies import Agency
from .documents import Document, Page, StoredFile
from .exemptions import PageCitation
from .notifications import DigestSent, FeedToken
from .requests import (
    OPEN_STATUSES,
    Communication,
    Event,
    RecordsRequest,
    Status,
    Tag,
    TrackingNumber,
)
from .statutes import ClosureDay, Statute
from .teams import Membership, Team, TeamScopedQuerySet, team_ids_for

__all__ = [
    "Agency", "ClosureDay", "DigestSent", "FeedToken", "Communication", "Document", "Event", "Membership", "OPEN_STATUSES",
    "Page", "PageCitation", "RecordsRequest", "Statute", "Status", "StoredFile", "Tag", "Team", "TeamScopedQuerySet",
    "TrackingNumber", "team_ids_for",
]  # fmt: skip
