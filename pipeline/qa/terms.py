"""Terminology checks: approved glossary terms used, forbidden ones avoided, protected names kept."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.model import Severity
from pipeline.qa.registry import EntryContext, check

__all__ = ["glossary", "forbidden_term", "do_not_translate"]


@check(id="glossary", severity=Severity.ERROR,
       description="a source term's approved translation from the glossary is missing")
def glossary(entry: EntryContext) -> Iterator[str]:
    """Checks that each glossary term of the source is translated with one of its approved terms.

    Fires when the source contains a term of ``locales/glossary.csv`` (matched
    across inflections: "tumors" finds "tumor") and the translation contains
    none of that concept's preferred or admitted terms in this language.
    Overlapping terms count once, the longest ("liver metastases", not
    "liver"). Known false positives: a pronoun or a rephrasing that avoids
    repeating the term. Fix the term, or add the variant to the glossary as
    ``admitted``; silence one entry with ``#, ignore-glossary``.
    """
    in_target = None  # the concepts the translation uses: searched for only once the source needs them
    reported = set()
    for match in entry.terms.source.find(entry.source_without_names):
        concept, _ = match.key
        approved = concept.approved(entry.locale)
        if not approved or concept.id in reported:
            continue
        if in_target is None:
            in_target = {concept.id for concept, term in entry.terms.target.keys_in(entry.target_text)
                         if term.status != "forbidden"}
        if concept.id in in_target:
            continue
        reported.add(concept.id)
        yield f"glossary term '{match.found}' should be translated as '{approved[0].text}'"


@check(id="forbidden-term", severity=Severity.ERROR,
       description="a term the glossary forbids is used in the translation")
def forbidden_term(entry: EntryContext) -> Iterator[str]:
    """Checks that the translation uses none of the glossary's forbidden variants.

    Fires on a forbidden term (an anglicism, a calque, a lay word a medical
    style guide rejects) anywhere in the translation, in any inflection.
    Use the concept's preferred term instead; the glossary's note says why.
    """
    if not any(term.status == "forbidden" for _, term in entry.terms.target.keys_in(entry.target_text)):
        return  # the glossary check asked for these matches already; the longest-first ones cost more
    for match in entry.terms.target.find(entry.target_text):
        concept, term = match.key
        if term.status != "forbidden":
            continue
        approved = concept.approved(entry.locale)
        advice = f"; use '{approved[0].text}'" if approved else ""
        yield f"forbidden term '{match.found}'{advice}"


@check(id="do-not-translate", severity=Severity.ERROR,
       description="a name that must never be translated is altered or missing")
def do_not_translate(entry: EntryContext) -> Iterator[str]:
    """Checks that protected names (MedlinePlus, A.D.A.M., NCCN, brand names) appear unchanged.

    Fires when a name marked ``translate = no`` in the glossary occurs in the
    source but not, spelled exactly the same, in the translation. Copy the
    name as it is, including capitals and dots.
    """
    for name, pattern in entry.terms.protected:
        if name in entry.source_names and not pattern.search(entry.target_text):
            yield f"'{name}' must appear unchanged"
