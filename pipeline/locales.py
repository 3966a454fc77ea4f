"""Facts about locales, all from Babel's CLDR data: plural forms, direction, names, tags."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural

__all__ = ["PSEUDO_LOCALES", "base_language", "plural_forms", "plural_count", "text_direction", "native_name", "english_name", "language_tag"]


#: Pseudo-locales, which CLDR does not define: their base language, direction
#: and a name. en_XA (accented, longer, bracketed) and ar_XB (right-to-left)
#: show layout and truncation problems before real translations exist.
PSEUDO_LOCALES = {
    "en_XA": ("en", "ltr", "[Ëñĝļîšĥ]"),
    "ar_XB": ("ar", "rtl", "[\u202eEnglish\u202c]"),
}


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(PSEUDO_LOCALES[code][0] if code in PSEUDO_LOCALES else code)


def plural_forms(code: str) -> str:
    """Return the gettext Plural-Forms header value for a locale (``nplurals=6; plural=(...);`` for ar)."""
    return get_plural(PSEUDO_LOCALES[code][0] if code in PSEUDO_LOCALES else code).plural_forms


def plural_count(code: str) -> int:
    """Return how many plural forms a locale has."""
    return get_plural(code).num_plurals


@cache  # asked for on every page built, of a handful of locales
def text_direction(code: str) -> str:
    """Return ``"rtl"`` or ``"ltr"`` for a locale."""
    if code in PSEUDO_LOCALES:
        return PSEUDO_LOCALES[code][1]
    return _locale(code).text_direction


@cache  # asked for on every page built, of a handful of locales
def native_name(code: str) -> str:
    """Return the locale's name in its own language (``español``, ``العربية``, ``中文 (简体)``)."""
    if code in PSEUDO_LOCALES:
        return PSEUDO_LOCALES[code][2]
    return _locale(code).get_display_name(code)


@cache  # asked for on every page built, of a handful of locales
def english_name(code: str) -> str:
    """Return the locale's English name (``Spanish``, ``Chinese (Simplified)``)."""
    return _locale(code).get_display_name("en")


def language_tag(code: str) -> str:
    """Return the BCP 47 tag for HTML ``lang`` and ``hreflang`` (``zh_Hans`` -> ``zh-Hans``)."""
    return code.replace("_", "-")


def base_language(code: str) -> str:
    """Return the language part of a locale code (``zh_Hans`` -> ``zh``, ``es-419`` -> ``es``)."""
    try:
        return _locale(code.replace("-", "_")).language
    except (ValueError, TypeError, UnknownLocaleError):
        return code.split("_")[0].split("-")[0].lower()
