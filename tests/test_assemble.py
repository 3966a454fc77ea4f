import pytest
from lxml import html as lxml_html

from pipeline.assemble import PageContext, SiteLanguage, assemble, site_segments, url_key
from pipeline.segments import extract
from tests.conftest import PAGES, SAMPLE, normalize_path

LANGUAGES = [SiteLanguage(code, f"../{code.replace('_', '-')}/000277.html") for code in ("en", "es", "ar")]


@pytest.fixture(scope="module")
def document():
    return normalize_path(SAMPLE)


def context(locale="es", site=None, links=None, languages=LANGUAGES):
    return PageContext(locale, "en", languages, "../style.css", site if site is not None else {}, links or {})


def build(document, translations, locale="es", **options):
    return assemble(document, translations, context(locale, **options))


def parsed(page: str):
    return lxml_html.document_fromstring(page)


@pytest.mark.parametrize("locale, lang, direction", [("es", "es", "ltr"), ("ar", "ar", "rtl"),
                                                     ("zh_Hans", "zh-Hans", "ltr")])
def test_page_language_and_direction_come_from_babel(document, locale, lang, direction):
    root = parsed(build(document, {}, locale)[0])
    assert (root.get("lang"), root.get("dir")) == (lang, direction)


def test_alternates_and_switcher_list_the_published_languages_each_in_itself(document):
    root = parsed(build(document, {})[0])
    alternates = {link.get("hreflang"): link.get("href") for link in root.iter("link") if link.get("rel") == "alternate"}
    assert alternates == {"en": "../en/000277.html", "es": "../es/000277.html", "ar": "../ar/000277.html",
                          "x-default": "../en/000277.html"}
    names = [a.text for a in root.cssselect("nav.languages a")]
    assert names == ["English", "español", "العربية"]
    assert root.cssselect("nav.languages a[aria-current=page]")[0].get("hreflang") == "es"


def test_title_and_description_are_translated(document):
    page, _ = build(document, {"Liver metastases: MedlinePlus Medical Encyclopedia": "Metástasis hepáticas: X",
                               "Liver metastases refer to cancer that has spread to the liver from somewhere else "
                               "in the body.": "Descripción."})
    root = parsed(page)
    assert root.findtext(".//title") == "Metástasis hepáticas: X"
    assert root.xpath("//meta[@name='description']/@content") == ["Descripción."]


def test_untranslated_blocks_fall_back_marked_with_language_and_a_note_says_so(document):
    page, fallbacks = build(document, {"Causes": "Causas"})
    assert "<h2>Causas</h2>" in page and '<h2 lang="en">Symptoms</h2>' in page
    assert {f.reason for f in fallbacks} == {"not translated"}
    assert "Parts of this article are not translated yet" in page


def test_fallback_in_a_right_to_left_page_keeps_left_to_right_direction(document):
    page, _ = build(document, {"Causes": "الأسباب"}, "ar")
    assert '<h2 lang="en" dir="ltr">Symptoms</h2>' in page and "<h2>الأسباب</h2>" in page


def test_complete_page_has_no_fallback_note(document):
    translations = {s.text: s.text.upper() if "<" not in s.text else s.text for s in extract(document)}
    page, fallbacks = build(document, translations)
    assert fallbacks == [] and "not translated yet" not in page


def test_site_words_are_translated_from_site_po(document):
    page, _ = build(document, {}, site={"Read this article in:": "Lea este artículo en:",
                                        "Health encyclopedia": "Enciclopedia de salud"})
    root = parsed(page)
    assert root.cssselect("p.languages-label")[0].text == "Lea este artículo en:"
    assert root.cssselect("p.site-name a")[0].text == "Enciclopedia de salud"
    assert root.cssselect("nav.languages")[0].get("aria-label") == "Other languages"
    assert root.xpath("//footer/p[last()]/@lang") == ["en"], "an untranslated site word is marked too"


def test_translated_pages_do_not_claim_the_source_as_canonical(document):
    assert 'rel="canonical"' not in build(document, {})[0]
    source_page, _ = assemble(document, None, PageContext("en", "en", LANGUAGES, "../style.css"))
    assert '<link rel="canonical" href="https://medlineplus.gov/ency/article/000277.htm">' in source_page


def test_links_to_published_articles_stay_in_the_page_language():
    alt = normalize_path(PAGES / "medlineplus-ency-alt-test.html")
    key = url_key("https://medlineplus.gov/ency/article/000277.htm")
    translated, _ = assemble(alt, {}, context(links={key: ("../es/000277.html", "es")}))
    assert '<a href="../es/000277.html">tumor or cancer</a>' in translated
    fallback, _ = assemble(alt, {}, context(links={key: ("../en/000277.html", "en")}))
    assert '<a href="../en/000277.html" hreflang="en">tumor or cancer</a>' in fallback
    assert 'href="https://medlineplus.gov/ency/article/003423.htm"' in translated, "other links are left alone"


def test_site_templates_give_the_site_catalog():
    texts = [segment.text for _, segment in site_segments()]
    assert "Read this article in:" in texts and "in progress" in texts and "Other languages" in texts
    assert all(path.startswith("pipeline/site/") for path, _ in site_segments())


HOSTILE = [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param('<a href="javascript:alert(1)">x</a>', id="javascript-link"),
    pytest.param("<iframe src=//evil.example></iframe>", id="iframe"),
    pytest.param('<a>x" onmouseover="alert(1)</a>', id="attribute-injection-through-quotes"),
    pytest.param("&lt;script&gt;alert(1)&lt;/script&gt;", id="entity-escaped-script"),
    pytest.param("&#60;script&#62;alert(1)&#60;/script&#62;", id="numeric-entities"),
    pytest.param('<a style="width: expression(alert(1))">x</a>', id="css-expression"),
    pytest.param("<a>unbalanced", id="unbalanced"),
    pytest.param("</p></main></body></html><script>alert(1)</script>", id="closing-html"),
    pytest.param("<svg onload=alert(1)>", id="svg-onload"),
    pytest.param("<a1>x</a1><script/>", id="self-closing-script-placeholder"),
    pytest.param("<![CDATA[<script>alert(1)</script>]]>", id="cdata"),
    pytest.param("<!--<script>alert(1)</script>-->", id="comment"),
    pytest.param("<base href=//evil.example/>", id="base-tag"),
    pytest.param("<meta http-equiv=refresh content='0;url=javascript:alert(1)'>", id="meta-refresh"),
]


def _executable_constructs(page: str) -> list[str]:
    found = []
    for element in parsed(page).iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("script", "iframe", "object", "embed", "svg", "style", "form", "base"):
            found.append(element.tag)
        if element.tag == "meta" and element.get("http-equiv"):
            found.append("meta http-equiv")
        for name, value in element.attrib.items():
            if name.startswith("on") or name == "style":
                found.append(f"{element.tag}@{name}")
            if name in ("href", "src") and value.replace(" ", "").lower().startswith(("javascript:", "data:")):
                found.append(f"{element.tag}@{name}={value}")
    return found


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_catalogs_never_produce_executable_markup(document, payload):
    translations = {segment.text: payload for segment in extract(document)}
    translations["Liver metastases are not the same as cancer that starts in the liver, which is called "
                 "<a>hepatocellular carcinoma</a>."] = f"Texto <a>{payload}</a>."
    site = {segment.text: payload for _, segment in site_segments()}
    page, _ = build(document, translations, site=site)
    assert _executable_constructs(page) == []
