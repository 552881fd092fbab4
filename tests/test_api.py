"""The REST API: scoped to the caller's teams exactly as the pages are (a stranger's id is a 404, a
viewer's write a 403), validated by the pages' own rules, described by an OpenAPI schema that
schemathesis checks against a live server."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from records import timeline
from records.models import Communication, Document, Event, Page, RecordsRequest, StoredFile

from . import factories

pytestmark = pytest.mark.usefixtures("ticking_today")


def api(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def secret(team, editor):
    """A team's request with one of everything hanging off it."""
    r = factories.make_request(team, title="Flock contract with ICE — confidential lead", sent=dt.date(2026, 11, 2))
    r.tracking_numbers.create(number="R009911", agency=r.agency)
    event = Event.objects.create(request=r, kind="acknowledged", date=dt.date(2026, 11, 4))
    comm = Communication.objects.create(
        request=r, direction="in", channel="email", date=dt.date(2026, 11, 4), subject="Your request R009911"
    )
    stored = StoredFile.objects.create(sha256="a" * 64, size=1200, path="aa/aa")
    doc = Document.objects.create(
        request=r, stored_file=stored, original_name="release.pdf", size=1200, page_count=3, state="done"
    )
    timeline.recompute(r)
    return {"request": r, "event": event, "communication": comm, "document": doc}


def detail_urls(secret):
    return {
        "request": reverse("api-request-detail", args=[secret["request"].pk]),
        "event": reverse("api-event-detail", args=[secret["event"].pk]),
        "communication": reverse("api-communication-detail", args=[secret["communication"].pk]),
        "document": reverse("api-document-detail", args=[secret["document"].pk]),
    }


def new_request_body(agency, **extra):
    body = {
        "title": "SDPD ALPR audit logs", "agency": agency.pk, "statute": "CPRA", "sent_date": "2026-11-16",
        "received_date": "2026-11-16", "tags": ["ALPR"], "tracking_numbers": [{"number": "SD-1", "kind": "initial"}],
    }  # fmt: skip
    body.update(extra)
    return body


# --- Authentication -------------------------------------------------------------------------


def test_a_script_gets_a_token_with_its_password_and_uses_it(editor, secret):
    response = APIClient().post(
        reverse("api-token"), {"username": "editor", "password": "pw-for-tests-123"}, format="json"
    )
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(reverse("api-request-list")).json()["count"] == 1


def test_without_credentials_every_endpoint_is_401(secret):
    for url in [
        reverse("api-request-list"),
        reverse("api-agency-list"),
        reverse("api-search") + "?q=x",
        *detail_urls(secret).values(),
    ]:
        assert api().get(url).status_code == 401, url


def test_a_signed_in_browser_session_works_too(login, viewer, secret):
    assert login(viewer).get(reverse("api-request-list")).json()["count"] == 1


# --- Reading ---------------------------------------------------------------------------------


def test_the_request_list_takes_the_list_pages_filters_and_paginates(editor, team, secret):
    factories.make_request(team, title="Closed one", sent=dt.date(2026, 8, 1))
    Event.objects.create(
        request=RecordsRequest.objects.get(title="Closed one"), kind="withdrawn", date=dt.date(2026, 8, 2)
    )
    timeline.recompute(RecordsRequest.objects.get(title="Closed one"))
    client = api(editor)
    body = client.get(reverse("api-request-list")).json()
    assert body["count"] == 2 and {"next", "previous", "results"} <= set(body)
    assert [r["title"] for r in client.get(reverse("api-request-list") + "?open=true").json()["results"]] == [
        secret["request"].title
    ]
    assert [r["title"] for r in client.get(reverse("api-request-list") + "?q=R009911").json()["results"]] == [
        secret["request"].title
    ]
    assert [r["title"] for r in client.get(reverse("api-request-list") + "?status=withdrawn").json()["results"]] == [
        "Closed one"
    ]
    assert client.get(reverse("api-request-list") + "?status=nonsense").status_code == 400
    one = client.get(reverse("api-request-list") + "?ordering=sent").json()["results"][0]
    assert one["title"] == "Closed one" and one["statute"] == "CPRA" and one["status"] == "withdrawn"
    detail = client.get(detail_urls(secret)["request"]).json()
    assert (
        detail["tracking_numbers"] == [{"number": "R009911", "kind": "initial"}] and detail["status"] == "acknowledged"
    )


def test_list_endpoints_read_in_a_fixed_number_of_queries(editor, team, secret):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(editor)
    names = ["api-request-list", "api-event-list", "api-communication-list", "api-document-list"]
    before = {}
    for name in names:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse(name))
        before[name] = len(queries)
    for i in range(5):
        r = factories.make_request(team, title=f"More {i}", assignee=editor)
        r.tags.create(team=team, name=f"t{i}")
        r.tracking_numbers.create(number=f"N{i}", agency=r.agency)
        Event.objects.create(request=r, kind="acknowledged", date=dt.date(2026, 11, 4), created_by=editor)
        Communication.objects.create(
            request=r, direction="in", channel="email", date=dt.date(2026, 11, 4), created_by=editor
        )
        Document.objects.create(
            request=r, stored_file=secret["document"].stored_file, original_name=f"{i}.pdf", size=1, uploaded_by=editor
        )
    for name in names:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).json()["count"] == 6
        assert len(queries) == before[name], name


def test_events_communications_and_documents_are_listed_per_request(editor, secret):
    client = api(editor)
    r = secret["request"].pk
    assert [e["kind"] for e in client.get(reverse("api-event-list") + f"?request={r}").json()["results"]] == [
        "acknowledged"
    ]
    assert client.get(reverse("api-communication-list") + "?direction=in").json()["count"] == 1
    doc = client.get(reverse("api-document-list") + f"?request={r}").json()["results"][0]
    assert (doc["original_name"], doc["sha256"], doc["page_count"]) == ("release.pdf", "a" * 64, 3)
    assert "password" not in doc
    try:
        expected = reverse("document_download", args=[secret["document"].pk])
    except Exception:
        expected = None
    assert (doc["download_url"] or None) == (f"http://testserver{expected}" if expected else None)


def test_agencies_and_statutes_are_shared_reference_data(viewer, secret):
    client = api(viewer)
    assert client.get(reverse("api-agency-list") + f"?name={secret['request'].agency.name[:6]}").json()["count"] >= 1
    cpra = client.get(reverse("api-statute-detail", args=["CPRA"])).json()
    assert cpra["code"] == "CPRA" and cpra["citation"]
    assert client.get(reverse("api-statute-detail", args=["NOPE"])).status_code == 404


# --- Writing ---------------------------------------------------------------------------------


def test_an_editor_files_a_request_and_its_status_is_derived(editor, team):
    agency = factories.make_agency("San Diego Police Department")
    response = api(editor).post(reverse("api-request-list"), new_request_body(agency), format="json")
    assert response.status_code == 201, response.json()
    r = RecordsRequest.objects.get(pk=response.json()["id"])
    assert r.team == team and r.created_by == editor and r.status == "filed"
    assert [t.name for t in r.tags.all()] == ["ALPR"] and [t.number for t in r.tracking_numbers.all()] == ["SD-1"]
    assert response.json()["url"].endswith(r.get_absolute_url())


def test_the_pages_rules_hold_in_the_api(editor, team, secret):
    client = api(editor)
    agency = secret["request"].agency
    response = client.post(
        reverse("api-request-list"), new_request_body(agency, received_date="2026-11-10"), format="json"
    )
    assert response.status_code == 400 and "before it was sent" in response.json()["received_date"][0]
    clash = new_request_body(agency, tracking_numbers=[{"number": "R009911", "kind": "initial"}])
    response = client.post(reverse("api-request-list"), clash, format="json")
    assert response.status_code == 400 and "already on" in response.json()["tracking_numbers"][0]
    assert (
        client.post(
            reverse("api-request-list"), {**clash, "confirm_duplicate_tracking": True}, format="json"
        ).status_code
        == 201
    )
    response = client.post(
        reverse("api-event-list"),
        {"request": secret["request"].pk, "kind": "final_response", "date": "2026-11-10"},
        format="json",
    )
    assert response.status_code == 400 and "outcome" in response.json()
    response = client.post(
        reverse("api-event-list"),
        {"request": secret["request"].pk, "kind": "acknowledged", "date": "2026-12-10"},
        format="json",
    )
    assert response.status_code == 400 and "future" in response.json()["date"][0]


def test_events_through_the_api_recompute_status_and_deadlines(editor, secret):
    client = api(editor)
    r = secret["request"]
    response = client.post(
        reverse("api-event-list"),
        {"request": r.pk, "kind": "final_response", "outcome": "denied", "date": "2026-11-12"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["created_by"] == "editor"
    r.refresh_from_db()
    assert r.status == "denied"
    event_url = reverse("api-event-detail", args=[response.json()["id"]])
    assert client.patch(event_url, {"outcome": "no_records"}, format="json").status_code == 200
    r.refresh_from_db()
    assert r.status == "no_records"
    assert client.delete(event_url).status_code == 204
    r.refresh_from_db()
    assert r.status == "acknowledged"


def test_an_editor_logs_and_corrects_a_communication_and_edits_a_request(editor, secret):
    client = api(editor)
    r = secret["request"]
    response = client.post(
        reverse("api-communication-list"),
        {"request": r.pk, "direction": "out", "channel": "portal", "date": "2026-11-12", "subject": "Follow-up"},
        format="json",
    )
    assert response.status_code == 201
    url = reverse("api-communication-detail", args=[response.json()["id"]])
    assert (
        client.patch(url, {"subject": "Follow-up on R009911"}, format="json").json()["subject"]
        == "Follow-up on R009911"
    )
    response = client.patch(detail_urls(secret)["request"], {"project": "Plate readers"}, format="json")
    assert response.status_code == 200
    r.refresh_from_db()
    # A PATCH changes what it names and leaves the rest (tracking numbers included) as it was.
    assert r.project == "Plate readers" and [t.number for t in r.tracking_numbers.all()] == ["R009911"]


# --- Isolation -------------------------------------------------------------------------------


def test_a_stranger_gets_404_on_every_endpoint_by_id_and_changes_nothing(stranger, secret):
    client = api(stranger)
    for name, url in detail_urls(secret).items():
        assert client.get(url).status_code == 404, name
        if name != "document":
            assert (
                client.patch(
                    url, {"title": "hijacked", "subject": "hijacked", "note": "hijacked"}, format="json"
                ).status_code
                == 404
            ), name
            assert client.put(url, {}, format="json").status_code == 404, name
    assert client.delete(detail_urls(secret)["event"]).status_code == 404
    secret["request"].refresh_from_db()
    assert secret["request"].title.startswith("Flock contract") and Event.objects.filter(pk=secret["event"].pk).exists()


def test_a_stranger_cannot_hang_anything_on_another_teams_request(stranger, secret):
    client = api(stranger)
    r = secret["request"].pk
    assert (
        client.post(
            reverse("api-event-list"), {"request": r, "kind": "closed", "date": "2026-11-10"}, format="json"
        ).status_code
        == 400
    )
    comm = {"request": r, "direction": "in", "channel": "email", "date": "2026-11-10"}
    assert client.post(reverse("api-communication-list"), comm, format="json").status_code == 400
    team_id = secret["request"].team_id
    response = client.post(
        reverse("api-request-list"), new_request_body(secret["request"].agency, team=team_id), format="json"
    )
    assert response.status_code == 400 and "team" in response.json()
    assert secret["request"].events.count() == 1 and secret["request"].communications.count() == 1
    assert RecordsRequest.objects.filter(team_id=team_id).count() == 1


def test_a_stranger_sees_nothing_in_any_list(stranger, secret):
    client = api(stranger)
    for name in ("api-request-list", "api-event-list", "api-communication-list", "api-document-list"):
        assert client.get(reverse(name)).json()["count"] == 0, name
    assert client.get(reverse("api-request-list") + "?q=R009911").json()["count"] == 0


def test_a_viewer_reads_everything_and_gets_403_on_every_write(viewer, secret):
    client = api(viewer)
    urls = detail_urls(secret)
    for url in urls.values():
        assert client.get(url).status_code == 200, url
    r = secret["request"]
    writes = [
        ("post", reverse("api-request-list"), new_request_body(r.agency)),
        ("patch", urls["request"], {"title": "changed"}),
        ("put", urls["request"], new_request_body(r.agency)),
        ("post", reverse("api-event-list"), {"request": r.pk, "kind": "closed", "date": "2026-11-10"}),
        ("patch", urls["event"], {"note": "changed"}),
        ("put", urls["event"], {"request": r.pk, "kind": "closed", "date": "2026-11-10"}),
        ("delete", urls["event"], None),
        (
            "post",
            reverse("api-communication-list"),
            {"request": r.pk, "direction": "in", "channel": "email", "date": "2026-11-10"},
        ),
        ("patch", urls["communication"], {"subject": "changed"}),
        ("put", urls["communication"], {"request": r.pk, "direction": "in", "channel": "email", "date": "2026-11-10"}),
    ]
    for method, url, body in writes:
        assert getattr(client, method)(url, body, format="json").status_code == 403, (method, url)
    r.refresh_from_db()
    assert r.title.startswith("Flock contract") and r.events.count() == 1 and r.communications.count() == 1
    assert RecordsRequest.objects.count() == 1


def test_a_viewer_who_is_also_an_editor_elsewhere_still_cannot_write_here(viewer, secret):
    factories.add_member(viewer, factories.make_team("Viewer's own desk"))
    client = api(viewer)
    r = secret["request"]
    assert client.patch(detail_urls(secret)["request"], {"title": "changed"}, format="json").status_code == 403
    assert (
        client.post(
            reverse("api-event-list"), {"request": r.pk, "kind": "closed", "date": "2026-11-10"}, format="json"
        ).status_code
        == 403
    )
    body = new_request_body(r.agency, team=r.team_id)
    assert client.post(reverse("api-request-list"), body, format="json").status_code == 403


def test_documents_agencies_and_statutes_take_no_writes(editor, secret):
    client = api(editor)
    assert client.delete(detail_urls(secret)["document"]).status_code == 405
    assert client.post(reverse("api-agency-list"), {"name": "x"}, format="json").status_code == 405


# --- Search ----------------------------------------------------------------------------------


def test_search_is_scoped_to_the_callers_teams(editor, stranger, secret):
    search = pytest.importorskip("records.search")
    other = factories.make_request(stranger.memberships.get().team, title="Other")
    for r in (secret["request"], other):
        doc = Document.objects.create(request=r, stored_file=StoredFile.objects.get_or_create(sha256="b" * 64, size=1, path="b")[0],
                                      original_name=f"{r.pk}.pdf", size=1, page_count=1, state="done")  # fmt: skip
        Page.objects.create(document=doc, number=1, text="Flock Safety invoice for plate readers")
    search.rebuild_index()
    hits = api(editor).get(reverse("api-search") + "?q=Flock").json()["results"]
    assert {h["request_id"] for h in hits} == {secret["request"].pk}
    hits = [h for h in hits if h["kind"] == "page"]
    assert [h["request_id"] for h in hits] == [secret["request"].pk]
    assert "<mark>" in hits[0]["snippet"]
    assert api(editor).get(reverse("api-search") + '?q="unclosed').status_code == 400
    assert api(editor).get(reverse("api-search")).status_code == 400


# --- Schema and docs -------------------------------------------------------------------------


def test_the_schema_describes_every_endpoint(client):
    response = client.get(reverse("api-schema") + "?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in ["/api/requests/", "/api/requests/{id}/", "/api/events/{id}/", "/api/communications/",
                 "/api/documents/{id}/", "/api/agencies/", "/api/statutes/{code}/", "/api/search/"]:  # fmt: skip
        assert path in schema["paths"], path
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_docs_page_runs_offline_under_the_content_security_policy(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    # The project's policy, except that the page's one inline <style> block is allowed by its hash.
    assert "script-src 'self';" in policy and "unsafe" not in policy and "style-src 'self' 'sha256-" in policy
    # Swagger UI from our own static files (drf-spectacular-sidecar), its settings from a script URL.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html and "http://" not in html.replace("http://testserver", "") and "https://" not in html
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# --- Schemathesis against a live server ------------------------------------------------------


@pytest.mark.slow
# serialized_rollback: the live server needs committed data, and the statutes seeded by migration
# must still be there for the tests that run after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_schemathesis_finds_no_server_errors_and_no_schema_violations(live_server, tmp_path):
    """Every operation in /api/schema/, fed generated valid and invalid data by schemathesis as a
    signed-in editor: no 5xx, and every answer (status, content type, headers, body) as documented.

    About 80 s with the defaults (fuzzing, 40 cases an operation, a fixed seed). The exhaustive run
    adds the boundary-value phase (about 3 more minutes):
    SCHEMATHESIS_PHASES=examples,coverage,fuzzing pytest -m slow tests/test_api.py
    """
    team = factories.make_team("Schemathesis desk")
    user = factories.make_user("schemathesis")
    factories.add_member(user, team)
    r = factories.make_request(team, title="Seeded request", sent=dt.date(2026, 11, 2))
    Event.objects.create(request=r, kind="acknowledged", date=dt.date(2026, 11, 4))
    Communication.objects.create(
        request=r, direction="in", channel="email", date=dt.date(2026, 11, 4), subject="Seeded"
    )
    stored = StoredFile.objects.create(sha256="c" * 64, size=10, path="cc/cc")
    Document.objects.create(
        request=r, stored_file=stored, original_name="seeded.pdf", size=10, page_count=1, state="done"
    )
    token = Token.objects.create(user=user).key
    cli = Path(sys.executable).with_name("schemathesis")
    command = [
        str(cli), "run", f"{live_server.url}/api/schema/",
        "--url", live_server.url,
        "--header", f"Authorization: Token {token}",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,response_headers_conformance",
        "--phases", os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing"),
        "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "40"),
        "--seed", "20261129",
        "--workers", "1",
        "--request-timeout", "20",
        "--generation-database", "none",
        "--no-color",
    ]  # fmt: skip
    # Run from a scratch folder: schemathesis writes nothing into the work tree.
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    output = result.stdout + result.stderr
    (tmp_path / "schemathesis.txt").write_text(output)
    failures = output[output.find("FAILURES") - 40 :] if "FAILURES" in output else output[-8000:]
    assert result.returncode == 0, failures[:12000]
    assert " passed" in output and "generated" in output, output[-2000:]
