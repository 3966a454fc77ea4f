"""Checks of whole catalogs: headers, completeness, and consistency across a locale's catalogs."""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from array import array
from collections import Counter, defaultdict
from functools import lru_cache
from operator import itemgetter
from collections.abc import Callable, Iterable, Iterator, Sequence

from pipeline.glossary import word_forms
from pipeline.locales import base_language, plural_count, plural_forms
from pipeline.model import Finding, Severity
from pipeline.qa.registry import CatalogContext, CatalogRecords, check

__all__ = ["header", "completeness", "inconsistent", "publishable_entries", "records_of", "shared_texts", "PairIndex",
           "text_keys"]


def publishable_entries(context: CatalogContext) -> Iterator:
    """The catalog's active, translated, non-fuzzy entries (what the entry checks look at)."""
    for entry in context.catalog:
        if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags and entry.translated():
            yield entry


def records_of(context: CatalogContext, publishable: Sequence | None = None) -> CatalogRecords:
    """The published translations of a catalog, for the locale-level checks; ``publishable``: its
    publishable_entries when the caller has them already."""
    entries = [entry for entry in (publishable_entries(context) if publishable is None else publishable)
               if not entry.msgid_plural]
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


def shared_texts(pairs: Iterable[tuple[str, str]]) -> tuple[set[str], set[str]]:
    """The sources that have two translations or more and the translations that have two sources or
    more, among distinct ``(msgid, msgstr)`` pairs: the texts ``inconsistent`` compares."""
    pairs = pairs if isinstance(pairs, (set, dict)) else set(pairs)
    return ({msgid for msgid, count in Counter(map(itemgetter(0), pairs)).items() if count > 1},
            {msgstr for msgstr, count in Counter(map(itemgetter(1), pairs)).items() if count > 1})


def _text_key(text: str) -> int:
    # 64 bits of BLAKE2b keep the index small. Two texts sharing a key (below one chance in a billion
    # among a locale's hundred thousand texts) mostly make it read a catalog more; only two differing
    # translations of one source sharing a key would hide that difference until a check from scratch.
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def text_keys(records: CatalogRecords) -> tuple[list[int], list[int]]:
    """The 64-bit keys of a catalog's sources and of its translations, record by record (what
    PairIndex counts)."""
    return list(map(_text_key, records.msgids)), list(map(_text_key, records.msgstrs))


def _pairs_of(records: CatalogRecords) -> Iterator[tuple[int, int]]:
    return zip(*text_keys(records))


class PairIndex:
    """A locale's published translations counted by ``(msgid, msgstr)`` pair (each text by a 64-bit
    key), kept between runs so that ``inconsistent`` need not read every catalog again after a few changed.

    ``members`` maps each catalog counted (by key) to the inputs digest it was
    counted with; ``shared`` holds the keys of the texts ``shared_texts``
    reports (sources, translations); ``involved`` is the set of the catalogs
    holding one of them, which are the only catalogs ``inconsistent`` reads.
    """

    def __init__(self, counts: Counter, members: dict[str, str], involved: set[str],
                 shared: tuple[set[int], set[int]] | None = None):
        self.counts, self.members, self.involved = counts, members, involved
        self.shared = shared if shared is not None else shared_texts(counts)

    @classmethod
    def of(cls, records: dict[str, CatalogRecords], members: dict[str, str]) -> PairIndex:
        """Count every catalog's records (``records`` and ``members`` by the same keys)."""
        return cls.of_keys({key: text_keys(catalog) for key, catalog in records.items()}, members)

    @classmethod
    def of_keys(cls, keys: dict[str, tuple[list[int], list[int]]], members: dict[str, str]) -> PairIndex:
        """Count every catalog's records by their texts' keys (text_keys of each, by catalog key), which
        a checking worker computes beside the records: the catalogs need not be read for it."""
        counts: Counter = Counter()
        for sources, targets in keys.values():
            counts.update(zip(sources, targets))
        index = cls(counts, dict(members), set())
        index._involve_keys(keys)
        return index

    @classmethod
    def from_payload(cls, payload) -> PairIndex | None:
        """The index as ``payload()`` stored it (None for anything else)."""
        try:
            keys = _unpacked(payload["pairs"], "Q")  # source key, translation key, one pair after another
            counts = Counter(dict(zip(zip(keys[0::2], keys[1::2]), _unpacked(payload["counts"], "I"), strict=True)))
            sources, targets = (set(_unpacked(texts, "Q")) for texts in payload["shared"])
            return cls(counts, dict(payload["members"]), set(payload["involved"]), (sources, targets))
        except (TypeError, KeyError, ValueError, AttributeError):  # binascii.Error is a ValueError
            return None

    def payload(self) -> dict:
        """The index as JSON-ready data: the pairs' keys and counts as packed integers (a JSON list
        of a hundred thousand numbers took a locale's one-edit check 0.05 s to write and as much to
        read; packed, both take half of that)."""
        return {"pairs": _packed(array("Q", [key for pair in self.counts for key in pair])),
                "counts": _packed(array("I", self.counts.values())), "members": self.members,
                "involved": sorted(self.involved),
                "shared": [_packed(array("Q", sorted(texts))) for texts in self.shared]}

    def update(self, members: dict[str, str], earlier: Callable[[str, str], CatalogRecords | None],
               current: Callable[[str], CatalogRecords]) -> set[str] | None:
        """Bring the counts to ``members`` (key -> inputs now) and return the keys of the catalogs
        ``inconsistent`` must read, or None when that cannot be known without reading them all.

        ``earlier(key, inputs)`` gives a catalog's records as they were counted
        (None if they are no longer known); ``current(key)`` its records now.
        The catalogs to read are the ones that changed and the unchanged ones
        that held a shared text. That is enough unless a text became shared
        with a place in an unchanged catalog: then None.
        """
        gone = [key for key, inputs in self.members.items() if members.get(key) != inputs]
        came = [key for key, inputs in members.items() if self.members.get(key) != inputs]
        if not gone and not came:
            return set(self.involved)
        sources_before, targets_before = self.shared
        removed: list[tuple[int, int]] = []
        for key in gone:
            records = earlier(key, self.members[key])
            if records is None:
                return None
            removed.extend(_pairs_of(records))
        self.counts.subtract(removed)
        added: Counter = Counter()
        for key in came:
            added.update(_pairs_of(current(key)))
        self.counts.update(added)
        for pair in removed:
            if self.counts.get(pair, 1) <= 0:
                del self.counts[pair]  # no catalog holds it any more
        self.shared = sources, targets = shared_texts(self.counts)
        for new_texts, side in ((sources - sources_before, 0), (targets - targets_before, 1)):
            if new_texts and _places(self.counts, new_texts, side) != _places(added, new_texts, side):
                return None  # a newly shared text also sits in a catalog that did not change
        self.involved = {key for key in self.involved if key in members and key not in gone}
        self.members = dict(members)
        return self.involved | set(came)

    def involve(self, records: dict[str, CatalogRecords]) -> None:
        """Note which of these catalogs (by key) hold a text shared under the current counts."""
        self._involve_keys({key: text_keys(catalog) for key, catalog in records.items()})

    def _involve_keys(self, keys: dict[str, tuple[list[int], list[int]]]) -> None:
        shared_sources, shared_targets = self.shared
        for key, (sources, targets) in keys.items():
            if shared_sources.isdisjoint(sources) and shared_targets.isdisjoint(targets):
                self.involved.discard(key)
            else:
                self.involved.add(key)


def _packed(numbers: array) -> str:
    """Unsigned integers as base64 text of their little-endian bytes (a cache's JSON carries it)."""
    if sys.byteorder == "big":
        numbers.byteswap()
    return base64.b64encode(numbers.tobytes()).decode("ascii")


def _unpacked(text: str, typecode: str) -> array:
    """The integers ``_packed`` wrote, as an array of ``typecode``; ValueError when ``text`` holds no such array."""
    numbers = array(typecode)
    numbers.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _places(counts: Counter, texts: set, side: int) -> Counter:
    """How many records hold each of ``texts`` as their msgid (side 0) or msgstr (side 1)."""
    found: Counter = Counter()
    for pair, count in counts.items():
        if pair[side] in texts:
            found[pair[side]] += count
    return found


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
    shared_sources, shared_targets = shared_texts(pairs)
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
