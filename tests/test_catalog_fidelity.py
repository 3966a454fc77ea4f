"""Catalogs a translator can trust: GNU's exact layout, round trips with the real gettext tools, no loss."""

import random
import shutil
import subprocess
from pathlib import Path

import polib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalogs import TemplateInfo, build_template, read_catalog, render_catalog, update_catalog
from pipeline.cli import main
from pipeline.files import project_lock
from pipeline.model import Segment
from pipeline.pofile import GNU_LINE_BREAKING, parse_catalog, publishable_translations, read_fast, read_translations_fast
from tests.conftest import ROOT


def msgcat(path: Path) -> str:
    return subprocess.run(["msgcat", str(path)], capture_output=True, text=True, check=True).stdout


def test_gnu_line_breaking_is_in_use():
    assert GNU_LINE_BREAKING, "libunistring (GNU's line breaking) should be loadable on this machine"


def test_every_shipped_catalog_is_already_in_gnu_layout():
    catalogs = sorted((ROOT / "locales").rglob("*.po*")) + [ROOT / "tests/qa_eval/es.po"]
    assert len(catalogs) >= 8
    for path in catalogs:
        assert msgcat(path) == path.read_text(encoding="utf-8"), path


# Text a catalog really holds: Latin with accents, Arabic, Chinese, digits,
# punctuation, quotes, backslashes, tabs and newlines, no-break spaces and a bidi mark (not
# printable, yet not escaped).
TEXT = st.text(alphabet=st.sampled_from(list(
    "abcdefghij KLMNOP áéíñüÇ ١٢ 0123 .,;:!?-/()[]\"'\\\t\n<>&%\u00a0\u200e"
    "الكبدسرطانمرض肝转移癌症医学百科全书。，")), min_size=0, max_size=160)
# Comments as tools write them: lines without leading or trailing spaces.
COMMENT = st.lists(st.text(alphabet="abc é肝 ", max_size=40).map(str.strip).filter(bool), max_size=3).map("\n".join)
# The flags the pipeline and its translators' tools use (GNU's order among several
# format flags is not modelled: the pipeline never writes format flags).
FLAGS = st.lists(st.sampled_from(["fuzzy", "c-format", "no-wrap"]), unique=True, max_size=3)


@st.composite
def entries(draw):
    msgid = draw(TEXT.filter(lambda t: t != ""))
    plural = draw(st.booleans())
    entry = polib.POEntry(
        msgid=msgid,
        msgctxt=draw(st.one_of(st.none(), TEXT.filter(lambda t: "\n" not in t))),
        tcomment=draw(COMMENT),
        comment=draw(COMMENT),
        occurrences=draw(st.lists(st.tuples(st.sampled_from(["source/000277.html", "a.html", "pipeline/x.html"]),
                                            st.integers(1, 99999).map(str)), max_size=9)),
        flags=draw(FLAGS),
        previous_msgid=draw(st.one_of(st.none(), TEXT.filter(lambda t: t != ""))),
    )
    if plural:
        entry.msgid_plural = draw(TEXT.filter(lambda t: t != ""))
        entry.msgstr_plural = {0: draw(TEXT), 1: draw(TEXT), 2: draw(TEXT)}
    else:
        entry.msgstr = draw(TEXT)
    return entry


@st.composite
def catalogs(draw):
    catalog = polib.POFile()
    catalog.header = draw(COMMENT)
    catalog.metadata = {"Project-Id-Version": "Test 1.0", "Language": "es",
                        "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit",
                        "Plural-Forms": "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);"}
    seen = set()
    for entry in draw(st.lists(entries(), min_size=1, max_size=6)):
        if (entry.msgctxt, entry.msgid) not in seen:
            seen.add((entry.msgctxt, entry.msgid))
            catalog.append(entry)
    for entry in draw(st.lists(entries(), max_size=2)):
        if (entry.msgctxt, entry.msgid) not in seen and not entry.msgid_plural and entry.msgstr:
            seen.add((entry.msgctxt, entry.msgid))
            entry.obsolete, entry.occurrences, entry.comment = True, [], ""
            entry.previous_msgid = None  # polib does not read "#~|" back; the pipeline never writes it
            catalog.append(entry)
    return catalog


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_any_catalog_is_written_as_msgcat_writes_it_and_reads_back_the_same(tmp_path_factory, catalog):
    path = tmp_path_factory.mktemp("po") / "any.po"
    text = render_catalog(catalog)
    path.write_text(text, encoding="utf-8")
    assert msgcat(path) == text
    again = read_catalog(path)
    def key(e):
        translated = e.msgstr_plural.get(0) if e.msgid_plural else e.msgstr
        flags = sorted(f for f in e.flags if f != "fuzzy" or translated)  # GNU drops fuzzy on untranslated
        return (e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, dict(e.msgstr_plural), e.tcomment, e.comment,
                list(dict.fromkeys(e.occurrences)) if not e.obsolete else [], flags, e.previous_msgid,
                bool(e.obsolete))
    assert [key(e) for e in again] == [key(e) for e in catalog]
    assert render_catalog(again) == text


def test_strings_around_the_page_width_are_laid_out_as_msgcat_lays_them_out(tmp_path):
    # Where a string starts (after its keyword, or on a line of its own) is decided near the page
    # width: strings of 60 to 90 columns, in every keyword and prefix, checked with one msgcat run.
    rng = random.Random(79)
    words = ["liver", "a", "metastases", "5", "mg,", "(CT)", "«sí»", "hígado", "肝", "转移", "الكبد", "don't", "x-ray",
             "e.g.", "!", "?", "\\", '"', "\t", "://", "-", "1.5", "—", "...", "10%"]
    def text(columns):
        picked = []
        while len(" ".join(picked)) < columns:
            picked.append(rng.choice(words))
        return " ".join(picked)[:columns].strip() or "x"
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
    for number in range(400):
        columns = 60 + number % 31
        entry = polib.POEntry(msgid=f"{number} {text(columns)}", msgstr=text(columns),
                              msgctxt=text(columns) if number % 7 == 0 else None,
                              previous_msgid=text(columns) if number % 5 == 0 else None,
                              flags=["fuzzy"] if number % 5 == 0 else [])
        if number % 9 == 0:
            entry.obsolete, entry.previous_msgid, entry.flags = True, None, []
        catalog.append(entry)
    path = tmp_path / "widths.po"
    text_written = render_catalog(catalog)
    path.write_text(text_written, encoding="utf-8")
    assert msgcat(path) == text_written


def _template(*texts):
    info = TemplateInfo("Test", "bugs@example.org", "2026-01-01 00:00+0000", "Liver metastases")
    return build_template([Segment(t, "paragraph", "Causes", 10 + i) for i, t in enumerate(texts)],
                          "source/d.html", info)


def test_msgmerge_and_the_pipeline_converge_and_keep_every_translation(project, tmp_path):
    assert main(["--root", str(project), "update"]) == 0
    catalog = project / "locales/es/LC_MESSAGES/000277.po"
    ours = catalog.read_text(encoding="utf-8")
    translations = {e.msgid: e.msgstr for e in read_catalog(catalog)}
    template = project / "locales/templates/000277.pot"
    # msgmerge after the pipeline keeps every translation ...
    subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(tmp_path / "gnu.po"), str(catalog),
                    str(template)], check=True)
    assert {e.msgid: e.msgstr for e in read_catalog(tmp_path / "gnu.po")} == translations
    # ... and the pipeline after msgmerge gives back exactly the pipeline's file
    shutil.copy(tmp_path / "gnu.po", catalog)
    assert main(["--root", str(project), "update"]) == 0
    assert catalog.read_text(encoding="utf-8") == ours
    # msgmerge is stable on what the pipeline wrote
    subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(tmp_path / "again.po"), str(catalog),
                    str(template)], check=True)
    assert (tmp_path / "again.po").read_text(encoding="utf-8") == (tmp_path / "gnu.po").read_text(encoding="utf-8")


def test_msgmerge_and_the_pipeline_agree_on_a_changed_source(tmp_path):
    old, _ = update_catalog(_template("The liver is large.", "Causes", "Pain"), None, "es")
    for entry in old:
        entry.msgstr = {"The liver is large.": "El hígado es grande.", "Causes": "Causas", "Pain": "Dolor"}.get(
            entry.msgid, "")
    new_template = _template("The liver is very large.", "Causes")
    (tmp_path / "old.po").write_text(render_catalog(old), encoding="utf-8")
    (tmp_path / "new.pot").write_text(render_catalog(new_template), encoding="utf-8")
    subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(tmp_path / "gnu.po"), str(tmp_path / "old.po"),
                    str(tmp_path / "new.pot")], check=True)
    gnu = read_catalog(tmp_path / "gnu.po")
    ours, _ = update_catalog(new_template, old, "es")
    for catalog in (gnu, ours):
        changed = catalog.find("The liver is very large.")
        assert changed.msgstr == "El hígado es grande." and "fuzzy" in changed.flags
        assert changed.previous_msgid == "The liver is large."
        assert [(e.msgid, e.msgstr) for e in catalog if e.obsolete] == [("Pain", "Dolor")]


def test_a_source_edit_in_spacing_or_typography_keeps_its_translation_as_is():
    old, _ = update_catalog(_template('This "starves" the cells.', "Take 5 mg."), None, "es")
    for entry in old:
        entry.msgstr = {'This "starves" the cells.': 'Esto "mata de hambre" a las células.',
                        "Take 5 mg.": "Tome 5 mg."}.get(entry.msgid, "")
    new, summary = update_catalog(_template("This \u201cstarves\u201d the  cells.", "Take 5\u00a0mg."), old, "es")
    for entry in new:
        assert entry.msgstr and "fuzzy" not in entry.flags, entry
    assert not [e for e in new if e.obsolete] and summary.fuzzy == 0


def test_dry_run_shows_what_would_change_and_writes_nothing(project, capsys):
    assert main(["--root", str(project), "all"]) == 0
    source = project / "source/000277.html"
    source.write_text(source.read_text(encoding="utf-8").replace("<p>Treatment depends on:</p>",
                                                                 "<p>Treatment depends on these:</p>")
                      .replace("<li>Pain</li>\n", ""), encoding="utf-8")
    assert main(["--root", str(project), "normalize"]) == 0
    assert main(["--root", str(project), "extract"]) == 0
    before = {p: p.read_bytes() for p in (project / "locales").rglob("*.po")}
    capsys.readouterr()
    assert main(["--root", str(project), "update", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "locales/es/LC_MESSAGES/000277.po: 0 new, 1 fuzzy, 1 obsolete, 0 revived" in out
    assert "3 file(s) would change" in out
    assert {p: p.read_bytes() for p in (project / "locales").rglob("*.po")} == before


def test_a_second_run_at_the_same_time_is_refused_with_a_clear_message(project, capsys):
    with project_lock(project / ".pipeline.lock"):
        assert main(["--root", str(project), "update"]) == 2
    message = capsys.readouterr().err
    assert "another pipeline run (pid" in message and "wait for it to finish" in message
    assert main(["--root", str(project), "normalize"]) == 0, "the lock is released with its holder"


def test_obsolete_translation_returns_as_fuzzy_when_its_source_comes_back_changed():
    first, _ = update_catalog(_template("Causes", "The liver is large."), None, "es")
    for entry in first:
        entry.msgstr = {"Causes": "Causas", "The liver is large.": "El hígado es grande."}[entry.msgid]
    gone, _ = update_catalog(_template("Causes"), polib.pofile(render_catalog(first)), "es")
    back, summary = update_catalog(_template("Causes", "The liver is very large."), polib.pofile(render_catalog(gone)),
                                   "es")
    entry = back.find("The liver is very large.")
    assert entry.msgstr == "El hígado es grande." and "fuzzy" in entry.flags
    assert not [e for e in back if e.obsolete]


def test_document_ids_cannot_escape_the_project(project, capsys):
    for name in ("..html", "ａｂｃ.html", "a\u202eb.html", ".hidden.html", "con sp.html"):
        shutil.copy(ROOT / "source/000277.html", project / "source" / name)
    assert main(["--root", str(project), "normalize"]) == 2
    errors = capsys.readouterr().err
    assert errors.count("document id may hold only letters, digits") == 5
    assert sorted(p.name for p in (project / "build/clean").glob("*.html")) == ["000277.html"]


_ENTRY_FIELDS = ("msgid", "msgstr", "msgid_plural", "msgstr_plural", "msgctxt", "obsolete", "comment", "tcomment",
                 "occurrences", "flags", "previous_msgctxt", "previous_msgid", "previous_msgid_plural", "linenum")


def _parsed(parser, text):
    """What a parser makes of a text: the catalog's fields, or "error" when it rejects it."""
    try:
        catalog = parser(text)
    except (OSError, ValueError):
        return "error"
    return (catalog.header, list(catalog.metadata.items()), bool(catalog.metadata_is_fuzzy),
            [tuple(getattr(e, name) for name in _ENTRY_FIELDS) for e in catalog])


def _mutations(text: str, draw_indexes) -> str:
    lines = text.split("\n")
    for kind, index in draw_indexes:
        if not lines:
            break
        index %= len(lines)
        if kind == "drop":
            del lines[index]
        elif kind == "repeat":
            lines.insert(index, lines[index])
        elif kind == "cut":
            lines[index] = lines[index][: len(lines[index]) // 2]
        elif kind == "previous":  # an obsolete entry's previous string, which the fast path leaves alone
            lines[index] = "#~| " + lines[index]
        else:
            lines[index] = "#~ " + lines[index]
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs(), st.lists(st.tuples(st.sampled_from(["drop", "repeat", "cut", "obsolete", "previous"]),
                                      st.integers(0, 10_000)), max_size=3))
def test_the_fast_reader_reads_every_catalog_as_polib_does(catalog, mutations):
    # The pipeline reads catalogs with its own parser (pofile.parse_catalog) for speed; polib's is the
    # reference. On well-formed text and on damaged text alike, both give the same entries or both refuse.
    text = _mutations(render_catalog(catalog), mutations)
    reference = _parsed(lambda t: polib.pofile(t, wrapwidth=79, check_for_duplicates=True), text)
    assert _parsed(parse_catalog, text) == reference
    if read_fast(text) is not None:  # the fast path reads only what it can read exactly
        assert _parsed(read_fast, text) == reference
    _assert_translations_read_as_from_the_catalog(text)


def test_the_fast_reader_leaves_obsolete_previous_strings_to_the_full_parser_and_reads_them_in_text():
    # "#~|" starting a line is parse_catalog's (polib skips the line); inside a comment or a string
    # it is text, which the fast path reads as polib does.
    in_text = ('msgid ""\nmsgstr "Language: es\\n"\n\n# see #~| here\nmsgid "a #~| b"\nmsgstr "c"\n')
    reference = _parsed(lambda t: polib.pofile(t, wrapwidth=79, check_for_duplicates=True), in_text)
    assert read_fast(in_text) is not None and _parsed(read_fast, in_text) == reference
    assert reference[3][0][0] == "a #~| b" and reference[3][0][7] == "see #~| here"
    at_line_start = in_text + '\n#~| msgid "old"\n#~ msgid "d"\n#~ msgstr "e"\n'
    assert read_fast(at_line_start) is None
    assert _parsed(parse_catalog, at_line_start) == _parsed(
        lambda t: polib.pofile(t, wrapwidth=79, check_for_duplicates=True), at_line_start)


def test_the_fast_reader_agrees_with_polib_on_every_catalog_in_the_repository():
    paths = sorted(ROOT.glob("locales/**/*.po*")) + sorted(ROOT.glob("tests/**/*.po*"))
    assert len(paths) >= 10
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        reference = _parsed(lambda t: polib.pofile(t, wrapwidth=79, check_for_duplicates=True), text)
        assert _parsed(parse_catalog, text) == reference, path
        if read_fast(text) is not None:
            assert _parsed(read_fast, text) == reference, path
        elif path.is_relative_to(ROOT / "locales"):
            raise AssertionError(f"{path} is in GNU's layout, yet the fast path did not read it")
        _assert_translations_read_as_from_the_catalog(text)


def _assert_translations_read_as_from_the_catalog(text: str) -> None:
    # Pages read a catalog's publishable translations alone (read_translations_fast): the same as
    # those of the catalog read in full, and refused exactly where the full fast path refuses.
    catalog = read_fast(text)
    translations = read_translations_fast(text)
    assert (translations is None) == (catalog is None)
    if catalog is not None:
        assert translations == publishable_translations(catalog)
        assert list(translations.items()) == list(publishable_translations(catalog).items())
