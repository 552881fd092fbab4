"""The ranking engine: a tantivy index of released pages, beside the database, on both backends.

The database stays the index of record (the SQL full-text index counts, lists by date and
exports); this index exists to rank *every* match fast (BM25, best first, ties by page id).
It holds no data of its own: `rebuild()` re-derives it from the pages, and the outbox
(records/search/outbox.py) keeps it in step as the workers write pages.

One directory (settings.SEARCH_ENGINE_DIR), one writer at a time (tantivy's lock file: the
`search` queue's single worker, or `rebuild_search_index`), any number of readers: each search
reloads the reader first, so every web server sharing the directory sees a commit at once.
"""

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import tantivy
from django.conf import settings
from django.utils import timezone

# Words so common that a phrase made only of them ("of the") would walk millions of positions:
# adjacent pairs of them are also indexed as one token ("of_the") in the `pairs` field.
STOP_WORDS = frozenset(
    str.split(
        "a an and are as at be been but by can could did do does for from had has have he her his i if in into is "
        "it its may no not of on or our she so such that the their them then there these they this those to was we "
        "were what when which who will with would you your all any each more most other some than us"
    )
)
MAX_TOKEN = 40  # longer "words" (OCR noise, base64) are not indexed: remove_long(MAX_TOKEN)
WRITER_HEAP = 128_000_000
FIELDS_U64 = ("page_id", "document_id", "request_id", "team_id", "released_day", "ocr")
_lock = threading.Lock()
_indexes: dict[str, tantivy.Index] = {}


class EngineUnavailable(RuntimeError):
    """The engine can't answer (no index yet, or another process holds its writer)."""


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in FIELDS_U64:  # ids and filters: indexed for must clauses, fast for reading hits back
        builder.add_unsigned_field(name, stored=name == "page_id", indexed=True, fast=True)
    builder.add_text_field("type", tokenizer_name="raw", index_option="basic")
    _add_words(builder)
    return builder.build()


def _add_words(builder: tantivy.SchemaBuilder) -> None:
    """The searchable text as both indexes hold it (engine_query builds its queries on these names)."""
    builder.add_text_field("text", tokenizer_name="records_stem", index_option="position")
    builder.add_text_field("exact", tokenizer_name="records_exact", index_option="position")
    builder.add_text_field("pairs", tokenizer_name="whitespace", index_option="freq")


def letters_schema() -> tantivy.Schema:
    """The second index: requests (title, text sent) and communications (subject, body), one
    document each (records/search/letters.py). `key` (id and kind) is the order of ties."""
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("key", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("request_id", indexed=True, fast=True)
    _add_words(builder)
    builder.add_text_field("title", tokenizer_name="records_stem", index_option="freq")  # counts twice
    return builder.build()


SCHEMA = schema()
PAGES, LETTERS = "pages", "letters"
SCHEMAS = {PAGES: SCHEMA, LETTERS: letters_schema()}


def _analyzer(stem: bool) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("english"))
    return builder.build()


STEM = _analyzer(stem=True)
EXACT = _analyzer(stem=False)


def directory(kind: str = PAGES) -> Path:
    """The pages' index is settings.SEARCH_ENGINE_DIR; the letters' index a folder inside it
    (tantivy only ever touches the files it lists, and the folder moves and mounts with it)."""
    base = Path(settings.SEARCH_ENGINE_DIR)
    return base if kind == PAGES else base / kind


def open_index(create: bool = True, kind: str = PAGES) -> tantivy.Index:
    """The `kind` index in settings.SEARCH_ENGINE_DIR (created there if missing), one object per process."""
    path = str(directory(kind))
    with _lock:
        index = _indexes.get(path)
        if index is None:
            if not create and not tantivy.Index.exists(path):
                raise EngineUnavailable("The search index has not been built yet.")
            Path(path).mkdir(parents=True, exist_ok=True)
            try:
                index = tantivy.Index(SCHEMAS[kind], path=path, reuse=True)
            except ValueError as error:  # another schema (an older release), or damaged files
                raise EngineUnavailable(f"The search index can't be opened ({error}).") from error
            index.register_tokenizer("records_stem", STEM)
            index.register_tokenizer("records_exact", EXACT)
            _indexes[path] = index
        return index


def forget_index() -> None:
    """Drop the cached index objects (tests point SEARCH_ENGINE_DIR elsewhere; rebuild wipes it)."""
    with _lock:
        _indexes.clear()


def clear_directory(kind: str = PAGES) -> None:
    """Remove the index's files (a rebuild over an index this release can't open)."""
    forget_index()
    for path in directory(kind).glob("*"):
        if path.is_file():
            path.unlink()


def searcher(kind: str = PAGES) -> tantivy.Searcher:
    """A reader as of the last commit by any process (reload: a second web server sees it now)."""
    index = open_index(kind=kind)
    index.reload()
    return index.searcher()


def searcher_and_generation(kind: str = PAGES) -> tuple[tantivy.Searcher, tuple | None]:
    """searcher(), and a key that is the same only while no commit has happened since (the index's
    meta.json, which every commit replaces), taken first: the reader is never older than the key."""
    generation = _generation(kind)
    return searcher(kind), generation


def _generation(kind: str = PAGES) -> tuple | None:
    try:
        meta = (directory(kind) / "meta.json").stat()
    except OSError:
        return None
    return (str(directory(kind)), meta.st_ino, meta.st_mtime_ns, meta.st_size)


_team_counts: dict[str, tuple[tuple, dict[int, int]]] = {}


def pages_per_team(reader: tantivy.Searcher, generation: tuple | None) -> dict[int, int] | None:
    """How many live pages each team has in the index (a fast-field pass over every page, about
    5 ms at a million, kept until the next commit); None past TEAM_BUCKETS teams."""
    cached = _team_counts.get(generation[0]) if generation else None
    if cached and cached[0] == generation:
        return cached[1]
    counts = team_counts(reader, tantivy.Query.all_query())
    if generation and counts is not None:
        _team_counts[generation[0]] = (generation, counts)
    return counts


TEAM_BUCKETS = 100_000  # teams counted at once (more: no counts, and the team clause always applies)


def team_counts(reader: tantivy.Searcher, query: tantivy.Query) -> dict[int, int] | None:
    """The pages matching `query` per team id; None when there are too many teams to count exactly."""
    found = reader.aggregate(query, {"teams": {"terms": {"field": "team_id", "size": TEAM_BUCKETS}}})["teams"]
    if found.get("sum_other_doc_count") or found.get("doc_count_error_upper_bound"):
        return None
    return {int(bucket["key"]): bucket["doc_count"] for bucket in found["buckets"]}


def writer(threads: int = 1, kind: str = PAGES, heap: int = WRITER_HEAP) -> tantivy.IndexWriter:
    """The index's one writer (tantivy's lock file keeps it one across processes); `threads`
    indexing threads (a rebuild may use more than the worker's steady trickle)."""
    index = open_index(kind=kind)
    try:
        return index.writer(heap_size=heap * threads, num_threads=threads)
    except ValueError as error:  # tantivy's LockBusy: another process is writing
        raise EngineUnavailable(f"Another process is writing the search index ({error}).") from error


@contextmanager
def committing(index_writer: tantivy.IndexWriter) -> Iterator[tantivy.IndexWriter]:
    """Commit what the block wrote, or roll it all back if anything stops it (a killed worker
    too: BaseException), so the index never holds half a batch; then let merges finish."""
    try:
        yield index_writer
        index_writer.commit()
    except BaseException:
        index_writer.rollback()
        raise
    finally:
        index_writer.wait_merging_threads()


# What a page becomes: its words (stemmed and as typed), the stop-word pairs, the filters' fields.
PAGE_FIELDS = (
    "id", "text", "ocr", "document_id", "document__request_id", "document__request__team_id",
    "document__uploaded_at", "document__detected_type",
)  # fmt: skip


def released_day(uploaded_at: datetime) -> int:
    """The release date as the search page's filter sees it (the site's time zone) as YYYYMMDD."""
    day = timezone.localtime(uploaded_at).date() if timezone.is_aware(uploaded_at) else uploaded_at.date()
    return day.year * 10_000 + day.month * 100 + day.day


def stop_pairs(text: str) -> str:
    """The adjacent stop-word pairs of `text` as tokens ("of_the in_a"), for the `pairs` field;
    words as the `exact` field splits them (tantivy's own analyzer)."""
    words = EXACT.analyze(text)
    return " ".join({f"{a}_{b}" for a, b in zip(words, words[1:], strict=False) if a in STOP_WORDS and b in STOP_WORDS})


def page_document(row: dict) -> tantivy.Document:
    text = row["text"] or ""
    document = tantivy.Document()
    for field, value in (
        ("page_id", row["id"]),
        ("document_id", row["document_id"]),
        ("request_id", row["document__request_id"]),
        ("team_id", row["document__request__team_id"]),
        ("released_day", released_day(row["document__uploaded_at"])),
        ("ocr", int(bool(row["ocr"]))),
    ):
        document.add_unsigned(field, value)
    document.add_text("type", row["document__detected_type"] or "")
    document.add_text("text", text)
    document.add_text("exact", text)
    document.add_text("pairs", stop_pairs(text))
    return document


def add_pages(index_writer: tantivy.IndexWriter, rows: Iterable[dict]) -> int:
    added = 0
    for row in rows:
        index_writer.add_document(page_document(row))
        added += 1
    return added


def delete_where(index_writer: tantivy.IndexWriter, field: str, value: int, kind: str = PAGES) -> None:
    # By query, not delete_documents_by_term: that one makes a signed term, which never
    # matches our unsigned fields (tantivy-py 0.27), and silently deletes nothing.
    index_writer.delete_documents_by_query(tantivy.Query.term_query(SCHEMAS[kind], field, value))


def page_count() -> int:
    return searcher().num_docs
