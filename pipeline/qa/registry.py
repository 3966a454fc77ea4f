"""The QA check record, the decorator that makes one, and the context checks receive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polib

from pipeline.model import Finding, Severity
from pipeline.stats import CatalogStats

__all__ = ["Check", "check", "CatalogContext"]


@dataclass(frozen=True)
class CatalogContext:
    """What a catalog-level check sees: the catalog, where it is, its locale, bar and counts."""

    locale: str
    path: str
    catalog: polib.POFile
    bar: float
    stats: CatalogStats


@dataclass(frozen=True)
class Check:
    """A named QA check: id, severity, one-line description, scope ("entry" or "catalog") and function.

    The function's docstring is the translator's documentation of the check.
    """

    id: str
    severity: Severity
    description: str
    scope: str
    function: Callable[..., list[Finding]]

    @property
    def documentation(self) -> str:
        """The check's docstring, for ``check --list`` and the HTML report."""
        return (self.function.__doc__ or "").strip()

    def __call__(self, *args: object) -> list[Finding]:
        return self.function(*args)


def check(*, id: str, severity: Severity, description: str, scope: str = "entry") -> Callable[[Callable], Check]:
    """Decorate a function as a QA check; it still has to be listed in ``pipeline.qa.CHECKS``."""
    if scope not in ("entry", "catalog"):
        raise ValueError(f"scope must be 'entry' or 'catalog', not {scope!r}")

    def wrap(function: Callable[..., list[Finding]]) -> Check:
        return Check(id=id, severity=severity, description=description, scope=scope, function=function)

    return wrap
