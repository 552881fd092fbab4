"""python manage.py letter REQUEST_ID --kind … [--pdf OUT.pdf]"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from records.models import Communication, LetterTemplate

from . import factories


def run(*args):
    out = io.StringIO()
    call_command("letter", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("code", "citation", "period"), [
    ("CPRA", "7922.535", "10 days"),
    ("FOIA", "552(a)(6)(A)", "20 working days"),
])  # fmt: skip
def test_prints_the_letter_with_its_statutes_citation_and_period(team, code, citation, period):
    r = factories.make_request(team, code=code, title="Contracts with Flock Safety")
    text = run(r.pk, "--kind", "initial")
    assert text.startswith("Subject: ") and "Contracts with Flock Safety" in text
    assert citation in text and period in text and "{{" not in text
    assert not Communication.objects.exists()  # printing is not sending


def test_writes_the_pdf(team, tmp_path):
    r = factories.make_request(team, code="FOIA", title="FOIA logs")
    out = tmp_path / "letter.pdf"
    run(r.pk, "--kind", "follow_up", "--pdf", out)
    text = PdfReader(out).pages[0].extract_text()
    assert "Records Desk" in text and "552(a)(6)(A)" in text


def test_uses_the_teams_own_template(team):
    LetterTemplate.objects.create(team=team, kind="appeal", subject="Ours", body="We appeal to {{ agency.name }}.")
    r = factories.make_request(team, agency=factories.make_agency("City of Oakland"))
    assert "We appeal to City of Oakland." in run(r.pk, "--kind", "appeal")


@pytest.mark.parametrize("args", [["999999", "--kind", "initial"], ["abc", "--kind", "initial"]])
def test_unknown_request_exits_2(db, args):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2


def test_unknown_kind_exits_2(team):
    r = factories.make_request(team)
    with pytest.raises(CommandError) as error:
        run(r.pk, "--kind", "ransom_note")
    assert error.value.returncode == 2 and "follow_up" in str(error.value)


def test_a_template_that_cannot_be_filled_in_is_an_error_not_a_letter(team):
    LetterTemplate.objects.create(team=team, kind="initial", subject="S", body="Dear {{ agency.boss }}")
    r = factories.make_request(team)
    with pytest.raises(CommandError, match="agency.boss"):
        run(r.pk, "--kind", "initial")
