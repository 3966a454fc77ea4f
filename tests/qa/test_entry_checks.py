"""Each entry check against two tables: cases that must fire, and tricky cases that must not."""

import re
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.glossary import load_glossary
from pipeline.qa import CHECKS, EntryContext, LocaleTerms, checks_by_id
from pipeline.qa.text import END_PUNCTUATION, _last_mark
from tests.conftest import ROOT

GLOSSARY = load_glossary(ROOT / "locales" / "glossary.csv")
LONG = ("How well you do depends on the location of the original cancer and how much it has spread "
        "to the liver or anywhere else.")


@cache
def terms(locale: str) -> LocaleTerms:
    return LocaleTerms(GLOSSARY, locale, "en")


def run(check_id: str, locale: str, msgid: str, msgstr: str) -> list[str]:
    context = EntryContext(locale, "en", "x.po", 7, msgid, msgstr, terms(locale))
    return [finding.message for finding in checks_by_id()[check_id](context)]


# (check, locale, msgid, msgstr, part of the expected message)
MUST_FIRE = [
    pytest.param("glossary", "es", "Liver metastases", "Cáncer del hígado", "as 'metástasis hepáticas'",
                 id="glossary-missing-term"),
    pytest.param("glossary", "es", "Chemotherapy is used.", "Se usa un tratamiento.", "'quimioterapia'",
                 id="glossary-paraphrased-away"),
    pytest.param("glossary", "ar", "Liver biopsy", "فحص الكبد", "'خزعة الكبد'", id="glossary-arabic"),
    pytest.param("glossary", "zh_Hans", "Liver metastases", "肝癌", "'肝转移'", id="glossary-chinese"),
    pytest.param("forbidden-term", "es", "Liver failure", "Falla hepática", "use 'insuficiencia hepática'",
                 id="forbidden-anglicism"),
    pytest.param("forbidden-term", "es", "Chemotherapy works.", "La quimio funciona.", "'quimio'",
                 id="forbidden-colloquial"),
    pytest.param("forbidden-term", "es", "Colorectal cancer", "Cáncer colorectal", "'Cáncer colorectal'",
                 id="forbidden-misspelling"),
    pytest.param("forbidden-term", "es", "CT scans", "Los escáneres", "'escáneres'", id="forbidden-inflected"),
    pytest.param("numbers", "es", "Take 5 mg daily.", "Tome 50 mg al día.", "dose 5 mg became 50 mg",
                 id="dose-changed"),
    pytest.param("numbers", "es", "Call 911.", "Llame al 119.", "number 911 became 119", id="number-changed"),
    pytest.param("numbers", "es", "A 1.5 cm tumor", "Un tumor de 15 cm", "1.5 became 15", id="decimal-lost"),
    pytest.param("numbers", "es", "About 1,000 people", "Unas 100 personas", "1,000 became 100",
                 id="thousands-changed"),
    pytest.param("numbers", "es", "Review Date 1/19/2018", "Fecha de revisión: 19/2/2018",
                 "date 2018-01-19 is missing", id="date-changed"),
    pytest.param("numbers", "es", "Between 2 and 3 doses", "Entre 2 dosis", "number 3 is missing",
                 id="number-dropped"),
    pytest.param("numbers", "es", "Rest.", "Descanse 2 días.", "number 2 was added", id="number-added"),
    pytest.param("numbers", "ar", "Take 5 mg", "تناول ٥٠ ملغ", "5 mg became 50", id="arabic-digits-changed"),
    # A digit on one side only, in either script, is still compared (the checks skip entries without any).
    pytest.param("numbers", "ar", "Rest.", "استرح ٢ أيام.", "number 2 was added", id="arabic-digit-added"),
    pytest.param("numbers", "es", "Updated.", "Actualizado el 19/1/2018.", "date 2018-01-19 was added",
                 id="date-added"),
    pytest.param("numbers", "es", "Copyright 1997-2020", "Copyright 1997-2021", "2020 became 2021",
                 id="year-in-range"),
    pytest.param("units", "es", "Take 5 mg.", "Tome 5 mcg.", "5 mg became 5 mcg", id="mg-to-mcg"),
    pytest.param("units", "es", "Drink 2 L.", "Beba 2 mL.", "2 L became 2 mL", id="litre-to-millilitre"),
    pytest.param("units", "es", "250 mcg", "250 g", "250 mcg became 250 g", id="mcg-to-g"),
    pytest.param("units", "es", "Take 5 mg.", "Tome 5.", "became 5 without a unit", id="unit-dropped"),
    pytest.param("units", "ar", "Take 5 mg.", "تناول 5 mcg.", "5 mg became 5 mcg", id="arabic-latin-symbol-changed"),
    pytest.param("markup", "es", "called <a>carcinoma</a>.", "llamado carcinoma.", "missing <a>",
                 id="tag-missing"),
    pytest.param("markup", "es", "<a1>Fever</a1>, <a2>sweating</a2>", "<a1>Fiebre</a1>, <a1>sudor</a1>",
                 "more than once", id="tag-duplicated"),
    pytest.param("markup", "es", "Text", "Texto <b>x</b>", "<b> is not in the source", id="tag-added"),
    pytest.param("markup", "es", "Text", "Texto <img src=x onerror=alert(1)>", "markup not in the source",
                 id="html-injected"),
    pytest.param("markup", "es", "<a>x</a> y", "<a>x y", "never closed", id="tag-unbalanced"),
    pytest.param("markup", "es", "<b>x</b>", "<i>x</i>", "<i> is not in the source", id="tag-renamed"),
    pytest.param("markup", "es", "Text", "Texto&nbsp;aquí", "character reference &nbsp;", id="entity-added"),
    pytest.param("markup", "es", "Text", "Texto &#60;b&#62;", "character reference &#60;",
                 id="numeric-reference-added"),
    pytest.param("markup", "es", "Text", "Texto <a1>x</a1>", "<a1> is not in the source", id="placeholder-added"),
    pytest.param("urls", "es", "See www.nccn.org/x.pdf.", "Vea www.nccn.org/y.pdf.", "www.nccn.org/x.pdf is missing",
                 id="url-changed"),
    pytest.param("urls", "es", "Go to https://medlineplus.gov/ now.", "Vaya a MedlinePlus.", "missing",
                 id="url-dropped"),
    pytest.param("emails", "es", "Write to help@nlm.nih.gov.", "Escriba a ayuda@nlm.nih.gov.",
                 "help@nlm.nih.gov is missing", id="email-translated"),
    pytest.param("phones", "es", "Call 1-800-555-0100.", "Llame al 1-800-555-0199.", "+18005550100 is missing",
                 id="phone-changed"),
    pytest.param("phones", "es", "Call us.", "Llame al 1-800-555-0199.", "+18005550199 was added",
                 id="phone-added"),
    pytest.param("do-not-translate", "es", "MedlinePlus Medical Encyclopedia", "Enciclopedia médica MedlinePlús",
                 "'MedlinePlus' must appear unchanged", id="brand-accented"),
    pytest.param("do-not-translate", "es", "the A.D.A.M. Editorial team", "el equipo editorial de ADAM",
                 "'A.D.A.M.'", id="dots-dropped"),
    pytest.param("do-not-translate", "es", "Ask about Nexavar.", "Pregunte por el sorafenib.", "'Nexavar'",
                 id="brand-replaced"),
    pytest.param("mojibake", "es", "Spanish", "EspaÃ±ol", "'EspaÃ±ol' should read 'Español'", id="latin1-read"),
    pytest.param("mojibake", "es", "“quoted”", "â€œcitadoâ€\x9d", "should read", id="cp1252-quotes"),
    pytest.param("unchanged", "es", "Decreased appetite", "Decreased appetite", "identical", id="copied"),
    pytest.param("unchanged", "es", "Liver biopsy", "Liver biopsy", "identical", id="copied-glossary-term"),
    pytest.param("whitespace", "es", "Text", "Texto ", "trailing", id="trailing-space"),
    pytest.param("whitespace", "es", "Text", " Texto", "leading", id="leading-space"),
    pytest.param("whitespace", "es", "One two", "Uno  dos", "doubled", id="doubled-space"),
    pytest.param("punctuation", "es", "Is it cancer?", "¿Es cáncer.", "ends with full stop", id="end-mark-changed"),
    pytest.param("punctuation", "es", "Is it cancer?", "Es cáncer?", "unpaired ¿ ?", id="inverted-missing"),
    pytest.param("punctuation", "es", "Symptoms:", "Síntomas", "ends with no punctuation", id="colon-dropped"),
    pytest.param("punctuation", "ar", "Is it cancer?", "هل هو سرطان.", "question mark", id="arabic-question"),
    pytest.param("brackets", "es", "Fever (high)", "Fiebre (alta", "unbalanced ()", id="unclosed"),
    pytest.param("brackets", "es", "A (b) c", "A b c", "(): 0 pair(s), the source has 1", id="brackets-dropped"),
    pytest.param("brackets", "es", 'This "starves" cells.', 'Esto "mata de hambre a las células.',
                 "1 quotation mark(s), the source has 2", id="quote-lost"),
    pytest.param("length", "es", LONG, "Depende.", "something may be missing", id="too-short"),
    pytest.param("length", "zh_Hans", LONG, "好。", "something may be missing", id="too-short-chinese"),
]

# (check, locale, msgid, msgstr): correct translations that must pass.
MUST_NOT_FIRE = [
    pytest.param("glossary", "es", "Liver metastasis", "Metástasis hepática", id="inflected-singular"),
    pytest.param("glossary", "es", "The tumors grew.", "Los tumores crecieron.", id="inflected-plural"),
    pytest.param("glossary", "es", "Liver metastases", "Metástasis hepáticas", id="longest-match-only"),
    pytest.param("glossary", "es", "The eyes", "Los ojos", id="lemma-where-snowball-misses"),
    pytest.param("glossary", "es", "Liver tumors", "Tumores hepáticos", id="admitted-adjective"),
    pytest.param("glossary", "ar", "Breast cancer", "وسرطان الثدي", id="arabic-conjunction-prefix"),
    pytest.param("glossary", "ar", "Cancer", "لسرطان", id="arabic-preposition-prefix"),
    pytest.param("glossary", "ar", "Cancer", "السرطان", id="arabic-article"),
    pytest.param("glossary", "ar", "Liver", "بالكبد", id="arabic-preposition-and-article"),
    pytest.param("glossary", "zh_Hans", "Liver metastases", "患者出现肝转移。", id="chinese-no-word-boundaries"),
    pytest.param("glossary", "es", "ADAM Health Solutions", "ADAM Health Solutions", id="protected-name-not-a-term"),
    pytest.param("glossary", "es", "(primary) cancer", "cáncer (primario)", id="punctuation-splits-terms"),
    pytest.param("forbidden-term", "es", "Liver failure", "Insuficiencia hepática", id="preferred-term"),
    pytest.param("forbidden-term", "es", "Chemotherapy", "Quimioterapia", id="forbidden-word-inside-longer"),
    pytest.param("forbidden-term", "es", "Colorectal cancer", "Cáncer colorrectal", id="correct-spelling"),
    pytest.param("forbidden-term", "es", "Radiofrequency ablation", "Ablación por radiofrecuencia",
                 id="preferred-multiword"),
    pytest.param("numbers", "es", "A 1.5 cm tumor", "Un tumor de 1,5 cm", id="decimal-comma"),
    pytest.param("numbers", "es", "About 1,000 people", "Unas 1.000 personas", id="thousands-dot"),
    pytest.param("numbers", "es", "Review Date 1/19/2018", "Fecha de revisión: 19/1/2018", id="date-reordered"),
    pytest.param("numbers", "es", "Updated February 14, 2018.", "Actualizado el 14 de febrero de 2018.",
                 id="date-spelled-out"),
    pytest.param("numbers", "es", "Review Date 1/19/2018", "Fecha de revisión: 2018-01-19", id="date-iso"),
    pytest.param("numbers", "ar", "Take 5 mg", "تناول ٥ ملغ", id="arabic-indic-digits"),
    pytest.param("numbers", "ar", "A 1.5 cm tumor", "ورم بحجم ١٫٥ سم", id="arabic-decimal-separator"),
    pytest.param("numbers", "zh_Hans", "Review Date 1/19/2018", "审核日期：2018年1月19日", id="chinese-date"),
    pytest.param("numbers", "es", "Version 1.2018.", "Versión 1.2018.", id="version-kept"),
    pytest.param("numbers", "es", "Call <a1>911</a1> or <a2>us</a2>", "Llame al <a1>911</a1> o <a2>a nosotros</a2>",
                 id="placeholder-digits-ignored"),
    pytest.param("numbers", "es", "5th ed.", "5.ª ed.", id="ordinal"),
    pytest.param("numbers", "es", "Take 5\u00a0mg", "Tome 5\u00a0mg", id="nbsp-before-unit"),
    pytest.param("numbers", "es", "Test A1C below 7%", "Prueba A1C por debajo del 7 %", id="code-and-percent"),
    pytest.param("units", "es", "Take 5 mg.", "Tome 5 mg.", id="same-unit"),
    pytest.param("units", "es", "Take 5 mL.", "Tome 5 ml.", id="cldr-spelling"),
    pytest.param("units", "es", "250 mcg", "250 µg", id="clinical-alias"),
    pytest.param("units", "ar", "5 mg", "5 مغم", id="arabic-cldr-symbol"),
    pytest.param("units", "ar", "5 mg", "5 ملغ", id="arabic-pharmacy-symbol"),
    pytest.param("units", "zh_Hans", "5 mL", "5毫升", id="chinese-unit"),
    pytest.param("units", "ar", "Take 191 mg daily.", "تناول 191 mg يوميا.", id="arabic-keeps-latin-symbol"),
    pytest.param("units", "zh_Hans", "Take 5 mg.", "服用5 mg。", id="chinese-keeps-latin-symbol"),
    pytest.param("units", "es", "5 mg", "5 miligramos", id="unit-written-out"),
    pytest.param("markup", "es", "<a1>Fever</a1>, <a2>sweating</a2>", "<a2>Sudoración</a2> y <a1>fiebre</a1>",
                 id="reordered-tags"),
    pytest.param("markup", "es", "A <i>b</i>", "Una <i>b</i>", id="same-tag"),
    pytest.param("markup", "es", "Dose <5 mg", "Dosis <5 mg", id="less-than-before-digit"),
    pytest.param("markup", "es", "AT&T", "AT&T", id="ampersand"),
    pytest.param("urls", "es", "See www.nccn.org/x.pdf.", "Consulte www.nccn.org/x.pdf.", id="url-before-period"),
    pytest.param("urls", "es", "Visit https://a.org/b?c=1.", "Visite https://a.org/b?c=1.", id="url-with-query"),
    pytest.param("emails", "es", "Write to help@nlm.nih.gov.", "Escriba a help@nlm.nih.gov.", id="email-kept"),
    pytest.param("phones", "es", "Call (301) 594-5983.", "Llame al 301-594-5983.", id="phone-reformatted"),
    pytest.param("do-not-translate", "es", "the A.D.A.M. Editorial team", "el equipo editorial de A.D.A.M.",
                 id="name-kept"),
    pytest.param("do-not-translate", "ar", "MedlinePlus Medical Encyclopedia", "الموسوعة الطبية MedlinePlus",
                 id="name-kept-in-rtl"),
    pytest.param("do-not-translate", "es", "Call the ADAM team", "Llame al equipo", id="not-the-protected-form"),
    pytest.param("mojibake", "es", "Spanish", "Español", id="correct-accent"),
    pytest.param("mojibake", "es", "“quoted”", "“citado”", id="curly-quotes"),
    pytest.param("mojibake", "ar", "Liver", "الكبد", id="arabic-text"),
    pytest.param("mojibake", "zh_Hans", "Causes:", "病因：", id="fullwidth-colon"),
    pytest.param("unchanged", "es", "Melanoma", "Melanoma", id="glossary-says-same"),
    pytest.param("unchanged", "es", "MedlinePlus", "MedlinePlus", id="protected-name"),
    pytest.param("unchanged", "es", "PET", "PET", id="acronym"),
    pytest.param("unchanged", "es", "www.nccn.org", "www.nccn.org", id="url-only"),
    pytest.param("whitespace", "es", "Take 5\u00a0mg", "Tome 5\u00a0mg", id="nbsp-not-doubled"),
    pytest.param("whitespace", "es", "Text ", "Texto ", id="same-trailing"),
    pytest.param("punctuation", "es", "Is it cancer?", "¿Es cáncer?", id="inverted-question"),
    pytest.param("punctuation", "es", "Stop!", "¡Deténgase!", id="inverted-exclamation"),
    pytest.param("punctuation", "ar", "Is it cancer?", "هل هو سرطان؟", id="arabic-question-mark"),
    pytest.param("punctuation", "zh_Hans", "Causes:", "病因：", id="fullwidth-colon"),
    pytest.param("punctuation", "es", "whites of the eyes)", "blanco de los ojos)", id="closing-bracket-ignored"),
    pytest.param("punctuation", "es", "called <a>carcinoma</a>.", "llamado <a>carcinoma</a>.", id="tag-before-dot"),
    pytest.param("brackets", "zh_Hans", "Outlook (Prognosis)", "预期（预后）", id="fullwidth-brackets"),
    pytest.param("brackets", "es", 'This "starves" cells', "Esto «mata de hambre» a las células", id="quote-style"),
    pytest.param("length", "es", "Pain", "Dolor intenso y persistente en el abdomen", id="short-source-skipped"),
    pytest.param("length", "zh_Hans", LONG, "您的情况取决于原发癌症的位置以及它扩散到肝脏或其他部位的程度。",
                 id="chinese-is-shorter"),
    pytest.param("length", "es", LONG, "Su evolución depende de la ubicación del cáncer original y de cuánto se "
                 "ha diseminado al hígado o a cualquier otra parte del cuerpo.", id="spanish-is-longer"),
]


@pytest.mark.parametrize("check_id, locale, msgid, msgstr, expected", MUST_FIRE)
def test_check_fires(check_id, locale, msgid, msgstr, expected):
    messages = run(check_id, locale, msgid, msgstr)
    assert any(expected in message for message in messages), messages


@pytest.mark.parametrize("check_id, locale, msgid, msgstr", MUST_NOT_FIRE)
def test_check_stays_quiet(check_id, locale, msgid, msgstr):
    assert run(check_id, locale, msgid, msgstr) == []


def test_every_entry_check_has_metadata_documentation_and_both_tables():
    fired = {case.values[0] for case in MUST_FIRE}
    quiet = {case.values[0] for case in MUST_NOT_FIRE}
    for item in CHECKS:
        assert item.id and item.description and item.severity
        assert len(item.documentation.splitlines()) >= 2, item.id
        if item.scope == "entry":
            assert item.id in fired, f"{item.id} has no must-fire case"
            assert item.id in quiet, f"{item.id} has no must-not-fire case"


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet="ab.?!:;。؟ <>/\"'\u201d\u00bb)]\uff09\u300d\n", max_size=24))
def test_the_end_mark_is_read_past_the_same_trailing_noise_as_a_forward_search_would(text):
    forward = re.compile(r"(?:<[^<>]*>|[\s\"'\u201c\u201d\u00bb\u2019)\]\uff09\u300d])+$")
    stripped = forward.sub("", text)
    assert _last_mark(text) == (END_PUNCTUATION.get(stripped[-1:]) if stripped else None)


# Numbers and dates as their patterns are defined: a digit that no letter or digit precedes. The
# module's patterns start with the digit and look behind it afterwards, which is faster; both read
# the same places.
_NUMBER_DEFINED = re.compile(r"(?<![A-Za-z\u00C0-\u024F\d])\d(?:[\d.,'\u00A0\u202F]*\d)?")
_NUMERIC_DATE_DEFINED = re.compile(r"(?<![\d/.-])(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})(?![\d/-])")


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet="0123456789 aZé./-,'\u00a0\u202f", max_size=30))
def test_numbers_and_dates_are_found_where_their_definitions_find_them(text):
    from pipeline.qa.values import _NUMBER, _NUMERIC_DATE

    for fast, defined in ((_NUMBER, _NUMBER_DEFINED), (_NUMERIC_DATE, _NUMERIC_DATE_DEFINED)):
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == \
            [(m.span(), m.groups()) for m in defined.finditer(text)]
