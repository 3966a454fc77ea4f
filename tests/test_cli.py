import json
import os
import pstats
import shutil
import subprocess
import sys

from lxml import html as lxml_html

from pipeline.cli import main
from tests.conftest import FIXTURES, MOJIBAKE, ROOT

CHROME_IN_CATALOGS = ["Skip navigation", "Show Search", "Return to top", "Health Topics", "Drugs & Supplements",
                      "Videos & Tools", "About MedlinePlus", "Site Map", "Customer Support", "Read more",
                      "You Are Here", "To use the sharing features", "Español"]


def tree_state(root):
    """Map every file under the project's outputs to (bytes, mtime)."""
    state = {}
    for folder in ("build", "locales"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                state[str(path.relative_to(root))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return state


def run(project, *argv):
    return main(["--root", str(project), *argv])


def test_whole_pipeline_on_the_shipped_project(project, capsys):
    assert run(project, "all") == 0
    catalogs = sorted((project / "locales").rglob("*.po*"))
    assert len(catalogs) == 8, "article and site catalogs: 2 templates, 3 locales"
    for path in catalogs:
        text = path.read_text(encoding="utf-8")
        assert not MOJIBAKE.search(text), path
        for chrome in CHROME_IN_CATALOGS:
            assert f'msgid "{chrome}' not in text, (path, chrome)
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True, capture_output=True)
    for path in (project / "build").rglob("*.html"):
        assert not MOJIBAKE.search(path.read_text(encoding="utf-8")), path

    spanish = lxml_html.document_fromstring((project / "build/site/es/000277.html").read_text(encoding="utf-8"))
    assert spanish.get("lang") == "es"
    assert spanish.findtext(".//title") == "Metástasis hepáticas: Enciclopedia médica MedlinePlus"
    assert spanish.find(".//h1").text == "Metástasis hepáticas"
    assert not spanish.xpath("//article//*[@lang]"), "the Spanish page is complete: nothing falls back"
    arabic = lxml_html.document_fromstring((project / "build/site/ar/000277.html").read_text(encoding="utf-8"))
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    assert arabic.xpath("//article//*[@lang='en']"), "the Arabic page is half done: some blocks fall back"

    report = json.loads((project / "build/reports/qa.json").read_text(encoding="utf-8"))
    assert report["summary"]["es"]["percent"] == 100.0
    assert report["findings"] == []
    index = (project / "build/site/index.html").read_text(encoding="utf-8")
    assert 'href="es/000277.html"' in index and "100%" in index


def test_second_run_rewrites_nothing(project, capsys):
    assert run(project, "all") == 0
    before = tree_state(project)
    assert run(project, "all") == 0
    assert tree_state(project) == before
    assert run(project, "all", "--check") == 0


def test_a_run_over_an_untouched_project_shows_the_last_report_and_any_write_reruns_the_stages(project, capsys):
    assert run(project, "all") == 0
    first = capsys.readouterr().out
    assert run(project, "all") == 0
    again = capsys.readouterr().out
    assert again.startswith("all: no file changed since the last run") and again.endswith(first)

    source = project / "source" / "000277.html"
    source.write_text(source.read_text(encoding="utf-8").replace("liver", "Liver", 1), encoding="utf-8")
    assert run(project, "all") == 1  # a new message: es falls below its bar of 100%
    assert "no file changed" not in capsys.readouterr().out
    assert "Liver" in (project / "build/clean/000277.html").read_text(encoding="utf-8")
    assert run(project, "all") == 1  # the remembered run keeps its exit code
    assert capsys.readouterr().out.startswith("all: no file changed")

    page = project / "build/site/ar/000277.html"
    page.unlink()  # an output removed by hand is an output to make again
    assert run(project, "all") == 1
    assert "no file changed" not in capsys.readouterr().out and page.exists()

    catalog = project / "locales/es/LC_MESSAGES/000277.po"
    catalog.write_bytes(catalog.read_bytes())  # the same bytes written again: the stages run, and find nothing to do
    assert run(project, "all") == 1
    assert "no file changed" not in capsys.readouterr().out


def test_check_mode_reports_pending_changes_without_writing(project, capsys):
    assert run(project, "normalize", "--check") == 1
    assert not (project / "build").exists()
    assert "would change: build/clean/000277.html" in capsys.readouterr().out


def test_locale_below_its_bar_fails_check(project, capsys):
    assert run(project, "all") == 0
    path = project / "locales/es/LC_MESSAGES/000277.po"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('msgstr "Causas"', 'msgstr ""'), encoding="utf-8")
    assert run(project, "check") == 1
    out = capsys.readouterr().out
    assert "locales/es/LC_MESSAGES/000277.po:1: error: 98.7% translated (74 of 75 messages" in out
    assert path.read_text(encoding="utf-8") == text.replace('msgstr "Causas"', 'msgstr ""'), "check never writes"


def test_broken_catalog_is_named_left_alone_and_the_others_still_update(project, capsys):
    assert run(project, "all") == 0
    broken = project / "locales/ar/LC_MESSAGES/000277.po"
    shutil.copy(FIXTURES / "po/bad.unterminated-string.po", broken)
    original = broken.read_bytes()
    source = project / "source/000277.html"
    source.write_text(source.read_text(encoding="utf-8").replace("<p>Treatment depends on:</p>",
                                                                 "<p>Treatment depends on these:</p>"),
                      encoding="utf-8")
    assert run(project, "all") == 2
    err = capsys.readouterr().err
    assert f"{broken}:8: cannot parse catalog: unterminated string" in err
    assert broken.read_bytes() == original
    spanish = (project / "locales/es/LC_MESSAGES/000277.po").read_text(encoding="utf-8")
    assert '#| msgid "Treatment depends on:"' in spanish
    assert 'msgid "Treatment depends on these:"\nmsgstr "El tratamiento depende de:"' in spanish


def test_one_unusable_page_does_not_stop_the_others(project, capsys):
    shutil.copy(FIXTURES / "pages/bad.no-article.html", project / "source/menu-only.html")
    shutil.copy(FIXTURES / "pages/generic-article.html", project / "source/type-2-diabetes.html")
    assert run(project, "all") == 2
    err = capsys.readouterr().err
    assert "source/menu-only.html: no article content found on the page" in err
    assert (project / "locales/templates/type-2-diabetes.pot").exists()
    assert (project / "build/site/en/type-2-diabetes.html").exists()
    assert not (project / "build/site/es/type-2-diabetes.html").exists(), "untranslated: below the publishing bar"


def test_missing_settings_and_bad_usage_exit_2(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "all"]) == 2
    assert "pyproject.toml: no pyproject.toml here" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2


def test_installed_entry_point_lists_the_commands():
    completed = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True,
                               check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    for command in ("normalize", "extract", "update", "check", "build", "stats", "all"):
        assert command in completed.stdout


def test_the_command_ends_with_its_code_its_whole_output_and_its_files_written(project, capsys):
    """The command exits without the interpreter's teardown (os._exit): what it printed, held in a
    pipe's buffer, must still arrive, with its code, and the run's record must be on disk, as the
    no-op rerun in this process shows by printing that run's report."""
    command = shutil.which("medloc", path=os.path.dirname(sys.executable))
    assert command, "the medloc script is installed beside the interpreter"
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    completed = subprocess.run([command, "--root", str(project), "all"], capture_output=True, text=True,
                               cwd=ROOT, env={**buffered, "PYTHONPATH": str(ROOT)})
    assert completed.returncode in (0, 1), completed.stderr
    assert "build:" in completed.stdout
    assert run(project, "all") == completed.returncode
    assert capsys.readouterr().out.split("\n", 1)[1] == completed.stdout
    usage = subprocess.run([sys.executable, "-m", "pipeline", "no-such-command"], capture_output=True, text=True,
                           cwd=ROOT, env={**buffered, "PYTHONPATH": str(ROOT)})
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


def test_a_profiled_command_still_writes_its_profile(tmp_path):
    """Under cProfile (or a coverage tracer) the command exits the ordinary way, so the tool's
    results, written after the program returns, are not lost to the fast exit."""
    stats = tmp_path / "help.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "pipeline", "--help"],
                   check=True, capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    profiled_files = {filename for filename, _, _ in pstats.Stats(str(stats)).stats}
    assert any(filename.endswith("pipeline/cli.py") for filename in profiled_files)


def test_outputs_do_not_depend_on_hash_randomization(project):
    """Sets of strings iterate in a different order under each PYTHONHASHSEED; outputs must not."""
    results = []
    for seed in ("1", "2"):
        subprocess.run([sys.executable, "-m", "pipeline", "--root", str(project), "all"], check=True,
                       capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)})
        results.append({name: data for name, (data, _) in tree_state(project).items()})
    assert results[0] == results[1]
