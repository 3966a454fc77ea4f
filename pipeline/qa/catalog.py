"""Checks of whole catalogs: headers, completeness, and consistency across a locale's catalogs."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from operator import itemgetter
from collections.abc import Iterator, Sequence

from pipeline.glossary import word_forms
from pipeline.locales import base_language, plural_count, plural_forms
from pipeline.model import Finding, Severity
from pipeline.qa.registry import CatalogContext, CatalogRecords, check

__all__ = ["header", "completeness", "inconsistent", "publishable_entries", "records_of"]


def publishable_entries(context: CatalogContext) -> Iterator:
    """The catalog's active, translated, non-fuzzy entries (what the entry checks look at)."""
    for entry in context.catalog:
        if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags and entry.translated():
            yield entry


def records_of(context: CatalogContext) -> CatalogRecords:
    """The published translations of a catalog, for the locale-level checks."""
    entries = [entry for entry in publishable_entries(context) if not entry.msgid_plural]
    return CatalogRecords(context.locale, context.path, [entry.linenum for entry in entries],
                          [entry.msgid for entry in entries], [entry.msgstr for entry in entries],
                          context.source_locale)


def _same_rule(a: str, b: str) -> bool:
    return re.sub(r"[\s;]", "", a) == re.sub(r"[\s;]", "", b)


@check(id="header", severity=Severity.ERROR, scope="catalog",
       description="Language or Plural-Forms header wrong, or a plural entry with the wrong number of forms")
def header(context: CatalogContext) -> Iterator[Finding]:
    """Checks the catalog header against the locale of its folder, with Babel's plural rules.

    Fires when ``Language`` is not the folder's locale (``locales/es/`` must
    say ``es``), when ``Plural-Forms`` is not CLDR's rule for the language (as
    Babel gives it), or when a plural entry has a different number of
    translations than the rule's ``nplurals``. Run ``make update`` on a fresh
    copy of the catalog, or fix the header by hand.
    """
    def found(line: int, message: str, msgid: str = "") -> Finding:
        return Finding("header", Severity.ERROR, context.locale, context.path, line, msgid, "", message)

    metadata = context.catalog.metadata
    language = metadata.get("Language", "")
    if language.replace("-", "_") != context.locale:
        yield found(1, f"Language header is {language!r}, the catalog is in locales/{context.locale}/")
    expected = plural_forms(context.locale)
    actual = metadata.get("Plural-Forms", "")
    if not _same_rule(actual, expected):
        yield found(1, f"Plural-Forms is {actual!r}; Babel's rule for {context.locale} is {expected!r}")
    forms = plural_count(context.locale)
    for entry in context.catalog:
        if entry.msgid_plural and not entry.obsolete and len(entry.msgstr_plural) != forms:
            yield found(entry.linenum, f"plural entry has {len(entry.msgstr_plural)} forms; "
                                       f"{context.locale} needs {forms}", entry.msgid)


@check(id="completeness", severity=Severity.ERROR, scope="catalog",
       description="catalog translated below its locale's bar in [tool.pipeline]")
def completeness(context: CatalogContext) -> Iterator[Finding]:
    """Checks the share of messages translated (fuzzy ones do not count) against the locale's bar.

    Fires when the percentage is below ``bar`` for the locale in
    ``[tool.pipeline.locales]``; a bar of 0 means report only. To fix it,
    translate the untranslated messages and review the fuzzy ones (remove the
    ``fuzzy`` flag once the translation is right).
    """
    stats = context.stats
    if context.bar <= 0 or stats.percent >= context.bar:
        return
    yield Finding("completeness", Severity.ERROR, context.locale, context.path, 1, "", "",
                  f"{stats.percent:g}% translated ({stats.translated} of {stats.messages} messages, "
                  f"{stats.fuzzy} fuzzy, {stats.untranslated} untranslated), below the bar of {context.bar:g}%")


@lru_cache(maxsize=65536)
def _key(text: str, language: str) -> str:
    """A source text reduced to what a translation must distinguish: lemmas, without case or punctuation.

    "Article" and "Articles" are one source for a language without plurals.
    """
    words = re.sub(r"[\W_]+", " ", text).casefold().split()
    return " ".join(min(word_forms(word, language)) for word in words)


@check(id="inconsistent", severity=Severity.WARNING, scope="locale",
       description="one source translated differently across the locale, or one translation for different sources")
def inconsistent(catalogs: Sequence[CatalogRecords]) -> Iterator[Finding]:
    """Checks that a source text is translated the same way in every catalog of a locale, and vice versa.

    Fires on each entry whose source has another translation elsewhere in the
    locale, and on each translation shared by sources that differ in more
    than case, punctuation and inflection. Pick one wording and use it everywhere (a
    translation memory or the glossary helps); silence a legitimate
    difference with ``# ignore-inconsistent``. Built from two indexes, so its
    cost grows with the number of translations, not with their pairs.
    """
    # Most texts have one translation and most translations one source: count the distinct pairs
    # first, and look at single records only in catalogs holding a text that has two partners.
    pairs: set[tuple[str, str]] = set()
    for records in catalogs:
        pairs.update(zip(records.msgids, records.msgstrs))
    shared_sources = {msgid for msgid, count in Counter(map(itemgetter(0), pairs)).items() if count > 1}
    shared_targets = {msgstr for msgstr, count in Counter(map(itemgetter(1), pairs)).items() if count > 1}
    by_source: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    by_target_source: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for records in catalogs:
        if shared_sources.isdisjoint(records.msgids) and shared_targets.isdisjoint(records.msgstrs):
            continue
        for record in records:
            if record.msgid in shared_sources:
                by_source[record.msgid][record.msgstr].append(record)
            if record.msgstr in shared_targets:
                by_target_source[record.msgstr][record.msgid].append(record)
    by_target: dict[str, dict[str, list]] = {}
    for msgstr, sources in by_target_source.items():
        if len(sources) < 2:
            continue  # one source text: nothing to compare, and no need to reduce it to its key
        keyed: dict[str, list] = defaultdict(list)
        for msgid, places in sources.items():
            keyed[_key(msgid, base_language(places[0].source_locale))].extend(places)
        by_target[msgstr] = keyed
    for msgid, translations in by_source.items():
        if len(translations) < 2:
            continue
        for msgstr, places in translations.items():
            others = [f"'{other}' ({p[0].path}:{p[0].line})" for other, p in translations.items() if other != msgstr]
            for record in places:
                yield Finding("inconsistent", Severity.WARNING, record.locale, record.path, record.line,
                              msgid, msgstr, "same source translated differently: also " + ", ".join(others))
    for msgstr, sources in by_target.items():
        if len(sources) < 2:
            continue
        for key, places in sources.items():
            others = [f"'{p[0].msgid}' ({p[0].path}:{p[0].line})" for k, p in sources.items() if k != key]
            for record in places:
                yield Finding("inconsistent", Severity.WARNING, record.locale, record.path, record.line,
                              record.msgid, msgstr, "same translation used for different sources: also " +
                              ", ".join(others))
