"""Search end to end through real rows, on whichever database the suite runs against."""

import hashlib
import itertools
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from records.models import Agency, Communication, Document, Membership, Page, RecordsRequest, Statute, StoredFile, Team
from records.search import QueryError, backend_for, rebuild_index, repair_index, search_pages, search_requests
from records.search.sources import PAGES

_serial = itertools.count(1)


class Factory:
    """Just enough of the domain model to put pages in front of the search engine."""

    @staticmethod
    def team(slug: str) -> Team:
        return Team.objects.create(name=slug.title(), slug=slug)

    @staticmethod
    def user(team: Team, role: str = Membership.VIEWER):
        user = get_user_model().objects.create_user(f"user{next(_serial)}", password="x")
        Membership.objects.create(user=user, team=team, role=role)
        return user

    @staticmethod
    def request(team: Team, title: str = "Emails about the budget", body: str = "") -> RecordsRequest:
        statute, _ = Statute.objects.get_or_create(
            code="TEST-FOIA", defaults={"name": "Test law", "citation": "Test Code 1", "calendar": "US-FED"}
        )
        agency, _ = Agency.objects.get_or_create(name="Department of Tests", defaults={"level": Agency.STATE})
        return RecordsRequest.objects.create(team=team, title=title, body=body, agency=agency, statute=statute)

    @staticmethod
    def document(request: RecordsRequest, name: str, *texts: str, ocr: bool = False) -> Document:
        digest = hashlib.sha256(f"{name}{next(_serial)}".encode()).hexdigest()
        stored = StoredFile.objects.create(sha256=digest, size=100, path=f"files/{digest}")
        document = Document.objects.create(
            request=request, stored_file=stored, original_name=name, size=100, page_count=len(texts)
        )
        Page.objects.bulk_create(
            Page(document=document, number=number, text=text, ocr=ocr) for number, text in enumerate(texts, 1)
        )
        return document


def hits(query: str, pages=None, **kwargs) -> list[tuple[str, int]]:
    """(filename, page number) of each hit, best first."""
    pages = Page.objects.all() if pages is None else pages
    return [(hit.filename, hit.page) for hit in search_pages(query, pages=pages, **kwargs)]


class QueryConstructsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        team = Factory.team("desk")
        request = Factory.request(team)
        Factory.document(
            request,
            "memo.pdf",
            "The chief of staff met John Smith about the contract.",  # p.1
            "Smyth wrote to the staff chief; the draft contract was rejected.",  # p.2
            "Negotiations continued. Case 2019-0042 was filed by the US Army.",  # p.3
            "Budget tables only.",  # p.4
        )

    def test_words_must_all_match(self):
        self.assertEqual(hits("chief staff"), [("memo.pdf", 1), ("memo.pdf", 2)] and sorted(hits("chief staff")))
        self.assertEqual(sorted(hits("chief staff smith")), [("memo.pdf", 1)])
        self.assertEqual(hits("chief nowhere"), [])

    def test_exact_phrase(self):
        self.assertEqual(hits('"chief of staff"'), [("memo.pdf", 1)])
        self.assertEqual(hits('"staff chief"'), [("memo.pdf", 2)])

    def test_or(self):
        self.assertEqual(sorted(hits("smith OR smyth")), [("memo.pdf", 1), ("memo.pdf", 2)])
        self.assertEqual(sorted(hits("smith OR smyth draft")), [("memo.pdf", 2)])

    def test_exclusion(self):
        self.assertEqual(hits("contract -draft"), [("memo.pdf", 1)])
        self.assertEqual(hits('contract -"John Smith"'), [("memo.pdf", 2)])
        self.assertEqual(hits("contract -smyth*"), [("memo.pdf", 1)])

    def test_prefix(self):
        self.assertEqual(hits("negotiat*"), [("memo.pdf", 3)])  # not stemmed: "negotiat" is no stem
        self.assertEqual(sorted(hits("contr*")), [("memo.pdf", 1), ("memo.pdf", 2)])

    def test_stemming(self):
        self.assertEqual(hits("negotiation"), [("memo.pdf", 3)])
        self.assertEqual(hits("filing"), [("memo.pdf", 3)])
        self.assertEqual(sorted(hits("contracts")), [("memo.pdf", 1), ("memo.pdf", 2)])

    def test_names_numbers_and_stop_words_match_as_typed(self):
        self.assertEqual(hits("2019-0042"), [("memo.pdf", 3)])
        self.assertEqual(hits('"US Army"'), [("memo.pdf", 3)])
        self.assertEqual(hits("us army"), [("memo.pdf", 3)])
        self.assertEqual(hits("smith"), [("memo.pdf", 1)])

    def test_case_does_not_matter(self):
        self.assertEqual(hits("JOHN SMITH"), [("memo.pdf", 1)])

    def test_malformed_query_raises_query_error(self):
        for text in ['"chief', "OR", "-draft", "", "smith OR"]:
            with self.subTest(text=text), self.assertRaises(QueryError):
                search_pages(text, pages=Page.objects.all())


class AnyInputTest(HypothesisTestCase):
    """Whatever is typed, the answer is hits or a QueryError: never a database error."""

    SPECIAL = tuple("ab \"*-:()^&|!\\'\x00\u0301\u00e9\ue000_.2OR")

    @classmethod
    def setUpTestData(cls):
        request = Factory.request(Factory.team("desk"))
        Factory.document(request, "mixed.pdf", 'Smith "quoted" O\'Brien 2019-0042 naïve café <b>bold</b> a*b -x OR y')

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from(SPECIAL), max_size=24) | st.text(max_size=24))
    def test_hits_or_query_error(self, text):
        try:
            results = search_pages(text, pages=Page.objects.all())
        except QueryError as error:
            assert str(error)  # the user is told what is wrong (any other exception fails the test)
        else:
            assert all(hit.kind == "page" for hit in results)


class HitsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.team = Factory.team("desk")
        cls.request = Factory.request(cls.team)
        cls.document = Factory.document(
            cls.request, "scan.pdf", 'Attached: <script>alert("x")</script> the whistleblower file & notes.', ocr=True
        )

    def test_hit_fields(self):
        [hit] = search_pages("whistleblower", pages=Page.objects.all())
        page = self.document.pages.get()
        self.assertEqual(
            (hit.kind, hit.page_id, hit.document_id, hit.request_id, hit.filename, hit.page, hit.ocr),
            ("page", page.pk, self.document.pk, self.request.pk, "scan.pdf", 1, True),
        )
        self.assertEqual(
            hit.as_json(),
            {"kind": "page", "document_id": self.document.pk, "request_id": self.request.pk, "filename": "scan.pdf",
             "page": 1, "snippet": str(hit.snippet)},
        )  # fmt: skip

    def test_snippet_marks_the_match_and_escapes_the_page(self):
        [hit] = search_pages("whistleblower", pages=Page.objects.all())
        self.assertIsInstance(hit.snippet, SafeString)
        self.assertIn("<mark>whistleblower</mark>", hit.snippet)
        self.assertIn("&lt;script&gt;", hit.snippet)
        self.assertIn("&amp;", hit.snippet)
        self.assertNotIn("<script", hit.snippet)
        self.assertEqual(hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<"), 0)

    def test_searching_for_the_markup_shows_it_as_text(self):
        [hit] = search_pages("script alert", pages=Page.objects.all())
        self.assertIn("&lt;<mark>script</mark>&gt;", hit.snippet)
        self.assertNotIn("<script", hit.snippet)

    def test_sentinel_characters_in_the_text_cannot_unbalance_the_marks(self):
        Factory.document(self.request, "odd.txt", "stray \ue001 sentinel \ue000 and whistleblower again")
        hit = search_pages("whistleblower again", pages=Page.objects.all()).hits[0]
        self.assertEqual(hit.snippet.count("<mark>"), hit.snippet.count("</mark>"))
        self.assertNotIn("\ue000", hit.snippet)
        self.assertNotIn("\ue001", hit.snippet)


class RankingAndPagingTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        request = Factory.request(Factory.team("desk"))
        # Same length, so only how often the word appears sets the order.
        Factory.document(request, "once.pdf", "audit alpha bravo charlie delta echo foxtrot golf hotel")
        Factory.document(request, "thrice.pdf", "audit alpha audit charlie audit echo foxtrot golf hotel")
        Factory.document(request, "twice.pdf", "audit alpha audit charlie delta echo foxtrot golf hotel")
        Factory.document(request, "many.pdf", *[f"Audit page {n} of the many pages" for n in range(1, 8)])

    def test_best_first(self):
        ranked = hits("audit", pages=Page.objects.exclude(document__original_name="many.pdf"))
        self.assertEqual([name for name, _ in ranked], ["thrice.pdf", "twice.pdf", "once.pdf"])

    def test_pages_of_results(self):
        first = search_pages("audit", pages=Page.objects.all(), limit=4)
        second = search_pages("audit", pages=Page.objects.all(), limit=4, offset=4)
        third = search_pages("audit", pages=Page.objects.all(), limit=4, offset=8)
        self.assertEqual((len(first), first.has_next, first.has_previous), (4, True, False))
        self.assertEqual((len(second), second.has_next, second.has_previous), (4, True, True))
        self.assertEqual((len(third), third.has_next), (2, False))
        everything = [hit.page_id for hit in search_pages("audit", pages=Page.objects.all(), limit=100)]
        self.assertEqual([hit.page_id for hit in [*first, *second, *third]], everything)
        self.assertEqual((first.matched, first.matched_capped), (10, False))
        self.assertEqual(third.matched, 10)

    def test_past_the_last_page(self):
        results = search_pages("audit", pages=Page.objects.all(), limit=5, offset=50)
        self.assertEqual((results.hits, results.has_next, results.matched), ([], False, 10))

    def test_ranking_is_bounded_to_the_first_candidates_and_paging_goes_on_past_them(self):
        with mock.patch("records.search.api.CANDIDATES", 3):
            results = search_pages("audit", pages=Page.objects.all(), limit=2)
            self.assertEqual(
                (len(results), results.has_next, results.matched, results.matched_capped), (2, True, 10, False)
            )
            # The third ranked hit, then the matches past the ranking in id order, to the last one.
            seen = [hit.page_id for hit in results]
            offset = 2
            while True:
                screen = search_pages("audit", pages=Page.objects.all(), limit=2, offset=offset)
                seen += [hit.page_id for hit in screen]
                offset += 2
                if not screen.has_next:
                    break
            self.assertTrue(screen.past_ranking)
            everything = Page.objects.filter(text__icontains="audit").values_list("pk", flat=True)
            self.assertEqual(sorted(seen), sorted(everything))

    def test_limit_is_clamped(self):
        self.assertEqual(search_pages("audit", pages=Page.objects.all(), limit=0).limit, 1)
        self.assertEqual(search_pages("audit", pages=Page.objects.all(), limit=10_000).limit, 100)


class TeamScopingTest(TestCase):
    """Owner, teammate, stranger: a stranger never sees another team's hit."""

    @classmethod
    def setUpTestData(cls):
        cls.desk, cls.rivals = Factory.team("desk"), Factory.team("rivals")
        cls.owner = Factory.user(cls.desk, Membership.ADMIN)
        cls.teammate = Factory.user(cls.desk, Membership.VIEWER)
        cls.stranger = Factory.user(cls.rivals, Membership.ADMIN)
        cls.request = Factory.request(cls.desk, title="Zygomorphic procurement records", body="All zygomorphic files")
        Factory.document(cls.request, "secret.pdf", "The zygomorphic contract, signed.")
        Communication.objects.create(
            request=cls.request, direction=Communication.INCOMING, date="2026-01-05",
            subject="Your zygomorphic request", body="We found records.",
        )  # fmt: skip
        rival_request = Factory.request(cls.rivals, title="Their own request")
        Factory.document(rival_request, "theirs.pdf", "A contract of their own.")

    def test_team_members_find_their_pages(self):
        for user in (self.owner, self.teammate):
            with self.subTest(user=user):
                self.assertEqual(hits("zygomorphic", pages=Page.objects.visible_to(user)), [("secret.pdf", 1)])

    def test_stranger_finds_nothing(self):
        self.assertEqual(hits("zygomorphic", pages=Page.objects.visible_to(self.stranger)), [])
        self.assertEqual(hits("contract", pages=Page.objects.visible_to(self.stranger)), [("theirs.pdf", 1)])
        results = search_requests("zygomorphic", requests=RecordsRequest.objects.visible_to(self.stranger))
        self.assertEqual(results.hits, [])

    def test_anonymous_user_finds_nothing(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertEqual(hits("contract", pages=Page.objects.visible_to(AnonymousUser())), [])

    def test_for_team_and_filters_narrow_the_search(self):
        self.assertEqual(hits("contract", pages=Page.objects.for_team(self.rivals)), [("theirs.pdf", 1)])
        self.assertEqual(hits("contract", pages=Page.objects.visible_to(self.owner).filter(ocr=True)), [])
        self.assertEqual(len(hits("contract")), 2)

    def test_requests_and_communications(self):
        results = search_requests("zygomorphic", requests=RecordsRequest.objects.visible_to(self.teammate))
        self.assertEqual(
            sorted((hit.kind, hit.request_id) for hit in results),
            [("communication", self.request.pk), ("request", self.request.pk)],
        )
        by_kind = {hit.kind: hit for hit in results}
        self.assertEqual(by_kind["request"].title, "Zygomorphic procurement records")
        self.assertEqual(by_kind["communication"].title, "Your zygomorphic request")
        self.assertIn("<mark>", by_kind["communication"].snippet)
        self.assertIsNotNone(by_kind["communication"].communication_id)

    def test_a_queryset_is_required(self):
        with self.assertRaises(TypeError):
            search_pages("contract", pages=list(Page.objects.all()))
        with self.assertRaises(TypeError):
            search_pages("contract", pages=Document.objects.all())


class IndexInStepTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.request = Factory.request(Factory.team("desk"), title="Ledger request", body="Send the ledgers")
        cls.document = Factory.document(cls.request, "ledger.pdf", "Quarterly ledger, first draft.")

    def test_edited_page_text_is_reindexed(self):
        page = self.document.pages.get()
        page.text = "OCR pass: the treasurer's signature."
        page.save()
        self.assertEqual(hits("ledger"), [])
        self.assertEqual(hits("treasurer"), [("ledger.pdf", 1)])

    def test_other_edits_leave_the_index_alone(self):
        Page.objects.filter(document=self.document).update(needs_ocr=True)
        self.assertEqual(hits("ledger"), [("ledger.pdf", 1)])

    def test_deleted_pages_are_gone(self):
        self.document.delete()
        self.assertEqual(hits("ledger"), [])

    def test_edited_request_is_reindexed(self):
        self.request.title = "Payroll request"
        self.request.save()
        requests = RecordsRequest.objects.all()
        self.assertEqual([hit.title for hit in search_requests("payroll", requests=requests)], ["Payroll request"])
        self.assertEqual([hit.title for hit in search_requests("ledgers", requests=requests)], ["Payroll request"])

    def test_rebuild_restores_a_dropped_index(self):
        backend = backend_for(connection.vendor)
        with connection.cursor() as cursor:
            backend.uninstall(cursor)
        counts = rebuild_index()
        self.assertEqual(counts, {"page": 1, "request": 1, "communication": 0})
        self.assertEqual(hits("ledger"), [("ledger.pdf", 1)])
        self.assertEqual(hits("quarterly -draft"), [])
        Factory.document(self.request, "after.pdf", "A ledger added after the rebuild.")
        self.assertEqual(sorted(hits("ledger")), [("after.pdf", 1), ("ledger.pdf", 1)])

    def test_migrations_leave_a_complete_index(self):
        # On SQLite, 0004 rebuilds records_recordsrequest to add columns, which drops the
        # triggers 0003 made; the post_migrate hook in 0003 puts them back.
        self.assertEqual(repair_index(), [])

    def test_repair_puts_back_what_a_migration_dropped(self):
        with connection.cursor() as cursor:
            backend_for(connection.vendor).uninstall(cursor, [PAGES])
        self.assertEqual(repair_index(), ["page"])
        self.assertEqual(repair_index(), [])
        Factory.document(self.request, "after.pdf", "A ledger added after the repair.")
        self.assertEqual(sorted(hits("ledger")), [("after.pdf", 1), ("ledger.pdf", 1)])
