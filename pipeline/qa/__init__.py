"""QA: an explicit registry of small named checks and the runner that applies them.

Adding a check is writing it in a module of this package and listing it in
CHECKS below; nothing is discovered by introspection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.model import Finding, Severity
from pipeline.qa.catalog import completeness, header, inconsistent, publishable_entries, records_of
from pipeline.qa.markup import markup
from pipeline.qa.registry import (
    CatalogContext, CatalogRecords, Check, EntryContext, LocaleTerms, TranslationRecord, check,
)
from pipeline.qa.terms import do_not_translate, forbidden_term, glossary
from pipeline.qa.text import brackets, length, mojibake, punctuation, unchanged, whitespace
from pipeline.qa.values_checks import emails, numbers, phones, units, urls

__all__ = ["CHECKS", "Check", "check", "CatalogContext", "EntryContext", "LocaleTerms", "LocaleResult",
           "CatalogResult", "CatalogRecords", "TranslationRecord", "check_catalog", "finish_locale", "check_locale",
           "checks_by_id", "remember_entry_messages", "silenced_checks"]

#: Every check, in the order reports list them: errors that fail CI, then warnings.
CHECKS: tuple[Check, ...] = (
    completeness,
    glossary,
    forbidden_term,
    numbers,
    units,
    markup,
    urls,
    emails,
    phones,
    do_not_translate,
    mojibake,
    header,
    unchanged,
    whitespace,
    punctuation,
    brackets,
    length,
    inconsistent,
)


def checks_by_id() -> dict[str, Check]:
    """Return the registry keyed by check id."""
    return {item.id: item for item in CHECKS}


@dataclass(frozen=True)
class LocaleResult:
    """What QA found in one locale: the findings reported and how many a ``#, ignore-…`` flag silenced."""

    findings: list[Finding]
    silenced: int


def _pairs(entry) -> Iterable[tuple[str, str]]:
    if entry.msgid_plural:
        for index, text in sorted(entry.msgstr_plural.items()):
            yield (entry.msgid if index == 0 else entry.msgid_plural), text
    else:
        yield entry.msgid, entry.msgstr


_IGNORE_COMMENT = re.compile(r"^\s*(ignore-[a-z-]+)\b")


def silenced_checks(entry) -> set[str]:
    """The ``ignore-<check>`` marks of an entry: flags (``#, ignore-glossary``) or translator-comment lines
    starting with one (``# ignore-glossary: reference titles stay in English``).

    The comment form survives GNU msgmerge and msgcat, which drop flags they do
    not know, and every PO editor lets a translator write it.
    """
    marks = {flag for flag in entry.flags if flag.startswith("ignore-")}
    for line in (entry.tcomment or "").split("\n"):
        match = _IGNORE_COMMENT.match(line)
        if match:
            marks.add(match.group(1))
    return marks


@dataclass(frozen=True)
class CatalogResult:
    """QA of one catalog before the locale-level checks: findings, the ignore marks by line, the records."""

    findings: list[Finding]
    marks: dict[int, set[str]]
    records: CatalogRecords | None  # None when a cached result left them out


def check_catalog(context: CatalogContext, terms: LocaleTerms) -> CatalogResult:
    """Run the catalog and entry checks on one catalog (translated, non-fuzzy entries only)."""
    findings: list[Finding] = []
    marks: dict[int, set[str]] = {}
    for item in CHECKS:
        if item.scope == "catalog":
            findings.extend(item(context))
    entry_checks = [item for item in CHECKS if item.scope == "entry"]
    remembered = terms.entry_messages
    publishable = list(publishable_entries(context))
    for entry in publishable:
        silenced = silenced_checks(entry)
        if silenced:
            marks[entry.linenum] = silenced
        for msgid, msgstr in _pairs(entry):
            # An entry check sees only the locale, the two texts and the glossary, so its
            # messages about a pair hold wherever the pair recurs.
            said = remembered.get((msgid, msgstr))
            if said is None:
                entry_context = EntryContext(context.locale, terms.source_locale, context.path, entry.linenum,
                                             msgid, msgstr, terms, entry)
                said = tuple((item, tuple(item.function(entry_context))) for item in entry_checks)
                said = tuple((item, messages) for item, messages in said if messages)
                if len(remembered) > 100_000:
                    remembered.clear()
                remembered[(msgid, msgstr)] = said
            for item, messages in said:
                findings.extend(item.entry_findings(messages, context.locale, context.path, entry.linenum, msgid,
                                                    msgstr))
    return CatalogResult(findings, marks, records_of(context, publishable))


def remember_entry_messages(terms: LocaleTerms, earlier: CatalogResult) -> None:
    """Seed the per-pair memo of check_catalog with what an earlier check of a catalog found.

    An entry check's messages depend on the locale, the two texts and the
    glossary only, so the pairs a catalog kept through an edit need not be
    checked again. ``earlier`` must come from a run with the same glossary and
    checks (the check cache is keyed on both). Only single (non-plural)
    translations are seeded: they are the ones the records hold.
    """
    entry_checks = [item for item in CHECKS if item.scope == "entry"]
    order = {item.id: index for index, item in enumerate(entry_checks)}
    first_line = {}
    for line, msgid, msgstr in zip(earlier.records.lines, earlier.records.msgids, earlier.records.msgstrs):
        first_line.setdefault((msgid, msgstr), line)
    said: dict[tuple[str, str], dict[str, list[str]]] = {pair: {} for pair in first_line}
    for finding in earlier.findings:
        pair = (finding.msgid, finding.msgstr)
        if finding.check in order and first_line.get(pair) == finding.line:
            said[pair].setdefault(finding.check, []).append(finding.message)
    remembered = terms.entry_messages
    for pair, messages in said.items():
        remembered.setdefault(pair, tuple((item, tuple(messages[item.id])) for item in entry_checks
                                          if item.id in messages))


def finish_locale(results: Sequence[tuple[str, CatalogResult]], fail_on: Iterable[str] = (),
                  records: Sequence[CatalogRecords] | None = None) -> LocaleResult:
    """Add the locale-level checks to per-catalog results, apply ignore marks and ``fail_on``.

    ``results`` pairs each catalog's path with its CatalogResult. The
    locale-level checks read ``records`` (default: every result's). A caller
    may pass fewer, in catalog order: those of every catalog holding a text
    that ``shared_texts`` reports, which is all that ``inconsistent`` compares.
    """
    findings = [finding for _, result in results for finding in result.findings]
    if records is None:
        records = [result.records for _, result in results]
    for item in CHECKS:
        if item.scope == "locale":
            findings.extend(item(records))
    marks = {(path, line): silenced for path, result in results for line, silenced in result.marks.items()}
    promoted = set(fail_on)
    kept, silenced_count = [], 0
    for finding in findings:
        if f"ignore-{finding.check}" in marks.get((finding.file, finding.line), ()):
            silenced_count += 1
            continue
        if finding.check in promoted and finding.severity is Severity.WARNING:
            finding = replace(finding, severity=Severity.ERROR)
        kept.append(finding)
    return LocaleResult(kept, silenced_count)


def check_locale(contexts: Sequence[CatalogContext], terms: LocaleTerms,
                 fail_on: Iterable[str] = ()) -> LocaleResult:
    """Run every check on a locale's catalogs and return the findings.

    Entry checks see translated, non-fuzzy entries only. A finding on an
    entry marked ``ignore-<check>`` (see silenced_checks) is silenced and
    counted. Warnings of the checks named in ``fail_on`` are reported as errors.
    """
    return finish_locale([(context.path, check_catalog(context, terms)) for context in contexts], fail_on)
