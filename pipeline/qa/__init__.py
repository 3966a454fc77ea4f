"""QA: an explicit registry of small named checks and the runner that applies them.

Adding a check is writing it in a module of this package and listing it in
CHECKS below; nothing is discovered by introspection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.model import Finding, Severity
from pipeline.qa.catalog import completeness, header, inconsistent, publishable_entries
from pipeline.qa.markup import markup
from pipeline.qa.registry import CatalogContext, Check, EntryContext, LocaleTerms, check
from pipeline.qa.terms import do_not_translate, forbidden_term, glossary
from pipeline.qa.text import brackets, length, mojibake, punctuation, unchanged, whitespace
from pipeline.qa.values_checks import emails, numbers, phones, units, urls

__all__ = ["CHECKS", "Check", "check", "CatalogContext", "EntryContext", "LocaleTerms", "LocaleResult",
           "check_locale", "checks_by_id", "silenced_checks"]

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


def check_locale(contexts: Sequence[CatalogContext], terms: LocaleTerms,
                 fail_on: Iterable[str] = ()) -> LocaleResult:
    """Run every check on a locale's catalogs and return the findings.

    Entry checks see translated, non-fuzzy entries only. A finding on an
    entry marked ``ignore-<check>`` (see silenced_checks) is silenced and
    counted. Warnings of the checks named in ``fail_on`` are reported as errors.
    """
    findings: list[Finding] = []
    flags: dict[tuple[str, int], set[str]] = {}
    for context in contexts:
        for item in CHECKS:
            if item.scope == "catalog":
                findings.extend(item(context))
        for entry in publishable_entries(context):
            flags[(context.path, entry.linenum)] = silenced_checks(entry)
            for msgid, msgstr in _pairs(entry):
                entry_context = EntryContext(context.locale, terms.source_locale, context.path, entry.linenum,
                                             msgid, msgstr, terms, entry)
                for item in CHECKS:
                    if item.scope == "entry":
                        findings.extend(item(entry_context))
    for item in CHECKS:
        if item.scope == "locale":
            findings.extend(item(list(contexts)))
    promoted = set(fail_on)
    kept, silenced = [], 0
    for finding in findings:
        if f"ignore-{finding.check}" in flags.get((finding.file, finding.line), ()):
            silenced += 1
            continue
        if finding.check in promoted and finding.severity is Severity.WARNING:
            finding = replace(finding, severity=Severity.ERROR)
        kept.append(finding)
    return LocaleResult(kept, silenced)
