"""The lemmatizer's dictionaries as tries: the same lemmas as simplemma's default, built once, safely."""

import multiprocessing
import re

import pytest
import simplemma

from pipeline import lemmatizer
from tests.conftest import ROOT


def _words(language: str, limit: int = 400) -> list[str]:
    """Words of the shipped article's text in ``language`` (its catalog, or the English source)."""
    path = ROOT / "source" / "000277.html" if language == "en" else \
        ROOT / "locales" / language / "LC_MESSAGES" / "000277.po"
    words = sorted({word for word in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8"))})
    return words[:limit]


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_lemmas_from_the_tries_are_simplemmas_own(tmp_path, language):
    dictionaries = lemmatizer._TrieDictionaries(tmp_path)
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    from_tries = Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=dictionaries))
    words = _words(language) + ["ojos", "metástasis", "hepáticas", "tumors", "والكبد", "السرطان"]
    assert len(words) > 100
    assert [from_tries.lemmatize(w, language) for w in words] == [simplemma.lemmatize(w, lang=language)
                                                                  for w in words]
    assert (tmp_path / f"{language}.dic").is_file()


def test_a_trie_is_built_once_under_its_own_name_and_leaves_nothing_else(tmp_path):
    assert lemmatizer._prepared("en", tmp_path)
    trie = tmp_path / "en.dic"
    built = trie.stat()
    assert lemmatizer._prepared("en", tmp_path)
    assert trie.stat().st_mtime_ns == built.st_mtime_ns and trie.stat().st_ino == built.st_ino
    assert [p.name for p in tmp_path.iterdir()] == ["en.dic"]


def _prepare_into(directory: str) -> bool:
    from pathlib import Path

    return lemmatizer._prepared("en", Path(directory))


def test_processes_building_the_same_trie_at_once_both_get_a_whole_one(tmp_path):
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map(_prepare_into, [str(tmp_path)] * 2) == [True, True]
    assert [p.name for p in tmp_path.iterdir()] == ["en.dic"]
    dictionaries = lemmatizer._TrieDictionaries(tmp_path)
    assert dictionaries.get_dictionary("en").get("tumors") == simplemma.strategies.dictionaries. \
        DEFAULT_DICTIONARY_FACTORY.get_dictionary("en").get("tumors")


def test_where_the_directory_cannot_be_written_the_dictionary_is_decoded_as_simplemma_does(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    assert not lemmatizer._prepared("en", blocked / "tries")
    dictionaries = lemmatizer._TrieDictionaries(blocked / "tries")
    default = simplemma.strategies.dictionaries.DEFAULT_DICTIONARY_FACTORY.get_dictionary("en")
    assert dictionaries.get_dictionary("en") is default


def test_a_language_simplemma_lacks_is_refused_and_leaves_no_trie(tmp_path):
    with pytest.raises(ValueError):
        lemmatizer._prepared("zz", tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert not lemmatizer.lemmatizes("zh")


def test_the_directory_is_the_environments_choice_else_simplemmas(monkeypatch, tmp_path):
    monkeypatch.setenv(lemmatizer.CACHE_VARIABLE, str(tmp_path / "tries"))
    assert lemmatizer.trie_directory() == tmp_path / "tries"
    monkeypatch.delenv(lemmatizer.CACHE_VARIABLE)
    directory = lemmatizer.trie_directory()
    assert directory.parts[-3:] == ("simplemma", "marisa_trie", simplemma.__version__)
