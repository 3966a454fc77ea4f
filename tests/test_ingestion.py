"""Ingestion: every kind of source becomes a clean document; every bad one gets one clear line."""

import json
import shutil

import pytest

from pipeline.cli import main
from pipeline.normalize import normalize, normalize_dump
from pipeline.segments import extract, plain_text
from tests.conftest import FIXTURES, MOJIBAKE, PAGES, SAMPLE, normalize_path

DUMP = FIXTURES / "dumps" / "000277-liver-metastases.txt"  # the sample dump from shared/seed, as given
MEDLINEPLUS_FIXTURES = ["medlineplus-ency-alt-test", "medlineplus-topic-liver-cancer",
                        "medlineplus-ency-jaundice-cp1252"]

#: MedlinePlus chrome: menu entries no catalog may hold as a message, and
#: phrases that appear nowhere in any article.
CHROME_MESSAGES = ["Skip navigation", "Show Search", "Search MedlinePlus", "Return to top", "Health Topics",
                   "Drugs & Supplements", "Videos & Tools", "About MedlinePlus", "Site Map", "Customer Support",
                   "Menu", "GO", "Privacy", "Facebook", "Email", "Home", "Medical Encyclopedia"]
CHROME_PHRASES = ["Read more", "You Are Here", "URL of this page", "To use the sharing features", "Español",
                  "accredited by URAC", "Page last updated", "8600 Rockville Pike", "Expand Section",
                  "updates by email", "navigation menu", "Share on Facebook", "NIH MedlinePlus Magazine"]


def dump_document():
    return normalize_dump(DUMP.read_bytes(), doc_id="000277-dump", source_path="source/000277-dump.txt")[0]


@pytest.mark.parametrize("name", MEDLINEPLUS_FIXTURES)
def test_fixture_pages_give_their_expected_clean_document(name):
    expected = (FIXTURES / "expected" / f"{name}.html").read_text(encoding="utf-8")
    assert normalize_path(PAGES / f"{name}.html").html == expected


def test_health_topic_pages_have_their_own_profile():
    _, steps = normalize((PAGES / "medlineplus-topic-liver-cancer.html").read_bytes(), doc_id="t", source_path="t")
    assert ("profile", "medlineplus-health-topic") in {(s.action, s.target) for s in steps}


def test_the_sample_dump_gives_the_same_messages_as_the_sample_page():
    from_dump = [plain_text(s.text) for s in extract(dump_document())]
    from_html = [plain_text(s.text) for s in extract(normalize_path(SAMPLE))]
    assert from_dump == from_html


def test_dump_messages_point_at_the_lines_of_the_dump():
    lines = DUMP.read_text(encoding="utf-8").splitlines()
    for segment in extract(dump_document()):
        if segment.role in ("page title", "image alternative text"):
            continue
        first_words = plain_text(segment.text).split()[0]
        assert first_words in lines[segment.line - 1] or first_words.rstrip(":") in lines[segment.line - 1], segment


def test_dump_steps_report_charset_profile_chrome_and_mojibake():
    _, steps = normalize_dump(DUMP.read_bytes(), doc_id="d", source_path="d.txt")
    kinds = [(s.action, s.target) for s in steps]
    assert kinds[0] == ("decode", "utf-8")
    assert ("profile", "dump:medlineplus-encyclopedia") in kinds
    assert sum(1 for s in steps if s.action == "fix-mojibake") == 3
    assert all("decode utf-8" in s.reason for s in steps if s.action == "fix-mojibake")


def _project_with_every_kind_of_source(project):
    shutil.copy(DUMP, project / "source" / "000277-dump.txt")
    for name in MEDLINEPLUS_FIXTURES:
        shutil.copy(PAGES / f"{name}.html", project / "source" / f"{name}.html")
    return project


def test_all_kinds_of_source_normalize_without_mojibake_or_chrome_in_catalogs(project, capsys):
    _project_with_every_kind_of_source(project)
    assert main(["--root", str(project), "normalize"]) == 0
    assert main(["--root", str(project), "extract"]) == 0
    templates = sorted((project / "locales/templates").glob("*.pot"), key=lambda t: t.stem)
    assert [t.stem for t in templates] == sorted(["000277", "000277-dump", *MEDLINEPLUS_FIXTURES, "site"])
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert not MOJIBAKE.search(text), template
        for chrome in CHROME_MESSAGES:
            assert f'msgid "{chrome}"' not in text, (template.name, chrome)
        for chrome in CHROME_PHRASES:
            assert chrome not in text, (template.name, chrome)
    for clean in (project / "build/clean").glob("*.html"):
        assert not MOJIBAKE.search(clean.read_text(encoding="utf-8")), clean


def test_normalize_report_and_console_summary(project, capsys):
    _project_with_every_kind_of_source(project)
    assert main(["--root", str(project), "normalize"]) == 0
    out = capsys.readouterr().out
    assert ("medlineplus-ency-jaundice-cp1252: windows-1252 (meta: declared utf-8 but bytes are not valid UTF-8); "
            "profile medlineplus-encyclopedia;") in out
    assert "000277-dump: utf-8 (bytes: no usable declaration; bytes are valid UTF-8); profile " \
           "dump:medlineplus-encyclopedia; 3 mojibake fix(es)" in out
    report = json.loads((project / "build/reports/normalize.json").read_text(encoding="utf-8"))
    steps = report["000277"]["steps"]
    assert steps[0] == {"action": "decode", "target": "utf-8", "reason": "meta: declared utf-8, bytes agree"}
    assert {"action": "drop", "target": ".section-button", "reason": "site chrome, 11 element(s)"} in steps
    assert [s["reason"] for s in steps if s["action"] == "fix-mojibake"] == ["encode latin-1, decode utf-8"] * 3


BAD = {
    "bad.empty.html": "empty file, not an HTML page",
    "bad.binary.html": "binary file (NUL bytes), not an HTML page",
    "bad.json-document.html": "JSON data, not an HTML page",
    "bad.pdf-document.html": "a PDF document, not an HTML page",
    "bad.xml-feed.html": "an XML document, not an HTML page",
    "bad.plain-text.html": "plain text, not an HTML page (no markup at the start)",
    "bad.deep-nesting.html": "elements nested 256+ levels deep, over the limit of 200",
    "bad.no-article.html": "no article content found on the page",
}


def test_every_bad_input_gets_one_line_and_the_rest_goes_through(project, capsys):
    for name in BAD:
        shutil.copy(PAGES / name, project / "source" / name.replace("bad.", "bad-"))
    with open(project / "source" / "bad-huge.html", "wb") as huge:
        huge.write(b"<!DOCTYPE html><html><body><article><p>" + b"x" * (50 * 1024 * 1024) + b"</p></article></body></html>")
    shutil.copy(PAGES / "medlineplus-ency-alt-test.html", project / "source" / "alt-test.html")
    assert main(["--root", str(project), "normalize"]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    expected = {f"source/{name.replace('bad.', 'bad-')}: {message}" for name, message in BAD.items()}
    expected.add("source/bad-huge.html: file is 52428867 bytes, over the limit of 20971520")
    assert {line.split(str(project) + "/", 1)[-1] for line in errors} == expected
    assert (project / "build/clean/000277.html").exists() and (project / "build/clean/alt-test.html").exists()
    assert main(["--root", str(project), "extract"]) == 0


def test_two_sources_for_one_document_is_an_error(project, capsys):
    shutil.copy(DUMP, project / "source" / "000277.txt")
    assert main(["--root", str(project), "normalize"]) == 2
    assert "two sources for document '000277'; keep one" in capsys.readouterr().err
