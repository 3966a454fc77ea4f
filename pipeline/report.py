"""Findings -> reports: JSON first (the contract), then the console summary rendered from it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from pipeline.model import Finding, Severity
from pipeline.stats import CatalogStats

__all__ = ["qa_report", "report_json", "render_console"]


def qa_report(summary: Mapping[str, CatalogStats], findings: Iterable[Finding]) -> dict:
    """Return the QA report as data: ``{"summary": {locale: counts}, "findings": [...]}``.

    Findings are sorted by file, line and check so the report is stable.
    """
    ordered = sorted(findings, key=lambda f: (f.locale, f.file, f.line, f.check, f.msgid))
    result = {"summary": {}, "findings": []}
    for locale, stats in sorted(summary.items()):
        result["summary"][locale] = {
            "messages": stats.messages, "translated": stats.translated, "fuzzy": stats.fuzzy,
            "untranslated": stats.untranslated, "words": stats.words, "percent": stats.percent,
            "errors": sum(1 for f in ordered if f.locale == locale and f.severity is Severity.ERROR),
            "warnings": sum(1 for f in ordered if f.locale == locale and f.severity is Severity.WARNING),
        }
    result["findings"] = [
        {"check": f.check, "severity": f.severity.value, "locale": f.locale, "file": f.file, "line": f.line,
         "msgid": f.msgid, "msgstr": f.msgstr, "message": f.message}
        for f in ordered
    ]
    return result


def report_json(report: dict) -> str:
    """Serialize a report deterministically (sorted keys, UTF-8 text, final newline)."""
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render_console(report: dict) -> str:
    """Render a QA report for a terminal: one summary line per locale, then compiler-style findings."""
    lines = []
    for locale, counts in report["summary"].items():
        lines.append(f"{locale:8} {counts['percent']:5.1f}%  {counts['translated']}/{counts['messages']} translated, "
                     f"{counts['fuzzy']} fuzzy, {counts['untranslated']} untranslated; "
                     f"{counts['errors']} error(s), {counts['warnings']} warning(s)")
    for finding in report["findings"]:
        lines.append(f"{finding['file']}:{finding['line']}: {finding['severity']}: "
                     f"{finding['message']} [{finding['check']}]")
    return "\n".join(lines) + "\n"
