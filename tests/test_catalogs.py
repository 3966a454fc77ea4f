import re
import subprocess
from pathlib import Path

import polib
import pytest

from pipeline.catalogs import (
    TemplateInfo, build_template, header_creation_date, read_catalog, render_catalog, update_catalog,
)
from pipeline.cli import main
from pipeline.errors import CatalogError
from pipeline.model import Segment
from pipeline.segments import extract
from tests.conftest import FIXTURES, SAMPLE, normalize_path

INFO = TemplateInfo("Test project", "bugs@example.org", "2026-01-01 00:00+0000", "Liver metastases")


def template_of(*texts: str) -> polib.POFile:
    return build_template([Segment(t, "paragraph", "Causes", n + 10) for n, t in enumerate(texts)], "source/d.html",
                          INFO)


def translated(catalog: polib.POFile, mapping: dict[str, str]) -> polib.POFile:
    for entry in catalog:
        if entry.msgid in mapping:
            entry.msgstr = mapping[entry.msgid]
    return catalog


def msgfmt_check(tmp_path: Path, catalog: polib.POFile) -> None:
    path = tmp_path / "check.po"
    path.write_text(render_catalog(catalog), encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True, capture_output=True)


def test_template_has_one_entry_per_text_with_every_reference_and_role():
    document = normalize_path(SAMPLE)
    template = build_template(extract(document), "source/000277.html", INFO)
    entry = template.find("Decreased appetite")
    assert [line for _, line in entry.occurrences] == ["133", "213"]
    assert entry.comment == "list item in section 'Symptoms'\nlist item in section 'Possible Complications'"
    assert len({e.msgid for e in template}) == len(template)
    text = render_catalog(template)
    assert "#: source/000277.html:133 source/000277.html:213" in text
    assert "POT-Creation-Date: 2026-01-01 00:00+0000" in text


@pytest.mark.parametrize("locale, language, plural_forms", [
    ("es", "es", "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"),
    ("ar", "ar", "nplurals=6; plural=(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n % 100 >= 3 && n % 100 <= 10 ? 3 "
                 ": n % 100 >= 11 && n % 100 <= 99 ? 4 : 5);"),
    ("zh_Hans", "zh_Hans", "nplurals=1; plural=0;"),
])
def test_new_catalog_header_comes_from_babel(tmp_path, locale, language, plural_forms):
    catalog, summary = update_catalog(template_of("Causes", "Symptoms"), None, locale)
    assert catalog.metadata["Language"] == language
    assert catalog.metadata["Plural-Forms"] == plural_forms
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert summary.added == 2
    msgfmt_check(tmp_path, catalog)


def test_update_keeps_translations_and_marks_changed_sources_fuzzy_with_previous(tmp_path):
    old, _ = update_catalog(template_of("Causes", "The liver is large.", "Pain"), None, "es")
    translated(old, {"Causes": "Causas", "The liver is large.": "El hígado es grande.", "Pain": "Dolor"})
    old.find("Causes").tcomment = "checked by Dr. Ruiz"
    new, summary = update_catalog(template_of("Causes", "The liver is very large.", "Nausea"), old, "es")
    assert new.find("Causes").msgstr == "Causas"
    assert new.find("Causes").tcomment == "checked by Dr. Ruiz"
    changed = new.find("The liver is very large.")
    assert changed.msgstr == "El hígado es grande."
    assert "fuzzy" in changed.flags and changed.previous_msgid == "The liver is large."
    assert new.find("Nausea").msgstr == ""
    gone = [e for e in new if e.obsolete]
    assert [(e.msgid, e.msgstr) for e in gone] == [("Pain", "Dolor")]
    assert (summary.added, summary.fuzzy, summary.obsolete) == (1, 1, 1)
    text = render_catalog(new)
    assert '#| msgid "The liver is large."' in text and '#~ msgid "Pain"' in text
    msgfmt_check(tmp_path, new)


def test_obsolete_translation_comes_back_with_its_source():
    old, _ = update_catalog(template_of("Causes", "Pain"), None, "es")
    translated(old, {"Causes": "Causas", "Pain": "Dolor"})
    without, _ = update_catalog(template_of("Causes"), old, "es")
    reread = polib.pofile(render_catalog(without))
    back, summary = update_catalog(template_of("Causes", "Pain"), reread, "es")
    assert back.find("Pain").msgstr == "Dolor" and not back.find("Pain").obsolete
    assert "fuzzy" not in back.find("Pain").flags
    assert summary.revived == 1
    assert not [e for e in back if e.obsolete]


def test_update_of_an_unchanged_catalog_is_byte_identical():
    first, _ = update_catalog(template_of("Causes", "Pain"), None, "es")
    translated(first, {"Causes": "Causas"})
    text = render_catalog(first)
    second, _ = update_catalog(template_of("Causes", "Pain"), polib.pofile(text), "es")
    assert render_catalog(second) == text


BAD_CATALOGS = sorted((FIXTURES / "po").glob("bad.*.po"))


@pytest.mark.parametrize("path", BAD_CATALOGS, ids=lambda p: p.name)
def test_each_broken_catalog_is_refused_naming_file_and_line(path):
    expected_line = int(re.match(r"# expect-error-line: (\d+)", path.read_text(encoding="latin-1")).group(1))
    with pytest.raises(CatalogError) as caught:
        read_catalog(path)
    assert caught.value.path == path
    assert caught.value.line == expected_line
    assert str(caught.value).startswith(f"{path}:{expected_line}: ")
    # msgfmt agrees that these files are broken
    assert subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True).returncode != 0


def test_shipped_catalogs_read_and_pass_msgfmt_check():
    from tests.conftest import ROOT

    for path in sorted((ROOT / "locales").rglob("*.po")):
        read_catalog(path)
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True, capture_output=True)


_HEADER = ('msgid ""\nmsgstr ""\n"Project-Id-Version: x\\n"\n"POT-Creation-Date: 2026-01-01 00:00+0000\\n"\n'
           '"Content-Type: text/plain; charset=UTF-8\\n"\n')


@pytest.mark.parametrize("text, date", [
    (_HEADER + '\n#: a.html:1\nmsgid "Causes"\nmsgstr ""\n', "2026-01-01 00:00+0000"),
    (_HEADER, "2026-01-01 00:00+0000"),  # a header alone, no blank line after it
    ('msgid ""\nmsgstr ""\n"Project-Id-Version: x\\n"\n\nmsgid ""\n"POT-Creation-Date: 2020-01-01 00:00+0000\\n"\n'
     'msgstr ""\n', ""),  # only the header counts, not a message that looks like one
    ('msgid ""\nmsgstr ""\n"POT-Creation-Date: 2026\\"01\\n"\n', ""),  # not a date we wrote
    ("", ""),
])
def test_header_creation_date_reads_the_header_only(text, date):
    assert header_creation_date(text) == date


def test_a_template_keeps_its_creation_date_until_its_content_changes(project, monkeypatch):
    template = project / "locales" / "templates" / "000277.pot"
    template.unlink()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    assert main(["--root", str(project), "normalize"]) == 0
    assert main(["--root", str(project), "extract"]) == 0
    first = template.read_text(encoding="utf-8")
    assert '"POT-Creation-Date: 2026-01-01 00:00+0000\\n"' in first

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1769904000")  # 2026-02-01 00:00 UTC
    (project / "build" / "cache" / "extract.jsonl").unlink()  # extract the document again: same content
    assert main(["--root", str(project), "extract"]) == 0
    assert template.read_text(encoding="utf-8") == first

    page = project / "source" / "000277.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Liver metastases", "Liver metastasis", 1),
                    encoding="utf-8")
    assert main(["--root", str(project), "normalize"]) == 0
    assert main(["--root", str(project), "extract"]) == 0
    changed = template.read_text(encoding="utf-8")
    assert changed != first
    assert '"POT-Creation-Date: 2026-02-01 00:00+0000\\n"' in changed
    # What a first extraction on 2026-02-01 would write: only the date was replaced in the text.
    template.unlink()
    (project / "build" / "cache" / "extract.jsonl").unlink()
    assert main(["--root", str(project), "extract"]) == 0
    assert template.read_text(encoding="utf-8") == changed

    # A date written some other way (another length) is replaced by rendering the template again.
    template.write_text(changed.replace("2026-02-01 00:00+0000", "2026-2-1"), encoding="utf-8")
    page.write_text(page.read_text(encoding="utf-8").replace("Liver metastasis", "Liver metastases", 1),
                    encoding="utf-8")
    assert main(["--root", str(project), "normalize"]) == 0
    assert main(["--root", str(project), "extract"]) == 0
    again = template.read_text(encoding="utf-8")
    assert '"POT-Creation-Date: 2026-02-01 00:00+0000\\n"' in again
    assert again == first.replace("2026-01-01 00:00+0000", "2026-02-01 00:00+0000")
