"""Command line: argparse subcommands, each calling one stage; errors become exit codes.

Exit codes: 0 ok, 1 QA findings over the bar (or, with --check, files that
would change), 2 unusable input or usage.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.config import load_settings
from pipeline.errors import PipelineError
from pipeline.fetch import Fetcher, FetchPolicy
from pipeline.files import LockHeld, project_lock
from pipeline.parallel import collector_paused, default_jobs, start_beside
from pipeline.glossary import load_glossary
from pipeline.qa import CHECKS
from pipeline.report import merge_reports, render_console, render_github
from pipeline.runstate import last_run, remember_run, tree_listing, tree_signature
from pipeline.checking import check_stage, write_reports
from pipeline.publishing import build_stage, pseudo_stage
from pipeline.workflow import (
    StageResult, Writer, extract_stage, fetch_stage, glossary_survey, little_left_to_do, normalize_stage, parse_shard,
    shard_documents, stats_stage, update_stage,
)

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

#: Worker processes for this invocation (-j), read by the stage runners.
JOBS = [1]

_WRITING_STAGES = {
    "normalize": (normalize_stage, "source/<doc>.html -> build/clean/<doc>.html"),
    "extract": (extract_stage, "build/clean/<doc>.html -> locales/templates/<doc>.pot"),
    "update": (update_stage, "templates -> locales/<lang>/LC_MESSAGES/<doc>.po (keeps every translation)"),
    "build": (build_stage, "clean documents + catalogs -> build/site/<lang>/<doc>.html"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Localization pipeline for patient-facing medical content.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="project folder holding pyproject.toml (default: current folder)")
    parser.add_argument("-j", "--jobs", type=int, default=default_jobs(),
                        help="worker processes for update and check (default: the number of cores)")
    parser.add_argument("--shard", metavar="I/N",
                        help="process only shard I of N of the documents (normalize, extract, update, check); "
                             "combine the shards' QA with `check --merge-reports`")
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)
    for name, (_, summary) in _WRITING_STAGES.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.add_argument("documents", nargs="*", metavar="DOC", help="document ids (default: all)")
        sub.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
        if name == "update":
            sub.add_argument("--dry-run", action="store_true",
                             help="write nothing; show what would change per catalog (new, fuzzy, obsolete)")
    fetch = commands.add_parser("fetch", help="download the articles of source/sources.toml into source/",
                                description="Fetch each article of source/sources.toml politely (robots.txt, "
                                            "per-host delay, conditional requests) into source/<id>.html with "
                                            "a source/<id>.meta.json sidecar. Exit 2 if any failed.")
    fetch.add_argument("documents", nargs="*", metavar="ID", help="article ids (default: all)")
    fetch.add_argument("--delay", type=float, default=FetchPolicy.delay,
                       help=f"seconds between requests to one host (default {FetchPolicy.delay:g})")
    check = commands.add_parser("check", help="QA the catalogs; write build/reports/qa.json",
                                description="Run the QA checks; exit 1 on an error finding or a locale under its bar.")
    check.add_argument("documents", nargs="*", metavar="DOC", help="document ids (default: all)")
    check.add_argument("--list", action="store_true", help="list the checks and exit")
    check.add_argument("--merge-reports", nargs="+", type=Path, metavar="QA.JSON",
                       help="combine shard reports into build/reports/qa.{json,xml,html} instead of checking")
    glossary = commands.add_parser("glossary", help="glossary terms found in the sources, and candidates it lacks",
                                   description="List the glossary terms that occur in the source texts (with "
                                               "their translation in a locale) and frequent phrases not in it.")
    glossary.add_argument("--locale", help="locale whose terms to show (default: the first target locale)")
    glossary.add_argument("--min-count", type=int, default=3, help="how often a candidate phrase must occur")
    evaluation = commands.add_parser("qa-eval", help="precision and recall of each check on the labelled set",
                                     description="Run the checks on tests/qa_eval: injected errors and benign "
                                                 "variants of a correct catalog; exit 1 if any case is wrong.")
    evaluation.add_argument("--catalog", type=Path, default=Path("tests/qa_eval/es.po"))
    evaluation.add_argument("--cases", type=Path, default=Path("tests/qa_eval/cases.json"))
    evaluation.add_argument("--locale", default="es")
    stats = commands.add_parser("stats", help="translated / fuzzy / untranslated messages and words")
    stats.add_argument("documents", nargs="*", metavar="DOC", help="document ids (default: all)")
    pseudo = commands.add_parser("pseudo", help="pseudo-localized catalogs and pages (en_XA, ar_XB) in build/pseudo/",
                                 description="Write en_XA (accented, 35%% longer, bracketed) and ar_XB "
                                             "(right-to-left) catalogs for every template, and the site built "
                                             "from them, under build/pseudo/.")
    pseudo.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    serve = commands.add_parser("serve", help="preview build/site on http://127.0.0.1:PORT/")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--directory", type=Path, help="folder to serve (default: build/site)")
    bench = commands.add_parser("bench", help="benchmark every stage on a synthetic encyclopedia, with the peers",
                                description="Generate N synthetic MedlinePlus-shaped articles with catalogs in "
                                            "three locales, time every stage cold, a no-op rerun and a rerun "
                                            "after one edit, against Translate Toolkit and msgmerge; print a "
                                            "table and write build/bench.json.")
    bench.add_argument("--n", type=int, default=1000, help="number of articles (default 1000)")
    bench.add_argument("--no-peers", action="store_true", help="skip Translate Toolkit and msgmerge")
    bench.add_argument("--repeat", type=int, default=1, metavar="R",
                       help="time the cold stages, the floor and the peers R times and report medians (default 1)")
    everything = commands.add_parser("all", help="normalize, extract, update, check, build in order")
    everything.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    return parser


def _print_errors(result: StageResult) -> None:
    for error in result.errors:
        print(f"{error}", file=sys.stderr)


def _summary(result: StageResult, writer: Writer) -> str:
    verb = "would change" if writer.check_only else "written"
    return (f"{result.name}: {result.documents} document(s), {len(writer.changed)} file(s) {verb}, "
            f"{writer.unchanged} unchanged" + (f", {len(result.errors)} error(s)" if result.errors else ""))


def _run_writing(name: str, settings, documents: Sequence[str], check_only: bool, dry_run: bool = False) -> int:
    return _run_writing_stage(name, settings, documents, check_only, dry_run)[0]


def _run_writing_stage(name: str, settings, documents: Sequence[str], check_only: bool,
                       dry_run: bool = False) -> tuple[int, list[str]]:
    """Run one writing stage and print what it did; return its exit code and the files it wrote
    (Writer.changed's paths)."""
    stage, _ = _WRITING_STAGES[name]
    writer = Writer(settings.root, check_only=check_only or dry_run)
    result = stage(settings, writer, documents, jobs=JOBS[0]) if name in ("update", "normalize", "extract", "build") \
        else stage(settings, writer, documents)
    _print_errors(result)
    for note in result.notes:
        print(f"  {note}")
    print(_summary(result, writer))
    if check_only and writer.changed:
        for path in writer.changed:
            print(f"  would change: {path}")
    if result.errors:
        return EXIT_UNUSABLE, writer.changed
    return EXIT_FINDINGS if check_only and writer.changed else EXIT_OK, writer.changed


def _locked(settings, run):
    """Run ``run()`` holding the project's lock; a second run at the same time is refused, not interleaved."""
    try:
        with project_lock(settings.root / ".pipeline.lock"):
            return run()
    except LockHeld as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE


def _run_fetch(settings, documents: Sequence[str], delay: float) -> int:
    writer = Writer(settings.root)
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit="page", file=sys.stderr, leave=False)

    def progress(fetched) -> None:
        line = f"{fetched.id}: {fetched.outcome}" + (f" ({fetched.message})" if fetched.message else "")
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(line[:60])
        else:
            print(line, flush=True)

    try:
        result = fetch_stage(settings, writer, documents, fetcher=Fetcher(FetchPolicy(delay=delay)),
                             progress=progress)
    finally:
        if bar is not None:
            bar.close()
    _print_errors(result)
    print(_summary(result, writer))
    return EXIT_UNUSABLE if result.errors else EXIT_OK


def _run_bench(settings, count: int, peers: bool, repeat: int = 1) -> int:
    import json

    from pipeline.bench import render_table, run_benchmark

    def progress(message: str) -> None:
        print(f"bench: {message}", file=sys.stderr, flush=True)

    result = run_benchmark(settings.build_dir, count, settings.glossary_path, peers=peers, repeat=repeat,
                           progress=progress)
    sys.stdout.write(render_table(result))
    path = settings.build_dir / "bench.json"
    Writer(settings.root).write(path, json.dumps(result.as_json(), indent=2, sort_keys=True) + "\n")
    print(f"figures in {settings.relative(path)}")
    return EXIT_OK


def _run_serve(settings, port: int, directory: Path | None) -> int:
    import functools
    import http.server

    folder = directory or settings.site_dir
    if not folder.is_dir():
        print(f"error: {folder} does not exist; run `make build` first", file=sys.stderr)
        return EXIT_UNUSABLE
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving {folder} on http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return EXIT_OK


def _run_check(settings, documents: Sequence[str], writer: Writer | None = None, stem: str = "qa") -> int:
    writer = writer or Writer(settings.root)
    result = check_stage(settings, writer, documents, stem, jobs=JOBS[0])
    _print_errors(result)
    sys.stdout.write(render_console(result.report, [item.id for item in CHECKS]))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        sys.stdout.write(render_github(result.report))
    print(f"check: {result.documents} catalog(s); report in {settings.relative(settings.reports_dir / 'qa.json')}")
    if result.errors:
        print("hint: run `make update` to create or refresh the catalogs", file=sys.stderr)
        return EXIT_UNUSABLE
    errors = sum(counts["errors"] for counts in result.report["summary"].values())
    return EXIT_FINDINGS if errors else EXIT_OK


def _list_checks() -> int:
    for item in CHECKS:
        print(f"{item.id:18} {item.severity.value:8} {item.scope:8} {item.description}")
    return EXIT_OK


def _run_glossary(settings, locale: str | None, min_count: int) -> int:
    code = locale or settings.locales[0].code
    if code not in [l.code for l in settings.locales]:
        print(f"error: {code!r} is not a target locale in [tool.pipeline.locales]", file=sys.stderr)
        return EXIT_UNUSABLE
    uses, candidates, errors = glossary_survey(settings, code, min_count)
    for error in errors:
        print(error, file=sys.stderr)
    print(f"Glossary terms in the sources ({len(uses)} concepts), with their {code} term:")
    for use in uses:
        target = use.target_term or "(no term for this locale)"
        print(f"  {use.count:4}  {use.source_term} \N{RIGHTWARDS ARROW} {target}")
    print(f"\nFrequent phrases not in the glossary (at least {min_count} times):")
    for phrase, count in candidates:
        print(f"  {count:4}  {phrase}")
    return EXIT_UNUSABLE if errors else EXIT_OK


def _run_evaluation(settings, catalog: Path, cases: Path, locale: str) -> int:
    from pipeline.qa.evaluation import evaluate, load_cases

    catalog, cases = settings.root / catalog, settings.root / cases
    glossary = load_glossary(settings.glossary_path, [settings.source_locale] + [l.code for l in settings.locales])
    result = evaluate(catalog, load_cases(cases), glossary, locale, settings.source_locale)
    print(f"{'check':18} {'precision':>9} {'recall':>7} {'TP':>4} {'FP':>4} {'FN':>4}")
    for score in result.scores:
        if not (score.true_positives or score.false_positives or score.false_negatives):
            continue
        precision = "-" if score.precision is None else f"{score.precision:.2f}"
        recall = "-" if score.recall is None else f"{score.recall:.2f}"
        print(f"{score.check:18} {precision:>9} {recall:>7} {score.true_positives:4} {score.false_positives:4} "
              f"{score.false_negatives:4}")
    errors = [c for c in result.cases if c.kind == "error"]
    benign = [c for c in result.cases if c.kind == "benign"]
    print(f"\ninjected errors caught: {sum(c.passed for c in errors)}/{len(errors)}; "
          f"benign variants unflagged: {sum(c.passed for c in benign)}/{len(benign)}; "
          f"findings on the correct catalog: {len(result.baseline)}")
    for line in result.baseline:
        print(f"  baseline: {line}")
    for case in result.cases:
        if not case.passed:
            print(f"  WRONG {case.kind} {case.label}: expected {case.expected or 'nothing'}, "
                  f"fired {', '.join(case.fired) or 'nothing'}")
    return EXIT_OK if all(c.passed for c in result.cases) and not result.baseline else EXIT_FINDINGS


def _run_stats(settings, documents: Sequence[str]) -> int:
    result, rows = stats_stage(settings, documents)
    _print_errors(result)
    print(f"{'locale':8} {'document':12} {'messages':>17} {'words':>17} {'percent':>8}")
    print(f"{'':8} {'':12} {'done/fuzzy/todo':>17} {'done/fuzzy/todo':>17}")
    for locale, doc_id, stats in rows:
        label = "total" if doc_id == "*" else doc_id
        messages = f"{stats.translated}/{stats.fuzzy}/{stats.untranslated}"
        words = f"{stats.translated_words}/{stats.fuzzy_words}/{stats.untranslated_words}"
        print(f"{locale:8} {label:12} {messages:>17} {words:>17} {stats.percent:7.1f}%")
    return EXIT_UNUSABLE if result.errors else EXIT_OK


class _Tee(io.StringIO):
    """Keeps what is printed while passing it on."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(text)
        return super().write(text)


def _run_all(settings, check_only: bool, shard: tuple[int, int] | None = None) -> int:
    if check_only or shard:
        return _run_stages(settings, check_only, shard)
    # A run that finds the project exactly as the last complete run left it shows that run's
    # report instead of redoing it (see runstate.py).
    record = settings.build_dir / "cache" / "run.json"
    watched = [settings.root / "pyproject.toml", settings.glossary_path, settings.source_dir, settings.locales_dir,
               settings.build_dir]
    environment = os.environ.get("SOURCE_DATE_EPOCH", "")
    before = tree_listing(watched, environment)
    last = last_run(record, before.signature())
    if last is not None:
        print(f"all: no file changed since the last run; its report follows ({settings.relative(record)})")
        sys.stdout.write(last.output)
        return last.code
    tee = _Tee(sys.stdout)
    written: list[str] = []
    with contextlib.redirect_stdout(tee):
        code = _run_stages(settings, check_only, shard, written)
    if code != EXIT_UNUSABLE:
        # The listing the run started from, with what the run wrote stat'ed again: a file someone
        # else changed meanwhile keeps its old line, so the next run sees it changed and does its work.
        after = before.after_writing(str(settings.root / path) for path in written)
        signature = after.signature() if after is not None else tree_signature(watched, environment)
        remember_run(record, signature, tee.getvalue(), code)
    return code


def _run_stages(settings, check_only: bool, shard: tuple[int, int] | None, written: list[str] | None = None) -> int:
    """Run every stage in turn (check and build side by side after a small change); add the files
    they wrote (relative to the root, as Writer.changed has them) to ``written``."""
    written = [] if written is None else written
    documents = shard_documents(settings, shard) if shard else ()
    stem = f"qa.shard-{shard[0]}-of-{shard[1]}" if shard else "qa"
    codes = []
    for name in ("normalize", "extract", "update"):
        code, changed = _run_writing_stage(name, settings, documents, check_only)
        codes.append(code)
        written += changed
    files_changed = len(written)
    check_writer = Writer(settings.root, check_only=check_only)
    if shard:  # the site links every article to every other: built once, over all documents
        codes.append(_run_check(settings, documents, check_writer, stem))
        written += check_writer.changed
    elif JOBS[0] > 1 and not check_only and little_left_to_do(settings, files_changed):
        # Check and build read the same inputs and write different files: after a small change each
        # is a second or so of work in one process, so they run side by side on two cores. (After a
        # large one each has a pool of its own, and they run one after the other.)
        check = start_beside(_run_check_beside, settings, documents, check_writer, stem)
        build_output = io.StringIO()
        try:
            with contextlib.redirect_stdout(build_output):
                build_code, changed = _run_writing_stage("build", settings, (), check_only)
                written += changed
        finally:
            # Waited for even when build fails: check's files are complete before the lock is let go.
            # What check printed comes first, as when the stages run in turn.
            check_code, changed = check()
            codes.append(check_code)
            written += changed
            sys.stdout.write(build_output.getvalue())
        codes.append(build_code)
    else:
        codes.append(_run_check(settings, documents, check_writer, stem))
        written += check_writer.changed
        build_code, changed = _run_writing_stage("build", settings, (), check_only)
        codes.append(build_code)
        written += changed
    return max(codes)


def _run_check_beside(settings, documents: Sequence[str], writer: Writer, stem: str) -> tuple[int, list[str]]:
    """_run_check in a process of its own: its exit code, and the files it wrote."""
    return _run_check(settings, documents, writer, stem), writer.changed


def _run_merge(settings, paths: Sequence[Path]) -> int:
    import json

    reports = []
    for path in paths:
        try:
            reports.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            print(f"error: {path}: cannot read QA report: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
    merged = merge_reports(reports)
    write_reports(settings, Writer(settings.root), merged)
    sys.stdout.write(render_console(merged, [item.id for item in CHECKS]))
    print(f"check: merged {len(reports)} report(s) into {settings.relative(settings.reports_dir / 'qa.json')}")
    return EXIT_FINDINGS if sum(c["errors"] for c in merged["summary"].values()) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command of the pipeline and return its exit code (0 ok, 1 findings, 2 unusable input)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_UNUSABLE
    if args.command == "check" and args.list:
        return _list_checks()
    JOBS[0] = max(1, args.jobs)
    try:
        shard = parse_shard(args.shard) if args.shard else None
    except ValueError:
        print(f"error: --shard must be I/N with 1 <= I <= N, not {args.shard!r}", file=sys.stderr)
        return EXIT_UNUSABLE
    if shard and args.command not in ("normalize", "extract", "update", "check", "all"):
        print(f"error: --shard applies to normalize, extract, update, check and all, not {args.command}",
              file=sys.stderr)
        return EXIT_UNUSABLE
    # The collector is paused while a command works: a run's objects form no cycles (see
    # tests/test_parallel.py), and scanning the caches it holds cost a run after one edit
    # 0.15-0.2 s. Not for the commands that run for long (serve, fetch) or run others (bench).
    with contextlib.nullcontext() if args.command in ("serve", "fetch", "bench") else collector_paused():
        try:
            settings = load_settings(args.root)
            if shard:
                chosen = set(shard_documents(settings, shard))
                if not chosen:
                    print(f"shard {shard[0]}/{shard[1]}: no documents")
                    return EXIT_OK
                args.documents = sorted(chosen & set(args.documents)) if getattr(args, "documents", None) else \
                    sorted(chosen)
            if args.command in _WRITING_STAGES:
                return _locked(settings, lambda: _run_writing(args.command, settings, args.documents, args.check,
                                                              getattr(args, "dry_run", False)))
            if args.command == "pseudo":
                writer = Writer(settings.root, check_only=args.check)
                result = pseudo_stage(settings, writer)
                _print_errors(result)
                print(_summary(result, writer))
                return EXIT_UNUSABLE if result.errors else (EXIT_FINDINGS if args.check and writer.changed else EXIT_OK)
            if args.command == "bench":
                return _run_bench(settings, args.n, not args.no_peers, max(1, args.repeat))
            if args.command == "serve":
                return _run_serve(settings, args.port, args.directory)
            if args.command == "fetch":
                return _locked(settings, lambda: _run_fetch(settings, args.documents, args.delay))
            if args.command == "check" and args.merge_reports:
                return _run_merge(settings, args.merge_reports)
            if args.command == "check":
                return _run_check(settings, args.documents, None,
                                  f"qa.shard-{shard[0]}-of-{shard[1]}" if shard else "qa")
            if args.command == "glossary":
                return _run_glossary(settings, args.locale, args.min_count)
            if args.command == "qa-eval":
                return _run_evaluation(settings, args.catalog, args.cases, args.locale)
            if args.command == "stats":
                return _run_stats(settings, args.documents)
            return _locked(settings, lambda: _run_all(settings, args.check, shard))
        except PipelineError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_UNUSABLE
