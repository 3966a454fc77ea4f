import pytest
from lxml import html as lxml_html

from pipeline.assemble import SiteLanguage, assemble
from pipeline.segments import extract
from tests.conftest import SAMPLE, normalize_path

LANGUAGES = [SiteLanguage(code, f"../{code.replace('_', '-')}/000277.html") for code in ("en", "es", "ar", "zh_Hans")]


@pytest.fixture(scope="module")
def document():
    return normalize_path(SAMPLE)


def build(document, translations, locale="es"):
    return assemble(document, translations, locale, source_locale="en", languages=LANGUAGES,
                    stylesheet_href="../style.css")


@pytest.mark.parametrize("locale, lang, direction", [("es", "es", "ltr"), ("ar", "ar", "rtl"),
                                                     ("zh_Hans", "zh-Hans", "ltr")])
def test_page_language_and_direction_come_from_babel(document, locale, lang, direction):
    page, _ = build(document, {}, locale)
    root = lxml_html.document_fromstring(page)
    assert (root.get("lang"), root.get("dir")) == (lang, direction)


def test_alternates_and_switcher_name_each_language_in_itself(document):
    page, _ = build(document, {})
    root = lxml_html.document_fromstring(page)
    alternates = {link.get("hreflang"): link.get("href") for link in root.iter("link") if link.get("rel") == "alternate"}
    assert alternates == {"en": "../en/000277.html", "es": "../es/000277.html", "ar": "../ar/000277.html",
                          "zh-Hans": "../zh-Hans/000277.html", "x-default": "../en/000277.html"}
    names = [a.text for a in root.cssselect("nav.languages a")]
    assert names == ["English", "español", "العربية", "中文 (简体)"]
    assert root.cssselect("nav.languages a[aria-current=page]")[0].get("hreflang") == "es"


def test_untranslated_blocks_fall_back_marked_with_the_source_language(document):
    page, fallbacks = build(document, {"Causes": "Causas"})
    assert "<h2>Causas</h2>" in page
    assert '<h2 lang="en">Symptoms</h2>' in page
    fallen = {f.segment.text for f in fallbacks}
    assert "Causes" not in fallen and "Symptoms" in fallen
    assert {f.reason for f in fallbacks} == {"not translated"}


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
    pytest.param("</p></body></html><script>alert(1)</script>", id="closing-html"),
    pytest.param("<svg onload=alert(1)>", id="svg-onload"),
    pytest.param("<a1>x</a1><script/>", id="self-closing-script-placeholder"),
]


def _executable_constructs(page: str) -> list[str]:
    root = lxml_html.document_fromstring(page)
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("script", "iframe", "object", "embed", "svg", "style", "form", "base"):
            found.append(element.tag)
        for name, value in element.attrib.items():
            if name.startswith("on") or name == "style":
                found.append(f"{element.tag}@{name}")
            if name in ("href", "src") and value.replace(" ", "").lower().startswith(("javascript:", "data:")):
                found.append(f"{element.tag}@{name}={value}")
    return found


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_translations_never_produce_executable_markup(document, payload):
    translations = {}
    for segment in extract(document):
        translations[segment.text] = payload
    translations["Liver metastases are not the same as cancer that starts in the liver, which is called "
                 "<a>hepatocellular carcinoma</a>."] = f"Texto <a>{payload}</a>."
    page, _ = build(document, translations)
    assert _executable_constructs(page) == []


def test_translated_pages_do_not_claim_the_source_as_canonical(document):
    page, _ = build(document, {})
    assert 'rel="canonical"' not in page
    source_page, _ = assemble(document, None, "en", source_locale="en", languages=LANGUAGES,
                              stylesheet_href="../style.css")
    assert '<link rel="canonical" href="https://medlineplus.gov/ency/article/000277.htm">' in source_page
