import html
import json
import re

from django.core.management.base import BaseCommand, CommandError

from records.models import Page, Team
from records.search import MAX_LIMIT, QueryError, search_pages
from records.search.scope import scope_for_teams


class Command(BaseCommand):
    help = 'Search released pages: words, "exact phrase", OR, AND, -excluded, prefix*, a NEAR/n b. Best first.'

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--team", metavar="SLUG", help="Only this team's pages (default: every team).")
        parser.add_argument("--limit", type=int, default=20, metavar="N", help=f"At most N hits (1–{MAX_LIMIT}).")
        parser.add_argument("--json", action="store_true", help="Print a JSON list of hits.")

    def handle(self, *args, query, team, limit, **options):
        pages, scope = Page.objects.all(), scope_for_teams(None)
        if team:
            try:
                team = Team.objects.get(slug=team)
                pages, scope = Page.objects.for_team(team), scope_for_teams([team.pk])
            except Team.DoesNotExist:
                raise CommandError(f"No team with the slug {team!r}.", returncode=2) from None
        if not 1 <= limit <= MAX_LIMIT:
            raise CommandError(f"--limit must be between 1 and {MAX_LIMIT}.", returncode=2)
        try:
            results = search_pages(query, pages=pages, limit=limit, scope=scope)
        except QueryError as error:
            raise CommandError(str(error), returncode=2) from None

        if options["json"]:
            self.stdout.write(json.dumps([hit.as_json() for hit in results], ensure_ascii=False, indent=2))
            return
        for hit in results:
            where = f"{_plain(hit.filename)} p.{hit.page} (document {hit.document_id}, request {hit.request_id})"
            self.stdout.write(f"{where}: {_plain(hit.snippet)}")
        if not results.hits:
            self.stdout.write("No pages match.")
        elif results.has_next:
            count = f"{results.matched:,}" if results.matched_exact else f"about {results.matched:,}"
            self.stdout.write(f"… first {len(results)} of {count} matching pages.")


_TAG = re.compile(r"</?mark>")
# Released text may hold terminal escape sequences: never print control characters.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _plain(text: str) -> str:
    """A snippet for a terminal: [matched] words, no HTML, no control characters."""
    text = html.unescape(_TAG.sub(lambda tag: "]" if tag.group().startswith("</") else "[", str(text)))
    return _CONTROL.sub(" ", text)
