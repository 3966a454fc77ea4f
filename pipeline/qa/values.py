"""What must survive translation unchanged in value: numbers, dates, dose units, URLs, e-mails, phones.

Everything locale-specific comes from Babel's CLDR data: decimal and group
symbols, date patterns and month names, the localized symbols of units. A
value found in a source is compared with the target by what it means, so
"1.5" and "1,5", "1/19/2018" and "19 de enero de 2018" are the same.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

import phonenumbers
from babel import Locale
from babel.units import format_unit

from pipeline.placeholders import TAG_TOKEN

__all__ = [
    "ascii_digits", "find_urls", "find_emails", "find_phones", "find_dates", "find_numbers", "Quantity",
    "DOSE_UNITS", "mask",
]

# Arabic-Indic and Extended Arabic-Indic digits, and the Arabic decimal and
# group separators, read as their ASCII counterparts.
_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)},
           0x066B: ".", 0x066C: ","}
# Bidirectional marks that CLDR puts inside Arabic and Hebrew date patterns.
_BIDI_MARKS = {0x200E: None, 0x200F: None, 0x061C: None}
_NATIVE = re.compile("[" + "".join(map(chr, [*_DIGITS, *_BIDI_MARKS])) + "]")

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A number: digits, optionally with separators between digit groups. Digits
# glued to a Latin letter before them (A1C, H2O, <a1>) are part of a code.
# A number or date starts with a digit that no letter or digit precedes. The patterns start with
# that digit and look behind it afterwards: a pattern that starts with a lookbehind is tried at
# every position of the text, one that starts with a digit only where there is one.
_NUMBER = re.compile(r"\d(?<![A-Za-z\u00C0-\u024F\d]\d)(?:[\d.,'\u00A0\u202F]*\d)?")
_ANY_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\d{4}")
_NUMERIC_DATE = re.compile(r"(\d(?<![\d/.-]\d)\d{0,3})([/.-])(\d{1,2})\2(\d{1,4})(?![\d/-])")

#: Dose units checked by the ``units`` check, as CLDR unit ids.
DOSE_UNITS = (
    "mass-microgram", "mass-milligram", "mass-gram", "mass-kilogram",
    "volume-milliliter", "volume-deciliter", "volume-liter", "concentr-milligram-ofglucose-per-deciliter",
)

#: Clinical spellings that CLDR does not list, by the unit they mean. CLDR
#: gives one abbreviation per unit and language; prescriptions use others
#: (mcg in the US; ملغ and مجم beside CLDR's مغم in Arabic-speaking countries).
_UNIT_ALIASES = {
    "mcg": "mass-microgram", "\u00b5g": "mass-microgram", "ug": "mass-microgram",
    "ml": "volume-milliliter", "cc": "volume-milliliter", "mg/dl": "concentr-milligram-ofglucose-per-deciliter",
    "\u0645\u0644\u063a": "mass-milligram", "\u0645\u062c\u0645": "mass-milligram",
    "\u0645\u0644": "volume-milliliter", "\u0645\u0643\u063a": "mass-microgram",
}


def ascii_digits(text: str) -> str:
    """Return ``text`` with native digits and Arabic separators as ASCII, and bidi marks removed."""
    if text.isascii() or _NATIVE.search(text) is None:
        return text  # str.translate with a table is slow, and most text has nothing to translate
    return text.translate(_DIGITS).translate(_BIDI_MARKS)


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out ``spans`` of ``text`` with spaces, keeping every other offset."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _without_placeholders(text: str) -> str:
    return TAG_TOKEN.sub(lambda m: " " * len(m.group()), text)


def find_urls(text: str) -> list[tuple[str, int, int]]:
    """Return the URLs in ``text`` (``http://…``, ``https://…``, ``www.…``) with their offsets."""
    if "://" not in text and "www." not in text:
        return []  # the substring tests are much cheaper than the regex
    return [(m.group(), m.start(), m.end()) for m in _URL.finditer(text)]


def find_emails(text: str) -> list[tuple[str, int, int]]:
    """Return the e-mail addresses in ``text`` with their offsets."""
    if "@" not in text:
        return []
    return [(m.group(), m.start(), m.end()) for m in _EMAIL.finditer(text)]


def find_phones(text: str, region: str = "US") -> list[tuple[str, int, int]]:
    """Return the phone numbers in ``text`` as E.164 strings with their offsets (Google's libphonenumber)."""
    if len(_ANY_DIGIT.findall(text)) < 7:
        return []  # no phone number has fewer digits; skip the matcher, which is slow
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        found.append((phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164),
                      match.start, match.end))
    return found


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@cache
def _symbols(code: str) -> tuple[str, str]:
    symbols = _locale(code).number_symbols.get("latn", {})
    return symbols.get("decimal", "."), symbols.get("group", ",")


@cache
def _month_names_for(code: str) -> dict[str, int]:
    return _month_names(_locale(code), ("wide", "abbreviated"))


def _month_names(locale: Locale, widths: tuple[str, ...]) -> dict[str, int]:
    names = {}
    for context in ("format", "stand-alone"):
        for width in widths:
            for number, name in locale.months[context][width].items():
                names[ascii_digits(name).casefold().rstrip(".")] = number
    return names


_PATTERN_TOKEN = re.compile(r"'([^']*)'|([A-Za-z])\2*|(\s+)|(.)")


@cache
def _date_regexes(code: str) -> tuple[re.Pattern, ...]:
    """Regexes for the locale's full, long and medium date formats, built from the CLDR patterns."""
    locale = _locale(code)
    months = _month_names(locale, ("wide", "abbreviated"))
    month_alternatives = "|".join(re.escape(n) for n in sorted(months, key=len, reverse=True))
    weekdays = {ascii_digits(n).casefold() for ctx in ("format", "stand-alone") for w in ("wide", "abbreviated")
                for n in locale.days[ctx][w].values()}
    weekday_alternatives = "|".join(re.escape(n) for n in sorted(weekdays, key=len, reverse=True))
    regexes = []
    for width in ("full", "long", "medium"):
        pattern = ascii_digits(locale.date_formats[width].pattern)
        parts = []
        for quoted, field, space, other in ((m.group(1), m.group(0) if m.group(2) else None, m.group(3), m.group(4))
                                            for m in _PATTERN_TOKEN.finditer(pattern)):
            if quoted is not None:
                parts.append(re.escape(quoted) if quoted else "'")
            elif space:
                parts.append(r"\s*")
            elif other:
                parts.append(re.escape(other) + "?" if other in ",." else re.escape(other))
            elif field[0] == "y":
                parts.append(r"(?P<y>\d{4})")
            elif field[0] in "ML":
                parts.append(rf"(?P<m>{month_alternatives})\.?" if len(field) >= 3 else r"(?P<mn>\d{1,2})")
            elif field[0] == "d":
                parts.append(r"(?P<d>\d{1,2})")
            elif field[0] in "Ec":
                parts.append(rf"(?:{weekday_alternatives})?")
            else:
                parts.append(r"\S*")
        regexes.append(re.compile("".join(parts), re.IGNORECASE))
    return tuple(regexes)


@cache
def _numeric_date_order(code: str) -> str:
    """The order of day, month and year in the locale's short date format ("mdy", "dmy", "ymd")."""
    pattern = _locale(code).date_formats["short"].pattern
    positions = {field: pattern.find(field) for field in "yMd"}
    return "".join(f.lower() for f in sorted(positions, key=positions.get))


def _as_date(year: int, month: int, day: int) -> datetime.date | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _numeric_date(parts: tuple[int, int, int], order: str) -> datetime.date | None:
    values = dict(zip(order, parts))
    return _as_date(values["y"], values["m"], values["d"])


def find_dates(text: str, locale: str, fallback_locale: str | None = None) -> list[tuple[datetime.date, int, int]]:
    """Return the dates written in ``text`` under ``locale``'s conventions, with their offsets.

    Numeric dates are read in the locale's order (or ISO year-month-day); a
    numeric date that is impossible in that order but valid in
    ``fallback_locale``'s (a US date kept as is) is read that way.
    """
    return list(_find_dates(text, locale, fallback_locale))


@lru_cache(maxsize=65536)
def _find_dates(text: str, locale: str, fallback_locale: str | None) -> tuple[tuple[datetime.date, int, int], ...]:
    text = ascii_digits(text)
    if not _ANY_DIGIT.search(text):
        return ()  # a date always has digits; most messages have none
    found: list[tuple[datetime.date, int, int]] = []
    taken: list[tuple[int, int]] = []
    months = _month_names_for(locale)
    # Every CLDR full, long and medium date has a four-digit year; without one, skip those regexes,
    # whose alternations of month and weekday names are slow to try at every position.
    for regex in _date_regexes(locale) if _YEAR.search(text) else ():
        for match in regex.finditer(text):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            groups = match.groupdict()
            month = months.get((groups.get("m") or "").casefold().rstrip(".")) if groups.get("m") else None
            if month is None and groups.get("mn"):
                month = int(groups["mn"])
            if month is None or not groups.get("y") or not groups.get("d"):
                continue
            value = _as_date(int(groups["y"]), month, int(groups["d"]))
            if value:
                found.append((value, match.start(), match.end()))
                taken.append((match.start(), match.end()))
    for match in _NUMERIC_DATE.finditer(text):
        if any(match.start() < e and s < match.end() for s, e in taken):
            continue
        parts = (int(match.group(1)), int(match.group(3)), int(match.group(4)))
        value = None
        for order in (_numeric_date_order(locale), "ymd") + ((_numeric_date_order(fallback_locale),)
                                                             if fallback_locale else ()):
            value = _numeric_date(parts, order)
            if value:
                break
        if value:
            found.append((value, match.start(), match.end()))
    return tuple(sorted(found, key=lambda f: f[1]))


def _parse_number(token: str, decimal: str, group: str) -> Decimal | None:
    if token.count(decimal) > 1:
        return None
    integer, _, fraction = token.partition(decimal)
    if group in integer:
        groups = integer.split(group)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        integer = "".join(groups)
    if not integer.isdigit() or (fraction and not fraction.isdigit()):
        return None
    try:
        return Decimal(integer + ("." + fraction if fraction else "")).normalize()
    except InvalidOperation:
        return None


@cache
def _unit_symbols(code: str) -> dict[str, str]:
    """Localized symbols and names of the dose units (from CLDR), plus clinical aliases, casefolded."""
    symbols = dict(_UNIT_ALIASES)
    for unit in DOSE_UNITS:
        for length in ("short", "narrow", "long"):
            for count in (1, 2, 5, 11, 100):
                try:
                    formatted = format_unit(count, unit, length=length, locale=code)
                except Exception:  # noqa: BLE001 - a unit a locale lacks is simply not recognised there
                    continue
                surface = ascii_digits(formatted).replace(str(count), "").strip().casefold()
                if surface and not any(ch.isdigit() for ch in surface):
                    symbols.setdefault(surface, unit)
    return symbols


@cache
def _unit_symbols_for(locales: tuple[str, ...]) -> dict[str, str]:
    """The dose-unit spellings of several locales together (the first locale's reading wins)."""
    symbols: dict[str, str] = {}
    for code in locales:
        for surface, unit in _unit_symbols(code).items():
            symbols.setdefault(surface, unit)
    return symbols


@cache
def _unit_regex(locales: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(s) for s in sorted(_unit_symbols_for(locales), key=len, reverse=True))
    return re.compile(rf"[\s\u00A0\u202F]*({alternatives})(?![^\W\d_])", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """A number found in text: what it may mean (several readings when separators are ambiguous),
    how it was written, where, and the dose unit written after it (a CLDR unit id) if any."""

    values: frozenset[Decimal]
    text: str
    start: int
    end: int
    unit: str | None = None
    unit_text: str = ""


def _readings(token: str, locales: tuple[str, ...]) -> frozenset[Decimal]:
    values = {v for code in locales for v in [_parse_number(token, *_symbols(code))] if v is not None}
    return frozenset(values)


def find_numbers(text: str, locale: str, source_locale: str | None = None) -> list[Quantity]:
    """Return the numbers of ``text`` that are not part of a date, URL, e-mail, phone or placeholder.

    Each number is read under ``locale``'s symbols and, when given,
    ``source_locale``'s (a translator may keep a number as the source wrote
    it). A run like "1,2,3" that no convention reads is split into its
    integers. Each Quantity carries the dose unit that follows it, if any,
    written in either locale's spelling.
    """
    return list(_find_numbers(text, locale, source_locale))


@lru_cache(maxsize=65536)
def _find_numbers(text: str, locale: str, source_locale: str | None) -> tuple[Quantity, ...]:
    text = ascii_digits(_without_placeholders(text))
    if not _ANY_DIGIT.search(text):
        return ()
    spans = [(s, e) for finder in (find_urls, find_emails) for _, s, e in finder(text)]
    spans += [(s, e) for _, s, e in find_phones(text)]
    spans += [(s, e) for _, s, e in find_dates(text, locale, source_locale)]
    masked = mask(text, spans) if spans else text  # most texts hold no URL, phone or date to blank
    locales = (locale,) if source_locale in (None, locale) else (locale, source_locale)
    units = _unit_regex(locales)  # a translator may keep the source's unit symbol ("5 mg" in Arabic)
    symbols = _unit_symbols_for(locales)
    found = []
    for match in _NUMBER.finditer(masked):
        token = match.group()
        readings = _readings(token.replace("\u00a0", " ").replace("\u202f", " ").replace(" ", ""), locales) \
            if (" " not in token) else frozenset()
        unit_match = units.match(masked, match.end())
        unit = symbols.get(unit_match.group(1).casefold()) if unit_match else None
        unit_text = unit_match.group(1) if unit_match else ""
        if readings:
            found.append(Quantity(readings, token, match.start(), match.end(), unit, unit_text))
            continue
        for part in re.finditer(r"\d+", token):  # "1,2,3" or "5\N{NO-BREAK SPACE}10": separate integers
            found.append(Quantity(frozenset({Decimal(part.group()).normalize()}), part.group(),
                                  match.start() + part.start(), match.start() + part.end(),
                                  unit if part.end() == len(token) else None,
                                  unit_text if part.end() == len(token) else ""))
    return tuple(found)
