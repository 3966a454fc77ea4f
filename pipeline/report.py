"""Findings -> reports: JSON first (the contract), then console, JUnit XML, GitHub annotations and HTML
rendered from it.

``qa.json`` keeps these keys: ``{"summary": {"<locale>": {"messages", "translated",
"fuzzy", "untranslated", "words", "percent", "errors", "warnings"}}, "findings":
[{"check", "severity", "locale", "file", "line", "msgid", "msgstr", "message"}]}``.
It also carries ``silenced`` per locale and ``documents`` (per-catalog counts),
which the other renderings use.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence


from pipeline.model import Finding, Severity
from pipeline.stats import CatalogStats

__all__ = ["qa_report", "report_json", "render_console", "render_junit", "render_github", "render_html",
           "merge_reports"]


def _counts(stats: CatalogStats) -> dict:
    return {"messages": stats.messages, "translated": stats.translated, "fuzzy": stats.fuzzy,
            "untranslated": stats.untranslated, "words": stats.words, "percent": stats.percent}


def qa_report(summary: Mapping[str, CatalogStats], findings: Iterable[Finding],
              documents: Mapping[str, Mapping[str, CatalogStats]] | None = None,
              silenced: Mapping[str, int] | None = None) -> dict:
    """Return the QA report as data (see the module docstring for its keys).

    ``summary`` has the counts per locale, ``documents`` per locale and
    catalog file, ``silenced`` how many findings ``#, ignore-…`` flags hid.
    Findings are sorted by locale, file, line and check so the report is stable.
    """
    ordered = sorted(findings, key=lambda f: (f.locale, f.file, f.line, f.check, f.message))
    result: dict = {"summary": {}, "findings": [], "documents": {}}
    for locale, stats in sorted(summary.items()):
        result["summary"][locale] = {
            **_counts(stats),
            "errors": sum(1 for f in ordered if f.locale == locale and f.severity is Severity.ERROR),
            "warnings": sum(1 for f in ordered if f.locale == locale and f.severity is Severity.WARNING),
            "silenced": (silenced or {}).get(locale, 0),
        }
    for locale, files in sorted((documents or {}).items()):
        result["documents"][locale] = {path: _counts(stats) for path, stats in sorted(files.items())}
    result["findings"] = [
        {"check": f.check, "severity": f.severity.value, "locale": f.locale, "file": f.file, "line": f.line,
         "msgid": f.msgid, "msgstr": f.msgstr, "message": f.message}
        for f in ordered
    ]
    return result


def merge_reports(reports: Sequence[dict]) -> dict:
    """Combine the reports of several shards into one: counts added, findings together, documents united.

    Locale-level checks (inconsistent) see only their own shard's catalogs.
    """
    merged: dict = {"summary": {}, "findings": [], "documents": {}}
    count_keys = ("messages", "translated", "fuzzy", "untranslated", "words", "errors", "warnings", "silenced")
    for report in reports:
        for locale, counts in report["summary"].items():
            total = merged["summary"].setdefault(locale, {key: 0 for key in count_keys})
            for key in count_keys:
                total[key] += counts.get(key, 0)
        for locale, files in report.get("documents", {}).items():
            merged["documents"].setdefault(locale, {}).update(files)
        merged["findings"].extend(report["findings"])
    for counts in merged["summary"].values():
        counts["percent"] = 100.0 if not counts["messages"] else round(100.0 * counts["translated"] /
                                                                         counts["messages"], 1)
    merged["findings"].sort(key=lambda f: (f["locale"], f["file"], f["line"], f["check"], f["message"], f["msgid"]))
    merged["summary"] = dict(sorted(merged["summary"].items()))
    merged["documents"] = {locale: dict(sorted(files.items())) for locale, files in sorted(merged["documents"].items())}
    return merged


def report_json(report: dict) -> str:
    """Serialize a report deterministically (sorted keys, UTF-8 text, one finding per line, final newline).

    Compact separators keep Python's C encoder in use: an indented dump of
    a hundred thousand findings takes seconds.
    """
    head = {key: value for key, value in report.items() if key != "findings"}
    lines = [json.dumps(f, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for f in report["findings"]]
    body = json.dumps(head, ensure_ascii=False, sort_keys=True, separators=(",", ":"))[:-1]
    if not lines:
        return body + ',"findings":[]}\n'
    return body + ',"findings":[\n' + ",\n".join(lines) + "\n]}\n"


def _diagnostic(finding: dict) -> str:
    return f"{finding['file']}:{finding['line']}: {finding['severity']}: {finding['message']} [{finding['check']}]"


def render_console(report: dict, check_order: Sequence[str] = (), limit: int = 50) -> str:
    """Render a QA report for a terminal: a summary line per locale, then findings grouped by check.

    Each finding reads like a compiler diagnostic, ``file:line: severity: message [check]``;
    past ``limit`` findings of one check, the rest are counted and left to qa.html.
    """
    lines = []
    for locale, counts in report["summary"].items():
        silenced = f", {counts['silenced']} silenced" if counts.get("silenced") else ""
        lines.append(f"{locale:8} {counts['percent']:5.1f}%  {counts['translated']}/{counts['messages']} translated, "
                     f"{counts['fuzzy']} fuzzy, {counts['untranslated']} untranslated; "
                     f"{counts['errors']} error(s), {counts['warnings']} warning(s){silenced}")
    order = {check: index for index, check in enumerate(check_order)}
    grouped: dict[str, list[dict]] = {}
    for finding in report["findings"]:
        grouped.setdefault(finding["check"], []).append(finding)
    for check in sorted(grouped, key=lambda c: (order.get(c, len(order)), c)):
        lines.append(f"\n[{check}] {len(grouped[check])} finding(s)")
        lines.extend(_diagnostic(finding) for finding in grouped[check][:limit])
        if len(grouped[check]) > limit:
            lines.append(f"... and {len(grouped[check]) - limit} more of [{check}] in build/reports/qa.html")
    return "\n".join(lines) + "\n"


def render_github(report: dict) -> str:
    """Render findings as GitHub Actions workflow commands (``::error file=…,line=…::…``)."""
    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    return "".join(
        f"::{'error' if f['severity'] == 'error' else 'warning'} file={f['file']},line={f['line']},"
        f"title={f['check']}::{escape(f['message'])}\n"
        for f in report["findings"]
    )


#: How many diagnostics one JUnit testcase lists; CI dashboards show them in one box.
JUNIT_LISTED = 200

#: How many findings qa.html shows, errors first; a browser cannot filter a
#: table of hundreds of thousands of rows, and qa.json holds them all.
HTML_LISTED = 5000


def _listing(findings: list[dict]) -> str:
    lines = [_diagnostic(f) for f in findings[:JUNIT_LISTED]]
    if len(findings) > JUNIT_LISTED:
        lines.append(f"... and {len(findings) - JUNIT_LISTED} more in qa.json")
    return "\n".join(lines)


#: Characters XML 1.0 cannot carry at all (a hostile catalog may hold them); they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` escaped as XML element content, as libxml2 writes it."""
    return (_NOT_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _xml(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute, as libxml2 writes it."""
    return (_xml_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;"))


def render_junit(report: dict, check_ids: Sequence[str]) -> str:
    """Render a report as JUnit XML: a testsuite per locale, a testcase per catalog and check.

    Error findings are failures; warnings go to the testcase's system-out. Written as text rather
    than built as a tree: a corpus gives tens of thousands of testcases.
    """
    grouped: dict[tuple[str, str, str], list[dict]] = {}
    for finding in report["findings"]:
        grouped.setdefault((finding["locale"], finding["file"], finding["check"]), []).append(finding)
    escaped_checks = [(check, _xml(check)) for check in check_ids]
    with_findings = {(locale, path) for locale, path, _ in grouped}
    suites, total, failures = [], 0, 0
    for locale in report["summary"]:
        files = sorted(report.get("documents", {}).get(locale, {}))
        cases, suite_failures = [], 0
        # A catalog without findings (most of them) is the same passing testcases but for its path:
        # those are this text with the path put in (\0 cannot occur in XML text, see _NOT_XML).
        passing = "\n".join(f'    <testcase classname="{_xml(locale)}.\0" name="{check_xml}" file="\0"/>'
                             for _, check_xml in escaped_checks)
        for path in files:
            where = _xml(path)
            if (locale, path) not in with_findings:
                if escaped_checks:
                    cases.append(passing.replace("\0", where))
                continue
            prefix = f'    <testcase classname="{_xml(locale)}.{where}" name="'
            for check, check_xml in escaped_checks:
                found = grouped.get((locale, path, check))
                if not found:
                    cases.append(f'{prefix}{check_xml}" file="{where}"/>')
                    continue
                errors = [f for f in found if f["severity"] == "error"]
                warnings = [f for f in found if f["severity"] != "error"]
                body = []
                if errors:
                    body.append(f'      <failure message="{len(errors)} error(s)" type="{check_xml}">'
                                f"{_xml_text(_listing(errors))}</failure>")
                    suite_failures += 1
                if warnings:
                    body.append(f"      <system-out>{_xml_text(_listing(warnings))}</system-out>")
                cases.append(f'{prefix}{check_xml}" file="{where}">\n' + "\n".join(body) + "\n    </testcase>")
        tests = len(files) * len(check_ids)
        opening = f'  <testsuite name="{_xml(locale)}" tests="{tests}" failures="{suite_failures}" errors="0"'
        suites.append(opening + ">" + "".join("\n" + case for case in cases) + "\n  </testsuite>" if cases
                      else opening + "/>")
        total += tests
        failures += suite_failures
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="qa" tests="{total}" failures="{failures}">\n'
            + "".join(suite + "\n" for suite in suites) + "</testsuites>\n")


_HTML_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: start; vertical-align: top; }
.bar { background: #eee; width: 12rem; height: .9rem; }
.bar span { display: block; height: 100%; background: #2e7d32; }
.bar.below span { background: #c62828; }
tr.error td.severity { color: #c62828; font-weight: bold; }
tr.warning td.severity { color: #ef6c00; }
td.text { max-width: 28rem; font-size: .9em; }
#filters { margin: .5rem 0 1rem; display: flex; gap: .5rem; }
"""

_HTML_SCRIPT = """
const rows = Array.from(document.querySelectorAll('#findings tbody tr'));
const controls = Array.from(document.querySelectorAll('#filters select, #filters input'));
function apply() {
  const [check, severity, locale, text] = controls.map(c => c.value.toLowerCase());
  for (const row of rows) {
    const show = (!check || row.dataset.check === check) && (!severity || row.dataset.severity === severity)
      && (!locale || row.dataset.locale === locale) && (!text || row.textContent.toLowerCase().includes(text));
    row.hidden = !show;
  }
}
controls.forEach(c => c.addEventListener('input', apply));
"""


def render_html(report: dict, bars: Mapping[str, float], check_ids: Sequence[str]) -> str:
    """Render a report as one self-contained HTML page for maintainers.

    Completeness bars per locale and document (red below the locale's bar,
    from ``bars``), then the findings table, filterable by check, severity,
    locale and text.
    """
    def bar(percent: float, minimum: float) -> str:
        below = " below" if percent < minimum else ""
        return (f'<div class="bar{below}" role="img" aria-label="{percent:g}%">'
                f'<span style="width:{percent:g}%"></span></div>')

    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             "<title>Translation QA report</title>", f"<style>{_HTML_STYLE}</style>", "</head>", "<body>",
             "<h1>Translation QA report</h1>", "<h2>Completeness</h2>", "<table>",
             "<tr><th>Locale</th><th>Catalog</th><th>Translated</th><th></th><th>Fuzzy</th><th>Untranslated</th>"
             "<th>Errors</th><th>Warnings</th></tr>"]
    for locale, counts in report["summary"].items():
        minimum = bars.get(locale, 0.0)
        parts.append(f"<tr><th>{html.escape(locale)}</th><td>all</td><td>{counts['percent']:g}%</td>"
                     f"<td>{bar(counts['percent'], minimum)}</td><td>{counts['fuzzy']}</td>"
                     f"<td>{counts['untranslated']}</td><td>{counts['errors']}</td><td>{counts['warnings']}</td></tr>")
        for path, doc in report.get("documents", {}).get(locale, {}).items():
            parts.append(f"<tr><td></td><td>{html.escape(path)}</td><td>{doc['percent']:g}%</td>"
                         f"<td>{bar(doc['percent'], minimum)}</td><td>{doc['fuzzy']}</td>"
                         f"<td>{doc['untranslated']}</td><td></td><td></td></tr>")
    parts.append("</table>")
    shown = sorted(report["findings"], key=lambda f: f["severity"] != "error")[:HTML_LISTED]
    parts.append(f"<h2>Findings ({len(report['findings'])})</h2>")
    if len(shown) < len(report["findings"]):
        parts.append(f"<p>The first {len(shown)} are listed here, errors first; all are in qa.json.</p>")
    checks = "".join(f'<option value="{html.escape(c)}">{html.escape(c)}</option>' for c in check_ids)
    locales = "".join(f'<option value="{html.escape(l.lower())}">{html.escape(l)}</option>'
                      for l in report["summary"])
    parts.append('<div id="filters">'
                 f'<select aria-label="check"><option value="">all checks</option>{checks}</select>'
                 '<select aria-label="severity"><option value="">all severities</option>'
                 '<option value="error">error</option><option value="warning">warning</option></select>'
                 f'<select aria-label="locale"><option value="">all locales</option>{locales}</select>'
                 '<input type="search" aria-label="text" placeholder="filter text"></div>')
    parts.append('<table id="findings"><thead><tr><th>Severity</th><th>Check</th><th>Where</th><th>Message</th>'
                 "<th>Source</th><th>Translation</th></tr></thead><tbody>")
    for f in shown:
        parts.append(
            f'<tr class="{f["severity"]}" data-check="{html.escape(f["check"])}" data-severity="{f["severity"]}" '
            f'data-locale="{html.escape(f["locale"].lower())}"><td class="severity">{f["severity"]}</td>'
            f"<td>{html.escape(f['check'])}</td><td>{html.escape(f['file'])}:{f['line']}</td>"
            f"<td>{html.escape(f['message'])}</td><td class=\"text\">{html.escape(f['msgid'])}</td>"
            f"<td class=\"text\">{html.escape(f['msgstr'])}</td></tr>")
    parts += ["</tbody></table>", f"<script>{_HTML_SCRIPT}</script>", "</body>", "</html>", ""]
    return "\n".join(parts)
