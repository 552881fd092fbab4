"""Time to the first page image in the viewer, cold (nothing drawn yet) and warm, through the views.

    .venv/bin/python bench/viewer.py [--corpus ../shared/corpus] [--file NAME] [--page N]

Uploads the largest release of the real corpus (387 pages by pdfinfo), extracts it, empties the
image cache, then, as a signed-in teammate with Django's test client: opens the viewer page and
its first page image (cold: drawn on demand in the sandbox), again (warm: from the cache), and
the same for page N (default 250) and one thumbnail. Prints JSON, times in milliseconds.
Runs against a throw-away SQLite database under a temporary VAR_DIR unless DATABASE_URL is set.
"""

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-viewer-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # the manifest static storage needs collectstatic; a few queries only
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from records.ingest import add_document, extract_document  # noqa: E402
from records.models import Agency, Membership, RecordsRequest, Statute, Team  # noqa: E402

LARGEST = "natpdf_beaver-county-pa-precinct-results-2024.pdf"


def timed(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url, secure=True)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200 and body, (url, response.status_code)
    return round(elapsed, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(PROJECT.parent / "shared" / "corpus"))
    parser.add_argument("--file", default=LARGEST)
    parser.add_argument("--page", type=int, default=250)
    args = parser.parse_args()
    path = Path(args.corpus) / "real" / args.file
    logging.disable(logging.WARNING)
    call_command("migrate", verbosity=0)

    team = Team.objects.create(slug="bench", name="Bench")
    user = get_user_model().objects.create_user("reader", password="x")
    Membership.objects.create(user=user, team=team, role=Membership.VIEWER)
    statute = Statute.objects.filter(code="FOIA").first() or Statute.objects.create(
        code="FOIA", name="Freedom of Information Act", citation="5 U.S.C. 552", calendar="US-FED"
    )
    agency = Agency.objects.create(name="Bench agency", level=Agency.COUNTY)
    request = RecordsRequest.objects.create(team=team, title="bench", agency=agency, statute=statute)
    document = add_document(request, name=path.name, data_or_fileobj=path.read_bytes())[0]
    started = time.perf_counter()
    document = extract_document(document.pk)
    extracted = time.perf_counter() - started
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "derived", ignore_errors=True)  # cold: nothing drawn yet

    client = Client()
    client.force_login(user)
    viewer = reverse("document_page", args=[document.pk, 1])
    first = reverse("page_image", args=[document.pk, 1, "screen"])
    deep_viewer = reverse("document_page", args=[document.pk, args.page])
    deep = reverse("page_image", args=[document.pk, args.page, "screen"])
    thumb = reverse("page_image", args=[document.pk, args.page + 1, "thumb"])
    cold = {"viewer_page": timed(client, viewer), "page_1_image": timed(client, first)}
    cold["first_page_total"] = round(cold["viewer_page"] + cold["page_1_image"], 1)
    cold[f"page_{args.page}_viewer"] = timed(client, deep_viewer)
    cold[f"page_{args.page}_image"] = timed(client, deep)
    cold["thumbnail"] = timed(client, thumb)
    warm = {"viewer_page": timed(client, viewer), "page_1_image": timed(client, first)}
    warm["first_page_total"] = round(warm["viewer_page"] + warm["page_1_image"], 1)
    warm[f"page_{args.page}_image"] = timed(client, deep)
    warm["thumbnail"] = timed(client, thumb)
    print(
        json.dumps(
            {
                "file": path.name,
                "pages": document.page_count,
                "extraction_s": round(extracted, 2),
                "cold_ms": cold,
                "warm_ms": warm,
                "load_average": [round(value, 2) for value in os.getloadavg()],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
