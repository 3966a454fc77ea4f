"""The labelled evaluation set: every injected error caught by its check, no benign variant flagged."""

import pytest

from pipeline.glossary import load_glossary
from pipeline.qa import CHECKS
from pipeline.qa.evaluation import evaluate, load_cases
from tests.conftest import ROOT

EVAL = ROOT / "tests" / "qa_eval"
ERROR_CHECKS = {item.id for item in CHECKS if item.severity.value == "error"} - {"completeness"}


@pytest.fixture(scope="module")
def evaluation():
    glossary = load_glossary(ROOT / "locales" / "glossary.csv", ["en", "es", "ar", "zh_Hans"])
    return evaluate(EVAL / "es.po", load_cases(EVAL / "cases.json"), glossary, "es")


def test_the_correct_catalog_draws_no_finding(evaluation):
    assert evaluation.baseline == ()


def test_every_error_class_has_injected_cases(evaluation):
    assert {case.expected for case in evaluation.cases if case.kind == "error"} == ERROR_CHECKS


@pytest.mark.parametrize("label", [c["label"] for c in load_cases(EVAL / "cases.json")])
def test_case(evaluation, label):
    case = next(c for c in evaluation.cases if c.label == label)
    assert case.passed, f"expected {case.expected or 'nothing'}, fired {case.fired}"


def test_scores_are_perfect_on_the_set(evaluation):
    for score in evaluation.scores:
        assert score.false_negatives == 0 and score.false_positives == 0, score
