"""Runs the stages over all documents, reading and writing the project's files.

One document's failure never stops the others: each stage collects the
errors (with file and line) and goes on. Every write goes through a Writer,
which writes atomically, skips unchanged files, and in check mode writes
nothing but records what would change.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polib

from pipeline.assemble import STYLESHEET, SiteLanguage, assemble, site_index
from pipeline.catalogs import (
    TemplateInfo, UpdateSummary, build_template, creation_date, read_catalog, render_catalog, update_catalog,
)
from pipeline.config import Settings
from pipeline.errors import CatalogError, ConfigError, InputError, PipelineError
from pipeline.fetch import DOC_ID, Fetcher, FetchPolicy, FetchResult, charset_of, read_manifest
from pipeline.files import read_bounded, write_if_changed
from pipeline.glossary import Glossary, load_glossary, survey
from pipeline.locales import language_tag
from pipeline.model import CleanDocument, Finding, Segment
from pipeline.normalize import normalize, normalize_dump
from pipeline.qa import CHECKS, CatalogContext, LocaleTerms, check_locale, checks_by_id
from pipeline.report import qa_report, render_html, render_junit, report_json
from pipeline.segments import extract, plain_text
from pipeline.stats import CatalogStats, catalog_stats, combine

__all__ = [
    "Writer", "StageResult", "source_documents", "fetch_stage", "normalize_stage", "extract_stage", "update_stage",
    "check_stage", "build_stage", "stats_stage", "load_clean_document", "glossary_survey", "glossary_notes",
]

_SOURCE_SUFFIXES = (".html", ".htm", ".txt")
MANIFEST = "sources.toml"

@dataclass
class Writer:
    """Writes files atomically and only when their content changes; in check mode, writes nothing."""

    root: Path
    check_only: bool = False
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def write(self, path: Path, text: str) -> bool:
        """Write ``text`` to ``path`` unless it already holds it; return whether it changed (or would)."""
        return self.write_bytes(path, text.encode("utf-8"))

    def write_bytes(self, path: Path, data: bytes) -> bool:
        """Write ``data`` to ``path`` unless it already holds it; return whether it changed (or would)."""
        relative = path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
        if self.check_only:
            try:
                differs = path.read_bytes() != data
            except FileNotFoundError:
                differs = True
        else:
            differs = write_if_changed(path, data)
        if differs:
            self.changed.append(relative)
        else:
            self.unchanged += 1
        return differs


@dataclass
class StageResult:
    """What a stage did: documents handled, errors met, findings (check) and notes for the console."""

    name: str
    documents: int = 0
    errors: list[PipelineError] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report: dict | None = None


def _now_stamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else int(time.time())
    return time.strftime("%Y-%m-%d %H:%M+0000", time.gmtime(seconds))


def source_documents(settings: Settings, only: Iterable[str] = ()) -> tuple[list[tuple[str, Path]], list[PipelineError]]:
    """Return ``(doc_id, path)`` for the source pages and dumps (all, or those in ``only``), and errors.

    A page is ``source/<id>.html`` (or ``.htm``), a text dump ``source/<id>.txt``.
    Names that are not safe document ids, and ids with two sources, are errors.
    """
    wanted = set(only)
    found: dict[str, Path] = {}
    errors: list[PipelineError] = []
    if not settings.source_dir.is_dir():
        return [], [InputError("source folder does not exist", settings.source_dir)]
    for path in sorted(settings.source_dir.iterdir()):
        if path.suffix.lower() not in _SOURCE_SUFFIXES or not path.is_file():
            continue
        if not DOC_ID.match(path.stem) or ".." in path.stem:
            errors.append(InputError("document id may hold only letters, digits, '.', '_' and '-'", path))
            continue
        if wanted and path.stem not in wanted:
            continue
        if path.stem in found:
            errors.append(InputError(f"two sources for document {path.stem!r}; keep one", path))
            continue
        found[path.stem] = path
    for missing in sorted(wanted - set(found)):
        errors.append(InputError(f"no source page for document {missing!r}", settings.source_dir))
    return sorted(found.items()), errors


def _sidecar(path: Path) -> dict:
    """The fetch facts saved beside a source page (``<id>.meta.json``), or {}."""
    try:
        return json.loads(path.with_name(path.stem + ".meta.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {}


def _manifest_profiles(settings: Settings, result: StageResult) -> dict[str, str]:
    path = settings.source_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        return {entry.id: entry.profile for entry in read_manifest(path) if entry.profile}
    except PipelineError as exc:
        result.errors.append(exc)
        return {}


def _normalize_summary(doc_id: str, steps: list) -> str:
    decode = next((s for s in steps if s.action == "decode"), None)
    profile = next((s.target for s in steps if s.action == "profile"), "?")
    fixes = sum(1 for s in steps if s.action == "fix-mojibake")
    drops = sum(1 for s in steps if s.action == "drop")
    removed = sum(1 for s in steps if s.action.startswith("remove"))
    charset = f"{decode.target} ({decode.reason})" if decode else "?"
    return (f"{doc_id}: {charset}; profile {profile}; {fixes} mojibake fix(es); {drops} chrome rule(s) applied; "
            f"{removed} kind(s) of unsafe or unknown markup removed")


def fetch_stage(settings: Settings, writer: Writer, only: Iterable[str] = (), *,
                fetcher: Fetcher | None = None,
                progress: Callable[[FetchResult], None] | None = None) -> StageResult:
    """Fetch the articles of ``source/sources.toml`` into ``source/<id>.html`` and ``<id>.meta.json``.

    An unchanged page (304, or the same bytes) writes nothing. A failure is
    reported (one line, in ``result.errors``) and the other articles go on.
    ``progress`` is called after each article.
    """
    result = StageResult("fetch")
    entries = read_manifest(settings.source_dir / MANIFEST)
    wanted = set(only)
    unknown = wanted - {entry.id for entry in entries}
    for doc_id in sorted(unknown):
        result.errors.append(InputError(f"no article {doc_id!r} in the manifest", settings.source_dir / MANIFEST))
    fetcher = fetcher or Fetcher(FetchPolicy())
    try:
        for entry in entries:
            if wanted and entry.id not in wanted:
                continue
            page = settings.source_dir / f"{entry.id}.html"
            previous = _sidecar(page) if page.exists() else {}
            fetched = fetcher.fetch(entry, previous)
            if fetched.outcome == "failed":
                result.errors.append(InputError(f"{entry.url}: {fetched.message}", settings.source_dir / MANIFEST))
            elif fetched.outcome == "fetched":
                writer.write_bytes(page, fetched.body)
                writer.write(page.with_name(f"{entry.id}.meta.json"),
                             json.dumps(fetched.meta, indent=2, sort_keys=True) + "\n")
            result.documents += 1
            if progress:
                progress(fetched)
    finally:
        fetcher.close()
    return result


def _clean_paths(settings: Settings, doc_id: str) -> tuple[Path, Path]:
    return settings.clean_dir / f"{doc_id}.html", settings.clean_dir / f"{doc_id}.json"


def normalize_stage(settings: Settings, writer: Writer, only: Iterable[str] = ()) -> StageResult:
    """Normalize every source page into build/clean/<doc>.html (+ .json with source lines) and a report."""
    result = StageResult("normalize")
    documents, result.errors = source_documents(settings, only)
    profiles = _manifest_profiles(settings, result)
    report = {}
    for doc_id, path in documents:
        relative = settings.relative(path)
        try:
            raw = read_bounded(path)
            if path.suffix.lower() == ".txt":
                document, steps = normalize_dump(raw, doc_id=doc_id, source_path=relative,
                                                 source_locale=settings.source_locale)
            else:
                fetched = _sidecar(path)
                document, steps = normalize(raw, doc_id=doc_id, source_path=relative,
                                            http_charset=charset_of(fetched.get("content_type")),
                                            url=fetched.get("final_url") or "", profile_name=profiles.get(doc_id),
                                            source_locale=settings.source_locale)
        except PipelineError as exc:
            result.errors.append(exc)
            continue
        except KeyError as exc:
            result.errors.append(InputError(f"unknown site profile {exc.args[0]!r} in {MANIFEST}", path))
            continue
        result.notes.append(_normalize_summary(doc_id, steps))
        html_path, meta_path = _clean_paths(settings, doc_id)
        writer.write(html_path, document.html)
        meta = {"doc_id": doc_id, "source_path": relative, "base_url": document.base_url,
                "source_lines": list(document.source_lines)}
        writer.write(meta_path, json.dumps(meta, separators=(",", ":")) + "\n")
        report[doc_id] = {"source": relative,
                          "steps": [{"action": s.action, "target": s.target, "reason": s.reason} for s in steps]}
        result.documents += 1
    if report and not only:
        writer.write(settings.reports_dir / "normalize.json", json.dumps(report, ensure_ascii=False, indent=2,
                                                                         sort_keys=True) + "\n")
    return result


def load_clean_document(settings: Settings, doc_id: str) -> CleanDocument:
    """Read a normalized document and its sidecar from build/clean; InputError if `normalize` has not run."""
    html_path, meta_path = _clean_paths(settings, doc_id)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        html = html_path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("normalized document missing; run `make normalize` first", exc.filename) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"damaged normalized document ({exc}); run `make normalize` again", meta_path) from exc
    return CleanDocument(doc_id=doc_id, source_path=meta["source_path"], html=html,
                         source_lines=tuple(meta["source_lines"]), base_url=meta.get("base_url", ""))


def _clean_ids(settings: Settings, result: StageResult, only: Iterable[str] = ()) -> list[str]:
    """The source documents that have a normalized version; the others are noted as skipped.

    A page that failed to normalize was reported by `normalize`; later stages
    skip it quietly instead of repeating the error.
    """
    documents, _ = source_documents(settings, only)
    ready = [doc_id for doc_id, _ in documents if all(p.exists() for p in _clean_paths(settings, doc_id))]
    skipped = len(documents) - len(ready)
    if skipped:
        result.notes.append(f"skipped {skipped} document(s) without a normalized version (see `make normalize`)")
    return ready


def _title_of(segments: list[Segment], default: str) -> str:
    for segment in segments:
        if segment.role == "page heading":
            return plain_text(segment.text)
    return default


def extract_stage(settings: Settings, writer: Writer, only: Iterable[str] = ()) -> StageResult:
    """Write locales/templates/<doc>.pot for every normalized document; keep the date when nothing else changed."""
    result = StageResult("extract")
    for doc_id in _clean_ids(settings, result, only):
        try:
            document = load_clean_document(settings, doc_id)
        except PipelineError as exc:
            result.errors.append(exc)
            continue
        segments = extract(document)
        path = settings.template_path(doc_id)
        old_date = ""
        if path.exists():
            try:
                old_date = creation_date(read_catalog(path))
            except CatalogError:
                old_date = ""
        info = TemplateInfo(settings.project_name, settings.bugs_address, old_date or _now_stamp(),
                            _title_of(segments, doc_id))
        text = render_catalog(build_template(segments, document.source_path, info))
        if old_date and path.read_text(encoding="utf-8") != text:
            info = TemplateInfo(info.project, info.bugs_address, _now_stamp(), info.title)
            text = render_catalog(build_template(segments, document.source_path, info))
        writer.write(path, text)
        result.documents += 1
    return result


def _templates(settings: Settings, only: Iterable[str] = ()) -> list[tuple[str, Path]]:
    wanted = set(only)
    if not settings.templates_dir.is_dir():
        return []
    return [(path.stem, path) for path in sorted(settings.templates_dir.glob("*.pot"))
            if not wanted or path.stem in wanted]


def glossary_notes(template: polib.POFile, terms: LocaleTerms) -> dict[str, str]:
    """The ``#.`` lines for each message naming its glossary terms in the locale.

    One line per concept, ``Glossary: liver metastases → metástasis hepáticas``,
    and one per protected name, ``Do not translate: MedlinePlus``.
    """
    notes = {}
    for entry in template:
        text = plain_text(entry.msgid)
        names = []
        for name, pattern in terms.protected:
            if pattern.search(text):
                names.append(name)
                text = pattern.sub(lambda m: " " * len(m.group()), text)
        lines, seen = [], set()
        for match in terms.source.find(text):
            concept, term = match.key
            approved = concept.approved(terms.locale)
            if approved and concept.id not in seen:
                seen.add(concept.id)
                lines.append(f"Glossary: {term.text} \N{RIGHTWARDS ARROW} {approved[0].text}")
        lines += [f"Do not translate: {name}" for name in dict.fromkeys(names)]
        if lines:
            notes[entry.msgid] = "\n".join(lines)
    return notes


def update_stage(settings: Settings, writer: Writer, only: Iterable[str] = ()) -> StageResult:
    """Merge each template into each locale's catalog; a catalog that does not parse is left alone.

    Each message's ``#.`` comment gets the glossary terms it contains, in the locale.
    """
    result = StageResult("update")
    glossary = _load_glossary(settings, result)
    terms = {locale.code: LocaleTerms(glossary, locale.code, settings.source_locale) for locale in settings.locales}
    for doc_id, template_path in _templates(settings, only):
        try:
            template = read_catalog(template_path)
        except CatalogError as exc:
            result.errors.append(exc)
            continue
        for locale in settings.locales:
            path = settings.catalog_path(locale.code, doc_id)
            try:
                old = read_catalog(path) if path.exists() else None
            except CatalogError as exc:
                result.errors.append(exc)
                continue
            catalog, summary = update_catalog(template, old, locale.code, glossary_notes(template, terms[locale.code]))
            if writer.write(path, render_catalog(catalog)):
                result.notes.append(_describe_update(settings.relative(path), old is None, summary))
        result.documents += 1
    return result


def _describe_update(path: str, created: bool, summary: UpdateSummary) -> str:
    if created:
        return f"{path}: created"
    return (f"{path}: {summary.added} new, {summary.fuzzy} fuzzy, {summary.obsolete} obsolete, "
            f"{summary.revived} revived")


def _catalogs(settings: Settings, result: StageResult, only: Iterable[str] = ()):
    """Yield (locale settings, doc_id, path, catalog) for every template and locale; errors go to ``result``."""
    for doc_id, _ in _templates(settings, only):
        for locale in settings.locales:
            path = settings.catalog_path(locale.code, doc_id)
            if not path.exists():
                result.errors.append(CatalogError("catalog missing; run `make update` first", path))
                continue
            try:
                yield locale, doc_id, path, read_catalog(path)
            except CatalogError as exc:
                result.errors.append(exc)


def _load_glossary(settings: Settings, result: StageResult) -> Glossary:
    try:
        return load_glossary(settings.glossary_path,
                             [settings.source_locale] + [locale.code for locale in settings.locales])
    except PipelineError as exc:
        result.errors.append(exc)
        return Glossary((), str(settings.glossary_path))


def check_stage(settings: Settings, writer: Writer, only: Iterable[str] = ()) -> StageResult:
    """QA every catalog; write build/reports/qa.{json,xml,html}. Never touches a catalog."""
    result = StageResult("check")
    known = checks_by_id()
    unknown = [name for name in settings.fail_on if name not in known]
    if unknown:
        raise ConfigError(f"[tool.pipeline.qa] fail_on names unknown check(s): {', '.join(unknown)}",
                          settings.root / "pyproject.toml")
    glossary = _load_glossary(settings, result)
    contexts: dict[str, list[CatalogContext]] = {locale.code: [] for locale in settings.locales}
    for locale, doc_id, path, catalog in _catalogs(settings, result, only):
        contexts[locale.code].append(CatalogContext(locale.code, settings.relative(path), catalog, locale.bar,
                                                    catalog_stats(catalog)))
        result.documents += 1
    silenced = {}
    for code, catalogs in contexts.items():
        outcome = check_locale(catalogs, LocaleTerms(glossary, code, settings.source_locale), settings.fail_on)
        result.findings.extend(outcome.findings)
        silenced[code] = outcome.silenced
    result.report = qa_report({code: combine([c.stats for c in catalogs]) for code, catalogs in contexts.items()},
                              result.findings,
                              {code: {c.path: c.stats for c in catalogs} for code, catalogs in contexts.items()},
                              silenced)
    check_ids = [item.id for item in CHECKS]
    reports = settings.reports_dir
    writer.write(reports / "qa.json", report_json(result.report))
    writer.write(reports / "qa.xml", render_junit(result.report, check_ids))
    writer.write(reports / "qa.html", render_html(result.report, {l.code: l.bar for l in settings.locales}, check_ids))
    return result


def _publishable(catalog: polib.POFile) -> dict[str, str]:
    return {entry.msgid: entry.msgstr for entry in catalog
            if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags and entry.msgstr}


def build_stage(settings: Settings, writer: Writer, only: Iterable[str] = ()) -> StageResult:
    """Assemble build/site/<lang>/<doc>.html for the source and every locale, plus the index and a build report."""
    result = StageResult("build")
    site = settings.site_dir
    codes = [settings.source_locale] + [locale.code for locale in settings.locales]
    rows, fallback_report = [], {}
    for doc_id in _clean_ids(settings, result, only):
        try:
            document = load_clean_document(settings, doc_id)
        except PipelineError as exc:
            result.errors.append(exc)
            continue
        languages = [SiteLanguage(code, f"../{language_tag(code)}/{doc_id}.html") for code in codes]
        cells: dict[str, tuple[float, str | None]] = {}
        for code in codes:
            translations = None
            if code != settings.source_locale:
                path = settings.catalog_path(code, doc_id)
                try:
                    catalog = read_catalog(path)
                except CatalogError as exc:
                    result.errors.append(exc if path.exists() else
                                         CatalogError("catalog missing; run `make update` first", path))
                    continue
                translations = _publishable(catalog)
                percent = catalog_stats(catalog).percent
            else:
                percent = 100.0
            html, fallbacks = assemble(document, translations, code, source_locale=settings.source_locale,
                                       languages=languages, stylesheet_href="../style.css")
            page = site / language_tag(code) / f"{doc_id}.html"
            writer.write(page, html)
            cells[code] = (percent, f"{language_tag(code)}/{doc_id}.html")
            fallback_report[f"{language_tag(code)}/{doc_id}.html"] = [
                {"line": f.segment.line, "msgid": f.segment.text, "reason": f.reason} for f in fallbacks]
        rows.append((doc_id, _title_of(extract(document), doc_id), cells))
        result.documents += 1
    writer.write(site / "style.css", STYLESHEET)
    if not only:
        writer.write(site / "index.html", site_index(rows, codes, stylesheet_href="style.css",
                                                     title=settings.project_name))
        writer.write(settings.reports_dir / "build.json",
                     json.dumps(fallback_report, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    markup = sum(1 for page in fallback_report.values() for f in page if f["reason"].startswith("markup"))
    if markup:
        result.notes.append(f"{markup} translation(s) not published because their markup does not match the "
                            "source; see build/reports/build.json")
    return result


def glossary_survey(settings: Settings, locale: str, min_count: int = 3):
    """Survey the glossary against every template's source texts (see glossary.survey).

    Returns (terms used, candidate phrases, errors).
    """
    result = StageResult("glossary")
    glossary = _load_glossary(settings, result)
    texts = []
    for _, path in _templates(settings):
        try:
            texts += [plain_text(entry.msgid) for entry in read_catalog(path) if entry.msgid]
        except CatalogError as exc:
            result.errors.append(exc)
    uses, candidates = survey(glossary, texts, locale, settings.source_locale, min_count)
    return uses, candidates, result.errors


def stats_stage(settings: Settings, only: Iterable[str] = ()) -> tuple[StageResult, list[tuple[str, str, CatalogStats]]]:
    """Return (locale, doc_id, counts) for every catalog, plus a total row per locale (doc_id "*")."""
    result = StageResult("stats")
    rows = []
    per_locale: dict[str, list[CatalogStats]] = {}
    for locale, doc_id, _, catalog in _catalogs(settings, result, only):
        stats = catalog_stats(catalog)
        rows.append((locale.code, doc_id, stats))
        per_locale.setdefault(locale.code, []).append(stats)
        result.documents += 1
    rows += [(code, "*", combine(stats)) for code, stats in per_locale.items()]
    return result, sorted(rows, key=lambda row: (row[0], row[1] == "*", row[1]))
