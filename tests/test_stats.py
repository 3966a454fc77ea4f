import polib
import pytest

from pipeline.stats import catalog_percent, catalog_stats, count_words


@pytest.mark.parametrize("text, words", [
    pytest.param("Liver metastases", 2, id="english"),
    pytest.param("which is called <a>hepatocellular carcinoma</a>.", 5, id="placeholders-not-counted"),
    pytest.param("Cancer -- A needle", 3, id="dashes-not-words"),
    pytest.param("肝转移", 3, id="chinese-per-character"),
    pytest.param("肝转移：MedlinePlus 医学百科全书", 10, id="mixed-cjk-latin"),
    pytest.param("النقائل الكبدية", 2, id="arabic"),
    pytest.param("1/19/2018", 1, id="date"),
    pytest.param("", 0, id="empty"),
])
def test_word_count(text, words):
    assert count_words(text) == words


def test_catalog_counts_by_state_ignoring_header_and_obsolete():
    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid="one two", msgstr="uno dos"))
    catalog.append(polib.POEntry(msgid="three", msgstr="tres", flags=["fuzzy"]))
    catalog.append(polib.POEntry(msgid="four five six", msgstr=""))
    catalog.append(polib.POEntry(msgid="gone", msgstr="ido", obsolete=True))
    stats = catalog_stats(catalog)
    assert (stats.translated, stats.fuzzy, stats.untranslated, stats.messages) == (1, 1, 1, 3)
    assert (stats.translated_words, stats.fuzzy_words, stats.untranslated_words, stats.words) == (2, 1, 3, 6)
    assert stats.percent == 33.3
    assert catalog_percent(catalog) == 33.3


@pytest.mark.parametrize("states, percent", [
    pytest.param([], 100.0, id="empty-catalog"),
    pytest.param(["translated", "translated"], 100.0, id="all-translated"),
    pytest.param(["fuzzy", "untranslated", "translated"], 33.3, id="fuzzy-does-not-count"),
    pytest.param(["untranslated", "obsolete"], 0.0, id="obsolete-does-not-count"),
])
def test_catalog_percent_is_the_percent_of_the_full_counts(states, percent):
    catalog = polib.POFile()
    for number, state in enumerate(states):
        catalog.append(polib.POEntry(msgid=f"text {number}", msgstr="" if state == "untranslated" else "texto",
                                     flags=["fuzzy"] if state == "fuzzy" else [], obsolete=state == "obsolete"))
    assert catalog_percent(catalog) == catalog_stats(catalog).percent == percent


@pytest.mark.parametrize("fields, state", [
    pytest.param(dict(msgstr="uno"), "translated", id="singular-translated"),
    pytest.param(dict(msgstr=""), "untranslated", id="singular-empty"),
    pytest.param(dict(msgstr="uno", flags=["fuzzy"]), "fuzzy", id="fuzzy"),
    pytest.param(dict(msgstr="", flags=["fuzzy"]), "fuzzy", id="fuzzy-without-translation"),
    pytest.param(dict(msgid_plural="ones", msgstr_plural={0: "uno", 1: "unos"}), "translated", id="plural-all-forms"),
    pytest.param(dict(msgid_plural="ones", msgstr_plural={0: "uno", 1: ""}), "untranslated", id="plural-one-form-empty"),
    pytest.param(dict(msgid_plural="ones", msgstr_plural={0: "", 1: ""}), "untranslated", id="plural-no-form"),
    pytest.param(dict(msgid_plural="ones", msgstr_plural={}), "untranslated", id="plural-without-forms"),
])
def test_an_entry_counts_in_the_state_polib_gives_it(fields, state):
    entry = polib.POEntry(msgid="one", **fields)
    polib_state = "fuzzy" if entry.fuzzy else "translated" if entry.translated() else "untranslated"
    catalog = polib.POFile()
    catalog.append(entry)
    stats = catalog_stats(catalog)
    counted = {"translated": stats.translated, "fuzzy": stats.fuzzy, "untranslated": stats.untranslated}
    assert polib_state == state
    assert counted == {name: int(name == state) for name in counted}
