"""simplemma's lemmatizer, with its dictionaries kept as MARISA tries prepared once per machine.

simplemma ships each language's dictionary front-coded, and its default
factory decodes it in pure Python the first time a process lemmatizes a word
of that language: half a second or more and 100 MB for Spanish (140 MB for
Spanish, Arabic and English together), paid again by every run that meets a
new word.
simplemma's own TrieDictionaryFactory keeps each dictionary as a MARISA trie
(marisa-trie) on disk instead, which loads in about a millisecond, takes
under 7 MB for those three languages, and is looked up as fast. It holds the
same data, so every lemma is the same.

The tries are built once per machine and simplemma version, the first time a
language is needed (about a second for Spanish), in simplemma's own cache
directory (``~/.cache/simplemma/marisa_trie/<version>/``), or in the
directory ``MEDLOC_LEMMA_CACHE`` names. Each is written to a temporary name
and renamed, so processes building the same language at once never read a
half-written trie. Where that directory cannot be written, the language's
dictionary is decoded as simplemma does by default.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

__all__ = ["lemmatize", "lemmatizes", "trie_directory", "CACHE_VARIABLE"]

#: The environment variable that names the directory of the tries (else simplemma's default).
CACHE_VARIABLE = "MEDLOC_LEMMA_CACHE"


def trie_directory() -> Path:
    """The directory the tries are kept in: ``$MEDLOC_LEMMA_CACHE``, else simplemma's default."""
    named = os.environ.get(CACHE_VARIABLE)
    if named:
        return Path(named)
    from platformdirs import user_cache_dir
    from simplemma.__metadata__ import __version__

    return Path(user_cache_dir("simplemma")) / "marisa_trie" / __version__


def _prepared(language: str, directory: Path) -> bool:
    """Make sure ``directory`` holds the trie of ``language``; False when it cannot be written there.

    Raises ValueError for a language simplemma does not support.
    """
    from simplemma.strategies.dictionaries import TrieDictionaryFactory

    if (directory / f"{language}.dic").is_file():
        return True
    try:
        directory.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{language}.", dir=directory))
    except OSError:
        return False
    try:
        # simplemma writes the trie where it is asked to: a directory of this process's own.
        TrieDictionaryFactory(disk_cache_dir=str(building)).get_dictionary(language)
        built = building / f"{language}.dic"
        if not built.is_file():  # simplemma could not write it (it logs a warning and goes on)
            return False
        os.replace(built, directory / f"{language}.dic")
        return True
    except OSError:
        return False
    finally:
        shutil.rmtree(building, ignore_errors=True)


class _TrieDictionaries:
    """A simplemma DictionaryFactory: each language's trie from the cache directory, or, where it
    cannot be written, the dictionary simplemma's default factory decodes."""

    def __init__(self, directory: Path):
        from simplemma.strategies.dictionaries import TrieDictionaryFactory

        self.directory = directory
        self._tries = TrieDictionaryFactory(disk_cache_dir=str(directory))

    @cache
    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        """The dictionary of ``lang`` (ValueError for a language simplemma does not support)."""
        if _prepared(lang, self.directory):
            return self._tries.get_dictionary(lang)
        from simplemma.strategies.dictionaries import DEFAULT_DICTIONARY_FACTORY

        return DEFAULT_DICTIONARY_FACTORY.get_dictionary(lang)


@cache
def _lemmatizer():
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_TrieDictionaries(trie_directory())))


def lemmatize(word: str, language: str) -> str:
    """The lemma of ``word`` in ``language`` (a simplemma language code), as ``simplemma.lemmatize``
    gives it (for a word its dictionary does not know, the word, lowercased in some languages)."""
    return _lemmatizer().lemmatize(word, language)


@cache
def lemmatizes(language: str) -> bool:
    """Whether simplemma has a dictionary for ``language``; its dictionary is loaded (and its trie
    built, the first time on this machine), so that forked workers share it."""
    try:
        lemmatize("test", language)
    except (ValueError, KeyError):
        return False
    return True
