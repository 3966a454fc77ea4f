"""Measure the checks on a labelled set: injected errors they must catch, benign variants they must not flag."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline.catalogs import read_catalog
from pipeline.errors import InputError
from pipeline.glossary import Glossary
from pipeline.qa import CHECKS, CatalogContext, LocaleTerms, check_locale
from pipeline.stats import catalog_stats

__all__ = ["CaseResult", "CheckScore", "Evaluation", "evaluate", "load_cases"]


@dataclass(frozen=True)
class CaseResult:
    """One variant: its label and kind, the check expected to fire (errors), and the checks that fired."""

    label: str
    kind: str
    expected: str | None
    allowed: tuple[str, ...]
    fired: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """An error is caught by its check; a benign variant draws no finding."""
        if self.kind == "benign":
            return not self.fired
        return self.expected in self.fired and set(self.fired) <= {self.expected, *self.allowed}


@dataclass(frozen=True)
class CheckScore:
    """True and false positives and false negatives of one check over the set."""

    check: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float | None:
        """Share of the check's findings that were expected (None when it never fired)."""
        fired = self.true_positives + self.false_positives
        return self.true_positives / fired if fired else None

    @property
    def recall(self) -> float | None:
        """Share of the injected errors of this check that it caught (None when it had none)."""
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else None


@dataclass(frozen=True)
class Evaluation:
    """The results: per case, per check, and the findings on the unchanged catalog (should be none)."""

    cases: tuple[CaseResult, ...]
    scores: tuple[CheckScore, ...]
    baseline: tuple[str, ...]


def load_cases(path: Path) -> list[dict]:
    """Read the labelled variants (see tests/qa_eval/README.md); InputError on a malformed file."""
    try:
        cases = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read evaluation cases: {exc}", path) from exc
    for number, case in enumerate(cases, start=1):
        if case.get("kind") not in ("error", "benign") or ("entry" not in case and "header" not in case):
            raise InputError(f"case {number} needs kind error|benign and an entry or header", path)
    return cases


def _apply(catalog: polib.POFile, case: dict) -> int:
    """Change the catalog as the case says; return the line of the changed entry (1 for the header)."""
    if "header" in case:
        catalog.metadata.update(case["header"])
        return 1
    active = [e for e in catalog if not e.obsolete]
    matches = [e for e in active if e.msgid == case["entry"]] or \
        [e for e in active if e.msgid.startswith(case["entry"])]
    if len(matches) != 1:
        raise InputError(f"case {case['label']!r}: {len(matches)} entries start with {case['entry']!r}")
    matches[0].msgstr = case["msgstr"]
    return matches[0].linenum


def evaluate(catalog_path: Path, cases: Sequence[dict], glossary: Glossary, locale: str,
             source_locale: str = "en") -> Evaluation:
    """Run every check on the catalog, then on one copy per case, and score each check."""
    terms = LocaleTerms(glossary, locale, source_locale)
    relative = catalog_path.as_posix()

    def findings(catalog: polib.POFile) -> list:
        context = CatalogContext(locale, relative, catalog, 0.0, catalog_stats(catalog))
        return check_locale([context], terms).findings

    baseline = tuple(f"{f.file}:{f.line}: {f.message} [{f.check}]" for f in findings(read_catalog(catalog_path)))
    results = []
    counts = {item.id: [0, 0, 0] for item in CHECKS}
    for case in cases:
        catalog = read_catalog(catalog_path)
        line = _apply(catalog, case)
        fired = tuple(sorted({f.check for f in findings(catalog)
                              if f.line == line or (line == 1 and f.check == "header")}))
        expected = case.get("check")
        allowed = tuple(case.get("also", ()))
        results.append(CaseResult(case["label"], case["kind"], expected, allowed, fired))
        for check_id in fired:
            if check_id == expected or check_id in allowed:
                counts[check_id][0] += 1 if check_id == expected else 0
            else:
                counts[check_id][1] += 1
        if expected and expected not in fired:
            counts[expected][2] += 1
    scores = tuple(CheckScore(check_id, *values) for check_id, values in counts.items())
    return Evaluation(tuple(results), scores, baseline)
