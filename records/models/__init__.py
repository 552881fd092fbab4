from .agencies import Agency
from .campaigns import AgencyMerge, Campaign, CampaignDraft
from .diff import PageComparison, PageFingerprint, ReleaseDiff
from .documents import Document, Page, Sheet, StoredFile
from .exemptions import PageCitation
from .letters import LetterKind, LetterTemplate
from .mail import Mailbox, MailMessage
from .notifications import DigestSent, FeedToken
from .proposals import LetterReading, Proposal
from .requests import (
    OPEN_STATUSES,
    Communication,
    Event,
    RecordsRequest,
    Status,
    Tag,
    TrackingNumber,
)
from .review import BUILTIN_TAGS, BatesCounter, Binder, BinderPage, PageMark, PageNote, ReviewTag
from .search_engine import SearchOutbox
from .searches import SavedSearch
from .statutes import ClosureDay, Statute
from .teams import Invitation, Membership, Team, TeamScopedQuerySet, Unassignment, team_ids_for

__all__ = [
    "Agency", "AgencyMerge", "Campaign", "CampaignDraft", "ClosureDay", "Invitation", "Unassignment", "DigestSent", "FeedToken", "Communication",
    "Document", "Event", "Membership", "OPEN_STATUSES", "LetterKind", "LetterTemplate", "Page", "PageCitation", "RecordsRequest", "Sheet",
    "Statute", "Status", "StoredFile", "Tag", "Team", "TeamScopedQuerySet",
    "TrackingNumber", "team_ids_for", "SavedSearch", "SearchOutbox",
    "Mailbox", "MailMessage",
    "BUILTIN_TAGS", "BatesCounter", "Binder", "BinderPage", "PageMark", "PageNote", "ReviewTag",
    "PageComparison", "PageFingerprint", "ReleaseDiff",
    "LetterReading", "Proposal",
]  # fmt: skip
