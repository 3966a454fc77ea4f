import http.server
import json
import shutil
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import glossary
from pipeline.errors import InputError
from pipeline.glossary import TermIndex, load_glossary, read_csv, read_tbx
from tests.conftest import FIXTURES, ROOT

TBX = FIXTURES / "tbx"
LANGUAGES = ["en", "es", "ar", "zh_Hans"]


def test_shipped_glossary_covers_the_article_in_three_languages():
    glossary = load_glossary(ROOT / "locales" / "glossary.csv", LANGUAGES)
    translatable = [c for c in glossary.concepts if c.translate]
    assert len(translatable) >= 80
    for concept in translatable:
        for language in ("es", "ar", "zh_Hans"):
            assert concept.approved(language), (concept.id, language)
    assert sum(1 for c in glossary.concepts for t in c.terms.get("es", ()) if t.status == "forbidden") >= 8
    assert {"MedlinePlus", "A.D.A.M.", "NCCN", "URAC"} <= set(glossary.protected_names)


@pytest.mark.parametrize("row, message", [
    pytest.param("liver,liver,hígado,noun,approved,yes,", "status must be one of", id="unknown-status"),
    pytest.param(",liver,hígado,noun,preferred,yes,", "row without a concept id", id="no-concept"),
])
def test_bad_csv_rows_name_file_and_line(tmp_path, row, message):
    path = tmp_path / "glossary.csv"
    path.write_text("concept,en,es,pos,status,translate,note\nok,cancer,cáncer,noun,preferred,yes,\n" + row + "\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        read_csv(path)
    assert caught.value.line == 3


def test_tbx_basic_is_read_with_statuses_languages_and_protected_names():
    glossary = read_tbx(TBX / "medical.tbx", LANGUAGES)
    by_id = {c.id: c for c in glossary.concepts}
    failure = by_id["c-liver-failure"]
    assert [t.text for t in failure.approved("en")] == ["liver failure"]
    assert [t.text for t in failure.approved("es")] == ["insuficiencia hepática"]
    assert [t.text for t in failure.forbidden("es")] == ["falla hepática"]
    assert [t.text for t in failure.approved("zh_Hans")] == ["肝衰竭"]
    assert glossary.protected_names == ("MedlinePlus",)


def test_tbx_version_3_is_read():
    glossary = read_tbx(TBX / "tbx3.tbx", LANGUAGES)
    assert [t.text for t in glossary.concepts[0].approved("ar")] == ["اليرقان"]


@pytest.mark.parametrize("name, line", [("bad.external-entity.tbx", 2), ("bad.billion-laughs.tbx", 3),
                                        ("bad.malformed.tbx", 3)])
def test_dangerous_or_broken_tbx_is_refused_with_file_and_line(name, line):
    with pytest.raises(InputError) as caught:
        read_tbx(TBX / name, LANGUAGES)
    assert caught.value.line == line
    assert str(caught.value).startswith(str(TBX / name))
    assert "/root" not in str(caught.value) and "root:" not in str(caught.value)


def test_tbx_with_a_remote_dtd_is_read_without_any_network_request(tmp_path):
    requests = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        path = tmp_path / "remote.tbx"
        text = (TBX / "bad.network-dtd.tbx").read_text().replace("127.0.0.1:9", f"127.0.0.1:{server.server_port}")
        path.write_text(text)
        glossary = read_tbx(path, LANGUAGES)
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
    assert glossary.concepts[0].approved("en")[0].text == "liver"


def test_glossary_file_kind_follows_its_extension(tmp_path):
    shutil.copy(TBX / "medical.tbx", tmp_path / "terms.tbx")
    assert load_glossary(tmp_path / "terms.tbx", LANGUAGES).protected_names == ("MedlinePlus",)
    assert load_glossary(tmp_path / "absent.csv", LANGUAGES).concepts == ()


@pytest.mark.parametrize("language, terms, text, found", [
    pytest.param("en", ["liver", "liver metastases"], "Liver metastases spread.", ["Liver metastases"],
                 id="longest-first"),
    pytest.param("en", ["tumor"], "Two tumors.", ["tumors"], id="plural"),
    pytest.param("es", ["metástasis hepática"], "Las metástasis hepáticas", ["metástasis hepáticas"],
                 id="spanish-inflection"),
    pytest.param("ar", ["الكبد"], "والكبد وللكبد بالكبد", ["والكبد", "وللكبد", "بالكبد"], id="arabic-prefixes"),
    pytest.param("zh_Hans", ["肝转移"], "患者有肝转移和肝癌", ["肝转移"], id="chinese-substring"),
    pytest.param("en", ["primary cancer"], "the original (primary) cancer", [], id="no-match-across-brackets"),
    pytest.param("en", ["whole body"], "whole-body chemotherapy", ["whole-body"], id="hyphen-joins"),
    pytest.param("en", ["liver cancer", "cancer cells"], "liver cancer cells", ["liver cancer"],
                 id="overlapping-spans-first-longest-wins"),
    pytest.param("en", ["liver", "cancer"], "liver cancer", ["liver", "cancer"], id="adjacent-spans-both-kept"),
    pytest.param("en", ["blood", "blood test", "test"], "a blood test", ["blood test"], id="nested-spans"),
])
def test_term_matching(language, terms, text, found):
    index = TermIndex(((t, t) for t in terms), language)
    keys = index.keys_found(text)  # from the spans (nothing found yet)
    assert [m.found for m in index.find(text)] == found
    assert keys == index.keys_found(text) == [m.key for m in index.find(text)]  # the second from find's memo


@pytest.mark.parametrize("saved, asked", [
    ("then", "Then"),  # a sentence's first word
    ("Then", "then"),  # a file written by an earlier version, which kept the case
    ("metástasis", "METÁSTASIS"),
])
def test_word_forms_saved_by_an_earlier_run_serve_every_case_of_the_word(monkeypatch, saved, asked):
    monkeypatch.setattr(glossary, "_KNOWN_FORMS", {})
    monkeypatch.setattr(glossary, "_NEW_FORMS", {})
    glossary.word_forms.cache_clear()
    glossary.load_word_forms(json.dumps({"es": {saved: ["remembered"]}}))
    assert glossary.word_forms(asked, "es") == frozenset({"remembered"})
    assert glossary.drain_new_word_forms() == {}, "nothing computed: no lemmatizer loaded"
    glossary.word_forms.cache_clear()


_KEY_TERMS = [("liver", "liver"), ("liver metastases", "metastases"), ("liver cancer cells", "cells"),
              ("blood test", "test"), ("blood", "blood"), ("whole body scan", "scan")]


@pytest.mark.parametrize("text, keys", [
    ("liver cancer cells", ["cells", "liver"]),
    ("liver cancer (cells)", ["liver"]),  # a bracket is no gap inside a term
    ("liver cancer", ["liver"]),  # the long term's first words only
    ("The blood tests, the blood.", ["blood", "blood", "test"]),
    ("whole-body scan", ["scan"]),
    ("scan whole body", []),
    ("liver", ["liver"]),
])
def test_keys_in_counts_each_occurrence_of_a_term(text, keys):
    assert sorted(TermIndex(_KEY_TERMS, "en").keys_in(text)) == keys


def test_keys_sharing_one_span_are_all_found():
    index = TermIndex([("liver", "organ"), ("liver", "food")], "en")
    assert [(m.key, m.found) for m in index.find("The liver.")] == [("organ", "liver"), ("food", "liver")]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(1, 4), st.integers(0, 3)), max_size=8))
def test_spans_overlap_exactly_when_two_different_spans_share_a_character(drawn):
    candidates = sorted({(start, start + length, key) for start, length, key in drawn})
    spans = {(start, end) for start, end, _ in candidates}
    shared = any(a != b and a[0] < b[1] and b[0] < a[1] for a in spans for b in spans)
    assert glossary._overlap(candidates) == shared


def test_warming_skips_the_lemmatizer_of_a_language_whose_word_forms_were_saved(monkeypatch):
    module = glossary
    monkeypatch.setitem(module._KNOWN_FORMS, "es", {"ojos": ["ojo", "ojos"]})
    monkeypatch.delitem(module._KNOWN_FORMS, "ar", raising=False)
    module.lemmatizes.cache_clear()
    module.warm_lemmatizers(["es"])
    assert module.lemmatizes.cache_info().currsize == 0, "Spanish forms are known: no dictionary loaded"
    module.warm_lemmatizers(["es", "ar"])
    assert module.lemmatizes.cache_info().currsize == 1, "Arabic has none saved: its dictionary is loaded"


def test_matches_found_in_a_worker_are_looked_up_where_they_are_handed_over(monkeypatch):
    # The update stage's workers find the source terms of every text for the glossary notes and hand
    # them to the parent, whose check stage's workers then look them up instead of matching again.
    entries = [("liver metastases", "metastases"), ("liver", "liver"), ("tumor", "tumor")]
    index = TermIndex(entries, "en")
    texts = ["Cancer that has spread to the liver is called liver metastases.", "Tumors grow.", "No term."]
    expected = [TermIndex(entries, "en").find(text) for text in texts]
    index.collect_found()
    assert [index.keys_found(text) for text in texts[:2]] == [["liver", "metastases"], ["tumor"]]  # as update asks
    assert index.find(texts[2]) == ()
    handed_over = index.drain_found()
    assert sorted(handed_over) == sorted(map(hash, texts)) and index.drain_found() == {}, "drained once"
    index.stop_collecting()
    index.find("Another liver.")
    assert index.drain_found() == {}, "nothing kept once collecting stopped"

    parent = TermIndex(entries, "en")
    parent.remember_found(handed_over)
    monkeypatch.setattr(TermIndex, "_candidates", lambda self, text: pytest.fail(f"matched again: {text!r}"))
    assert [parent.find(text) for text in texts] == expected
    assert [match.found for match in expected[0]] == ["liver", "liver metastases"]


def test_the_stages_of_a_run_share_the_glossary_until_its_file_changes(project):
    from pipeline.config import load_settings
    from pipeline.workflow import StageResult, load_project_glossary

    settings = load_settings(project)
    first = load_project_glossary(settings, StageResult("update"))
    assert load_project_glossary(settings, StageResult("check")) is first
    path = settings.glossary_path
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert load_project_glossary(settings, StageResult("check")) is not first
