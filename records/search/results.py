"""What a search returns: hits of three kinds, one page of them at a time."""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from .query import Query


@dataclass(frozen=True)
class Hit:
    kind: str  # "page" | "request" | "communication"
    request_id: int
    snippet: SafeString  # escaped text with the matches in <mark>…</mark>
    score: float  # higher is better; comparable within one search, not across searches
    # Page hits:
    page_id: int | None = None
    document_id: int | None = None
    filename: str = ""
    page: int | None = None  # page number within the document
    ocr: bool = False
    sheet: str = ""  # a spreadsheet row's sheet name (the page is then one row)
    row: int | None = None  # that row's number as the spreadsheet shows it
    # Request and communication hits:
    communication_id: int | None = None
    title: str = ""  # the request's title or the communication's subject

    def as_json(self) -> dict:
        """The `search --json` shape (DESIGN.md)."""
        return {
            "document_id": self.document_id,
            "request_id": self.request_id,
            "filename": self.filename,
            "page": self.page,
            "snippet": str(self.snippet),
            **({"sheet": self.sheet, "row": self.row} if self.sheet else {}),
        }


@dataclass(frozen=True)
class SearchResults:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    offset: int = 0
    limit: int = 20
    has_next: bool = False
    # How many matches were ranked (at most `cap` per kind of hit). When `matched_capped` is
    # true there were more: say "more than {matched}", never a total we didn't count.
    matched: int = 0
    matched_capped: bool = False
    cap: int = 0

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0
