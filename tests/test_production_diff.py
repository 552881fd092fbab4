"""The production diff (issue 14): a constructed re-release with known duplicates, changed redactions and new pages."""

import random

import pytest

from records.models import Document, Page, PageComparison, PageFingerprint, ReleaseDiff, StoredFile
from records.review.diff import compute_release_diff, releases_to_compare, word_diff
from records.review.fingerprints import normal_words, record_fingerprints, text_hash
from tests import factories

Kind = PageComparison.Kind
_rng = random.Random(14)
VOCABULARY = ["".join(_rng.choice("abcdefghijklmnoprstuvwy") for _ in range(_rng.randint(3, 9))) for _ in range(3000)]


def prose(seed: int, words: int = 80) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(words))


def make_release(records_request, name, pages, boxed=()):
    """A done document with these page texts, fingerprinted as the pipeline does."""
    stored, _ = StoredFile.objects.get_or_create(sha256=name.ljust(64, "0")[:64], defaults={"size": 1, "path": name})
    document = Document.objects.create(
        request=records_request, stored_file=stored, original_name=name, size=1, state=Document.State.DONE,
        page_count=len(pages),
    )  # fmt: skip
    rows = Page.objects.bulk_create(
        Page(document=document, number=n, text=text, text_under_box=n in boxed) for n, text in enumerate(pages, 1)
    )
    record_fingerprints([p.pk for p in rows])
    return document


FIRST = {n: prose(n) for n in range(1, 7)}
NAME_SENTENCE = "The informant John Smith met the detective at the station on Tuesday."
FIRST[3] = FIRST[3] + " " + NAME_SENTENCE
FIRST[4] = FIRST[4] + " Interview conducted by (b)(6) at headquarters."
FIRST[5] = FIRST[5] + " The budget line for covert surveillance equipment was approved."


def ocr_noise(text: str) -> str:
    """What a second scan and OCR do: case, spacing, a misread letter here and there, stray punctuation."""
    words = text.split()
    words[2] = words[2].upper()
    words[5] = words[5].replace("l", "1").replace("o", "0") + ","
    words[9] = words[9][:-1] + ("x" if words[9][-1] != "x" else "y")  # one letter misread
    words[20] = words[20] + " ."
    return "\n".join(" ".join(words[i : i + 7]) for i in range(0, len(words), 7))


SECOND = [
    "  " + FIRST[1].upper().replace(" ", "   ") + "  ",  # 1: same words, other case and spacing
    ocr_noise(FIRST[2]),  # 2: near duplicate, OCR noise only
    FIRST[3].replace("John Smith", "[REDACTED]"),  # 3: newly hidden: John Smith
    FIRST[4].replace("(b)(6)", "Detective Mary Jones"),  # 4: newly revealed: Detective Mary Jones
    FIRST[5].replace(" for covert surveillance equipment", ""),  # 5: words removed, no marker
    prose(100),  # 6: new
    prose(101),  # 7: new
]


@pytest.fixture
def releases(team):
    records_request = factories.make_request(team, code="FOIA", title="Stingray records")
    first = make_release(records_request, "release-1.pdf", list(FIRST.values()))
    second = make_release(records_request, "release-2.pdf", SECOND)
    return records_request, first, second


def kinds(diff):
    return {c.page.number: c for c in diff.comparisons.select_related("page", "earlier")}


def test_summary_counts_and_each_page_are_exactly_right(releases):
    _, first, second = releases
    diff = compute_release_diff(second.pk)
    assert (diff.state, diff.pages, diff.already_released, diff.changed, diff.new) == ("done", 7, 2, 3, 2)
    assert diff.earlier_pages == 6
    pages = kinds(diff)
    assert {n: c.kind for n, c in pages.items()} == {
        1: Kind.SAME, 2: Kind.NEAR, 3: Kind.CHANGED, 4: Kind.CHANGED, 5: Kind.CHANGED, 6: Kind.NEW, 7: Kind.NEW,
    }  # fmt: skip
    earlier = {c.page.number: (c.earlier.document_id, c.earlier.number) for c in pages.values() if c.earlier}
    assert earlier == {n: (first.pk, n) for n in range(1, 6)}
    assert pages[1].matched_by == "text" and pages[2].matched_by == "words"


def test_the_word_diff_names_what_is_newly_hidden_and_revealed(releases):
    _, _, second = releases
    pages = kinds(compute_release_diff(second.pk))
    assert (pages[3].hidden, pages[3].revealed) == (["John", "Smith"], [])
    assert (pages[4].hidden, pages[4].revealed) == ([], ["Detective", "Mary", "Jones"])
    assert (pages[5].hidden, pages[5].revealed) == (["for", "covert", "surveillance", "equipment"], [])
    assert (pages[2].hidden, pages[2].revealed) == ([], [])  # OCR noise is neither


def test_the_first_release_is_all_new_and_recomputing_is_idempotent(releases):
    _, first, second = releases
    diff = compute_release_diff(first.pk)
    assert (diff.pages, diff.already_released, diff.changed, diff.new, diff.earlier_pages) == (6, 0, 0, 6, 0)
    compute_release_diff(second.pk)
    again = compute_release_diff(second.pk)
    assert ReleaseDiff.objects.filter(document=second).count() == 1
    assert again.comparisons.count() == 7 and (again.already_released, again.changed, again.new) == (2, 3, 2)


def test_a_box_drawn_over_text_that_is_still_there_is_a_changed_redaction(team):
    records_request = factories.make_request(team, code="FOIA")
    make_release(records_request, "a.pdf", [prose(7)])
    second = make_release(records_request, "b.pdf", [prose(7)], boxed=(1,))
    (comparison,) = compute_release_diff(second.pk).comparisons.all()
    assert comparison.kind == Kind.CHANGED and "box now covers" in comparison.note


def test_normalisation_forgives_case_spacing_and_ocr_confusions():
    clean = normal_words("The Office of the Illinois Attorney General, Room 100")
    noisy = normal_words("the 0ffice  of tbe\nIllinois Attorney Genera1 ; Roorn l00")
    assert text_hash(clean) == text_hash(normal_words("THE OFFICE OF THE ILLINOIS ATTORNEY GENERAL ROOM 100"))
    assert text_hash(normal_words("the 0ffice of the Illinois Attorney Genera1, Roorn l00")) == text_hash(clean)
    assert text_hash(noisy) != text_hash(clean)  # "tbe" is a different word: a near duplicate, not the same text
    assert text_hash(["too", "few"]) == ""


def test_word_diff_segments_keep_the_words_as_written():
    result = word_diff("Paid to Acme Corp on May 3 by check.", "Paid to [REDACTED] on May 3 by check.")
    assert ("hidden", "Acme Corp") in result.segments and ("revealed", "[REDACTED]") in result.segments
    assert result.hidden == ["Acme", "Corp"] and result.revealed == [] and result.redactions_changed


def test_a_done_document_queues_itself_and_later_compared_releases(releases):
    _, first, second = releases
    compute_release_diff(second.pk)
    queued = releases_to_compare(first)  # e.g. the first finished OCR after the second was compared
    assert sorted(queued) == sorted([(first.pk, "request"), (second.pk, "request")])
    assert ReleaseDiff.objects.get(document=second).state == ReleaseDiff.State.COMPUTING


def test_pages_written_before_fingerprints_existed_are_fingerprinted_when_compared(releases):
    _, first, second = releases
    PageFingerprint.objects.all().delete()
    diff = compute_release_diff(second.pk)
    assert (diff.already_released, diff.changed, diff.new) == (2, 3, 2)


def test_extraction_writes_fingerprints_and_the_task_compares_when_done(
    team, broker, django_capture_on_commit_callbacks, monkeypatch, shared_dir
):
    from records import tasks
    from tests.test_ingest_support import corpus_file

    path = corpus_file("real", "1505_CCSAO_FOIA121515.pdf")
    records_request = factories.make_request(team)
    compared = []
    with django_capture_on_commit_callbacks(execute=True):
        document, _ = tasks.submit_document(records_request, name=path.name, data_or_fileobj=path.read_bytes())
    monkeypatch.setattr(tasks.compare_release_task, "delay", lambda *args: compared.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.extract_document_task(document.pk)
    document.refresh_from_db()
    assert document.state == "done" and document.page_count
    fingerprints = PageFingerprint.objects.filter(page__document=document)
    assert fingerprints.count() == document.page_count and all(f.text_hash for f in fingerprints)
    assert compared == [(document.pk, "request")]
    assert ReleaseDiff.objects.get(document=document).state == ReleaseDiff.State.COMPUTING
    tasks.compare_release_task(document.pk, "request")
    assert ReleaseDiff.objects.get(document=document).new == document.page_count
