"""The build stage: localized pages for every locale that reaches its publishing bar, the index
pages and build/reports/build.json (what fell back to the source language, and why); and the
pseudo-localized site."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.assemble import (
    FAVICON, SITE_DOCUMENT, STYLESHEET, IndexRow, PageContext, SiteLanguage, assemble, site_index, url_key,
)
from pipeline.cache import ItemPacks, digest
from pipeline.catalogs import publishable_translations, read_catalog, read_translations, render_catalog
from pipeline.checking import check_inputs
from pipeline.config import Settings
from pipeline.errors import CatalogError, PipelineError
from pipeline.locales import language_tag
from pipeline.model import CleanDocument
from pipeline.pseudo import PSEUDO, pseudo_catalog
from pipeline.segments import extract, plain_text
from pipeline.stats import catalog_stats
from pipeline.workflow import (
    WORKER, StageResult, Writer, clean_digest, document_facts, file_digests, heading_of, load_clean_document,
    normalized_ids, run_documents, save_stage_cache, spliced_json, stage_cache, stage_salt, template_paths,
    title_of,
)

__all__ = ["build_stage", "pseudo_stage"]


@dataclass(frozen=True)
class _Edition:
    """One document in one locale: its publishable translations, completeness, and whether it is published."""

    translations: dict[str, str] | None
    percent: float
    published: bool


def _publication(editions: dict[tuple[str, str], _Edition]) -> Callable[[str, str], bool]:
    """``published(code, doc_id)``: whether the document has an edition in that locale, and it is published."""
    def published(code: str, doc_id: str) -> bool:
        edition = editions.get((code, doc_id))
        return edition is not None and edition.published
    return published


def _load_documents(settings: Settings, result: StageResult, only: Iterable[str]) -> dict[str, CleanDocument]:
    documents = {}
    for doc_id in normalized_ids(settings, result, only):
        try:
            documents[doc_id] = load_clean_document(settings, doc_id)
        except PipelineError as exc:
            result.errors.append(exc)
    return documents


def _render_pages(site: Path, writer: Writer, doc_id: str, document: CleanDocument, codes: list[str],
                  published: Callable[[str, str], bool], translations: Callable[[str, str], dict | None],
                  site_words: dict[str, dict[str, str]], source: str,
                  links_of: Callable[[str], dict]) -> dict[str, list]:
    """Write one document's published pages; withdraw those below their bar. Returns the fallbacks by page."""
    fallback_report: dict[str, list] = {}
    languages = [SiteLanguage(code, f"../{language_tag(code)}/{doc_id}.html") for code in codes
                 if published(code, doc_id)]
    for code in codes:
        page = site / language_tag(code) / f"{doc_id}.html"
        if not published(code, doc_id):
            writer.remove(page)  # a page that fell below its bar is withdrawn
            continue
        context = PageContext(code, source, languages, "../style.css",
                              None if code == source else site_words.get(code, {}), links_of(code))
        html, fallbacks = assemble(document, translations(code, doc_id), context)
        writer.write(page, html, durable=False)
        fallback_report[f"{language_tag(code)}/{doc_id}.html"] = [
            {"line": f.segment.line, "msgid": f.segment.text, "reason": f.reason} for f in fallbacks]
    return fallback_report


def _links(documents: dict[str, str], code: str, source: str,
           published: Callable[[str, str], bool]) -> dict[tuple[str, str], tuple[str, str]]:
    """For a page in ``code``: each article's URL -> (href, language) of its copy to link to."""
    links = {}
    for other_id, base_url in documents.items():
        if base_url:
            target = code if published(code, other_id) else source
            links[url_key(base_url)] = (f"../{language_tag(target)}/{other_id}.html", target)
    return links


def _render_site(site: Path, writer: Writer, documents: dict[str, CleanDocument], editions: dict,
                 codes: list[str], site_words: dict[str, dict[str, str]], source: str) -> dict[str, list]:
    """Write every published page of every document under ``site`` (no cache: the pseudo-locale site)."""
    published = _publication(editions)

    urls = {doc_id: document.base_url for doc_id, document in documents.items()}
    links = {code: _links(urls, code, source, published) for code in codes}  # as build: once per language
    fallback_report: dict[str, list] = {}
    for doc_id, document in documents.items():
        fallback_report.update(_render_pages(
            site, writer, doc_id, document, codes, published, lambda code, d: editions[(code, d)].translations,
            site_words, source, links.__getitem__))
    writer.write(site / "style.css", STYLESHEET)
    writer.write(site / "favicon.svg", FAVICON)
    return fallback_report


def _build_document(doc_id: str) -> tuple:
    """Assemble one document's pages (in a worker or in process): (doc_id, fallbacks, what its writer did, error)."""
    state = WORKER
    settings = state["settings"]
    writer = Writer(settings.root, check_only=state["check_only"])
    try:
        document = state["loaded"].get(doc_id) or load_clean_document(settings, doc_id)
        report = _render_pages(settings.site_dir, writer, doc_id, document, state["codes"], state["published"],
                               state["translations"], state["site_words"], state["source"],
                               lambda code: state["links"][code])
    except PipelineError as exc:
        return doc_id, None, writer.outcome(), exc.fields()
    return doc_id, report, writer.outcome(), None


def build_stage(settings: Settings, writer: Writer, only: Iterable[str] = (), jobs: int = 1) -> StageResult:
    """Assemble the site: build/site/<lang>/<doc>.html for every locale whose catalog reaches its publishing
    bar, index pages (build/site/index.html and build/site/<lang>/index.html), the stylesheet, and
    build/reports/build.json listing what fell back to the source language and why.

    A document whose inputs (clean document, catalogs, site words, what is published where) did not
    change since the last build is not assembled again; counts and titles come from the caches of
    the extract and update stages where they still match the files.
    """
    result = StageResult("build")
    source = settings.source_locale
    bars = {locale.code: locale.publish for locale in settings.locales}
    codes = [source] + [locale.code for locale in settings.locales]
    doc_ids = normalized_ids(settings, result, only)
    extract_facts = stage_cache(settings, "extract")
    update_facts = stage_cache(settings, "update")
    cache = stage_cache(settings, "build")

    digests = file_digests(settings)
    clean_digests = {doc_id: clean_digest(settings, doc_id) for doc_id in doc_ids}
    facts: dict[str, dict] = {}
    loaded: dict[str, CleanDocument] = {}
    for doc_id in doc_ids:
        payload = extract_facts.payload(doc_id) if extract_facts.fresh(doc_id, clean_digests[doc_id]) else None
        if payload is None:
            try:
                loaded[doc_id] = load_clean_document(settings, doc_id)
            except PipelineError as exc:
                result.errors.append(exc)
                continue
            segments = extract(loaded[doc_id])
            payload = document_facts(loaded[doc_id], title_of(segments, doc_id), heading_of(segments))
        facts[doc_id] = payload
    doc_ids = [doc_id for doc_id in doc_ids if doc_id in facts]

    editions: dict[tuple[str, str], _Edition] = {}
    po_digests: dict[tuple[str, str], str] = {}
    titles: dict[tuple[str, str], str | None] = {}
    for doc_id in doc_ids:
        editions[(source, doc_id)] = _Edition(None, 100.0, True)
        for code in codes[1:]:
            path = settings.catalog_path(code, doc_id)
            sha = digests.of(path)
            if not sha:
                result.errors.append(CatalogError("catalog missing; run `make update` first", path))
                continue
            po_digests[(code, doc_id)] = sha
            known = update_facts.payload(f"{code}/{doc_id}")
            if known and known.get("sha256") == sha:
                percent, titles[(code, doc_id)], translations = known["percent"], known.get("title"), None
            else:
                try:
                    catalog = read_catalog(path)
                except CatalogError as exc:
                    result.errors.append(exc)
                    continue
                percent, translations = catalog_stats(catalog).percent, publishable_translations(catalog)
                titles[(code, doc_id)] = translations.get(facts[doc_id]["heading"])
            editions[(code, doc_id)] = _Edition(translations, percent, percent >= bars[code])
    site_words: dict[str, dict[str, str]] = {}
    site_digests = []
    for code in codes[1:]:
        path = settings.catalog_path(code, SITE_DOCUMENT)
        site_digests.append(digests.of(path))
        try:
            site_words[code] = read_translations(path) if path.exists() else {}
        except CatalogError as exc:
            result.errors.append(exc)
            site_words[code] = {}

    published = _publication(editions)

    # The check stage keeps each catalog's publishable translations as its records (see checking.py):
    # where they were made from the bytes the catalog holds now, a page takes them rather than read
    # the catalog again (0.16 s rather than 1.4 s for the 3,000 catalogs of the bench corpus).
    checked = ItemPacks(settings.build_dir / "cache" / "check-records", stage_salt(settings, "check"), write=False)

    def translations(code: str, doc_id: str) -> dict[str, str] | None:
        edition = editions[(code, doc_id)]
        if code == source or edition.translations is not None:
            return edition.translations
        path = settings.catalog_path(code, doc_id)
        records = checked.get(f"{code}/{doc_id}", check_inputs(settings.relative(path), po_digests[(code, doc_id)]))
        if records is not None:
            _, msgids, msgstrs = records
            return dict(zip(msgids, msgstrs))  # a later message wins, as in publishable_translations
        return read_translations(path)

    urls = {doc_id: facts[doc_id]["base_url"] for doc_id in doc_ids}
    by_url = {url_key(url): doc_id for doc_id, url in urls.items() if url}

    # What a page shows of another article, as JSON: its address and where it is published (once per
    # article: an article is linked from dozens of others).
    shown = {doc_id: json.dumps([doc_id, urls[doc_id], *(published(code, doc_id) for code in codes)],
                                ensure_ascii=False) for doc_id in doc_ids}

    def state_of(doc_id: str) -> str:
        # A page depends on where it and the articles it links to are published, not on the rest of the site:
        # the JSON list of what it shows of each (joined as json.dumps would write the list).
        linked = sorted({by_url[key] for key in map(tuple, facts[doc_id]["links"]) if key in by_url} | {doc_id})
        return digest(*site_digests, f"[{', '.join([shown[other] for other in linked])}]")

    work, inputs_of, done = [], {}, set()
    site = str(settings.site_dir)
    for doc_id in doc_ids:
        inputs = digest(clean_digests[doc_id], *(po_digests.get((code, doc_id), "") for code in codes[1:]),
                        state_of(doc_id))
        pages = [f"{site}/{language_tag(code)}/{doc_id}.html" for code in codes if published(code, doc_id)]
        if cache.fresh(doc_id, inputs) and all(map(os.path.exists, pages)):
            done.add(doc_id)
            continue
        inputs_of[doc_id] = inputs
        work.append(doc_id)
    links = {code: _links(urls, code, source, published) for code in codes}
    WORKER.update(settings=settings, loaded=loaded, codes=codes, published=published, translations=translations,
                   site_words=site_words, source=source, links=links, check_only=writer.check_only)
    done.update(doc_id for doc_id, _ in run_documents(_build_document, work, jobs, writer, result, cache, inputs_of))
    checked.close()
    result.documents = len(doc_ids)
    overall = digest(*site_digests, *sorted(cache.touched_inputs()))
    site_files = [settings.site_dir / name for name in ("style.css", "favicon.svg", "index.html")] + \
        [settings.reports_dir / "build.json"]
    site_fresh = not work and not result.errors and cache.fresh("site", overall) and \
        all(path.exists() for path in site_files)
    if site_fresh:
        markup = cache.payload("site")["markup"]  # the pages' fallback reports need not be decoded
    else:
        # Each document's fallbacks as the cache holds them: compact JSON, keyed by page, spliced
        # into build.json as they are (see spliced_json). In that JSON, '"reason":"markup' can only
        # be a key and the start of its value: a quote inside a string is escaped.
        page_reports = [cache.payload_utf8(doc_id) for doc_id in doc_ids if doc_id in done]
        # A page without fallbacks is "{}", the only JSON object of two bytes.
        build_report = spliced_json(memoryview(text)[1:-1] for text in page_reports if len(text) > 2)
        markup = build_report.count(b'"reason":"markup')
        writer.write(settings.site_dir / "style.css", STYLESHEET)
        writer.write(settings.site_dir / "favicon.svg", FAVICON)
    if not only and not site_fresh:
        rows = {doc_id: (facts[doc_id]["title"], {code: titles.get((code, doc_id)) for code in codes[1:]})
                for doc_id in doc_ids}
        # The index pages change with titles and with what is published where, not with an article's text.
        index_inputs = digest(*site_digests, json.dumps(rows, ensure_ascii=False, sort_keys=True),
                              *(f"{code}/{doc_id}={edition.percent}/{edition.published}"
                                for (code, doc_id), edition in sorted(editions.items())))
        index_pages = [settings.site_dir / "index.html"] + \
            [settings.site_dir / language_tag(code) / "index.html" for code in codes]
        if (cache.payload("site") or {}).get("index") != index_inputs or not all(p.exists() for p in index_pages):
            _write_indexes(settings.site_dir, writer, rows, editions, codes, site_words, source)
        writer.write_bytes(settings.reports_dir / "build.json", build_report)
        cache.put("site", overall, {"markup": markup, "index": index_inputs})
    save_stage_cache(writer, cache, bool(only))
    if markup:
        result.notes.append(f"{markup} translation(s) not published because their markup does not match the "
                            "source; see build/reports/build.json")
    withheld = sorted(f"{language_tag(code)}/{doc_id}" for (code, doc_id), e in editions.items() if not e.published)
    if withheld:
        shown = ", ".join(withheld[:10]) + (f" and {len(withheld) - 10} more" if len(withheld) > 10 else "")
        result.notes.append(f"in progress (below the publishing bar): {shown}")
    return result


def pseudo_stage(settings: Settings, writer: Writer) -> StageResult:
    """Write pseudo-localized catalogs (en_XA, ar_XB) for every template under build/pseudo/locales/,
    and the site built from them under build/pseudo/site/."""
    result = StageResult("pseudo")
    source = settings.source_locale
    codes = [source, *PSEUDO]
    documents = _load_documents(settings, result, ())
    editions: dict[tuple[str, str], _Edition] = {}
    site_words: dict[str, dict[str, str]] = {}
    for doc_id, template_path in template_paths(settings):
        try:
            template = read_catalog(template_path)
        except CatalogError as exc:
            result.errors.append(exc)
            continue
        for code in PSEUDO:
            catalog = pseudo_catalog(template, code)
            writer.write(settings.build_dir / "pseudo" / "locales" / code / "LC_MESSAGES" / f"{doc_id}.po",
                         render_catalog(catalog))
            if doc_id == SITE_DOCUMENT:
                site_words[code] = publishable_translations(catalog)
            else:
                editions[(code, doc_id)] = _Edition(publishable_translations(catalog), 100.0, True)
    for doc_id in documents:
        editions[(source, doc_id)] = _Edition(None, 100.0, True)
    documents = {doc_id: d for doc_id, d in documents.items() if all((c, doc_id) in editions for c in codes)}
    site = settings.build_dir / "pseudo" / "site"
    _render_site(site, writer, documents, editions, codes, site_words, source)
    rows = {}
    for doc_id, document in documents.items():
        segments = extract(document)
        heading = heading_of(segments)
        rows[doc_id] = (title_of(segments, doc_id),
                        {code: (editions[(code, doc_id)].translations or {}).get(heading) for code in PSEUDO})
    _write_indexes(site, writer, rows, editions, codes, site_words, source)
    writer.sync(site)
    result.documents = len(documents)
    return result


def _write_indexes(site: Path, writer: Writer, rows_by_doc: dict[str, tuple[str, dict[str, str | None]]],
                   editions: dict, codes: list[str], site_words: dict[str, dict[str, str]], source: str) -> None:
    """Write site/index.html (every language) and site/<lang>/index.html (that language and the source).

    ``rows_by_doc`` gives each document's source title and its translated title per locale (or None).
    """
    def rows(locale: str, prefix: str) -> list[IndexRow]:
        found = []
        for doc_id, (title, translated) in rows_by_doc.items():
            shown, shown_lang = title, language_tag(source)
            if locale != source and translated.get(locale):
                shown, shown_lang = plain_text(translated[locale]), language_tag(locale)
            cells = {}
            for code in codes:
                other = editions.get((code, doc_id))
                if other is not None:
                    href = f"{prefix}{language_tag(code)}/{doc_id}.html" if other.published else None
                    cells[code] = (other.percent, href)
            found.append(IndexRow(doc_id, shown, shown_lang, cells))
        return found

    root_languages = [SiteLanguage(code, f"{language_tag(code)}/index.html") for code in codes]
    writer.write(site / "index.html",
                 site_index(rows(source, ""), codes, PageContext(source, source, root_languages, "style.css")))
    for code in codes:
        languages = [SiteLanguage(other, f"../{language_tag(other)}/index.html") for other in codes]
        context = PageContext(code, source, languages, "../style.css",
                              None if code == source else site_words.get(code, {}))
        columns = [code] if code == source else [code, source]
        writer.write(site / language_tag(code) / "index.html", site_index(rows(code, "../"), columns, context))
