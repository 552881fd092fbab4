"""What a search returns: hits of three kinds, one page of them at a time."""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from .query import Query


@dataclass(frozen=True)
class Hit:
    kind: str  # "page" | "request" | "communication"
    request_id: int
    snippet: SafeString  # escaped text with the matches in <mark>…</mark>
    score: float | None  # higher is better, within one search; None: listed past the ranking, not ranked
    # Page hits:
    page_id: int | None = None
    document_id: int | None = None
    filename: str = ""
    page: int | None = None  # page number within the document
    ocr: bool = False
    sheet: str = ""  # a spreadsheet row's sheet name (the page is then one row)
    row: int | None = None  # that row's number as the spreadsheet shows it
    # A labelled part that is not a printed page (a DOCX's "Tracked changes and comments", numbered
    # after its last page): shown by this name instead of a page number.
    section: str = ""
    # Request and communication hits:
    communication_id: int | None = None
    title: str = ""  # the request's title or the communication's subject

    def as_json(self) -> dict:
        """The `search --json` shape (DESIGN.md), with its `kind`."""
        return {
            "kind": self.kind,
            "document_id": self.document_id,
            "request_id": self.request_id,
            "filename": self.filename,
            "page": self.page,
            "snippet": str(self.snippet),
            **({"sheet": self.sheet, "row": self.row} if self.sheet else {}),
            **({"section": self.section} if self.section else {}),
        }

    @property
    def place(self) -> str:
        """Where in the file the hit is, in words: "page 4", "sheet Log, row 12", or the section's name."""
        if self.sheet:
            return f"sheet {self.sheet}, row {self.row}"
        return self.section or f"page {self.page}"


@dataclass(frozen=True)
class SearchResults:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    offset: int = 0
    limit: int = 20
    has_next: bool = False
    # Page search: how many pages match, exact when `matched_exact`, else an estimate ("about N").
    # Request search: how many requests and communications match, exactly (all are ranked).
    matched: int = 0
    matched_capped: bool = False
    cap: int = 0
    matched_exact: bool = True
    sort: str = "relevance"
    past_ranking: bool = False  # some hits are listed past the ranked window, in release order
    next_after: int | None = None  # the keyset cursor for the next screen, where there is one

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0
