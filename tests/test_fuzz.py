"""Generated hostile input for the readers: only the project's own clear errors, no crash, no hang.

Each reader gets a bounded number of generated inputs here (about a minute
in all); ``make fuzz`` runs many more (FUZZ_EXAMPLES) and prints the count.
"""

import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalogs import read_catalog
from pipeline.errors import PipelineError
from pipeline.glossary import read_csv, read_tbx
from pipeline.htmldoc import parse_document, serialize_document
import pipeline.normalize as normalizer
from pipeline.normalize import normalize, normalize_dump

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("FUZZ_EXAMPLES"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.function_scoped_fixture])
#: Longest a single input may take, generously: a hang shows as a failure, not a stuck suite.
BOUND_SECONDS = 5.0
TRIED = {}


def _count(name):
    TRIED[name] = TRIED.get(name, 0) + 1


def _within_bound(function, *args):
    started = time.monotonic()
    try:
        outcome = function(*args)
    except PipelineError as error:
        assert str(error) and "\n" not in str(error).strip(), "one clear line"
        outcome = None
    assert time.monotonic() - started < BOUND_SECONDS
    return outcome


def _normalized_with_built_tags(function):
    """``function()``'s outcome, and the tags of the tree normalize serialized, in document order."""
    built = []

    def recording(root):
        built.append([element.tag for element in root.iter()])
        return serialize_document(root)

    original, normalizer.serialize_document = normalizer.serialize_document, recording
    try:
        return _within_bound(function), built
    finally:
        normalizer.serialize_document = original


def _reparses_element_for_element(outcome, built) -> None:
    """A clean document's HTML parses back to the elements normalize built, in the same order: extract
    finds each element's source line by its position."""
    if outcome is not None:
        document, _ = outcome
        assert [element.tag for element in parse_document(document.html).iter()] == built[-1]
        assert len(document.source_lines) == len(built[-1])


PO_PIECES = st.sampled_from(['msgid ', 'msgstr ', 'msgctxt ', 'msgid_plural ', 'msgstr[0] ', 'msgstr[9] ', '"', '""',
                             '\\n', '\\', '\\x41', '\\777', '\n', '#, fuzzy\n', '#~ ', '#| ', '#: a.html:1\n', '#.',
                             'é', '肝', 'ال', '\t', ' ', 'Content-Type: text/plain; charset=UTF-8\\n', '\x00', '\r'])


@FUZZ
@given(st.lists(PO_PIECES, max_size=60).map("".join))
def test_po_reader_on_generated_catalogs(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("po") / "fuzz.po"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    _count("po")
    _within_bound(read_catalog, path)


HTML_PIECES = st.sampled_from(["<html>", "</html>", "<body>", "<article>", "<main>", "<div>", "</div>", "<p>", "</p>",
                               "<a href='javascript:x'>", "</a>", "<script>", "</script>", "<!--", "-->", "<table>",
                               "<td>", "<span translate=no>", "<img alt='x' onerror=y>", "&nbsp;", "&amp;", "&#0;",
                               "Ã±", "Â ", "text ", "肝", "<meta charset='utf-16'>", "<meta charset='x'>", "<?xml ?>",
                               "<", ">", "\x00", "\ufeff", "<br>", "<h1>", "<h2>", "<li>", "<ul>"])


@FUZZ
@given(st.lists(HTML_PIECES, max_size=80).map("".join), st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_normalizer_on_generated_pages(text, encoding):
    raw = text.encode(encoding, errors="replace")
    _count("html")
    _reparses_element_for_element(*_normalized_with_built_tags(
        lambda: normalize(raw, doc_id="fuzz", source_path="fuzz.html")))


@FUZZ
@given(st.lists(st.sampled_from(["Link: https://medlineplus.gov/ency/article/1.htm\n", "Description: d\n", "# Title\n",
                                 "## Section\n", "* item\n", "      * item\n", "- dash\n", "text\n", "\n", "![a](b)",
                                 "_em_", "Â ", "[x](javascript:y)", "<script>x</script>", "```\n"]),
                max_size=40).map("".join))
def test_dump_reader_on_generated_dumps(text):
    _count("dump")
    _reparses_element_for_element(*_normalized_with_built_tags(
        lambda: normalize_dump(text.encode(), doc_id="fuzz", source_path="fuzz.txt")))


@FUZZ
@given(st.lists(st.sampled_from(["concept,en,es,status\n", "c,liver,hígado,preferred\n", "c,a,b,forbidden\n", ",,,\n",
                                 '"', ",", "\n", "x", "approved", "\x00", "é", "c,\"multi\nline\",x,admitted\n"]),
                max_size=40).map("".join))
def test_glossary_csv_reader_on_generated_files(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("csv") / "glossary.csv"
    path.write_text(text, encoding="utf-8")
    _count("csv")
    _within_bound(read_csv, path)


@FUZZ
@given(st.lists(st.sampled_from(["<?xml version='1.0'?>", "<martif>", "</martif>", "<termEntry id='a'>",
                                 "</termEntry>", "<langSet xml:lang='es'>", "</langSet>", "<tig>", "</tig>", "<term>",
                                 "</term>", "liver", "<!DOCTYPE m [<!ENTITY e 'x'>]>", "&e;", "&amp;",
                                 "<!DOCTYPE m SYSTEM 'http://127.0.0.1:9/x.dtd'>", "<note>do not translate</note>",
                                 "<", "\x00"]), max_size=40).map("".join))
def test_tbx_reader_on_generated_files(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("tbx") / "terms.tbx"
    path.write_text(text, encoding="utf-8")
    _count("tbx")
    _within_bound(read_tbx, path, ["en", "es"])


def test_report_how_many_inputs_were_tried(capsys):
    with capsys.disabled():
        print("\nfuzz inputs tried: " + ", ".join(f"{name} {count}" for name, count in sorted(TRIED.items())))
    assert sum(TRIED.values()) >= 5 * min(EXAMPLES, 50)
