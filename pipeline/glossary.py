"""The term base: read it (CSV, or TBX without external entities) and find its terms in text.

A concept has terms per language, each preferred, admitted or forbidden;
names that must never be translated are concepts marked ``translate = no``.
Matching is inflection-aware through the Snowball stemmers ("tumors" finds
"tumor", "metástasis hepáticas" finds "metástasis hepática"); Chinese and
Japanese, which do not separate words, match as substrings. Overlapping
matches resolve longest first ("liver metastases" before "liver").
"""

from __future__ import annotations

import csv
import json
import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import snowballstemmer
from stop_words import StopWordError, get_stop_words
from babel import Locale
from lxml import etree

from pipeline.errors import InputError
from pipeline.lemmatizer import lemmatize, lemmatizes
from pipeline.locales import base_language

__all__ = [
    "STATUSES", "Term", "Concept", "Glossary", "Match", "TermIndex", "load_glossary", "read_csv", "read_tbx",
    "term_index", "word_forms", "survey", "TermUse", "load_word_forms", "word_forms_text", "name_patterns",
    "blank_names", "warm_lemmatizers", "drain_new_word_forms", "add_word_forms",
]

#: Term statuses, as in TBX's administrativeStatus: preferred and admitted
#: terms are approved translations; forbidden ones must not be used.
STATUSES = ("preferred", "admitted", "forbidden")

#: TBX administrativeStatus values -> our statuses.
_TBX_STATUS = {
    "preferredterm-admn-sts": "preferred", "admittedterm-admn-sts": "admitted",
    "deprecatedterm-admn-sts": "forbidden", "supersededterm-admn-sts": "forbidden",
    "preferred": "preferred", "admitted": "admitted", "forbidden": "forbidden", "deprecated": "forbidden",
}

#: Languages written without spaces between words: terms match as substrings.
_UNSEGMENTED = frozenset({"zh", "ja", "th", "lo", "km", "my"})

#: The prefixes Snowball's Arabic stemmer removes (the article, and the
#: conjunctions and prepositions fused with it). Snowball skips them on short
#: words ("السرطان" stays whole while "وسرطان" loses its و), so a word is also
#: compared without them.
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")

_WORD = re.compile(r"\w+")
# Words of one term may be separated by spaces or a hyphen, not by other
# punctuation: "(primary) cancer" is not the term "primary cancer", and
# "Liver cancer - metastatic" is two items of a list.
_TERM_GAP = re.compile(r"\s+|[-\u2010\u2011]")


@dataclass(frozen=True)
class Term:
    """One term of a concept in one language."""

    text: str
    status: str
    pos: str = ""


@dataclass(frozen=True)
class Concept:
    """A concept: its id, terms per language code, note, and whether it may be translated."""

    id: str
    terms: dict[str, tuple[Term, ...]] = field(hash=False)
    note: str = ""
    translate: bool = True
    # The terms by status, per language: asked for on every term match of every entry.
    _by_status: dict[tuple[str, bool], tuple[Term, ...]] = field(default_factory=dict, hash=False, compare=False,
                                                                  repr=False)

    def approved(self, language: str) -> tuple[Term, ...]:
        """Preferred and admitted terms in ``language``, preferred first."""
        found = self._by_status.get((language, True))
        if found is None:
            terms = self.terms.get(language, ())
            found = self._by_status[(language, True)] = tuple(sorted(
                (t for t in terms if t.status != "forbidden"), key=lambda t: t.status != "preferred"))
        return found

    def forbidden(self, language: str) -> tuple[Term, ...]:
        """Forbidden terms in ``language``."""
        found = self._by_status.get((language, False))
        if found is None:
            found = self._by_status[(language, False)] = tuple(
                t for t in self.terms.get(language, ()) if t.status == "forbidden")
        return found


@dataclass(frozen=True)
class Glossary:
    """All concepts of a term base, and the file they came from."""

    concepts: tuple[Concept, ...]
    path: str = ""

    @property
    def protected_names(self) -> tuple[str, ...]:
        """Source terms of the concepts that must not be translated (MedlinePlus, A.D.A.M., ...)."""
        return tuple(t.text for c in self.concepts if not c.translate for t in c.approved("en"))


class Match(NamedTuple):
    """One occurrence of a term in a text: which entry, where (character offsets), and the text found.

    A named tuple, not a frozen dataclass: checking 1,000 articles makes
    millions, and a tuple is made in less than half the time.
    """

    key: object
    start: int
    end: int
    found: str


#: Match's constructor without the Python-level __new__ a NamedTuple gets (a third of a match's cost).
_new_match = tuple.__new__


@cache
def _stemmer(language: str):
    name = Locale("en").languages.get(language, "").lower()
    return snowballstemmer.stemmer(name) if name in snowballstemmer.algorithms() else None


def warm_lemmatizers(languages: Iterable[str]) -> None:
    """Load simplemma's dictionaries for these languages now (before forking workers that share them),
    building their tries first if this machine has none yet (see pipeline.lemmatizer).

    A language whose word forms an earlier run saved (load_word_forms) is
    skipped: its words are mostly known, and a worker that meets a new one
    loads the dictionary itself (a trie loads in a millisecond), so a run
    with nothing new does not import simplemma at all.
    """
    for language in languages:
        base = base_language(language)
        if not _KNOWN_FORMS.get(base):
            lemmatizes(base)


#: Word forms computed in earlier runs (build/cache/word-forms.json), so that a
#: run over mostly known text does not load simplemma's dictionaries (about a
#: second per language). Filled by load_word_forms, saved by word_forms_text.
_KNOWN_FORMS: dict[str, dict[str, list[str]]] = {}
_NEW_FORMS: dict[str, dict[str, list[str]]] = {}


def load_word_forms(data: str) -> None:
    """Seed word_forms with forms saved by an earlier run (JSON from word_forms_text)."""
    try:
        saved = json.loads(data)
    except json.JSONDecodeError:
        return
    for language, by_word in saved.items():
        known = _KNOWN_FORMS.setdefault(language, {})
        for word, forms in by_word.items():
            known.setdefault(word.casefold(), forms)  # files of earlier versions kept "Then" beside "then"


def word_forms_text() -> str | None:
    """Every known word form as JSON, or None when this run learned nothing new."""
    if not _NEW_FORMS:
        return None
    merged = {language: dict(forms) for language, forms in _KNOWN_FORMS.items()}
    for language, forms in _NEW_FORMS.items():
        merged.setdefault(language, {}).update(forms)
    return json.dumps(merged, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def drain_new_word_forms() -> dict[str, dict[str, list[str]]]:
    """The word forms this process computed since the last call, and forget them (a worker hands
    them to its parent, which saves them with its own)."""
    drained = {language: dict(forms) for language, forms in _NEW_FORMS.items()}
    _NEW_FORMS.clear()
    return drained


def add_word_forms(forms: dict[str, dict[str, list[str]]]) -> None:
    """Take word forms a worker computed (from drain_new_word_forms), so that this run saves them."""
    for language, by_word in forms.items():
        _NEW_FORMS.setdefault(language, {}).update(by_word)


@lru_cache(maxsize=131072)
def word_forms(word: str, language: str) -> frozenset[str]:
    """The forms two words are compared by (see _compute_forms), remembered across runs."""
    folded = word.casefold()  # the forms depend on nothing else: "Then" starting a sentence is "then"
    known = _KNOWN_FORMS.get(language, {}).get(folded)
    if known is not None:
        return frozenset(known)
    forms = _compute_forms(folded, language)
    _NEW_FORMS.setdefault(language, {})[folded] = sorted(forms)
    return forms


def _compute_forms(word: str, language: str) -> frozenset[str]:
    """The forms two words are compared by: lemma (simplemma), Snowball stem, and the stem of the lemma.

    Takes the case-folded word (word_forms folds it). Two words match when
    their forms intersect, which absorbs what either tool misses alone
    (Snowball leaves "ojos" whole; simplemma maps it to "ojo").
    """
    variants = {word}
    if language == "ar":
        variants |= {word[len(p):] for p in _ARABIC_PREFIXES if word.startswith(p) and len(word) - len(p) >= 2}
    stemmer = _stemmer(language)
    forms = set()
    for variant in variants:
        lemma = lemmatize(variant, language).casefold() if lemmatizes(language) else variant
        forms |= {variant, lemma}
        if stemmer is not None:
            forms |= {stemmer.stemWord(variant), stemmer.stemWord(lemma)}
    return frozenset(forms)


#: At most this many texts' matches are remembered from other processes (remember_found).
_GIVEN_LIMIT = 400_000


class TermIndex:
    """Finds a fixed set of terms in texts of one language.

    Built from ``(term text, key)`` pairs. ``find`` returns non-overlapping
    matches, longest first (several keys may share one span); ``keys_in``
    the keys of every occurrence, overlapping ones included.
    """

    def __init__(self, entries: Iterable[tuple[str, object]], language: str):
        self.language = base_language(language)
        self.unsegmented = self.language in _UNSEGMENTED
        self._by_form: dict[str, list[tuple[tuple[frozenset[str], ...], int]]] = {}
        self._substrings: list[tuple[str, int]] = []
        self._keys: list[object] = []  # match keys by entry order, which breaks ties deterministically
        self._found: dict[str, tuple[Match, ...]] = {}  # texts recur across catalogs and checks
        # Matches another process found (see remember_found), and those this one found since the last
        # drain_found (None: not collecting), as packed spans (see _packed) by the text's hash().
        self._given: dict[int, bytes] = {}
        self._fresh: dict[int, bytes] | None = None
        for text, key in entries:
            if not text.strip():
                continue
            ordinal = len(self._keys)
            if self.unsegmented:
                self._keys.append(key)
                self._substrings.append((text.casefold(), ordinal))
                continue
            words = _WORD.findall(text)
            if not words:
                continue
            self._keys.append(key)
            forms = tuple(word_forms(w, self.language) for w in words)
            for form in forms[0]:
                self._by_form.setdefault(form, []).append((forms, ordinal))
        self._first_forms = frozenset(self._by_form)
        # Unsegmented scripts: terms by their first character, so a text is searched only for the
        # terms that can start in it.
        self._by_first_char: dict[str, list[tuple[str, int]]] = {}
        for term, ordinal in self._substrings:
            self._by_first_char.setdefault(term[0], []).append((term, ordinal))
        self._forms_of: dict[str, tuple[frozenset[str], tuple]] = {}  # see _candidates
        self._last_candidates: dict[str, list[tuple[int, int, int]]] = {}

    def _candidates(self, text: str) -> list[tuple[int, int, int]]:
        """Every (start, end, entry ordinal) where a term occurs."""
        found: set[tuple[int, int, int]] = set()
        if self.unsegmented:
            folded = text.casefold()
            for term, ordinal in (item for char in self._by_first_char.keys() & set(folded)
                                  for item in self._by_first_char[char]):
                start = folded.find(term)
                while start != -1:
                    found.add((start, start + len(term), ordinal))
                    start = folded.find(term, start + 1)
            return sorted(found)
        language, first_forms, forms_of, by_form = self.language, self._first_forms, self._forms_of, self._by_form

        def known_forms(word: str) -> tuple[frozenset[str], tuple]:
            known = forms_of.get(word)
            if known is None:
                forms = word_forms(word, language)
                # The terms the word can begin, each once however many of its forms reach it: the
                # one-word terms' ordinals, and the longer terms with the forms of each of their words.
                reached = {ordinal: term_forms for form in forms & first_forms
                           for term_forms, ordinal in by_form[form]}
                singles = tuple(ordinal for ordinal, term_forms in reached.items() if len(term_forms) == 1)
                longer = tuple((term_forms, ordinal) for ordinal, term_forms in reached.items()
                               if len(term_forms) > 1)
                known = forms_of[word] = (forms, (singles, longer) if reached else ())
            return known

        # The words' spans and forms are looked at only where a term can start (most words begin
        # none), and the words after it only for a term of several words.
        words = list(_WORD.finditer(text))
        count = len(words)
        for position, word in enumerate(words):
            reach = (forms_of.get(word[0]) or known_forms(word[0]))[1]
            if not reach:
                continue
            start, first_end = word.span()
            singles, longer = reach
            for ordinal in singles:
                found.add((start, first_end, ordinal))
            if not longer or position + 1 == count:
                continue
            # The first word matched already (the term was reached through it). Most multi-word
            # terms fail on the next word's forms: test those (once for all) before the gaps.
            following = words[position + 1][0]
            next_forms = (forms_of.get(following) or known_forms(following))[0]
            for term_forms, ordinal in longer:
                length = len(term_forms)
                end = position + length
                if end > count or next_forms.isdisjoint(term_forms[1]):
                    continue
                k = 2
                while k < length and not known_forms(words[position + k][0])[0].isdisjoint(term_forms[k]):
                    k += 1
                if k < length:
                    continue
                k = position
                while k < end - 1 and _TERM_GAP.fullmatch(text, words[k].end(), words[k + 1].start()) is not None:
                    k += 1
                if k == end - 1:
                    found.add((start, words[end - 1].end(), ordinal))
        return sorted(found)

    def find(self, text: str) -> tuple[Match, ...]:
        """Return the terms found in ``text``, in text order; where matches overlap, the longest wins."""
        found = self._found.get(text)
        if found is None:
            if len(self._found) > 50_000:
                self._found.clear()
            keys = self._keys
            found = self._found[text] = tuple([_new_match(Match, (keys[ordinal], s, e, text[s:e]))
                                               for s, e, ordinal in self._shared_spans(text)])
        return found

    def keys_found(self, text: str) -> list[object]:
        """The keys of ``find``'s matches in ``text``, in text order: for asking which terms a text
        names when where does not matter (no Match is made, nor kept)."""
        found = self._found.get(text)
        if found is not None:
            return [match.key for match in found]
        keys = self._keys
        return [keys[ordinal] for _, _, ordinal in self._shared_spans(text)]

    def _shared_spans(self, text: str) -> Iterable[tuple[int, int, int]]:
        # find's spans: those another process found, else this one's (kept for drain_found).
        packed = self._given.get(hash(text))
        if packed is not None:
            flat = array("I", packed)
            return zip(flat[0::3], flat[1::3], flat[2::3])
        spans = self._spans(text)
        if self._fresh is not None:
            self._fresh[hash(text)] = _packed(spans)
        return spans

    def collect_found(self) -> None:
        """Start keeping what ``find`` matches, for drain_found (in the workers this process forks)."""
        self._fresh = {}

    def drain_found(self) -> dict[int, bytes]:
        """What ``find`` matched since collect_found or the last drain, as packed spans by the text's
        hash(): for the parent process to remember_found. Empty when not collecting."""
        fresh = self._fresh or {}
        if self._fresh is not None:
            self._fresh = {}
        return fresh

    def stop_collecting(self) -> None:
        """Keep no more of what ``find`` matches."""
        self._fresh = None

    def remember_found(self, found: dict[int, bytes]) -> None:
        """Remember matches another process made with this index (drain_found of a worker forked after it
        was built, so its entry ordinals are this index's, and its hash() this process's). Later
        ``find`` calls, here and in the workers forked from here, look them up: the update stage's
        workers find the source terms of every text for the glossary notes, and the check stage's
        would find them again."""
        room = _GIVEN_LIMIT - len(self._given)
        if room > 0:
            self._given.update(found if len(found) <= room else dict(list(found.items())[:room]))

    def keys_in(self, text: str) -> tuple[object, ...]:
        """The key of every term occurrence in ``text``, overlapping ones included, in no set order:
        for asking which terms a text holds, not where (cheaper than ``find``)."""
        keys = self._keys
        return tuple([keys[ordinal] for _, _, ordinal in self._remembered_candidates(text)])

    def _remembered_candidates(self, text: str) -> list[tuple[int, int, int]]:
        # A text is usually asked about more than once (the glossary and forbidden-term checks both
        # read a translation); its candidates are found once.
        candidates = self._last_candidates.get(text)
        if candidates is None:
            if len(self._last_candidates) > 1_000:
                self._last_candidates.clear()
            candidates = self._last_candidates[text] = self._candidates(text)
        return candidates

    def _spans(self, text: str) -> tuple[tuple[int, int, int], ...]:
        """``find``'s matches as (start, end, entry ordinal)."""
        candidates = self._remembered_candidates(text)  # in text order
        if len(candidates) > 1 and _overlap(candidates):
            spans: set[tuple[int, int]] = set()
            taken = bytearray(len(text))  # characters inside a kept span
            for start, end, _ in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
                if (start, end) in spans or taken.find(1, start, end) == -1:
                    spans.add((start, end))
                    taken[start:end] = b"\x01" * (end - start)
            candidates = [c for c in candidates if (c[0], c[1]) in spans]
        return tuple(candidates)


def _packed(spans: Iterable[tuple[int, int, int]]) -> bytes:
    """Spans as unsigned 32-bit integers, three by three: a tenth of the memory of tuples of ints, for
    the hundreds of thousands a parent process keeps. Keyed by hash() rather than by the text (a
    fifth of it again): two of 400,000 texts sharing a 64-bit hash is below one chance in 10^8."""
    return array("I", [number for span in spans for number in span]).tobytes()


def _overlap(candidates: list[tuple[int, int, int]]) -> bool:
    """Whether two different spans among sorted ``(start, end, ordinal)`` candidates overlap (keys
    sharing one span do not count): when none do, every candidate is kept, longest first or not."""
    reach, previous = -1, None
    for start, end, _ in candidates:
        if start < reach and (start, end) != previous:
            return True
        reach, previous = max(reach, end), (start, end)
    return False


def name_patterns(names: Iterable[str]) -> tuple[tuple[str, re.Pattern], ...]:
    """Each protected name with the pattern that finds it as a whole word, spelled exactly."""
    return tuple((name, re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")) for name in names)


def blank_names(text: str, patterns: Iterable[tuple[str, re.Pattern]]) -> tuple[str, list[str]]:
    """``text`` with the protected names blanked out (offsets kept), and the names found.

    So "ADAM Health Solutions" is not taken for the term "health".
    """
    found = []
    for name, pattern in patterns:
        if name in text and pattern.search(text):  # the substring test is far cheaper than the search
            found.append(name)
            text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text, found


@dataclass(frozen=True)
class TermUse:
    """A glossary concept found in the sources: its source term, how often, and its term in one locale."""

    concept: Concept
    source_term: str
    count: int
    target_term: str


def survey(glossary: Glossary, texts: Sequence[str], locale: str, source_locale: str = "en",
           min_count: int = 3, max_words: int = 3) -> tuple[list[TermUse], list[tuple[str, int]]]:
    """Count the glossary's terms in source texts, and find frequent phrases it lacks.

    Returns the concepts found (most frequent first) with the locale's
    preferred term, and candidate phrases of up to ``max_words`` words that
    occur at least ``min_count`` times outside any glossary term and do not
    start or end with a stop word (stop-words lists).
    """
    index = term_index(glossary, source_locale, ("preferred", "admitted"))
    counts: dict[str, int] = {}
    concepts: dict[str, Concept] = {}
    first_seen: dict[str, str] = {}
    phrases: dict[str, int] = {}
    try:
        stop = set(get_stop_words(base_language(source_locale)))
    except StopWordError:
        stop = set()
    names = name_patterns(glossary.protected_names)
    for text in texts:
        text, _ = blank_names(text, names)
        matches = index.find(text)
        for match in matches:
            concept, term = match.key
            counts[concept.id] = counts.get(concept.id, 0) + 1
            concepts[concept.id] = concept
            first_seen.setdefault(concept.id, term.text)
        covered = [(m.start, m.end) for m in matches]
        words = [(m.group().casefold(), m.start(), m.end()) for m in _WORD.finditer(text)
                 if not any(s <= m.start() < e for s, e in covered)]
        for size in range(1, max_words + 1):
            for i in range(len(words) - size + 1):
                gram = words[i:i + size]
                if not all(_TERM_GAP.fullmatch(text, gram[k][2], gram[k + 1][1]) for k in range(size - 1)):
                    continue
                if gram[0][0] in stop or gram[-1][0] in stop or any(w.isdigit() for w, _, _ in gram):
                    continue
                if any(len(w) < 3 for w, _, _ in gram):
                    continue
                phrase = " ".join(w for w, _, _ in gram)
                phrases[phrase] = phrases.get(phrase, 0) + 1
    uses = []
    for concept_id, count in counts.items():
        concept = concepts[concept_id]
        approved = concept.approved(locale)
        uses.append(TermUse(concept, first_seen[concept_id], count, approved[0].text if approved else ""))
    uses.sort(key=lambda u: (-u.count, u.source_term))
    candidates = sorted(((p, n) for p, n in phrases.items() if n >= min_count), key=lambda c: (-c[1], c[0]))
    return uses, candidates


def term_index(glossary: Glossary, language: str, statuses: Sequence[str] = STATUSES) -> TermIndex:
    """Index every term of ``language`` with one of ``statuses``; match keys are ``(concept, term)``."""
    return TermIndex(((t.text, (c, t)) for c in glossary.concepts for t in c.terms.get(language, ())
                      if t.status in statuses), language)


def _concepts(rows: list[tuple[str, dict[str, Term], str, bool]]) -> tuple[Concept, ...]:
    merged: dict[str, dict] = {}
    for concept_id, terms, note, translate in rows:
        entry = merged.setdefault(concept_id, {"terms": {}, "note": note, "translate": translate})
        for language, term in terms.items():
            entry["terms"].setdefault(language, []).append(term)
        entry["note"] = entry["note"] or note
        entry["translate"] = entry["translate"] and translate
    return tuple(Concept(cid, {lang: tuple(terms) for lang, terms in e["terms"].items()}, e["note"], e["translate"])
                 for cid, e in merged.items())


_CSV_FIXED = ("concept", "pos", "status", "translate", "note")


def read_csv(path: Path) -> Glossary:
    """Read a CSV term base: columns ``concept``, one per language code, ``pos``, ``status``, ``translate``, ``note``.

    One row per concept and status (several rows may share a concept). Raises
    InputError naming the file and line of a bad row.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read glossary: {exc}", path) from exc
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames or "concept" not in reader.fieldnames or "status" not in reader.fieldnames:
        raise InputError("glossary needs at least the columns concept, status and one language", path, 1)
    languages = [name for name in reader.fieldnames if name not in _CSV_FIXED]
    rows = []
    for row in reader:
        line = reader.line_num
        status = (row.get("status") or "").strip()
        if status not in STATUSES:
            raise InputError(f"status must be one of {', '.join(STATUSES)}, not {status!r}", path, line)
        concept_id = (row.get("concept") or "").strip()
        if not concept_id:
            raise InputError("row without a concept id", path, line)
        pos = (row.get("pos") or "").strip()
        terms = {lang: Term(row[lang].strip(), status, pos) for lang in languages if (row.get(lang) or "").strip()}
        translate = (row.get("translate") or "yes").strip().lower() not in ("no", "false", "0")
        rows.append((concept_id, terms, (row.get("note") or "").strip(), translate))
    return Glossary(_concepts(rows), str(path))


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def read_tbx(path: Path, languages: Sequence[str] = ()) -> Glossary:
    """Read a TBX-Basic term base (TBX 2 ``martif``/``termEntry`` or TBX 3 ``tbx``/``conceptEntry``).

    The XML is parsed without a DTD, without resolving entities and without
    network access; a document declaring entities is refused. ``xml:lang``
    values are mapped onto ``languages`` (gettext codes, source language
    included) where they name the same language. A concept with a ``<note>`` saying "do not translate" is a
    protected name. Raises InputError naming the file and line.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read glossary: {exc}", path) from exc
    declaration = re.search(rb"<!ENTITY", raw)
    if declaration:
        # Entities are how XML bombs expand and how external files are read;
        # a term base has no use for them.
        raise InputError("TBX declares entities; refused (entities can expand without bound or read files)",
                         path, raw[: declaration.start()].count(b"\n") + 1)
    try:
        tree = etree.fromstring(raw, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise InputError(f"invalid TBX: {exc.msg}", path, exc.lineno) from exc
    if any(isinstance(node, etree._Entity) for node in tree.iter()):
        raise InputError("TBX uses entity references; refused", path, 1)

    def gettext_code(lang: str) -> str:
        code = lang.replace("-", "_")
        for known in languages:
            if known.lower() == code.lower():
                return known
        base = base_language(code)
        for known in languages:
            if base_language(known) == base:
                return known
        return code

    rows = []
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for entry in tree.iter():
        if _local(entry) not in ("termEntry", "conceptEntry"):
            continue
        concept_id = entry.get("id") or f"line-{entry.sourceline}"
        notes = " ".join((n.text or "").strip() for n in entry.iter() if _local(n) == "note")
        translate = "do not translate" not in notes.lower() and "do-not-translate" not in notes.lower()
        for lang_set in entry:
            if _local(lang_set) not in ("langSet", "langSec"):
                continue
            language = gettext_code(lang_set.get(xml_lang, ""))
            for group in lang_set:
                if _local(group) not in ("tig", "ntig", "termSec"):
                    continue
                text, status, pos = "", "preferred", ""
                for node in group.iter():
                    name, value = _local(node), (node.text or "").strip()
                    if name == "term":
                        text = "".join(node.itertext()).strip()
                    elif name == "termNote" and node.get("type") == "administrativeStatus":
                        status = _TBX_STATUS.get(value.lower(), "preferred")
                    elif name == "termNote" and node.get("type") == "partOfSpeech":
                        pos = value
                if text:
                    rows.append((concept_id, {language: Term(text, status, pos)}, notes, translate))
    return Glossary(_concepts(rows), str(path))


def load_glossary(path: Path, languages: Sequence[str] = ()) -> Glossary:
    """Read a term base by its extension (.csv or .tbx); an absent file is an empty glossary."""
    if not path.exists():
        return Glossary((), str(path))
    if path.suffix.lower() in (".tbx", ".xml"):
        return read_tbx(path, languages)
    return read_csv(path)
