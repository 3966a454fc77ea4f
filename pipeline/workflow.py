"""Runs the stages over all documents, reading and writing the project's files: fetch, normalize,
extract, update and stats here, with what every stage shares (Writer, caches, the digest memo,
the worker table); check in checking.py, build and pseudo in publishing.py.

One document's failure never stops the others: each stage collects the
errors (with file and line) and goes on. Every write goes through a Writer,
which writes atomically, skips unchanged files, and in check mode writes
nothing but records what would change.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polib

from pipeline.assemble import SITE_DOCUMENT, site_segments, url_key
from pipeline.cache import FileDigests, StageCache, digest, file_digest, payload_json
from pipeline.catalogs import (
    TemplateInfo, UpdateSummary, build_template, header_creation_date, read_catalog, render_catalog, update_catalog,
)
from pipeline.config import Settings
from pipeline.errors import CatalogError, InputError, PipelineError
from pipeline.fetch import DOC_ID, Fetcher, FetchPolicy, FetchResult, charset_of, read_manifest
from pipeline.files import (
    PendingWrite, commit_writes, current_stamp, discard_pending, holds, read_bounded, sync_filesystem, write_atomic,
    write_if_changed, write_pending,
)
from pipeline.glossary import (
    Glossary, TermIndex, add_word_forms, blank_names, drain_new_word_forms, load_glossary, load_word_forms, survey,
    warm_lemmatizers, word_forms_text,
)
from pipeline.model import CleanDocument, Finding, NormalizeStep, Segment
from pipeline.normalize import normalize, normalize_dump
from pipeline.parallel import MINIMUM_ITEMS, run_parallel
from pipeline.qa import LocaleTerms
from pipeline.segments import extract, plain_text
from pipeline.stats import CatalogStats, catalog_percent, catalog_stats, combine

__all__ = [
    "Writer", "StageResult", "source_documents", "fetch_stage", "normalize_stage", "parse_shard", "in_shard",
    "shard_documents", "extract_stage", "update_stage", "stats_stage", "load_clean_document", "glossary_survey",
    "glossary_notes", "WORKER", "stage_cache", "stage_salt", "save_stage_cache", "file_digests", "clean_digest", "clean_paths",
    "normalized_ids", "template_paths", "prepare_term_indexes", "load_project_glossary", "save_word_forms",
    "document_facts", "title_of", "heading_of", "spliced_json", "run_documents",
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
    pending: list[PendingWrite] = field(default_factory=list)  # written by write_later, put in place by commit

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

    def write(self, path: Path, text: str, durable: bool = True) -> bool:
        """Write ``text`` to ``path`` unless it already holds it; return whether it changed (or would).

        ``durable=False`` is for the per-document files a stage generates under build/: they are
        not synced one by one, and save_stage_cache syncs them all before the stage's cache.
        """
        return self.write_bytes(path, text.encode("utf-8"), durable)

    def write_bytes(self, path: Path, data: bytes, durable: bool = True) -> bool:
        """Write ``data`` to ``path`` unless it already holds it; return whether it changed (or would)."""
        relative = self._relative(path)
        differs = not holds(path, data) if self.check_only else write_if_changed(path, data, durable)
        if differs:
            self.changed.append(relative)
        else:
            self.unchanged += 1
        return differs

    def write_later(self, path: Path, data: bytes, expected: tuple[int, int, int, int] | None) -> bool:
        """Like write_bytes, but the new file is put in place by ``commit`` (files.commit_writes): one
        sync for a stage's thousands of catalogs or templates. ``expected`` is the stat stamp
        (files.current_stamp) of the file the new content was made from; if the file changes before
        the commit, it is left as it is."""
        differs = not holds(path, data)
        if differs:
            self.changed.append(self._relative(path))
            if not self.check_only:
                self.pending.append(write_pending(path, data, expected))
        else:
            self.unchanged += 1
        return differs

    def commit(self) -> list[str]:
        """Put the pending writes in place (this writer's and those its workers handed over); return the
        files left as they were because they changed meanwhile (relative to the root)."""
        left = [self._relative(Path(path)) for path in commit_writes(self.pending)]
        self.pending.clear()
        if left:
            kept = set(left)
            self.changed = [path for path in self.changed if path not in kept]
        return left

    def outcome(self) -> tuple[list[str], int, list[PendingWrite]]:
        """What a worker's writer did, for the parent's writer to ``take``."""
        return self.changed, self.unchanged, self.pending

    def take(self, outcome: tuple[list[str], int, list[PendingWrite]]) -> None:
        """Count what a worker's writer did (its ``outcome``) as this writer's own."""
        changed, unchanged, pending = outcome
        self.changed.extend(changed)
        self.unchanged += unchanged
        self.pending.extend(pending)

    def sync(self, folder: Path) -> None:
        """Bring to disk, at once, what was written without a sync each (``durable=False``): the file
        system of ``folder`` is synced when this writer, or the workers' it counts, changed a file."""
        if self.changed and not self.check_only:
            sync_filesystem(folder)

    def write_cache(self, path: Path, lines: Iterable[bytes]) -> None:
        """Write a cache file its stage knows has changed: not compared with the old one (the check
        stage's is tens of megabytes) nor synced to disk (a cache lost in a crash is rebuilt)."""
        self.changed.append(self._relative(path))
        if not self.check_only:
            write_atomic(path, lines, durable=False)

    def remove(self, path: Path) -> bool:
        """Delete ``path`` if it exists (a withdrawn output); return whether it existed."""
        if not path.exists():
            return False
        self.changed.append(self._relative(path))
        if not self.check_only:
            path.unlink()
        return True


@dataclass
class StageResult:
    """What a stage did: documents handled, errors met, findings (check) and notes for the console."""

    name: str
    documents: int = 0
    errors: list[PipelineError] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    report: dict | None = None


@cache
def _code_digest() -> str:
    """Digest of the pipeline's own code and data: a new version invalidates every cache."""
    package = Path(__file__).parent
    files = sorted(p for p in package.rglob("*") if p.suffix in (".py", ".toml", ".html") and p.is_file())
    return digest(*(f"{p.relative_to(package)}" for p in files), *(p.read_bytes() for p in files))


#: The stages whose work depends on the glossary (its notes in the catalogs, its checks).
_GLOSSARY_STAGES = frozenset({"update", "check"})


def stage_cache(settings: Settings, stage: str) -> StageCache:
    """The cache of one stage (build/cache/<stage>.jsonl), salted with the pipeline's code, the
    settings and, where the stage's work depends on it, the glossary."""
    return StageCache(settings.build_dir / "cache" / f"{stage}.jsonl", stage_salt(settings, stage))


def stage_salt(settings: Settings, stage: str) -> str:
    """The salt of one stage's caches: a digest of the pipeline's code, the settings and, for the
    stages whose work depends on it, the glossary's file."""
    glossary = (file_digest(settings.glossary_path),) if stage in _GLOSSARY_STAGES else ()
    return digest(_code_digest(), repr(settings), *glossary)


def little_left_to_do(settings: Settings, files_changed: int) -> bool:
    """Whether the check and build stages will find nearly all their work in their caches.

    True when the earlier stages of this run changed fewer than MINIMUM_ITEMS
    files (``files_changed``), fewer than that many catalogs moved since their
    digests were remembered (a translator's edits), and both caches were made
    by this code with these settings and this glossary. Costs a stat per
    catalog and the first line of each cache.
    """
    if files_changed >= MINIMUM_ITEMS:
        return False
    folder = settings.build_dir / "cache"
    if any(StageCache.stored_salt(folder / f"{stage}.jsonl") != stage_salt(settings, stage)
           for stage in ("check", "build")):
        return False
    digests, moved = file_digests(settings), 0
    for doc_id, _ in template_paths(settings):
        for locale in settings.locales:
            moved += digests.moved(settings.catalog_path(locale.code, doc_id))
            if moved >= MINIMUM_ITEMS:
                return False
    return True


#: One memo of file digests per project (by its cache folder), shared by the stages of a run.
_DIGESTS: dict[Path, FileDigests] = {}
_DIGESTS_NAME = "digests.json"  # beside the stage caches


def file_digests(settings: Settings) -> FileDigests:
    """The project's memo of file digests (see FileDigests): a stage asks it for the digest of an input
    rather than reading and hashing every input on every run."""
    path = settings.build_dir / "cache" / _DIGESTS_NAME
    if path not in _DIGESTS:
        _DIGESTS[path] = FileDigests(path)
    return _DIGESTS[path]


def clean_digest(settings: Settings, doc_id: str) -> str:
    """The digest of a normalized document (its HTML and its sidecar), as extract and build key it."""
    digests = file_digests(settings)
    return digest(*(digests.of(path) for path in clean_paths(settings, doc_id)))


def run_documents(function: Callable[[str], tuple], work: list[str], jobs: int, writer: Writer,
                  result: StageResult, cache: StageCache, inputs_of: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Run a per-document worker over ``work`` on ``jobs`` processes; yield each document done, with
    its payload as the cache keeps it (payload_json's text).

    ``function(doc_id)`` returns ``(doc_id, payload, its writer's outcome, error)``: what it wrote
    goes into ``writer`` (Writer.take), an error into ``result``, and the payload into ``cache``
    under the document's inputs (``inputs_of``).
    """
    for doc_id, text, outcome, error in run_parallel(functools.partial(_payload_encoded, function), work, jobs):
        writer.take(outcome)
        if error:
            result.errors.append(InputError(*error))
            continue
        cache.put_json(doc_id, inputs_of[doc_id], text)
        yield doc_id, text


def _payload_encoded(function: Callable[[str], tuple], doc_id: str) -> tuple:
    """``function(doc_id)`` with its payload encoded for the cache where it ran: in the worker, in
    parallel. Encoded in the parent, the build stage's pages' fallbacks (20 MB of JSON for a thousand
    articles) took it a second, one core idle."""
    doc_id, payload, outcome, error = function(doc_id)
    return doc_id, None if error else payload_json(payload), outcome, error


def save_stage_cache(writer: Writer, cache: StageCache, partial: bool) -> None:
    """Write a stage's cache (and the digest memo) unless nothing changed; with ``partial`` (a run over
    some documents only), keep the entries this run did not visit."""
    writer.sync(cache.path)  # before the cache says the stage's generated files are done
    digests = _DIGESTS.get(cache.path.with_name(_DIGESTS_NAME))  # the memo of this cache's project
    if digests is not None and not writer.check_only:
        digests.save()
    if partial:
        cache.keep_untouched()
    if cache.unchanged():
        writer.unchanged += 1  # a no-op run renders and compares nothing
        return
    writer.write_cache(cache.path, cache.lines())


def save_word_forms(settings: Settings, writer: Writer) -> None:
    """Save the word forms this run learnt (build/cache/word-forms.json) for the next runs."""
    text = word_forms_text()
    if text is not None and not writer.check_only:
        writer.write(_word_forms_path(settings), text)


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
    # Sorted by name, as Paths of one folder sort, but without pathlib's comparison of parts (4,000
    # pages cost it 48,000 comparisons); scandir tells files from folders without a stat each.
    for entry in sorted(os.scandir(settings.source_dir), key=lambda entry: entry.name):
        path = Path(entry.path)
        if path.suffix.lower() not in _SOURCE_SUFFIXES or not entry.is_file():
            continue
        if not DOC_ID.match(path.stem) or ".." in path.stem:
            errors.append(InputError("document id may hold only letters, digits, '.', '_' and '-'", path))
            continue
        if path.stem == SITE_DOCUMENT:
            errors.append(InputError(f"document id {SITE_DOCUMENT!r} is reserved for the site's own words", path))
            continue
        if wanted and path.stem not in wanted:
            continue
        if path.stem in found:
            errors.append(InputError(f"two sources for document {path.stem!r}; keep one", path))
            continue
        found[path.stem] = path
    for missing in sorted(wanted - set(found) - {SITE_DOCUMENT}):
        errors.append(InputError(f"no source page for document {missing!r}", settings.source_dir))
    return sorted(found.items()), errors


def _sidecar_name(doc_id: str) -> str:
    """The name of the file beside a source page that holds its fetch facts."""
    return f"{doc_id}.meta.json"


def _sidecar(path: Path) -> dict:
    """The fetch facts saved beside a source page (``<id>.meta.json``), or {}."""
    try:
        return json.loads(path.with_name(_sidecar_name(path.stem)).read_text(encoding="utf-8"))
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
                writer.write(page.with_name(_sidecar_name(entry.id)),
                             json.dumps(fetched.meta, indent=2, sort_keys=True) + "\n")
            result.documents += 1
            if progress:
                progress(fetched)
    finally:
        fetcher.close()
    return result


def parse_shard(text: str) -> tuple[int, int]:
    """Read ``I/N`` (1 <= I <= N) into (I, N); ValueError otherwise."""
    index, _, count = text.partition("/")
    shard = (int(index), int(count))
    if not 1 <= shard[0] <= shard[1]:
        raise ValueError(text)
    return shard


def in_shard(doc_id: str, shard: tuple[int, int]) -> bool:
    """Whether a document belongs to shard I of N: a stable hash of its id, the same on every machine.

    The site's own catalog belongs to the first shard.
    """
    index, count = shard
    if doc_id == SITE_DOCUMENT:
        return index == 1
    return int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:8], 16) % count == index - 1


def shard_documents(settings: Settings, shard: tuple[int, int]) -> list[str]:
    """The ids of the documents (sources and templates) in one shard."""
    sources, _ = source_documents(settings)
    ids = {doc_id for doc_id, _ in sources} | {doc_id for doc_id, _ in template_paths(settings)} | {SITE_DOCUMENT}
    return sorted(doc_id for doc_id in ids if in_shard(doc_id, shard))


def _clean_file_names(doc_id: str) -> tuple[str, str]:
    """The names, under build/clean, of a normalized document's HTML and of its sidecar."""
    return f"{doc_id}.html", f"{doc_id}.json"


def clean_paths(settings: Settings, doc_id: str) -> tuple[Path, Path]:
    """The normalized document's HTML and its sidecar (source lines, address) under build/clean."""
    html, sidecar = _clean_file_names(doc_id)
    return Path(f"{settings.clean_dir}/{html}"), Path(f"{settings.clean_dir}/{sidecar}")  # one parse each


def _clean_names(settings: Settings) -> set[str]:
    """The names in build/clean (none when it does not exist): one listing, where asking whether each
    document's two files exist cost a stat each."""
    try:
        return set(os.listdir(settings.clean_dir))
    except (FileNotFoundError, NotADirectoryError):
        return set()


def _is_normalized(doc_id: str, clean_names: set[str]) -> bool:
    """Whether build/clean (whose names are ``clean_names``) holds both files of the document."""
    return all(name in clean_names for name in _clean_file_names(doc_id))


def _normalize_document(item: tuple[str, str, str, str | None]) -> tuple:
    """Normalize one source and write build/clean/<doc>.html and .json (in a worker or in process):
    (doc_id, payload or None, what its writer did, error)."""
    doc_id, path_text, relative, profile = item
    settings = WORKER["settings"]
    source_locale = settings.source_locale
    path = Path(path_text)
    try:
        raw = read_bounded(path)
        if path.suffix.lower() == ".txt":
            document, steps = normalize_dump(raw, doc_id=doc_id, source_path=relative, source_locale=source_locale)
        else:
            fetched = _sidecar(path)
            document, steps = normalize(raw, doc_id=doc_id, source_path=relative,
                                        http_charset=charset_of(fetched.get("content_type")),
                                        url=fetched.get("final_url") or "", profile_name=profile,
                                        source_locale=source_locale)
    except PipelineError as exc:
        return doc_id, None, ([], 0, []), exc.fields()
    except KeyError as exc:
        return doc_id, None, ([], 0, []), (f"unknown site profile {exc.args[0]!r} in {MANIFEST}", path_text, None)
    meta = {"doc_id": doc_id, "source_path": relative, "base_url": document.base_url,
            "source_lines": list(document.source_lines)}
    writer = Writer(settings.root, check_only=WORKER["check_only"])
    html_path, meta_path = clean_paths(settings, doc_id)
    writer.write(html_path, document.html, durable=False)
    writer.write(meta_path, json.dumps(meta, separators=(",", ":")) + "\n", durable=False)
    payload = {"source": relative, "steps": [{"action": s.action, "target": s.target, "reason": s.reason}
                                             for s in steps]}
    return doc_id, payload, writer.outcome(), None


def normalize_stage(settings: Settings, writer: Writer, only: Iterable[str] = (), jobs: int = 1) -> StageResult:
    """Normalize every source page into build/clean/<doc>.html (+ .json with source lines) and a report.

    A page whose bytes (and fetch facts and profile) did not change since it
    was last normalized is skipped; the others are normalized, and their clean
    documents written, on ``jobs`` processes.
    """
    result = StageResult("normalize")
    documents, result.errors = source_documents(settings, only)
    profiles = _manifest_profiles(settings, result)
    cache = stage_cache(settings, "normalize")
    digests = file_digests(settings)
    clean_names = _clean_names(settings)
    source_names = set(os.listdir(settings.source_dir)) if documents else set()  # most pages have no fetch facts
    reported, work, inputs_of = [], [], {}
    for doc_id, path in documents:
        relative = settings.relative(path)
        try:
            content = digests.of(path, read_bounded)
        except PipelineError as exc:
            result.errors.append(exc)
            continue
        fetched = _sidecar(path) if _sidecar_name(path.stem) in source_names else {}
        inputs = digest(relative, content, json.dumps(fetched, sort_keys=True), profiles.get(doc_id) or "")
        if cache.fresh(doc_id, inputs) and _is_normalized(doc_id, clean_names):
            reported.append(doc_id)  # done before; its summary was printed then
            result.documents += 1
            continue
        inputs_of[doc_id] = inputs
        work.append((doc_id, str(path), relative, profiles.get(doc_id)))
    WORKER.update(settings=settings, check_only=writer.check_only)
    for doc_id, text in run_documents(_normalize_document, work, jobs, writer, result, cache, inputs_of):
        steps = json.loads(text)["steps"]
        result.notes.append(_normalize_summary(doc_id, [NormalizeStep(**step) for step in steps]))
        reported.append(doc_id)
        result.documents += 1
    save_stage_cache(writer, cache, bool(only))
    if reported and not only:
        writer.write_bytes(settings.reports_dir / "normalize.json", spliced_json(
            json.dumps(doc_id, ensure_ascii=False).encode("utf-8") + b":" + cache.payload_utf8(doc_id)
            for doc_id in sorted(reported)))
    return result


def spliced_json(members: Iterable[bytes | memoryview]) -> bytes:
    """A JSON object, as UTF-8, written from its members' UTF-8 text (``"key":value``), one per line.

    A report's members are kept in a stage cache as compact JSON already:
    splicing them costs nothing, where decoding and encoding again the report of
    a thousand articles took a second (json's indented output is pure Python).
    The object is made in one join: each copy of the build report of four thousand
    articles (87 MB) took 0.07 s, most of it the memory's first touch.
    """
    pieces = [b"{\n"]
    for member in members:
        pieces += (member, b",\n")
    if len(pieces) == 1:
        return b"{}\n"
    pieces[-1] = b"\n}\n"
    return b"".join(pieces)


def load_clean_document(settings: Settings, doc_id: str) -> CleanDocument:
    """Read a normalized document and its sidecar from build/clean; InputError if `normalize` has not run."""
    html_path, meta_path = clean_paths(settings, doc_id)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        html = html_path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("normalized document missing; run `make normalize` first", exc.filename) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"damaged normalized document ({exc}); run `make normalize` again", meta_path) from exc
    return CleanDocument(doc_id=doc_id, source_path=meta["source_path"], html=html,
                         source_lines=tuple(meta["source_lines"]), base_url=meta.get("base_url", ""))


def normalized_ids(settings: Settings, result: StageResult, only: Iterable[str] = ()) -> list[str]:
    """The source documents that have a normalized version; the others are noted as skipped.

    A page that failed to normalize was reported by `normalize`; later stages
    skip it quietly instead of repeating the error.
    """
    documents, _ = source_documents(settings, only)
    clean_names = _clean_names(settings)
    ready = [doc_id for doc_id, _ in documents if _is_normalized(doc_id, clean_names)]
    skipped = len(documents) - len(ready)
    if skipped:
        result.notes.append(f"skipped {skipped} document(s) without a normalized version (see `make normalize`)")
    return ready


def heading_of(segments: list[Segment]) -> str | None:
    """The msgid of the article's page heading (its h1), if it has one."""
    return next((segment.text for segment in segments if segment.role == "page heading"), None)


def title_of(segments: list[Segment], default: str) -> str:
    """The article's title for the index pages: its heading as plain text, else ``default``."""
    heading = heading_of(segments)
    return plain_text(heading) if heading is not None else default


def _write_template(settings: Settings, writer: Writer, doc_id: str, segments: list[Segment],
                    source_paths: str | list[str], title: str) -> None:
    """Write a .pot (put in place by Writer.commit), keeping its POT-Creation-Date unless its content changed."""
    path = settings.template_path(doc_id)
    stamp = current_stamp(path)
    try:
        old_text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # none yet, or not one we wrote: it gets a new date
        old_text = ""
    old_date, now = header_creation_date(old_text), _now_stamp()
    info = TemplateInfo(settings.project_name, settings.bugs_address, old_date or now, title)
    template = build_template(segments, source_paths, info)
    text = render_catalog(template)
    if old_date and text != old_text:
        if len(old_date) == len(now):  # the header's lines are laid out alike: only the date differs
            text = text.replace(f'"POT-Creation-Date: {old_date}\\n"', f'"POT-Creation-Date: {now}\\n"', 1)
        else:
            template.metadata["POT-Creation-Date"] = now
            text = render_catalog(template)
    writer.write_later(path, text.encode("utf-8"), stamp)


def _extract_document(doc_id: str) -> tuple:
    """Write one document's template (in a worker or in process): (doc_id, facts or None, what its
    writer did, error). The template is put in place by the stage (Writer.commit)."""
    settings = WORKER["settings"]
    writer = Writer(settings.root, check_only=WORKER["check_only"])
    try:
        document = load_clean_document(settings, doc_id)
    except PipelineError as exc:
        return doc_id, None, ([], 0, []), exc.fields()
    segments = extract(document)
    title = title_of(segments, doc_id)
    _write_template(settings, writer, doc_id, segments, document.source_path, title)
    return doc_id, document_facts(document, title, heading_of(segments)), writer.outcome(), None


def extract_stage(settings: Settings, writer: Writer, only: Iterable[str] = (), jobs: int = 1) -> StageResult:
    """Write locales/templates/<doc>.pot for every normalized document, and site.pot for the site's words.

    A template's POT-Creation-Date only moves when its content changes. Documents
    whose normalized version did not change are skipped; the others are
    extracted on ``jobs`` processes.
    """
    result = StageResult("extract")
    if not writer.check_only:
        discard_pending(settings.templates_dir, ".pot")  # templates a killed run wrote but did not put in place
    cache = stage_cache(settings, "extract")
    work, inputs_of = [], {}
    for doc_id in normalized_ids(settings, result, only):
        inputs = clean_digest(settings, doc_id)
        if cache.fresh(doc_id, inputs) and settings.template_path(doc_id).exists():
            result.documents += 1
            continue
        inputs_of[doc_id] = inputs
        work.append(doc_id)
    WORKER.update(settings=settings, check_only=writer.check_only)
    result.documents += sum(1 for _ in run_documents(_extract_document, work, jobs, writer, result, cache, inputs_of))
    if not only:
        pairs = site_segments()
        _write_template(settings, writer, SITE_DOCUMENT, [s for _, s in pairs], [p for p, _ in pairs],
                        "the site's header, language switcher, footer and index")
    result.notes += [f"{path} changed while extract ran: left as it is; run extract again" for path in writer.commit()]
    save_stage_cache(writer, cache, bool(only))
    return result


#: A link in a normalized page (its serializer always quotes attributes with ").
_HREF = re.compile(r'href="([^"]+)"')


def document_facts(document: CleanDocument, title: str, heading: str | None) -> dict:
    """What build needs of a document without parsing it: its title and heading for the index pages,
    its address and where its links point (as url_key gives them: which articles its pages link to)."""
    return {"title": title, "heading": heading, "base_url": document.base_url,
            "links": sorted(set(map(url_key, _HREF.findall(document.html))))}


def template_paths(settings: Settings, only: Iterable[str] = ()) -> list[tuple[str, Path]]:
    """``(doc_id, path)`` of every template (or those of ``only``), the site's included, by id."""
    wanted = set(only)
    if not settings.templates_dir.is_dir():
        return []
    # Sorted by name, as Paths of one folder sort, but without pathlib's comparison of parts.
    return [(path.stem, path) for path in sorted(settings.templates_dir.glob("*.pot"), key=lambda path: path.name)
            if not wanted or path.stem in wanted]


def glossary_notes(template: polib.POFile, terms: Sequence[LocaleTerms]) -> list[dict[str, str]]:
    """The ``#.`` lines for each message naming its glossary terms, for each locale of ``terms``.

    One line per concept, ``Glossary: liver metastases → metástasis hepáticas``,
    and one per protected name, ``Do not translate: MedlinePlus``. The source
    is searched once for all the locales (they share one glossary).
    """
    notes: list[dict[str, str]] = [{} for _ in terms]
    if not terms:
        return notes
    locales = tuple(locale_terms.locale for locale_terms in terms)
    remembered = terms[0].notes_by_text  # shared sentences recur across templates
    for entry in template:
        said = remembered.get((entry.msgid, locales))
        if said is None:
            if len(remembered) > 100_000:
                remembered.clear()
            said = remembered[(entry.msgid, locales)] = _notes_of(entry.msgid, terms, locales)
        for locale_notes, note in zip(notes, said):
            if note:
                locale_notes[entry.msgid] = note
    return notes


def _notes_of(msgid: str, terms: Sequence[LocaleTerms], locales: tuple[str, ...]) -> tuple[str, ...]:
    """The note of one source text for each locale of ``terms`` (whose codes are ``locales``; "" for none)."""
    text, names = blank_names(plain_text(msgid), terms[0].protected)
    keys = terms[0].source.keys_found(text)
    named = [f"Do not translate: {name}" for name in dict.fromkeys(names)]
    if not keys and not named:
        return ("",) * len(terms)
    first: dict[str, tuple] = {}  # each concept with its first term found, in text order
    for key in keys:
        first.setdefault(key[0].id, key)
    remembered = terms[0].note_lines  # a concept's line, per locale, recurs in thousands of texts
    rows = []  # per concept, its line in each locale ("" for none)
    for concept_id, (concept, term) in first.items():
        row = remembered.get((concept_id, term.text, locales))
        if row is None:
            row = remembered[(concept_id, term.text, locales)] = tuple(
                f"Glossary: {term.text} \N{RIGHTWARDS ARROW} {approved[0].text}"
                if (approved := concept.approved(locale)) else "" for locale in locales)
        rows.append(row)
    if not rows:
        return ("\n".join(named),) * len(terms)
    return tuple("\n".join([*filter(None, column), *named]) for column in zip(*rows))


#: What forked workers need from the stage that started them (set just before the pool starts).
WORKER: dict = {}


def prepare_term_indexes(terms: dict[str, LocaleTerms], jobs: int, targets: bool = True) -> None:
    """Build the term indexes now (the source's, and with ``targets`` each locale's), so forked
    workers share them instead of each building its own; with several workers, load the
    lemmatizers' dictionaries too (each worker would load its own)."""
    languages = set()
    for locale_terms in terms.values():
        _ = locale_terms.source
        languages.add(locale_terms.source_locale)
        if targets:
            _ = locale_terms.target
            languages.add(locale_terms.locale)
    if jobs > 1:
        warm_lemmatizers(languages)


def _update_document(item: tuple[str, str, str, tuple[str, ...]]) -> dict:
    """Merge one template (its id, path and digest) into the catalogs of the given locales (in a
    worker or in process)."""
    settings, terms, check_only = WORKER["settings"], WORKER["terms"], WORKER["check_only"]
    doc_id, template_path, template_digest, codes = item
    writer = Writer(settings.root, check_only=check_only)
    done: dict = {"puts": [], "notes": [], "errors": []}
    try:
        template = read_catalog(Path(template_path))
    except CatalogError as exc:
        done["errors"].append(exc.fields())
        return {**done, "written": writer.outcome(), "forms": {}, "found": {}}
    notes_by_code = dict(zip(codes, glossary_notes(template, [terms[code] for code in codes])))
    for code in codes:
        path = settings.catalog_path(code, doc_id)
        stamp = current_stamp(path)  # before reading: a save by a translator after this is never overwritten
        try:
            old = read_catalog(path) if stamp is not None else None
        except CatalogError as exc:
            done["errors"].append(exc.fields())
            continue
        catalog, summary = update_catalog(template, old, code, notes_by_code[code])
        data = render_catalog(catalog).encode("utf-8")
        if writer.write_later(path, data, stamp):
            done["notes"].append(_describe_update(settings.relative(path), old is None, summary))
        sha = hashlib.sha256(data).hexdigest()
        done["puts"].append((f"{code}/{doc_id}", digest(template_digest, sha),
                             {"percent": catalog_percent(catalog), "sha256": sha,
                              "title": _translated_heading(catalog)}))
    source = _source_terms(terms)
    return {**done, "written": writer.outcome(), "forms": drain_new_word_forms(),
            "found": source.drain_found() if source is not None else {}}


def _source_terms(terms: dict[str, LocaleTerms]) -> TermIndex | None:
    """The source-language term index the locales' LocaleTerms share (None without locales)."""
    return next(iter(terms.values())).source if terms else None


def update_stage(settings: Settings, writer: Writer, only: Iterable[str] = (), jobs: int = 1) -> StageResult:
    """Merge each template into each locale's catalog; a catalog that does not parse is left alone.

    Each message's ``#.`` comment gets the glossary terms it contains, in the locale.
    Catalogs whose template and content did not change since the last update
    are skipped; the others are merged on ``jobs`` processes.
    """
    result = StageResult("update")
    if not writer.check_only:
        discard_pending(settings.locales_dir, ".po")  # catalogs a killed run wrote but did not put in place
    glossary = load_project_glossary(settings, result)
    terms = {locale.code: LocaleTerms(glossary, locale.code, settings.source_locale) for locale in settings.locales}
    cache = stage_cache(settings, "update")
    work = []
    digests = file_digests(settings)

    def fresh(code: str, doc_id: str, template_digest: str) -> bool:
        key = f"{code}/{doc_id}"
        # A catalog the cache knows nothing of is merged whatever it holds, so it is not hashed: on a
        # first run, that would read every catalog once more only to learn that it must be read.
        return cache.stored_inputs(key) is not None and cache.fresh(key, digest(
            template_digest, digests.of(settings.catalog_path(code, doc_id))))

    for doc_id, template_path in template_paths(settings, only):
        template_digest = digests.of(template_path)
        stale = tuple(locale.code for locale in settings.locales if not fresh(locale.code, doc_id, template_digest))
        if stale:
            work.append((doc_id, str(template_path), template_digest, stale))
        result.documents += 1
    source = _source_terms(terms) if work else None
    if source is not None:
        # Notes name the terms found in the source text: the locales' own indexes are not needed.
        prepare_term_indexes(terms, jobs if len(work) >= MINIMUM_ITEMS else 1, targets=False)
        # The check stage of this run will look for the same source terms in the same texts: the
        # workers hand over what they found, and its workers are forked with it.
        source.collect_found()
    WORKER.update(settings=settings, terms=terms, check_only=writer.check_only)
    for done in run_parallel(_update_document, work, jobs):
        writer.take(done["written"])
        result.notes.extend(done["notes"])
        result.errors.extend(CatalogError(message, path, line) for message, path, line in done["errors"])
        add_word_forms(done["forms"])
        if source is not None:
            source.remember_found(done["found"])
        for key, inputs, payload in done["puts"]:
            cache.put(key, inputs, payload)
    if source is not None:
        source.stop_collecting()
    # The cache keys each catalog on its new content: one left as the translator saved it is redone next time.
    result.notes += [f"{path} changed while update ran: left as it is; run update again" for path in writer.commit()]
    if not writer.check_only:
        save_stage_cache(writer, cache, bool(only))
        save_word_forms(settings, writer)
    return result


def _translated_heading(catalog: polib.POFile) -> str | None:
    """The published translation of the article's page heading (for the index pages), if any."""
    for entry in catalog:
        if entry.comment.split("\n", 1)[0] == "page heading" and not entry.obsolete:
            return entry.msgstr if entry.msgstr and "fuzzy" not in entry.flags else None
    return None


def _describe_update(path: str, created: bool, summary: UpdateSummary) -> str:
    if created:
        return f"{path}: created"
    return (f"{path}: {summary.added} new, {summary.fuzzy} fuzzy, {summary.obsolete} obsolete, "
            f"{summary.revived} revived")


def _catalogs(settings: Settings, result: StageResult, only: Iterable[str] = ()):
    """Yield (locale settings, doc_id, path, catalog) for every template and locale; errors go to ``result``."""
    for doc_id, _ in template_paths(settings, only):
        for locale in settings.locales:
            path = settings.catalog_path(locale.code, doc_id)
            if not path.exists():
                result.errors.append(CatalogError("catalog missing; run `make update` first", path))
                continue
            try:
                yield locale, doc_id, path, read_catalog(path)
            except CatalogError as exc:
                result.errors.append(exc)


def _word_forms_path(settings: Settings) -> Path:
    return settings.build_dir / "cache" / "word-forms.json"


#: The glossaries loaded in this process, by file, content and languages: the stages of one run share
#: one Glossary, and so its term indexes and what they matched (TermIndex.remember_found).
_GLOSSARIES: dict[tuple[str, str, tuple[str, ...]], Glossary] = {}


def load_project_glossary(settings: Settings, result: StageResult) -> Glossary:
    """The project's glossary, with the word forms earlier runs saved; a glossary that does not load is
    an error in ``result`` and an empty glossary. The same file with the same content gives the same
    Glossary object for the rest of the process."""
    forms = _word_forms_path(settings)
    if forms.exists():
        load_word_forms(forms.read_text(encoding="utf-8"))
    languages = (settings.source_locale, *(locale.code for locale in settings.locales))
    key = (str(settings.glossary_path), file_digest(settings.glossary_path), languages)
    if key in _GLOSSARIES:
        return _GLOSSARIES[key]
    try:
        glossary = load_glossary(settings.glossary_path, list(languages))
    except PipelineError as exc:
        result.errors.append(exc)
        return Glossary((), str(settings.glossary_path))
    _GLOSSARIES.clear()  # an edited glossary replaces the one before
    _GLOSSARIES[key] = glossary
    return glossary


def glossary_survey(settings: Settings, locale: str, min_count: int = 3):
    """Survey the glossary against every template's source texts (see glossary.survey).

    Returns (terms used, candidate phrases, errors).
    """
    result = StageResult("glossary")
    glossary = load_project_glossary(settings, result)
    texts = []
    for _, path in template_paths(settings):
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
