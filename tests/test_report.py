import json

import pytest
from lxml import etree
from lxml import html as lxml_html

from pipeline.cli import main
from pipeline.qa import CHECKS

SUMMARY_KEYS = {"messages", "translated", "fuzzy", "untranslated", "words", "percent", "errors", "warnings"}
FINDING_KEYS = {"check", "severity", "locale", "file", "line", "msgid", "msgstr", "message"}


@pytest.fixture
def checked(project, monkeypatch, capsys):
    """The shipped project with one Spanish error and one warning injected, after `check`."""
    assert main(["--root", str(project), "all"]) == 0
    po = project / "locales/es/LC_MESSAGES/000277.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "Fecha de revisión: 19/1/2018"', 'msgstr "Fecha de revisión: 19/1/2019"')
    text = text.replace('msgstr "Causas"', 'msgstr "Causas "')
    po.write_text(text, encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    capsys.readouterr()
    code = main(["--root", str(project), "check"])
    return project, code, capsys.readouterr().out


def test_check_exits_1_and_prints_compiler_style_diagnostics_grouped_by_check(checked):
    project, code, out = checked
    assert code == 1
    assert "[numbers] 2 finding(s)" in out
    assert "locales/es/LC_MESSAGES/000277.po:" in out and ": error: date 2018-01-19 is missing or changed [numbers]" in out
    assert ": warning: trailing whitespace differs from the source [whitespace]" in out
    assert "::error file=locales/es/LC_MESSAGES/000277.po,line=" in out
    assert "title=numbers::date 2018-01-19 is missing or changed" in out


def test_qa_json_keeps_the_contract(checked):
    project, _, _ = checked
    report = json.loads((project / "build/reports/qa.json").read_text(encoding="utf-8"))
    assert set(report["summary"]) == {"ar", "es", "zh_Hans"}
    for counts in report["summary"].values():
        assert SUMMARY_KEYS <= set(counts)
    assert report["summary"]["es"]["errors"] == 2 and report["summary"]["es"]["warnings"] == 1
    assert report["findings"] and all(set(f) == FINDING_KEYS for f in report["findings"])


def test_qa_xml_is_junit_with_a_suite_per_locale_and_a_case_per_catalog_and_check(checked):
    project, _, _ = checked
    root = etree.parse(str(project / "build/reports/qa.xml")).getroot()
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) == {"ar", "es", "zh_Hans"}
    assert len(suites["es"].findall("testcase")) == 2 * len(CHECKS), "two catalogs: the article and the site"
    failing = [case.get("name") for case in suites["es"].findall("testcase") if case.find("failure") is not None]
    assert failing == ["numbers"]
    assert suites["es"].get("failures") == "1" and root.get("tests") == str(6 * len(CHECKS))


def test_qa_html_is_one_self_contained_page_with_bars_and_filterable_findings(checked):
    project, _, _ = checked
    page = (project / "build/reports/qa.html").read_text(encoding="utf-8")
    root = lxml_html.document_fromstring(page)
    assert not root.xpath("//link[@href] | //script[@src] | //img[@src]"), "nothing loaded from elsewhere"
    assert len(root.cssselect("div.bar")) == 9, "per locale: the total, the article and the site catalog"
    rows = root.cssselect("#findings tbody tr")
    assert {row.get("data-check") for row in rows} == {"numbers", "whitespace"}
    assert root.cssselect("#filters select") and root.cssselect("#filters input")


def test_check_never_modifies_a_catalog(checked):
    project, _, _ = checked
    before = {p: p.read_bytes() for p in (project / "locales").rglob("*.po")}
    main(["--root", str(project), "check"])
    assert {p: p.read_bytes() for p in (project / "locales").rglob("*.po")} == before


def test_unparseable_catalog_exits_2_naming_file_and_line(project, capsys):
    assert main(["--root", str(project), "all"]) == 0
    po = project / "locales/ar/LC_MESSAGES/000277.po"
    po.write_text(po.read_text(encoding="utf-8") + 'msgid "x"\nmsgstr "y\n', encoding="utf-8")
    assert main(["--root", str(project), "check"]) == 2
    assert f"{po}:" in capsys.readouterr().err


HOSTILE_MESSAGES = [
    ('5 mg & "x" <b>', '5 mg & "x" <b>'),
    ("it's ]]> fine", "it's ]]> fine"),
    ("tab\there, return\r, newline\nend", "tab\there, return\r, newline\nend"),
    ("control \x01\x08\x0b\x1f characters", "control  characters"),  # XML cannot carry them at all
    ("ünï ☃ 中文 العربية", "ünï ☃ 中文 العربية"),
]


@pytest.mark.parametrize("message, kept", HOSTILE_MESSAGES)
def test_qa_xml_carries_any_message_as_well_formed_xml(message, kept):
    from pipeline.report import render_junit

    path = 'locales/es/LC_MESSAGES/a&"b<>.po'
    findings = [{"check": "numbers", "severity": severity, "locale": "es", "file": path, "line": 3,
                 "msgid": "", "msgstr": "", "message": message} for severity in ("error", "warning")]
    report = {"summary": {"es": {}, "ar": {}}, "documents": {"es": {path: {}}, "ar": {}}, "findings": findings}
    root = etree.fromstring(render_junit(report, ["numbers", "units"]).encode("utf-8"))
    case = root.find("testsuite/testcase[@name='numbers']")
    assert case.get("file") == path and case.get("classname") == f"es.{path}"
    assert case.find("failure").text == f"{path}:3: error: {kept} [numbers]"
    assert case.find("system-out").text == f"{path}:3: warning: {kept} [numbers]"
    assert root.find("testsuite[@name='ar']").get("tests") == "0"


def test_qa_xml_lists_every_check_of_a_catalog_without_findings_beside_one_with_them():
    from pipeline.report import render_junit

    quiet, noisy = 'locales/es/LC_MESSAGES/a&"b<>.po', "locales/es/LC_MESSAGES/c.po"
    findings = [{"check": "units", "severity": "error", "locale": "es", "file": noisy, "line": 3,
                 "msgid": "", "msgstr": "", "message": "dose unit 'mg' became 'g'"}]
    report = {"summary": {"es": {}}, "documents": {"es": {quiet: {}, noisy: {}}}, "findings": findings}
    text = render_junit(report, ["numbers", "units", "a&b"])
    root = etree.fromstring(text.encode("utf-8"))
    cases = [(case.get("classname"), case.get("name"), case.get("file"), case.find("failure") is not None)
             for case in root.iter("testcase")]
    assert cases == [(f"es.{quiet}", "numbers", quiet, False), (f"es.{quiet}", "units", quiet, False),
                     (f"es.{quiet}", "a&b", quiet, False), (f"es.{noisy}", "numbers", noisy, False),
                     (f"es.{noisy}", "units", noisy, True), (f"es.{noisy}", "a&b", noisy, False)]
    assert root.get("tests") == "6" and root.get("failures") == "1" and "\0" not in text
    assert render_junit({**report, "documents": {"es": {quiet: {}}}, "findings": []}, []).count("<testcase") == 0
