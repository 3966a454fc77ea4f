"""Catalog- and locale-level checks, and the runner: tables of catalogs that must fire and must not."""

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.glossary import Glossary
from pipeline.locales import plural_forms
from pipeline.model import Severity
from pipeline.qa import CHECKS, CatalogContext, LocaleTerms, check_locale, checks_by_id
from pipeline.qa.catalog import PairIndex, inconsistent, records_of, text_keys
from pipeline.qa.registry import CatalogRecords
from pipeline.stats import catalog_stats

SPANISH_PLURALS = plural_forms("es")


def catalog(entries, language="es", plurals=SPANISH_PLURALS) -> polib.POFile:
    po = polib.POFile()
    po.metadata = {"Language": language, "Plural-Forms": plurals, "Content-Type": "text/plain; charset=UTF-8"}
    for number, (msgid, msgstr, *flags) in enumerate(entries):
        entry = polib.POEntry(msgid=msgid, msgstr=msgstr, flags=list(flags))
        entry.linenum = 10 + 5 * number
        po.append(entry)
    return po


def context(po: polib.POFile, locale="es", bar=100.0, path="locales/es/LC_MESSAGES/a.po") -> CatalogContext:
    return CatalogContext(locale, path, po, bar, catalog_stats(po))


def plural_catalog(forms: int) -> polib.POFile:
    po = catalog([])
    entry = polib.POEntry(msgid="one tumor", msgid_plural="{n} tumors",
                          msgstr_plural={i: "tumor" for i in range(forms)})
    entry.linenum = 30
    po.append(entry)
    return po


# (check, contexts, part of the expected message)
MUST_FIRE = [
    pytest.param("header", [context(catalog([], language="es_MX"))], "Language header is 'es_MX'",
                 id="wrong-language"),
    pytest.param("header", [context(catalog([], plurals="nplurals=2; plural=(n != 1);"))], "Babel's rule",
                 id="plural-forms-not-babel"),
    pytest.param("header", [context(plural_catalog(2))], "plural entry has 2 forms; es needs 3",
                 id="wrong-number-of-plural-forms"),
    pytest.param("completeness", [context(catalog([("a", "b"), ("c", "")]))], "50% translated",
                 id="below-bar"),
    pytest.param("completeness", [context(catalog([("a", "b"), ("c", "d", "fuzzy")]))], "1 fuzzy",
                 id="fuzzy-does-not-count"),
    pytest.param("inconsistent", [context(catalog([("Fever", "Fiebre")])),
                                  context(catalog([("Fever", "Calentura")]), path="b.po")],
                 "same source translated differently", id="two-translations"),
    pytest.param("inconsistent", [context(catalog([("Fever", "Fiebre"), ("Chills", "Fiebre")]))],
                 "same translation used for different sources", id="one-translation-two-sources"),
]

MUST_NOT_FIRE = [
    pytest.param("header", [context(catalog([]))], id="babel-header"),
    pytest.param("header", [context(plural_catalog(3))], id="three-spanish-forms"),
    pytest.param("header", [context(catalog([], language="zh_Hans", plurals="nplurals=1; plural=0;"),
                                    locale="zh_Hans")], id="script-subtag"),
    pytest.param("completeness", [context(catalog([("a", "b"), ("c", "")]), bar=0)], id="report-only-bar"),
    pytest.param("completeness", [context(catalog([("a", "b"), ("c", "d")]))], id="complete"),
    pytest.param("inconsistent", [context(catalog([("Fever", "Fiebre")])),
                                  context(catalog([("Fever", "Fiebre")]), path="b.po")], id="same-everywhere"),
    pytest.param("inconsistent", [context(catalog([("Fever", "Fiebre"), ("Fever:", "Fiebre")]))],
                 id="sources-differ-only-in-punctuation"),
    pytest.param("inconsistent", [context(catalog([("Fever", "Fiebre"), ("Chills", "Fiebre", "fuzzy")]))],
                 id="fuzzy-not-compared"),
]


def run(check_id, contexts):
    item = checks_by_id()[check_id]
    if item.scope == "locale":
        return [f.message for f in item([records_of(c) for c in contexts])]
    return [f.message for c in contexts for f in item(c)]


@pytest.mark.parametrize("check_id, contexts, expected", MUST_FIRE)
def test_catalog_check_fires(check_id, contexts, expected):
    messages = run(check_id, contexts)
    assert any(expected in m for m in messages), messages


@pytest.mark.parametrize("check_id, contexts", MUST_NOT_FIRE)
def test_catalog_check_stays_quiet(check_id, contexts):
    assert run(check_id, contexts) == []


def test_every_catalog_check_has_both_tables():
    fired = {case.values[0] for case in MUST_FIRE}
    quiet = {case.values[0] for case in MUST_NOT_FIRE}
    for item in CHECKS:
        if item.scope != "entry":
            assert item.id in fired and item.id in quiet, item.id


TERMS = LocaleTerms(Glossary(()), "es", "en")


def test_runner_skips_untranslated_and_fuzzy_entries():
    po = catalog([("Take 5 mg.", ""), ("Take 6 mg.", "Tome 60 mg.", "fuzzy"), ("Take 7 mg.", "Tome 70 mg.")])
    result = check_locale([context(po, bar=0)], TERMS)
    assert [(f.check, f.msgid) for f in result.findings] == [("numbers", "Take 7 mg.")]


def test_ignore_flag_silences_one_check_on_one_entry_and_is_counted():
    po = catalog([("Take 7 mg.", "Tome 70 mg", "ignore-numbers"), ("Take 8 mg.", "Tome 80 mg.")])
    result = check_locale([context(po)], TERMS)
    assert sorted((f.check, f.msgid) for f in result.findings) == [
        ("numbers", "Take 8 mg."), ("punctuation", "Take 7 mg.")]
    assert result.silenced == 1


def test_fail_on_promotes_a_warning_check_to_error():
    po = catalog([("Fever", "Fever")])
    result = check_locale([context(po)], TERMS, fail_on=["unchanged"])
    assert [(f.check, f.severity) for f in result.findings] == [("unchanged", Severity.ERROR)]


# The pair index: after some catalogs change, `inconsistent` reads only those and the ones holding a
# shared text. Whatever the change, that must give exactly the findings of reading every catalog.
SOURCES = ["Fever", "fever", "Fevers", "Chills", "Rash"]
TARGETS = ["Fiebre", "Calentura", "Escalofríos", "Sarpullido"]
a_catalog = st.lists(st.tuples(st.sampled_from(SOURCES), st.sampled_from(TARGETS)), max_size=4)
a_locale = st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e", "f"]), a_catalog, max_size=6)


def locale_records(catalogs: dict) -> dict:
    return {key: CatalogRecords("es", f"locales/es/LC_MESSAGES/{key}.po", [10 + 5 * n for n in range(len(pairs))],
                                [msgid for msgid, _ in pairs], [msgstr for _, msgstr in pairs])
            for key, pairs in sorted(catalogs.items())}


def members_of(catalogs: dict) -> dict:
    return {key: repr(pairs) for key, pairs in sorted(catalogs.items())}


@settings(max_examples=300, deadline=None)
@given(before=a_locale, after=a_locale)
def test_the_pair_index_finds_every_catalog_inconsistent_must_read(before, after):
    earlier, now = locale_records(before), locale_records(after)
    index = PairIndex.of(earlier, members_of(before))
    wanted = index.update(members_of(after), lambda key, inputs: earlier[key], lambda key: now[key])
    if wanted is None:
        return  # a text became shared with a catalog that did not change: the caller reads them all
    read = {key: records for key, records in now.items() if key in wanted}
    index.involve(read)
    assert list(inconsistent(list(read.values()))) == list(inconsistent(list(now.values())))
    from_scratch = PairIndex.of(now, members_of(after))
    assert (index.counts, index.involved, index.members) == \
        (from_scratch.counts, from_scratch.involved, from_scratch.members)


@settings(max_examples=200, deadline=None)
@given(catalogs=a_locale)
def test_a_pair_index_counted_from_text_keys_reads_the_catalogs_inconsistent_needs(catalogs):
    # A check from scratch counts the keys its workers computed and reads the involved catalogs only.
    records = locale_records(catalogs)
    index = PairIndex.of_keys({key: text_keys(r) for key, r in records.items()}, members_of(catalogs))
    from_records = PairIndex.of(records, members_of(catalogs))
    assert (index.counts, index.involved, index.members) == \
        (from_records.counts, from_records.involved, from_records.members)
    read = [r for key, r in records.items() if key in index.involved]
    assert list(inconsistent(read)) == list(inconsistent(list(records.values())))


@pytest.mark.parametrize("before, after, wanted", [
    pytest.param({"a": [("Fever", "Fiebre")], "b": [("Fever", "Calentura")], "c": [("Rash", "Sarpullido")]},
                 {"a": [("Fever", "Fiebre")], "b": [("Fever", "Calentura")], "c": [("Rash", "Sarpullido")]},
                 {"a", "b"}, id="nothing changed: the catalogs holding a shared text"),
    pytest.param({"a": [("Fever", "Fiebre")], "b": [("Fever", "Calentura")], "c": [("Rash", "Sarpullido")]},
                 {"a": [("Fever", "Fiebre")], "b": [("Fever", "Calentura")], "c": [("Chills", "Escalofríos")]},
                 {"a", "b", "c"}, id="an unrelated catalog changed: it and the two inconsistent ones"),
    pytest.param({"a": [("Fever", "Fiebre")], "b": [("Fever", "Calentura")], "c": [("Rash", "Sarpullido")]},
                 {"a": [("Fever", "Fiebre")], "b": [("Fever", "Fiebre")], "c": [("Rash", "Sarpullido")]},
                 {"a", "b"}, id="the difference is mended"),
    pytest.param({"a": [("Fever", "Fiebre")], "c": [("Rash", "Sarpullido")]},
                 {"a": [("Fever", "Fiebre")], "c": [("Rash", "Sarpullido"), ("Fever", "Calentura")]},
                 None, id="a new difference with an unchanged catalog: read them all"),
])
def test_the_pair_index_reads_few_catalogs_when_it_can(before, after, wanted):
    earlier, now = locale_records(before), locale_records(after)
    index = PairIndex.of(earlier, members_of(before))
    assert index.update(members_of(after), lambda key, inputs: earlier[key], lambda key: now[key]) == wanted
