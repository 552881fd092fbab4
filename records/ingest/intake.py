"""Files from disk onto a request: the logic behind `manage.py import_documents`.

(Named intake, not import: "import" in this project means the spreadsheet import of requests.)
Which request, which files, one result line each.
"""

from collections.abc import Iterator
from pathlib import Path

from records.models import Agency, Document, RecordsRequest, Statute, Team
from records.timeline_writes import save_request

from .pipeline import run_to_completion

UNKNOWN_AGENCY = "Unknown agency"


class ImportProblem(Exception):
    """A reason the import cannot start (bad request id, no statute, ambiguous team)."""


def request_for_import(*, request_id: int | None = None, new_title: str | None = None, team_slug: str | None = None):
    if request_id is not None:
        try:
            request = RecordsRequest.objects.get(pk=request_id)
        except RecordsRequest.DoesNotExist:
            raise ImportProblem(f"There is no request with id {request_id}.") from None
        if team_slug and request.team.slug != team_slug:
            raise ImportProblem(f"Request {request_id} belongs to team {request.team.slug!r}, not {team_slug!r}.")
        return request
    statute = Statute.objects.filter(code="FOIA").first() or Statute.objects.order_by("pk").first()
    if statute is None:
        raise ImportProblem("The database has no statutes: run `manage.py migrate` (they are seeded by a migration).")
    team = _team_for_import(team_slug)
    agency = Agency.objects.filter(name=UNKNOWN_AGENCY).order_by("pk").first()
    if agency is None:
        agency = Agency.objects.create(name=UNKNOWN_AGENCY, level=Agency.OTHER)
    return save_request(RecordsRequest(team=team, title=new_title, agency=agency, statute=statute), user=None)


def _team_for_import(slug: str | None) -> Team:
    if slug:
        try:
            return Team.objects.get(slug=slug)
        except Team.DoesNotExist:
            raise ImportProblem(f"There is no team with slug {slug!r}.") from None
    teams = list(Team.objects.all()[:2])
    if len(teams) > 1:
        raise ImportProblem("There are several teams: say which with --team SLUG.")
    return teams[0] if teams else Team.objects.create(name="Default", slug="default")


def files_to_import(paths: list[str]) -> Iterator[Path]:
    """Each path, with a folder's files in name order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(child for child in path.rglob("*") if child.is_file())
        else:
            yield path


def import_file(request: RecordsRequest, path: Path, *, sync: bool, submit) -> tuple[Document, bool]:
    """Store one file on the request with `submit` (records.tasks.submit_document); extract it now if sync."""
    with open(path, "rb") as file:
        document, created = submit(request, name=path.name, data_or_fileobj=file, dispatch=not sync)
    if created and sync:
        run_to_completion(document.pk)
    document.refresh_from_db()
    return document, created


def members_of(document: Document) -> Iterator[Document]:
    """The documents unpacked from a ZIP or an email, depth first."""
    for member in Document.objects.filter(archive=document).order_by("pk"):
        yield member
        yield from members_of(member)


def result_line(document: Document) -> str:
    """document_id<TAB>state<TAB>pages<TAB>original name<TAB>error or - (DESIGN.md)."""
    name = " ".join(document.original_name.split())
    error = " ".join(document.error.split()) or "-"
    return f"{document.pk}\t{document.state}\t{document.page_count or 0}\t{name}\t{error}"
