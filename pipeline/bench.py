"""The benchmark: a deterministic synthetic encyclopedia, every stage timed, and the peers on the same work.

``make bench`` (``python -m pipeline bench``) generates N MedlinePlus-shaped
articles with catalogs in three locales under build/bench/, times each stage
cold, a no-op rerun and a rerun after editing one article, the floor (reading
and parsing every page with lxml alone), and Translate Toolkit (html2po,
pofilter, po2html) and GNU msgmerge doing the same stages; it prints a table
and writes build/bench.json. Nothing here is asserted: the figures are for
people to read.
"""

from __future__ import annotations

import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BenchResult", "generate_corpus", "run_benchmark", "render_table", "LOCALES"]

#: The three locales of the benchmark corpus, as in the shipped project.
LOCALES = ("es", "ar", "zh_Hans")

_WORDS = ("liver kidney heart lung blood cancer tumor cells tissue organ artery vein infection fever pain nausea "
          "treatment surgery chemotherapy radiation therapy medicine dose doctor provider test scan biopsy result "
          "symptom sign disease condition patient body skin bone muscle nerve brain stomach bowel colon pancreas "
          "spread grow remove reduce block check measure diagnose prevent cause help may can often usually rarely "
          "most some many few early late severe mild chronic acute normal high low level amount weight appetite "
          "swelling bleeding bruising fatigue weakness confusion headache cough rash itching vomiting diarrhea").split()
_SHARED = [
    "Fever", "Nausea and vomiting", "Weight loss", "Fatigue", "Loss of appetite", "Pain in the abdomen",
    "Call your health care provider if you have any of these symptoms.", "Causes", "Symptoms", "Exams and Tests",
    "Treatment", "Outlook (Prognosis)", "Possible Complications", "When to Contact a Medical Professional",
    "Prevention", "Alternative Names", "References", "Blood tests", "CT scan of the abdomen", "MRI of the abdomen",
    "Ultrasound of the abdomen", "Liver biopsy", "Chemotherapy", "Radiation therapy", "Surgery",
    "Talk to your provider about the risks and benefits of treatment.",
    "Early detection may prevent complications.", "Your provider will examine you and ask about your symptoms.",
]
_SCRIPT = ("(function(w,d){var q=w.mplus||{};q.init=function(){var s=d.querySelectorAll('.section-button');"
           "for(var i=0;i<s.length;i++){s[i].addEventListener('click',function(e){e.target.parentNode"
           ".classList.toggle('open');});}};w.mplus=q;})(window,document);")


def _sentence(rng: random.Random, words: int) -> str:
    picked = [rng.choice(_WORDS) for _ in range(words)]
    picked[0] = picked[0].capitalize()
    if rng.random() < 0.2:
        picked.insert(rng.randrange(1, len(picked)), f"{rng.randint(1, 500)} mg")
    return " ".join(picked) + "."


def _segment(rng: random.Random, shared: float = 1 / 3) -> str:
    return rng.choice(_SHARED) if rng.random() < shared else _sentence(rng, rng.randint(8, 30))


def synthetic_page(number: int) -> str:
    """One MedlinePlus-shaped article (30-60 KB with chrome, scripts and styles), the same for the same number."""
    rng = random.Random(number)
    doc = f"{number:06d}"
    title = " ".join(rng.choice(_WORDS) for _ in range(3)).capitalize()
    sections = []
    for index in range(rng.randint(9, 14)):
        paragraphs = []
        for _ in range(rng.randint(2, 4)):
            if rng.random() < 0.3:  # text every article shares
                paragraphs.append(f"<p>{rng.choice(_SHARED[-4:])}</p>")
                continue
            text = " ".join(_sentence(rng, rng.randint(10, 26)) for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.08:
                text = text.replace(" ", "\u00c2\u00a0", 1)  # a scraper's mojibake NBSP, now and then
            paragraphs.append(f"<p>{text} See <a href=\"{rng.randint(1, 9999):06d}.htm\">"
                              f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}</a>.</p>")
        items = "".join(f"<li>{_segment(rng)}</li>\n" for _ in range(rng.randint(4, 8)))
        heading = _SHARED[7 + index % 10] if index < 10 else _sentence(rng, 3).rstrip(".")
        sections.append(f'<div class="section"><div class="section-header"><div class="section-title">'
                        f'<h2>{heading}</h2></div><div class="section-button"><button type="button" '
                        f'onclick="mplus.toggle(this)">Expand Section</button></div></div>\n'
                        f'<div class="section-body">\n{"".join(paragraphs)}\n<ul>\n{items}</ul>\n</div></div>\n')
    chrome_links = "".join(f'<li><a href="https://medlineplus.gov/{w}.html">{w.capitalize()}</a></li>'
                           for w in _WORDS[:40])
    filler = rng.randint(12, 28)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}: MedlinePlus Medical Encyclopedia</title>
<meta name="description" content="{_sentence(rng, 14)}">
<link rel="canonical" href="https://medlineplus.gov/ency/article/{doc}.htm">
<style>{".mplus-" * 200}{{display:block}} body{{margin:0}}</style>
<script>{_SCRIPT * filler}</script>
</head>
<body>
<a class="skip-nav" href="#mplus-content">Skip navigation</a>
<header id="mplus-header"><nav><ul>{chrome_links}</ul></nav>
<form action="/search"><input name="q"><button>GO</button></form>
<a href="https://medlineplus.gov/spanish/" lang="es">Espa\u00c3\u00b1ol</a></header>
<div id="mplus-content"><article>
<div class="page-info"><div id="breadcrumbs">You Are Here: <a href="/">Home</a></div></div>
<div class="page-title"><h1>{title}</h1></div>
<div class="main">
<div id="ency_summary"><p>{_sentence(rng, 20)}</p></div>
{"".join(sections)}
</div>
<div class="side"><p>Read more</p></div>
<div id="ency-disclaimer"><p>The information provided herein should not be used during any medical emergency.</p></div>
</article></div>
<footer><ul>{chrome_links}</ul><p>Page last updated: {rng.randint(1, 28)} March 2020</p></footer>
<script>{_SCRIPT * (filler // 2)}</script>
</body>
</html>
"""


_PYPROJECT = """[tool.pipeline]
source_locale = "en"
project_name = "Benchmark encyclopedia"
glossary = "locales/glossary.csv"

[tool.pipeline.locales.es]
bar = 0
publish = 50

[tool.pipeline.locales.ar]
bar = 0
publish = 50

[tool.pipeline.locales.zh_Hans]
bar = 0
publish = 50
"""


def _fill_catalogs(root: Path, seed: int) -> None:
    """Translate about 60% of each catalog (a tenth of that fuzzy) and add stale obsolete entries."""
    from pipeline.catalogs import read_catalog, render_catalog
    import polib

    from pipeline.glossary import load_glossary, term_index

    rng = random.Random(seed)
    glossary = load_glossary(root / "locales" / "glossary.csv", ["en", *LOCALES])
    source_terms = term_index(glossary, "en", ("preferred", "admitted"))

    def machine_translation(msgid: str, locale: str) -> str:
        # Glossary terms become the locale's preferred terms, as a translator's
        # would; the rest stays as it is, marked with the locale.
        # The locale tag marks the text without brackets, which the brackets
        # check would rightly report on every entry.
        text, shift, done = msgid, 0, set()
        for match in source_terms.find(msgid):
            concept, _ = match.key
            approved = concept.approved(locale)
            if approved and concept.translate and (match.start, match.end) not in done:
                done.add((match.start, match.end))  # several concepts may share one span
                text = text[:match.start + shift] + approved[0].text + text[match.end + shift:]
                shift += len(approved[0].text) - (match.end - match.start)
        return f"{locale}: {text}"

    for path in sorted((root / "locales").rglob("*.po")):
        catalog = read_catalog(path)
        tag = path.parts[-3]
        for entry in catalog:
            if entry.msgid and rng.random() < 0.6:
                entry.msgstr = machine_translation(entry.msgid, tag)
                if rng.random() < 0.1:
                    entry.flags.append("fuzzy")
        for number in range(2):
            catalog.append(polib.POEntry(msgid=f"Removed sentence {number} of {path.stem}.",
                                         msgstr=f"{tag}: removed {number}", obsolete=True))
        path.write_text(render_catalog(catalog), encoding="utf-8")


def generate_corpus(folder: Path, count: int, glossary: Path) -> Path:
    """Create (or reuse) a deterministic project of ``count`` articles with catalogs in three locales.

    Returns the folder of the pristine project. The catalogs are partly
    translated, partly fuzzy, with obsolete entries, and a tenth of the pages
    changed since the catalogs were made, so a cold update has merging to do.
    """
    from pipeline.config import load_settings
    from pipeline.workflow import Writer, extract_stage, normalize_stage, update_stage

    pristine = folder / f"corpus-{count}"
    marker = pristine / ".complete"
    if marker.exists():
        return pristine
    _set_aside(pristine)  # an interrupted generation's
    (pristine / "source").mkdir(parents=True)
    (pristine / "locales").mkdir()
    (pristine / "pyproject.toml").write_text(_PYPROJECT, encoding="utf-8")
    shutil.copy(glossary, pristine / "locales" / "glossary.csv")
    for number in range(count):
        (pristine / "source" / f"{number:06d}.html").write_text(synthetic_page(number), encoding="utf-8")
    settings = load_settings(pristine)
    from pipeline.parallel import default_jobs

    normalize_stage(settings, Writer(settings.root), jobs=default_jobs())
    extract_stage(settings, Writer(settings.root), jobs=default_jobs())
    update_stage(settings, Writer(settings.root), jobs=default_jobs())
    _fill_catalogs(pristine, count)
    for number in range(0, count, 10):  # pages edited since the catalogs were last updated
        page = pristine / "source" / f"{number:06d}.html"
        page.write_text(page.read_text(encoding="utf-8").replace(" See ", " Also see ", 1), encoding="utf-8")
    _set_aside(pristine / "build", folder)
    marker.write_text("ok\n")
    return pristine


@dataclass
class BenchResult:
    """The figures of one benchmark run; ``as_json`` gives build/bench.json's keys."""

    n: int
    locales: tuple[str, ...]
    source_mb: float
    stages: dict[str, dict[str, float | None]] = field(default_factory=dict)
    floor_seconds: float = 0.0
    noop_seconds: float = 0.0
    noop_caches_seconds: float = 0.0
    one_edit_seconds: float = 0.0
    one_edit_runs: list[float] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    peer_notes: list[str] = field(default_factory=list)
    #: Each cold run's seconds by stage, ours and the peers' taken just after it (None: not run), in
    #: run order: this machine's speed drifts, and the spread of the ratios shows by how much.
    runs: list[dict[str, dict[str, float] | None]] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        """Our cold run, all stages."""
        return sum(stage["seconds"] for stage in self.stages.values())

    @property
    def peer_total_seconds(self) -> float | None:
        """Translate Toolkit and msgmerge doing the same stages (None when not run)."""
        peers = [stage["peer_seconds"] for stage in self.stages.values() if stage["peer_seconds"] is not None]
        return sum(peers) if peers else None

    def as_json(self) -> dict:
        """build/bench.json."""
        return {"n": self.n, "locales": list(self.locales), "stages": self.stages,
                "total_seconds": round(self.total_seconds, 3),
                "peer_total_seconds": None if self.peer_total_seconds is None else round(self.peer_total_seconds, 3),
                "floor_seconds": round(self.floor_seconds, 3), "noop_seconds": round(self.noop_seconds, 3),
                "noop_caches_seconds": round(self.noop_caches_seconds, 3),
                "one_edit_seconds": round(self.one_edit_seconds, 3),
                "one_edit_runs": [round(seconds, 3) for seconds in self.one_edit_runs],
                "peak_rss_mb": round(self.peak_rss_mb, 1),
                "source_mb": round(self.source_mb, 1),
                "runs": [{side: None if seconds is None else {name: round(value, 3) for name, value in seconds.items()}
                          for side, seconds in run.items()} for run in self.runs]}


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _floor(source: Path) -> float:
    import lxml.html

    def work():
        for page in sorted(source.glob("*.html")):
            lxml.html.tostring(lxml.html.document_fromstring(page.read_bytes()))

    return _timed(work)


def _run_measured(command: list[str], output) -> tuple[float, float]:
    """Run ``command`` with its output (both streams) to the file ``output``; return its seconds and
    the peak resident memory of it and its workers, in MB (wait4 reports that process tree's alone)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: Popen must not wait for it again
    return seconds, usage.ru_maxrss / 1024


def _run(command: list[str], cwd: Path | None = None) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _tool(name: str) -> str | None:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def _translate_templates(templates: Path, folder: Path, locale: str) -> None:
    """Write html2po's templates as .po files (which po2html reads; it skips .pot) with 60% of
    the messages translated, as in our own catalogs."""
    from pipeline.catalogs import read_catalog, render_catalog

    rng = random.Random(locale)
    for template in sorted(templates.rglob("*.pot")):
        catalog = read_catalog(template)
        for entry in catalog:
            if rng.random() < 0.6:
                entry.msgstr = f"{locale}: {entry.msgid}"
        target = folder / template.relative_to(templates).with_suffix(".po")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_catalog(catalog), encoding="utf-8")


def _peer_run(pristine: Path, scratch: Path, result: BenchResult,
              progress: Callable[[str], None]) -> dict[str, float] | None:
    """One run of the peers; their seconds by our stage names (None when they are not installed)."""
    tools = {name: _tool(name) for name in ("html2po", "pofilter", "po2html", "msgmerge")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        result.peer_notes.append(f"peers not run: {', '.join(missing)} not installed (pip install '.[dev]')")
        return None
    _set_aside(scratch)  # as for our own runs
    scratch.mkdir(parents=True)
    os.sync()
    source = pristine / "source"
    progress("peers: html2po")
    extract = _timed(lambda: _run([tools["html2po"], "--progress=none", "--pot", "-i", str(source),
                                   "-o", str(scratch / "pot")]))
    progress("peers: msgmerge")
    catalogs = sorted((pristine / "locales").rglob("*.po"))

    def merge():
        for catalog in catalogs:
            template = pristine / "locales" / "templates" / f"{catalog.stem}.pot"
            if template.exists():
                _run([tools["msgmerge"], "--quiet", "-o", str(scratch / "merged.po"), str(catalog), str(template)])

    update = _timed(merge)
    progress("peers: pofilter")
    check = sum(_timed(lambda code=code: _run([tools["pofilter"], "--progress=none", "-i",
                                               str(pristine / "locales" / code), "-o", str(scratch / f"qa-{code}")]))
                for code in LOCALES)
    progress("peers: po2html")
    for code in LOCALES:  # po2html needs catalogs of its own segmentation: html2po's templates, translated
        _translate_templates(scratch / "pot", scratch / f"po-{code}", code)
    build = sum(_timed(lambda code=code: _run([tools["po2html"], "--progress=none", "-i", str(scratch / f"po-{code}"),
                                               "-t", str(source), "-o", str(scratch / f"html-{code}")]))
                for code in LOCALES)
    return {"extract": extract, "update": update, "check": check, "build": build}


def _set_aside(folder: Path, under: Path | None = None) -> None:
    """Move ``folder`` (a copy an earlier timed run used) out of the way, into ``under`` (default: beside
    it), to be removed after the last timing (_remove_set_aside). Nothing is deleted before a timed
    run: the pending writes and discards of a folder removed just before slowed that run's file
    creation 1.5 to 2 times on this machine's disk, and on ext4 without a journal (this machine's)
    a new file's inode is looked for past every inode freed in the last minutes: 3,000 files took
    2.88 s to create (2.84 s of it in the kernel) just after 20,000 were deleted, 0.29 s before."""
    if folder.exists():
        aside = (under or folder.parent) / f"{folder.name}.set-aside-{time.time_ns()}"
        folder.rename(aside)


def _remove_set_aside(folder: Path) -> None:
    """Remove the copies _set_aside moved away under ``folder`` (also those of an interrupted run): at
    the end of a benchmark, after its last timing."""
    for leftover in folder.glob("*.set-aside-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _cold_run(pristine: Path, work: Path, progress: Callable[[str], None]) -> tuple[dict[str, float], float]:
    """Copy the pristine corpus to ``work`` and time each stage on it, cold: in a new interpreter,
    so that nothing this process remembers (word forms, term matches, written lines) helps.
    Returns the stages' seconds and the run's peak memory in MB."""
    # The copy is the setup, not the work: left pending, its writeback would be paid by the first
    # stage that syncs a file, since ext4 commits a file's journal with everything in it.
    _set_aside(work)
    shutil.copytree(pristine, work)
    os.sync()
    progress("stages: normalize, extract, update, check, build (in a new process)")
    with tempfile.TemporaryFile("w+") as output:
        _, peak_mb = _run_measured([sys.executable, "-m", "pipeline.bench", str(work)], output)
        output.seek(0)
        printed = output.read()
    try:
        return json.loads(printed.strip().splitlines()[-1]), peak_mb
    except (IndexError, json.JSONDecodeError):
        raise RuntimeError(f"the timed run of the stages failed:\n{printed}") from None


def _time_stages(work: Path) -> dict[str, float]:
    """Time each stage once on the project at ``work``, in this process, with all cores."""
    from pipeline.config import load_settings
    from pipeline.parallel import collector_paused, default_jobs
    from pipeline.checking import check_stage
    from pipeline.publishing import build_stage
    from pipeline.workflow import Writer, extract_stage, normalize_stage, update_stage

    settings = load_settings(work)
    jobs = default_jobs()
    seconds = {}
    with collector_paused():  # as the command line runs them
        for name, stage in (("normalize", normalize_stage), ("extract", extract_stage), ("update", update_stage),
                            ("check", check_stage), ("build", build_stage)):
            seconds[name] = _timed(lambda stage=stage: stage(settings, Writer(settings.root), jobs=jobs))
    return seconds


def run_benchmark(build_dir: Path, count: int, glossary: Path, *, peers: bool = True, repeat: int = 1,
                  progress: Callable[[str], None] = lambda message: None) -> BenchResult:
    """Run the whole benchmark on ``count`` synthetic articles under ``build_dir/bench``; return its figures.

    With ``repeat`` above 1, the cold stages, the floor and the peers run that many times (a cold run
    of ours, then one of the peers, in turn) and each figure is the median.
    """
    folder = build_dir / "bench"  # what an interrupted run left is removed at the end, with this run's
    # The timed runs start Python afresh, as `make` does; like `make`, have the package's bytecode
    # ready, or each would compile the pipeline again wherever PYTHONDONTWRITEBYTECODE is set.
    compileall.compile_dir(Path(__file__).parent, quiet=1)
    progress(f"corpus: {count} articles")
    pristine = generate_corpus(folder, count, glossary)
    work = folder / f"work-{count}"
    source_mb = sum(p.stat().st_size for p in (pristine / "source").glob("*.html")) / 1e6
    result = BenchResult(count, LOCALES, source_mb)
    progress("floor: lxml parse and serialize")
    result.floor_seconds = statistics.median(_floor(pristine / "source") for _ in range(repeat))
    # Ours and the peers' alternate, run by run: this machine's speed drifts over minutes, and each
    # ratio should compare runs made under the same conditions.
    runs, peer_runs, peaks = [], [], []
    for number in range(repeat):
        progress(f"cold run {number + 1} of {repeat}")
        seconds, peak_mb = _cold_run(pristine, work, progress)
        runs.append(seconds)
        peaks.append(peak_mb)
        if peers and (not peer_runs or peer_runs[-1] is not None):
            peer_runs.append(_peer_run(pristine, folder / f"peers-{count}", result, progress))
    result.runs = [{"ours": run, "peers": peer_runs[number] if number < len(peer_runs) else None}
                   for number, run in enumerate(runs)]
    for name in runs[0]:
        seconds = statistics.median(run[name] for run in runs)
        result.stages[name] = {"seconds": round(seconds, 3), "peer_seconds": None,
                               "articles_per_second": round(count / seconds, 1) if seconds else None,
                               "mb_per_second": round(source_mb / seconds, 2) if seconds else None}
    if peer_runs and peer_runs[-1] is not None:
        for name in peer_runs[0]:
            result.stages[name]["peer_seconds"] = round(statistics.median(run[name] for run in peer_runs), 3)
        result.peer_notes.append("html2po does normalize and extract in one step; its time is under extract, "
                                 "and its ratio is to our normalize + extract")
    if repeat > 1:
        result.peer_notes.append(f"each figure is the median of {repeat} runs, ours and the peers' taken in turn")
    command = [sys.executable, "-m", "pipeline", "--root", str(work), "all"]
    progress("no-op rerun")
    with open(folder / f"noop-{count}.log", "w") as log:
        # The first `all` after the stages ran one by one finds every stage's cache fresh; the second
        # is `make` after `make`, which the run signature answers without opening a document.
        result.noop_caches_seconds, peak_mb = _run_measured(command, log)
        peaks.append(peak_mb)
        noops = [_run_measured(command, log) for _ in range(repeat)]
        result.noop_seconds = statistics.median(seconds for seconds, _ in noops)
        peaks += [peak_mb for _, peak_mb in noops]
    progress("rerun after editing one article")
    page = work / "source" / "000000.html"
    original = page.read_text(encoding="utf-8")
    edited = original.replace(" See ", " Then see ", 1)
    with open(folder / f"one-edit-{count}.log", "w") as log:
        for number in range(repeat):  # the edit, its undo, the edit again: each run finds one article changed
            page.write_text(original if number % 2 else edited, encoding="utf-8")
            seconds, peak_mb = _run_measured(command, log)
            result.one_edit_runs.append(seconds)
            peaks.append(peak_mb)
    result.one_edit_seconds = statistics.median(result.one_edit_runs)
    result.peak_rss_mb = max(peaks)  # the pipeline's runs only (each with its workers), not the peers'
    _remove_set_aside(folder)
    return result


def render_table(result: BenchResult) -> str:
    """The figures as a table for a terminal."""
    lines = [f"{result.n} articles, {result.source_mb:.1f} MB of HTML, locales {', '.join(result.locales)}",
             f"{'stage':10} {'ours s':>9} {'art/s':>8} {'MB/s':>7} {'peers s':>9} {'peers/ours':>10}"]
    for name, stage in result.stages.items():
        peer = stage["peer_seconds"]
        ours = stage["seconds"]
        if name == "extract" and result.stages.get("normalize", {}).get("peer_seconds") is None:
            ours += result.stages.get("normalize", {}).get("seconds", 0)  # html2po's one step is both
        ratio = f"{peer / ours:.1f}x" if peer and ours else "-"
        lines.append(f"{name:10} {stage['seconds']:9.2f} {stage['articles_per_second'] or 0:8.1f} "
                     f"{stage['mb_per_second'] or 0:7.2f} {peer if peer is not None else '-':>9} {ratio:>10}")
    peer_total = result.peer_total_seconds
    total_ratio = f"{peer_total / result.total_seconds:.1f}x" if peer_total else "-"
    lines.append(f"{'total':10} {result.total_seconds:9.2f} {'':8} {'':7} "
                 f"{round(peer_total, 2) if peer_total else '-':>9} {total_ratio:>10}")
    lines.append(f"floor (read + lxml parse/serialize): {result.floor_seconds:.2f} s; "
                 f"normalize+extract = {(result.stages['normalize']['seconds'] + result.stages['extract']['seconds']) / result.floor_seconds:.1f}x floor")
    lines.append(f"no-op rerun: {result.noop_seconds:.2f} s (with every stage consulting its cache: "
                 f"{result.noop_caches_seconds:.2f} s); rerun after one edit: {result.one_edit_seconds:.2f} s"
                 + (f" (runs: {', '.join(f'{seconds:.2f}' for seconds in result.one_edit_runs)})"
                    if len(result.one_edit_runs) > 1 else "")
                 + f"; peak memory: {result.peak_rss_mb:.0f} MB")
    compared = [(sum(run["ours"].values()), sum(run["peers"].values())) for run in result.runs if run["peers"]]
    if len(compared) > 1:
        lines.append("each run, ours / peers: " + ", ".join(f"{ours:.1f} / {peers:.1f} s ({peers / ours:.1f}x)"
                                                           for ours, peers in compared))
    lines += [f"note: {note}" for note in result.peer_notes]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # one cold run, for run_benchmark: the stages' seconds as the last line, in JSON
    print(json.dumps(_time_stages(Path(sys.argv[1]))))
