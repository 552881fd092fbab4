"""`manage.py search` and `manage.py rebuild_search_index`."""

import json
import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase

from records.models import Page
from records.search import backend_for, search_pages
from records.search.scope import scope_for_teams

from .test_search import Factory

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


class SearchCommandTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.desk, cls.rivals = Factory.team("desk"), Factory.team("rivals")
        ours = Factory.request(cls.desk)
        Factory.document(ours, "budget.pdf", "The budget memo.", "Budget, budget and more budget: <b>final</b>.")
        theirs = Factory.request(cls.rivals)
        Factory.document(theirs, "their-budget.pdf", "Their budget \x1b[31mred\x1b[0m.")

    def test_json_equals_the_api_hits_best_first(self):
        printed = json.loads(run("search", "budget", "--json"))
        # issue 15: the command ranks with the engine, as the search page does (every team: no team clause).
        everyone = scope_for_teams(None)
        expected = [hit.as_json() for hit in search_pages("budget", pages=Page.objects.all(), scope=everyone)]
        self.assertEqual(printed, expected)
        self.assertEqual(len(printed), 3)
        self.assertEqual(set(printed[0]), {"kind", "document_id", "request_id", "filename", "page", "snippet"})
        self.assertIn("<mark>", printed[0]["snippet"])

    def test_team_and_limit(self):
        printed = json.loads(run("search", "budget", "--json", "--team", "rivals"))
        self.assertEqual([hit["filename"] for hit in printed], ["their-budget.pdf"])
        self.assertEqual(len(json.loads(run("search", "budget", "--json", "--limit", "1"))), 1)

    def test_plain_output_one_hit_a_line(self):
        lines = run("search", "budget", "--team", "desk").splitlines()
        self.assertEqual(len(lines), 2)
        [line] = [line for line in lines if line.startswith("budget.pdf p.2 (document ")]
        self.assertIn("[budget]", line)
        self.assertIn("<b>final", line)  # the page's own text, shown as it was

    def test_plain_output_never_prints_control_characters(self):
        output = run("search", "red", "--team", "rivals")
        self.assertNotIn("\x1b", output)

    def test_no_hits(self):
        self.assertEqual(run("search", "nothingmatches"), "No pages match.\n")
        self.assertEqual(json.loads(run("search", "nothingmatches", "--json")), [])

    def test_malformed_query_unknown_team_and_bad_limit_exit_2(self):
        for args in (['"budget'], ["OR"], ["budget", "--team", "nobody"], ["budget", "--limit", "0"]):
            with self.subTest(args=args), self.assertRaises(CommandError) as raised:
                run("search", *args)
            self.assertEqual(raised.exception.returncode, 2)


class SearchCommandProcessTest(TestCase):
    def test_malformed_query_message_on_stderr_and_exit_status_2(self):
        # The query is refused before any database is opened; a scratch VAR_DIR all the same.
        with tempfile.TemporaryDirectory() as var_dir:
            env = {**os.environ, "VAR_DIR": var_dir}
            env.pop("DATABASE_URL", None)
            done = subprocess.run(
                [sys.executable, "manage.py", "search", 'budget "unclosed', "--skip-checks"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
        self.assertEqual(done.returncode, 2)
        self.assertEqual(done.stdout, "")
        self.assertIn("A quote is not closed", done.stderr)
        self.assertNotIn("Traceback", done.stderr)


class RebuildCommandTest(TestCase):
    def test_rebuild_restores_a_dropped_index_and_prints_counts(self):
        request = Factory.request(Factory.team("desk"))
        Factory.document(request, "ledger.pdf", "Quarterly ledger.", "Annual ledger.")
        with connection.cursor() as cursor:
            backend_for(connection.vendor).uninstall(cursor)
        output = run("rebuild_search_index")
        self.assertEqual(
            output.splitlines(),
            [
                "pages\t2",
                "requests\t1",
                "communications\t0",
                "engine pages\t2",
                "engine requests\t1",
                "engine communications\t0",
            ],
        )
        printed = json.loads(run("search", "ledger", "--json"))
        self.assertEqual(sorted(hit["page"] for hit in printed), [1, 2])
