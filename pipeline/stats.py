"""Translated / fuzzy / untranslated messages and words of a catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import polib

from pipeline.segments import plain_text

__all__ = ["CatalogStats", "catalog_stats", "catalog_percent", "count_words", "combine"]

# Chinese and Japanese do not separate words with spaces; like pocount and
# most CAT tools we count each ideograph or kana as one word, and everything
# else by whitespace-separated runs that hold a letter or digit.
_CJK_CHARACTER = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
#: A whitespace-separated run that holds a letter or digit (one match per such run).
_WORD_RUN = re.compile(r"[^\s\w]*\w\S*")


@lru_cache(maxsize=65536)  # a source text is counted in each locale's catalog, and often in other articles'
def count_words(text: str) -> int:
    """Return the number of words in a message (placeholders ignored, CJK characters one word each)."""
    plain = plain_text(text)
    if plain.isascii():  # most source text: no CJK character to count or blank out
        return len(_WORD_RUN.findall(plain))
    cjk = len(_CJK_CHARACTER.findall(plain))
    rest = _CJK_CHARACTER.sub(" ", plain)
    return cjk + len(_WORD_RUN.findall(rest))


@dataclass(frozen=True)
class CatalogStats:
    """Counts for one catalog (or a sum of several); words are source words."""

    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    translated_words: int = 0
    fuzzy_words: int = 0
    untranslated_words: int = 0

    @property
    def messages(self) -> int:
        """All active messages."""
        return self.translated + self.fuzzy + self.untranslated

    @property
    def words(self) -> int:
        """All source words of the active messages."""
        return self.translated_words + self.fuzzy_words + self.untranslated_words

    @property
    def percent(self) -> float:
        """Share of messages translated and not fuzzy, in percent (100 for an empty catalog)."""
        return 100.0 if not self.messages else round(100.0 * self.translated / self.messages, 1)

    @property
    def word_percent(self) -> float:
        """Share of source words translated and not fuzzy, in percent."""
        return 100.0 if not self.words else round(100.0 * self.translated_words / self.words, 1)


def _state(entry: polib.POEntry) -> str:
    """An active entry's state, as polib's ``fuzzy`` and ``translated()`` tell it (without their calls:
    a catalog's every entry is asked, in each stage that counts)."""
    if "fuzzy" in entry.flags:
        return "fuzzy"
    if entry.msgstr or (entry.msgstr_plural and "" not in entry.msgstr_plural.values()):
        return "translated"
    return "untranslated"


def catalog_stats(catalog: polib.POFile) -> CatalogStats:
    """Count the active (non-obsolete) messages of a catalog by state, with their source words."""
    counts = {"translated": [0, 0], "fuzzy": [0, 0], "untranslated": [0, 0]}
    for entry in catalog:
        if entry.obsolete or entry.msgid == "":
            continue
        count = counts[_state(entry)]
        count[0] += 1
        count[1] += count_words(entry.msgid)
    return CatalogStats(counts["translated"][0], counts["fuzzy"][0], counts["untranslated"][0],
                        counts["translated"][1], counts["fuzzy"][1], counts["untranslated"][1])


def catalog_percent(catalog: polib.POFile) -> float:
    """``catalog_stats(catalog).percent`` without counting words: the share of active messages translated."""
    states = [_state(entry) for entry in catalog if not entry.obsolete and entry.msgid != ""]
    return CatalogStats(states.count("translated"), states.count("fuzzy"), states.count("untranslated")).percent


def combine(stats: list[CatalogStats]) -> CatalogStats:
    """Return the sum of several catalogs' counts."""
    return CatalogStats(*(sum(getattr(s, name) for s in stats) for name in (
        "translated", "fuzzy", "untranslated", "translated_words", "fuzzy_words", "untranslated_words")))
