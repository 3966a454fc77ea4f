"""The check stage: QA of every catalog (in parallel, cached per catalog), then the locale-level
checks and the reports (build/reports/qa.json, .xml, .html). Never touches a catalog."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pipeline.cache import ItemPacks, StageCache, digest
from pipeline.catalogs import read_catalog
from pipeline.config import Settings
from pipeline.errors import CatalogError, ConfigError
from pipeline.glossary import add_word_forms, drain_new_word_forms
from pipeline.model import Finding, Severity
from pipeline.parallel import MINIMUM_ITEMS, run_parallel
from pipeline.qa import (
    CHECKS, CatalogContext, CatalogRecords, CatalogResult, LocaleTerms, check_catalog, checks_by_id, finish_locale,
    remember_entry_messages,
)
from pipeline.qa.catalog import PairIndex, records_of, text_keys
from pipeline.report import qa_report, render_html, render_junit, report_json
from pipeline.stats import CatalogStats, catalog_stats, combine
from pipeline.workflow import (
    WORKER, StageResult, Writer, file_digests, load_project_glossary, prepare_term_indexes, save_stage_cache,
    save_word_forms, stage_cache, template_paths,
)

__all__ = ["check_stage", "write_reports", "check_inputs"]


def check_inputs(relative: str, sha: str) -> str:
    """The inputs a catalog's check is kept under, from its path relative to the project and the
    SHA-256 of its bytes (with the stage's salt: the code, settings and glossary). Its records (in
    build/cache/check-records, an ItemPacks under the key "<locale>/<doc>") are the catalog's
    publishable translations made from exactly those bytes, which the build stage reads rather than
    the catalog."""
    return digest(relative, sha)


def _check_document(item: tuple) -> tuple[str, str, dict | None, tuple | None, dict]:
    """QA one catalog (in a worker or in process): its cache key, inputs, payload or error, and the
    word forms computed on the way (for the parent to save). The catalog's records are written to
    this worker's pack here (their place travels in the payload), except in check mode, where they
    travel in the payload themselves."""
    code, bar, key, inputs, relative, path = item
    settings, terms = WORKER["settings"], WORKER["terms"]
    try:
        catalog = read_catalog(Path(path))
    except CatalogError as exc:
        return key, inputs, None, exc.fields(), {}
    stats = catalog_stats(catalog)
    context = CatalogContext(code, relative, catalog, bar, stats, settings.source_locale)
    outcome = check_catalog(context, terms[code])
    payload = _check_payload(outcome, stats)
    payload["keys"] = text_keys(outcome.records)  # hashed here, in parallel, for the locale's PairIndex
    record_files = WORKER["record_files"]
    if record_files.write:  # else (check mode) the parent holds them for the run
        payload["place"] = record_files.put(key, inputs, payload.pop("records"))
    return key, inputs, payload, None, drain_new_word_forms()


def check_stage(settings: Settings, writer: Writer, only: Iterable[str] = (), report_stem: str = "qa",
                jobs: int = 1) -> StageResult:
    """QA every catalog; write build/reports/<report_stem>.{json,xml,html}. Never touches a catalog."""
    result = StageResult("check")
    known = checks_by_id()
    unknown = [name for name in settings.fail_on if name not in known]
    if unknown:
        raise ConfigError(f"[tool.pipeline.qa] fail_on names unknown check(s): {', '.join(unknown)}",
                          settings.root / "pyproject.toml")
    glossary = load_project_glossary(settings, result)
    cache = stage_cache(settings, "check")
    terms = {l.code: LocaleTerms(glossary, l.code, settings.source_locale) for l in settings.locales}
    work, order = [], []
    digests = file_digests(settings)
    for doc_id, _ in template_paths(settings, only):
        for locale in settings.locales:
            path = settings.catalog_path(locale.code, doc_id)
            sha = digests.of(path)
            if not sha:
                result.errors.append(CatalogError("catalog missing; run `make update` first", path))
                continue
            relative = settings.relative(path)
            key, inputs = f"{locale.code}/{doc_id}", check_inputs(relative, sha)
            order.append((locale.code, key, relative, inputs))
            if not cache.fresh(key, inputs):
                work.append((locale.code, locale.bar, key, inputs, relative, str(path)))
    record_files = ItemPacks(settings.build_dir / "cache" / "check-records", cache.salt, write=not writer.check_only)
    earlier_records: dict[str, tuple[str, list]] = {}  # (inputs, records) before this run, of the catalogs redone
    for code, _, key, _, relative, _ in work:
        earlier, kept = cache.payload(key), record_files.stored(key)
        if kept is not None:
            earlier_records[key] = kept
        if earlier is not None and kept is not None and kept[0] == cache.stored_inputs(key):
            # This catalog's last check (with the same glossary and checks): what it said of a pair holds.
            remember_entry_messages(terms[code], _cached_check(earlier, code, relative, settings.source_locale,
                                                               kept[1])[0])
    if work:
        prepare_term_indexes(terms, jobs if len(work) >= MINIMUM_ITEMS else 1)
    WORKER.update(settings=settings, terms=terms, record_files=record_files)
    keys: dict[str, tuple[list[int], list[int]]] = {}  # the text keys of the catalogs checked in this run
    for key, inputs, payload, error, forms in run_parallel(_check_document, work, jobs):
        add_word_forms(forms)
        if error:
            result.errors.append(CatalogError(*error))
        else:
            if "records" in payload:
                record_files.put(key, inputs, payload.pop("records"))
            else:
                record_files.adopt(key, payload.pop("place"))
            keys[key] = payload.pop("keys")
            cache.put(key, inputs, payload)
    reports = settings.reports_dir
    overall = digest(*sorted(cache.touched_inputs()))
    names = [f"{report_stem}.{kind}" for kind in ("json", "xml", "html")]
    if not result.errors and cache.fresh(f"reports:{report_stem}", overall) and \
            all((reports / name).exists() for name in names):
        # Nothing any report depends on changed: reuse them rather than render them again.
        result.report = json.loads((reports / names[0]).read_text(encoding="utf-8"))
        result.documents = sum(cache.has_payload(key) for _, key, _, _ in order)
        for locale in settings.locales:
            cache.keep(_index_key(locale.code))
        record_files.save()
        save_stage_cache(writer, cache, bool(only))
        return result
    cache.put(f"reports:{report_stem}", overall)
    save_word_forms(settings, writer)
    silenced, summary, documents = {}, {}, {}
    for code in (locale.code for locale in settings.locales):
        # One locale at a time: its catalogs' records are dropped before the next locale's are decoded.
        outcomes, members, paths = [], {}, {}
        for locale_code, key, relative, inputs in order:
            payload = cache.payload(key) if locale_code == code else None
            if payload is not None:  # None: another locale, or a catalog that did not parse (reported)
                outcomes.append((relative, *_cached_check(payload, code, relative, settings.source_locale)))
                members[key], paths[key] = inputs, relative
        result.documents += len(outcomes)
        records = _records_for_locale_checks(settings, cache, record_files, code, members, paths, earlier_records,
                                             keys, keep_index=not only)
        finished = finish_locale([(path, outcome) for path, outcome, _ in outcomes], settings.fail_on, records)
        result.findings.extend(finished.findings)
        silenced[code] = finished.silenced
        summary[code] = combine([stats for _, _, stats in outcomes])
        documents[code] = {path: stats for path, _, stats in outcomes}
    result.report = qa_report(summary, result.findings, documents, silenced)
    if not only:
        record_files.keep_only({key for _, key, _, _ in order})
    record_files.save()
    save_stage_cache(writer, cache, bool(only))
    write_reports(settings, writer, result.report, report_stem)
    return result


def write_reports(settings: Settings, writer: Writer, report: dict, stem: str = "qa") -> None:
    """Write a QA report as build/reports/<stem>.json, .xml (JUnit) and .html."""
    check_ids = [item.id for item in CHECKS]
    reports = settings.reports_dir
    writer.write(reports / f"{stem}.json", report_json(report))
    writer.write(reports / f"{stem}.xml", render_junit(report, check_ids))
    writer.write(reports / f"{stem}.html", render_html(report, {l.code: l.bar for l in settings.locales}, check_ids))


def _index_key(locale: str) -> str:
    return f"pairs:{locale}"


def _records_for_locale_checks(settings: Settings, cache: StageCache, record_files: ItemPacks, locale: str,
                               members: dict[str, str], paths: dict[str, str],
                               earlier: dict[str, tuple[str, list]], keys: dict[str, tuple[list[int], list[int]]],
                               keep_index: bool) -> list[CatalogRecords]:
    """The records of the locale's catalogs that the locale-level check must read, in catalog order.

    ``members`` maps each catalog's key (in order) to its inputs, ``paths``
    to its path; ``earlier`` holds the records, before this run, of the
    catalogs checked again, and ``keys`` the text keys (text_keys) of those.
    The locale's PairIndex (cached) tells which catalogs hold a shared text;
    after a few catalogs changed, only those and the changed ones are read.
    Without a usable index the index is counted again: from the keys when
    every catalog was checked in this run (then only the catalogs holding a
    shared text are read), else from every catalog's records.
    """
    def records_of_key(key: str, payload: list | None = None) -> CatalogRecords:
        if payload is None:
            payload = record_files.get(key, members[key])
        if payload is None:  # its file is missing or stale: read the catalog again
            catalog = read_catalog(settings.catalog_path(locale, key.split("/", 1)[1]))
            context = CatalogContext(locale, paths[key], catalog, 0, CatalogStats(), settings.source_locale)
            payload = _records_payload(records_of(context))
            record_files.put(key, members[key], payload)
        return CatalogRecords(locale, paths.get(key, key), *payload, settings.source_locale)

    def counted(key: str, inputs: str) -> CatalogRecords | None:
        stored_inputs, payload = earlier.get(key) or (inputs, record_files.get(key, inputs))
        if stored_inputs != inputs or payload is None:
            return None  # not the records the index counted
        return records_of_key(key, payload)

    index = PairIndex.from_payload(cache.payload(_index_key(locale))) if keep_index else None
    wanted = index.update(members, counted, records_of_key) if index is not None else None
    if wanted is None and all(key in keys for key in members):
        index = PairIndex.of_keys({key: keys[key] for key in members}, members)
        loaded = {key: records_of_key(key) for key in members if key in index.involved}
    elif wanted is None:
        loaded = {key: records_of_key(key) for key in members}
        index = PairIndex.of(loaded, members)
    else:
        loaded = {key: records_of_key(key) for key in members if key in wanted}
        index.involve(loaded)
    if keep_index:
        cache.put(_index_key(locale), digest(*(f"{key}={inputs}" for key, inputs in members.items())),
                  index.payload())
    return list(loaded.values())


def _check_payload(outcome: CatalogResult, stats: CatalogStats) -> dict:
    return {
        "stats": [stats.translated, stats.fuzzy, stats.untranslated, stats.translated_words, stats.fuzzy_words,
                  stats.untranslated_words],
        "findings": [[f.check, f.severity.value, f.line, f.msgid, f.msgstr, f.message] for f in outcome.findings],
        "marks": {str(line): sorted(checks) for line, checks in outcome.marks.items()},
        "records": _records_payload(outcome.records),
    }


def _records_payload(records: CatalogRecords) -> list[list]:
    """A catalog's records as kept in its record file: its columns (lines, msgids, msgstrs)."""
    return [list(records.lines), list(records.msgids), list(records.msgstrs)]


def _cached_check(payload: dict, locale: str, path: str, source_locale: str,
                  records: list | None = None) -> tuple[CatalogResult, CatalogStats]:
    findings = [Finding(check, Severity(severity), locale, path, line, msgid, msgstr, message)
                for check, severity, line, msgid, msgstr, message in payload["findings"]]
    marks = {int(line): set(checks) for line, checks in payload["marks"].items()}
    kept = CatalogRecords(locale, path, *records, source_locale) if records is not None else None
    return CatalogResult(findings, marks, kept), CatalogStats(*payload["stats"])
