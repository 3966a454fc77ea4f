"""Value checks: numbers, dates and dose units, URLs, e-mail addresses, phone numbers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from pipeline.model import Severity
from pipeline.qa.registry import EntryContext, check
from pipeline.qa.values import Quantity, find_dates, find_emails, find_numbers, find_phones, find_urls

__all__ = ["numbers", "units", "urls", "emails", "phones", "pair_numbers"]

_UNIT_NAMES = {"mass-microgram": "mcg", "mass-milligram": "mg", "mass-gram": "g", "mass-kilogram": "kg",
               "volume-milliliter": "mL", "volume-deciliter": "dL", "volume-liter": "L",
               "concentr-milligram-ofglucose-per-deciliter": "mg/dL"}


def _written(quantity: Quantity) -> str:
    return f"{quantity.text} {quantity.unit_text}" if quantity.unit_text else quantity.text


def pair_numbers(source: list[Quantity], target: list[Quantity]) -> tuple[list[tuple[Quantity, Quantity]],
                                                                       list[Quantity], list[Quantity]]:
    """Match source numbers to target numbers of the same value, in order.

    Returns the matched pairs, the source numbers left over and the target
    numbers left over.
    """
    pairs, unmatched = [], []
    remaining = list(target)
    for quantity in source:
        match = next((t for t in remaining if t.values & quantity.values), None)
        if match is None:
            unmatched.append(quantity)
        else:
            remaining.remove(match)
            pairs.append((quantity, match))
    return pairs, unmatched, remaining


@check(id="numbers", severity=Severity.ERROR,
       description="a number or date of the source is missing, added or changed")
def numbers(entry: EntryContext) -> Iterator[str]:
    """Checks that every number and date of the source has the same value in the translation.

    Numbers are compared as values under each locale's conventions (Babel):
    "1.5 cm" and "1,5 cm" match, "1,000" and "1.000" match, Arabic-Indic
    digits are read as digits. Dates are compared as dates: "1/19/2018",
    "19/1/2018" and "19 de enero de 2018" are one date. Fires when a value
    is changed ("dose 5 mg became 50 mg"), dropped or added. A number spelled
    as a word ("two") is not seen; write the digits as the source does.
    """
    if not entry.has_digits:
        return
    yield from _compare("date", [d.isoformat() for d, _, _ in find_dates(entry.msgid, entry.source_locale)],
                        [d.isoformat() for d, _, _ in find_dates(entry.msgstr, entry.locale, entry.source_locale)])
    source = find_numbers(entry.msgid, entry.source_locale)
    target = find_numbers(entry.msgstr, entry.locale, entry.source_locale)
    _, missing, added = pair_numbers(source, target)
    for before, after in zip(missing, added):
        kind = "dose" if before.unit or after.unit else "number"
        yield f"{kind} {_written(before)} became {_written(after)}"
    for before in missing[len(added):]:
        yield f"number {_written(before)} is missing"
    for after in added[len(missing):]:
        yield f"number {_written(after)} was added"


@check(id="units", severity=Severity.ERROR, description="a dose unit was changed (mg, mcg, g; mL, L)")
def units(entry: EntryContext) -> Iterator[str]:
    """Checks that each dose keeps its unit: mg stays mg, mL stays mL.

    Units are recognized in the locale's own symbols and names (CLDR via
    Babel: "mg", "ملغ", "毫升") and common clinical spellings (mcg, cc).
    Fires when a number keeps its value but its unit changes (5 mg -> 5 mcg),
    or loses its unit. A unit written out in a form not recognized may be a
    false positive; write the usual symbol.
    """
    if not entry.has_digits:
        return
    source = find_numbers(entry.msgid, entry.source_locale)
    target = find_numbers(entry.msgstr, entry.locale, entry.source_locale)
    pairs, _, _ = pair_numbers(source, target)
    for before, after in pairs:
        if before.unit and before.unit != after.unit:
            became = f"{after.text} {_UNIT_NAMES[after.unit]}" if after.unit else f"{after.text} without a unit"
            yield f"dose unit changed: {before.text} {_UNIT_NAMES[before.unit]} became {became}"


def _compare(kind: str, source: list[str], target: list[str]) -> Iterator[str]:
    if source == target:  # most often both empty
        return
    for item in sorted((Counter(source) - Counter(target)).elements()):
        yield f"{kind} {item} is missing or changed"
    for item in sorted((Counter(target) - Counter(source)).elements()):
        yield f"{kind} {item} was added"


@check(id="urls", severity=Severity.ERROR, description="a URL was changed or dropped")
def urls(entry: EntryContext) -> Iterator[str]:
    """Checks that every URL of the source (http://, https://, www.) appears unchanged in the translation.

    Fires when one is missing, altered or added. Copy URLs exactly; a
    localized page of the same site is a maintainer's change, not a translation.
    """
    yield from _compare("URL", [u for u, _, _ in find_urls(entry.msgid)], [u for u, _, _ in find_urls(entry.msgstr)])


@check(id="emails", severity=Severity.ERROR, description="an e-mail address was changed or dropped")
def emails(entry: EntryContext) -> Iterator[str]:
    """Checks that every e-mail address of the source appears unchanged in the translation.

    Fires when one is missing, altered or added. An address is not
    translated, even where its words could be ("help@" stays "help@").
    """
    yield from _compare("e-mail address", [e for e, _, _ in find_emails(entry.msgid)],
                        [e for e, _, _ in find_emails(entry.msgstr)])


@check(id="phones", severity=Severity.ERROR, description="a phone number was changed or dropped")
def phones(entry: EntryContext) -> Iterator[str]:
    """Checks that every phone number of the source has the same digits in the translation.

    Numbers are compared by their digits (libphonenumber), so "(301) 594-5983"
    and "301-594-5983" are the same number. Emergency numbers such as 911 are
    checked by the numbers check.
    """
    if not entry.has_digits:
        return
    yield from _compare("phone number", [p for p, _, _ in find_phones(entry.msgid)],
                        [p for p, _, _ in find_phones(entry.msgstr)])
