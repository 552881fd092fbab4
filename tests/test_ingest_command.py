"""`manage.py import_documents` (DESIGN.md): one line a file, failures recorded, exit 0."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from records.models import Agency, Document, RecordsRequest, Statute, Team
from tests.test_ingest_support import corpus_file, make_request


def run(*args) -> tuple[list[list[str]], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_documents", *map(str, args), stdout=out, stderr=err)
    return [line.split("\t") for line in out.getvalue().splitlines()], err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_sync_import_to_a_new_request(broker):
    make_request()  # the statute and one team
    letter = corpus_file("real", "1505_CCSAO_FOIA121515.pdf")
    html = corpus_file("hostile", "not-pdf-html-error-page.pdf")
    locked = corpus_file("hostile", "enc-aes128-user-pw.pdf")
    lines, _ = run(letter, html, locked, "--new-request", "Stingray records", "--sync")
    request = RecordsRequest.objects.get(title="Stingray records")
    assert request.agency.name == "Unknown agency" and request.statute.code == "FOIA"
    assert request.team == Team.objects.get()
    ids = [int(line[0]) for line in lines]
    assert list(Document.objects.filter(pk__in=ids).values_list("request", flat=True)) == [request.pk] * 3
    assert [line[1:4] for line in lines] == [
        ["done", "2", letter.name], ["failed", "0", html.name], ["needs_password", "0", locked.name],
    ]  # fmt: skip
    assert lines[0][4] == "-" and "web page (HTML)" in lines[1][4] and "password" in lines[2][4]
    assert not broker


@pytest.mark.django_db(transaction=True)
def test_queued_import_to_an_existing_request(broker):
    request = make_request()
    letter = corpus_file("real", "1505_CCSAO_FOIA121515.pdf")
    lines, _ = run(letter, "--request", request.pk)
    assert [line[1:] for line in lines] == [["queued", "0", letter.name, "-"]]
    assert list(broker) == [("extract", int(lines[0][0]))]

    again, err = run(letter, "--request", request.pk)  # same content: the same document, not queued twice
    assert again == lines and "already on request" in err and len(broker) == 1


@pytest.mark.django_db(transaction=True)
def test_unreadable_path_is_reported_and_the_rest_go_on(broker, tmp_path):
    request = make_request()
    letter = corpus_file("real", "1505_CCSAO_FOIA121515.pdf")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_documents",
            str(tmp_path / "missing.pdf"),
            str(letter),
            "--request",
            str(request.pk),
            stdout=out,
            stderr=err,
        )
    assert raised.value.returncode == 1
    assert "missing.pdf: cannot read it" in err.getvalue()
    assert out.getvalue().count("\n") == 1 and Document.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_new_request_creates_a_default_team_and_needs_a_statute(broker):
    letter = corpus_file("real", "1505_CCSAO_FOIA121515.pdf")
    Statute.objects.all().delete()  # a database that was never migrated
    with pytest.raises(CommandError, match="no statutes"):
        run(letter, "--new-request", "First")
    make_request().delete()
    Team.objects.all().delete()
    run(letter, "--new-request", "First")
    assert RecordsRequest.objects.get(title="First").team.slug == "default"
    assert Agency.objects.filter(name="Unknown agency").count() == 1


@pytest.mark.django_db(transaction=True)
def test_bad_request_or_team_is_exit_status_2(broker):
    make_request("one"), make_request("two")
    letter = corpus_file("real", "1505_CCSAO_FOIA121515.pdf")
    for args, message in [
        (("--request", "999999"), "no request with id"),
        (("--new-request", "T"), "several teams"),
        (("--new-request", "T", "--team", "nope"), "no team with slug"),
    ]:
        with pytest.raises(CommandError, match=message) as raised:
            run(letter, *args)
        assert raised.value.returncode == 2
