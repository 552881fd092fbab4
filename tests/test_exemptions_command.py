"""`manage.py exemptions PATH [PATH ...] [--json]` (shared/DESIGN.md)."""

import json

import pytest
from django.core.management import call_command

from tests.test_ingest_support import corpus_file

HAILSTORM = "IL_CPD_FOIA14-5298_Hailstorm_ResponseLetter.pdf"


def run(*args, capsys):
    call_command("exemptions", *args)
    return capsys.readouterr()


def test_prints_file_page_and_citations_one_line_a_page(capsys):
    path = corpus_file("formats", HAILSTORM)
    lines = run(str(path), capsys=capsys).out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [[str(path), str(n)] for n in range(1, 6)]
    assert lines[0].split("\t")[2] == "IL-FOIA 7(1)(d)(v)"  # cited twice on the page, listed once
    assert lines[2].split("\t")[2] == "IL-FOIA 7(1)(d)(v); IL-FOIA 7(1)(g); IL-FOIA 7(1)(i); IL-FOIA 7(1)(v)"
    assert lines[3].split("\t")[2] == ""


def test_json_gives_normalised_codes_and_the_words_as_written(capsys):
    path = corpus_file("formats", "IL_CPD_P054496_Responsive.pdf")
    pages = json.loads(run(str(path), "--json", capsys=capsys).out)
    assert [p["page"] for p in pages] == [1, 2, 3]
    second = {(c["statute"], c["code"], c["kind"]) for c in pages[1]["citations"]}
    assert ("IL-FOIA", "7(1)(c)", "exemption") in second
    assert ("IL-FOIA", "3(g)", "procedural") in second
    assert [c["code"] for c in pages[1]["citations"]].count("7(1)(c)") == 1  # cited twice, listed once
    text = next(c["text"] for c in pages[1]["citations"] if c["code"] == "3(g)")
    assert text == "5 ILCS 140/3(g)"  # split over three lines in the PDF, one line here


def test_an_unreadable_file_is_named_in_plain_words_and_the_others_still_printed(tmp_path, capsys):
    path = corpus_file("formats", HAILSTORM)
    notes = tmp_path / "notes.txt"
    notes.write_text("Exemption 6")
    with pytest.raises(SystemExit) as stopped:
        call_command("exemptions", str(notes), str(path))
    out, err = capsys.readouterr()
    assert stopped.value.code == 2
    assert f"{notes}: This is not a file type the tracker can read" in err
    assert len(out.splitlines()) == 5


def test_a_missing_file_is_a_sentence_not_a_traceback(tmp_path, capsys):
    with pytest.raises(SystemExit):
        call_command("exemptions", str(tmp_path / "gone.pdf"))
    assert "cannot be read" in capsys.readouterr().err
