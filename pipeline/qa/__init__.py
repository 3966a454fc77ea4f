"""QA: an explicit registry of small named checks and the runner that applies them.

Adding a check is writing it in a module of this package and listing it in
CHECKS below; nothing is discovered by introspection.
"""

from __future__ import annotations

from pipeline.model import Finding
from pipeline.qa.completeness import completeness
from pipeline.qa.registry import CatalogContext, Check, check

__all__ = ["CHECKS", "Check", "check", "CatalogContext", "run_catalog_checks"]

#: Every check, in the order reports list them.
CHECKS: tuple[Check, ...] = (
    completeness,
)


def run_catalog_checks(context: CatalogContext) -> list[Finding]:
    """Run every catalog-level check on one catalog and return their findings."""
    findings: list[Finding] = []
    for item in CHECKS:
        if item.scope == "catalog":
            findings.extend(item(context))
    return findings
