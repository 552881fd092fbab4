"""Shared helpers for the ingest tests (no tests here): the corpus and a request to upload to."""

import csv
from pathlib import Path

import pytest

from records.models import Agency, RecordsRequest, Statute, Team

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT.parent / "shared" / "corpus"


def corpus_dir(kind: str) -> Path:
    folder = CORPUS / kind
    if not (folder / "MANIFEST.tsv").exists():
        pytest.skip(f"corpus not found at {folder} (tests read ../shared/corpus beside the project)")
    return folder


def corpus_file(kind: str, name: str) -> Path:
    path = corpus_dir(kind) / name
    if not path.exists():
        pytest.skip(f"corpus file {path} is missing")
    return path


def manifest(kind: str) -> list[dict]:
    with open(corpus_dir(kind) / "MANIFEST.tsv", newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def make_request(slug: str = "desk") -> RecordsRequest:
    """A request on a fresh team; creates the statute the seed migration will provide."""
    team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    statute, _ = Statute.objects.get_or_create(
        code="FOIA", defaults={"name": "Freedom of Information Act", "citation": "5 U.S.C. § 552", "calendar": "US-FED"}
    )
    agency, _ = Agency.objects.get_or_create(name="Chicago Police Department", defaults={"level": Agency.CITY})
    return RecordsRequest.objects.create(team=team, title="Forfeiture fund records", agency=agency, statute=statute)
