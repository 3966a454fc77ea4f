"""The `#.` glossary notes update writes on each message: which cases must give which lines."""
import polib
import pytest

from pipeline.glossary import load_glossary
from pipeline.qa.registry import LocaleTerms
from pipeline.workflow import glossary_notes

GLOSSARY_CSV = """concept,en,es,ar,zh_Hans,pos,status,translate,note
liver-metastases,liver metastases,metástasis hepáticas,النقائل الكبدية,肝转移,noun,preferred,yes,
liver-metastases,liver metastasis,metástasis hepática,,,noun,admitted,yes,
liver,liver,hígado,الكبد,,noun,preferred,yes,
biopsy,biopsy,,,活检,noun,preferred,yes,
biopsy,,biopsia,,,noun,forbidden,yes,
medlineplus,MedlinePlus,,,,proper noun,preferred,no,
"""
LOCALES = ("es", "ar", "zh_Hans")


@pytest.fixture(scope="module")
def terms(tmp_path_factory):
    path = tmp_path_factory.mktemp("glossary") / "glossary.csv"
    path.write_text(GLOSSARY_CSV, encoding="utf-8")
    glossary = load_glossary(path, ["en", *LOCALES])
    return [LocaleTerms(glossary, locale) for locale in LOCALES]


def _notes(terms, msgids):
    template = polib.POFile()
    for msgid in msgids:
        template.append(polib.POEntry(msgid=msgid, msgstr=""))
    by_locale = glossary_notes(template, terms)
    return [tuple(notes.get(msgid, "") for notes in by_locale) for msgid in msgids]


LIVER = "Glossary: liver \N{RIGHTWARDS ARROW} "
METASTASES = "Glossary: liver metastases \N{RIGHTWARDS ARROW} "


@pytest.mark.parametrize("msgid, expected", [
    pytest.param("The liver is large.", (LIVER + "hígado", LIVER + "الكبد", ""), id="no-term-in-one-locale"),
    pytest.param("Liver metastases can spread in the liver.",
                 (METASTASES + "metástasis hepáticas\n" + LIVER + "hígado",
                  METASTASES + "النقائل الكبدية\n" + LIVER + "الكبد", METASTASES + "肝转移"),
                 id="longest-match-first-then-in-text-order"),
    pytest.param("A liver metastasis, or liver metastases.",  # both terms stem alike: the first listed names them
                 (METASTASES + "metástasis hepáticas", METASTASES + "النقائل الكبدية", METASTASES + "肝转移"),
                 id="one-line-per-concept"),
    pytest.param("The liver, and liver metastases.",
                 (LIVER + "hígado\n" + METASTASES + "metástasis hepáticas",
                  LIVER + "الكبد\n" + METASTASES + "النقائل الكبدية", METASTASES + "肝转移"), id="in-text-order"),
    pytest.param("A biopsy of the liver.",
                 (LIVER + "hígado", LIVER + "الكبد", "Glossary: biopsy \N{RIGHTWARDS ARROW} 活检"),
                 id="forbidden-only-is-no-line"),
    pytest.param("Read MedlinePlus, then MedlinePlus again.", ("Do not translate: MedlinePlus",) * 3,
                 id="protected-name-once"),
    pytest.param("MedlinePlus explains the liver.",
                 (LIVER + "hígado\nDo not translate: MedlinePlus", LIVER + "الكبد\nDo not translate: MedlinePlus",
                  "Do not translate: MedlinePlus"), id="terms-then-names"),
    pytest.param("Deliverance is not a liver term.", (LIVER + "hígado", LIVER + "الكبد", ""),
                 id="whole-words-only"),
    pytest.param("Nothing to note here.", ("", "", ""), id="none"),
])
def test_glossary_notes_name_each_concept_once_per_locale(terms, msgid, expected):
    assert _notes(terms, [msgid]) == [expected]
    assert _notes(terms, [msgid, msgid]) == [expected, expected]  # the second time from the memos


def test_the_notes_of_fewer_locales_are_not_taken_from_a_run_with_more(terms):
    msgid = "Liver metastases can spread in the liver."
    all_locales = _notes(terms, [msgid])[0]
    assert _notes(terms[2:], [msgid]) == [(all_locales[2],)]
    assert _notes(terms[1:2], [msgid]) == [(all_locales[1],)]
