"""The QA check record, the decorator that makes one, and what checks receive."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import polib

from pipeline.glossary import Glossary, TermIndex, blank_names, name_patterns, term_index
from pipeline.model import Finding, Severity
from pipeline.segments import plain_text
from pipeline.stats import CatalogStats

__all__ = ["Check", "check", "CatalogContext", "EntryContext", "LocaleTerms", "SCOPES", "TranslationRecord",
           "CatalogRecords"]

#: What a check looks at: one translated entry, one catalog, or every catalog of a locale.
SCOPES = ("entry", "catalog", "locale")

_DIGIT = re.compile(r"\d")


_SOURCE_INDEXES: dict[tuple[int, str], tuple[Glossary, TermIndex]] = {}


def _source_index(glossary: Glossary, source_locale: str) -> TermIndex:
    key = (id(glossary), source_locale)
    cached = _SOURCE_INDEXES.get(key)
    if cached is None or cached[0] is not glossary:
        translatable = Glossary(tuple(c for c in glossary.concepts if c.translate))
        cached = (glossary, term_index(translatable, source_locale, ("preferred", "admitted")))
        _SOURCE_INDEXES[key] = cached
    return cached[1]


class _entry_property:
    """functools.cached_property without its lock: Python 3.11's takes an RLock on every first
    access, and an EntryContext is made for each translated entry, its properties asked for once or
    twice each (a tenth of a million times per thousand catalogs). An entry is never shared between
    threads, so the value is stored in the instance's ``__dict__`` directly, as Python 3.12 does."""

    def __init__(self, function: Callable):
        self.function, self.name, self.__doc__ = function, function.__name__, function.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


@dataclass(frozen=True)
class LocaleTerms:
    """The glossary prepared for one locale: indexes of source and target terms, protected names."""

    glossary: Glossary
    locale: str
    source_locale: str = "en"

    @cached_property
    def source(self) -> TermIndex:
        """Source-language terms of the translatable concepts; match keys are ``(concept, term)``.

        One index serves every locale of the glossary.
        """
        return _source_index(self.glossary, self.source_locale)

    @cached_property
    def target(self) -> TermIndex:
        """Every target-language term (approved and forbidden); match keys are ``(concept, term)``."""
        return term_index(self.glossary, self.locale)

    @cached_property
    def entry_messages(self) -> dict[tuple[str, str], tuple]:
        """What the entry checks said about a (source, translation) pair, kept for the pairs that
        recur across the locale's catalogs (shared sentences with the same translation)."""
        return {}

    @cached_property
    def notes_by_text(self) -> dict[tuple[str, tuple[str, ...]], tuple[str, ...]]:
        """The glossary notes of a source text for some locales (see workflow.glossary_notes), kept
        for the texts that recur across templates."""
        return {}

    @cached_property
    def note_lines(self) -> dict[tuple[str, str, tuple[str, ...]], tuple[str, ...]]:
        """The glossary note's line for a concept found through one source term, for some locales
        ("" where the concept has no approved term), by (concept id, source term, locales)."""
        return {}

    @cached_property
    def protected(self) -> tuple[tuple[str, re.Pattern], ...]:
        """Names that must appear unchanged, each with the pattern that finds it as a whole word."""
        return name_patterns(self.glossary.protected_names)


@dataclass(frozen=True)
class EntryContext:
    """What an entry-level check sees: one source text and its translation, where they are, the glossary."""

    locale: str
    source_locale: str
    file: str
    line: int
    msgid: str
    msgstr: str
    terms: LocaleTerms
    entry: polib.POEntry | None = None

    @_entry_property
    def source_text(self) -> str:
        """The msgid without placeholders."""
        return plain_text(self.msgid)

    @_entry_property
    def _blanked_source(self) -> tuple[str, list[str]]:
        return blank_names(self.source_text, self.terms.protected)

    @_entry_property
    def source_without_names(self) -> str:
        """The source text with protected names blanked out, so "ADAM Health Solutions" is not "health"."""
        return self._blanked_source[0]

    @_entry_property
    def source_names(self) -> frozenset[str]:
        """The protected names the source text holds."""
        return frozenset(self._blanked_source[1])

    @_entry_property
    def target_text(self) -> str:
        """The msgstr without placeholders."""
        return plain_text(self.msgstr)

    @_entry_property
    def has_digits(self) -> bool:
        """Whether the msgid or the msgstr holds a digit, in any script (\\d): without one there is no
        number, date or phone number to compare, as in most entries."""
        return _DIGIT.search(self.msgid) is not None or _DIGIT.search(self.msgstr) is not None


class TranslationRecord(NamedTuple):
    """One published translation, as locale-level checks see it (no catalog parse needed)."""

    locale: str
    path: str
    line: int
    msgid: str
    msgstr: str
    source_locale: str = "en"


@dataclass(frozen=True)
class CatalogRecords:
    """The published translations of one catalog, as columns: what the locale-level checks receive,
    one per catalog.

    A locale holds a hundred thousand records for a thousand articles, read back
    from the check stage's record files when a check needs them; as columns they
    cost no object per translation, and a check can compare whole columns (as sets) before it
    looks at single records. Iterating gives TranslationRecords.
    """

    locale: str
    path: str
    lines: Sequence[int]
    msgids: Sequence[str]
    msgstrs: Sequence[str]
    source_locale: str = "en"

    def __iter__(self) -> Iterator[TranslationRecord]:
        for line, msgid, msgstr in zip(self.lines, self.msgids, self.msgstrs):
            yield TranslationRecord(self.locale, self.path, line, msgid, msgstr, self.source_locale)


@dataclass(frozen=True)
class CatalogContext:
    """What a catalog-level check sees: the catalog, where it is, its locale, bar and counts."""

    locale: str
    path: str
    catalog: polib.POFile
    bar: float
    stats: CatalogStats
    source_locale: str = "en"


@dataclass(frozen=True)
class Check:
    """A named QA check: id, severity, one-line description, scope and function.

    Entry checks yield one message per problem; the Check turns them into
    Findings. Catalog and locale checks return Findings themselves. The
    function's docstring is the translator's documentation of the check.
    """

    id: str
    severity: Severity
    description: str
    scope: str
    function: Callable[..., Iterable]

    @property
    def documentation(self) -> str:
        """The check's docstring, for ``check --list`` and the HTML report."""
        return (self.function.__doc__ or "").strip()

    def __call__(self, context) -> list[Finding]:
        """Run the check on one context: an EntryContext, a CatalogContext, or for locale scope the
        CatalogRecords of every catalog of the locale."""
        if self.scope != "entry":
            return list(self.function(context))
        return self.entry_findings(self.function(context), context.locale, context.file, context.line,
                                   context.msgid, context.msgstr)

    def entry_findings(self, messages: Iterable[str], locale: str, file: str, line: int, msgid: str,
                       msgstr: str) -> list[Finding]:
        """An entry check's messages about one entry, as Findings."""
        return [Finding(self.id, self.severity, locale, file, line, msgid, msgstr, message) for message in messages]


def check(*, id: str, severity: Severity, description: str,
          scope: str = "entry") -> Callable[[Callable[..., Iterator]], Check]:
    """Decorate a function as a QA check; it still has to be listed in ``pipeline.qa.CHECKS``."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")

    def wrap(function: Callable[..., Iterator]) -> Check:
        return Check(id=id, severity=severity, description=description, scope=scope, function=function)

    return wrap
