"""Completeness: is a catalog translated far enough for its locale's bar?"""

from __future__ import annotations

from pipeline.model import Finding, Severity
from pipeline.qa.registry import CatalogContext, check

__all__ = ["completeness"]


@check(id="completeness", severity=Severity.ERROR, scope="catalog",
       description="catalog translated below its locale's bar in [tool.pipeline]")
def completeness(context: CatalogContext) -> list[Finding]:
    """Checks the share of messages translated (fuzzy ones do not count) against the locale's bar.

    Fires when the percentage is below ``bar`` for the locale in
    ``[tool.pipeline.locales]``; a bar of 0 means report only. To fix it,
    translate the untranslated messages and review the fuzzy ones (remove the
    ``fuzzy`` flag once the translation is right).
    """
    stats = context.stats
    if context.bar <= 0 or stats.percent >= context.bar:
        return []
    message = (f"{stats.percent:g}% translated ({stats.translated} of {stats.messages} messages, "
               f"{stats.fuzzy} fuzzy, {stats.untranslated} untranslated), below the bar of {context.bar:g}%")
    return [Finding("completeness", Severity.ERROR, context.locale, context.path, 1, "", "", message)]
