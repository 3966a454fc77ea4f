import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from pipeline.errors import InputError
from pipeline.htmldoc import parse_document, serialize_document
from pipeline.normalize import normalize
from tests.conftest import GOOD_PAGES, MOJIBAKE, PAGES, SAMPLE, normalize_path

#: Site chrome of the sample page: none of it may survive normalization.
SAMPLE_CHROME = [
    "Skip navigation", "U.S. National Library of Medicine", "The navigation menu has been collapsed",
    "Show Search", "Search MedlinePlus", "GO<", "What's New", "Site Map", "Customer Support", "Español",
    "You Are Here", ">Medical Encyclopedia<", "URL of this page", "To use the sharing features",
    "Read more", "NIH MedlinePlus Magazine", "Health Topics A-Z", "accredited by URAC", "Hi-Ethics",
    "HONcode", "Get updates", "Subscribe to RSS", "Follow us", "Guidelines for Links", "Viewers &amp; Players",
    "For Developers", "8600 Rockville Pike", "Page last updated", "Return to top", "Expand Section",
]

#: The article's blocks, in the order the page gives them.
SAMPLE_BLOCKS_IN_ORDER = [
    "<h1", "Liver metastases refer to cancer", "hepatocellular carcinoma", ">Causes<", "Breast cancer",
    "Stomach cancer", "The risk for cancer spreading", ">Symptoms<", "Decreased appetite", "Jaundice",
    "Weight loss", ">Exams and Tests<", "CT scan of the abdomen", "Ultrasound of the abdomen", ">Treatment<",
    "Your overall health", "SURGERY", "CHEMOTHERAPY", "Chemoembolization", "OTHER TREATMENTS",
    "Radioactive beads", ">Outlook (Prognosis)<", "cannot be cured", ">Possible Complications<",
    "Blockage of the flow of bile", ">When to Contact a Medical Professional<", ">Prevention<",
    ">Alternative Names<", "Melanoma - liver metastases", ">Images<", 'alt="Liver biopsy"',
    "Digestive system organs", ">References<", "Abeloff's Clinical Oncology", "Review Date 1/19/2018",
    "Updated by: Richard LoCicero", "The information provided herein", "ADAM Health Solutions",
]

#: Constructs that can run code or submit data: none may reach a clean document.
UNSAFE = [
    re.compile(r"<script", re.I), re.compile(r"<style", re.I), re.compile(r"<iframe", re.I),
    re.compile(r"<form", re.I), re.compile(r"<input", re.I), re.compile(r"<button", re.I),
    re.compile(r"\son[a-z]+=", re.I), re.compile(r"javascript:", re.I), re.compile(r"data:", re.I),
    re.compile(r"<!--"),
]


@pytest.fixture(scope="module")
def sample():
    return normalize_path(SAMPLE)


def test_sample_keeps_title_description_and_canonical_url(sample):
    assert "<title>Liver metastases: MedlinePlus Medical Encyclopedia</title>" in sample.html
    assert 'content="Liver metastases refer to cancer that has spread' in sample.html
    assert sample.base_url == "https://medlineplus.gov/ency/article/000277.htm"


@pytest.mark.parametrize("chrome", SAMPLE_CHROME)
def test_sample_site_chrome_is_removed(sample, chrome):
    assert chrome not in sample.html


def test_sample_article_blocks_are_all_there_in_order(sample):
    body = sample.html[sample.html.index("<body>"):]
    positions = [body.find(block) for block in SAMPLE_BLOCKS_IN_ORDER]
    assert -1 not in positions, [b for b, p in zip(SAMPLE_BLOCKS_IN_ORDER, positions) if p == -1]
    assert positions == sorted(positions)


def test_sample_mojibake_is_repaired_and_layout_spaces_are_plain(sample):
    assert not MOJIBAKE.search(sample.html)
    assert "which is called <a" in sample.html
    assert "Cancers that can spread" in sample.html
    assert "</a> (yellowing of the skin" in sample.html


def test_sample_relative_links_become_absolute(sample):
    assert 'href="https://medlineplus.gov/ency/article/000280.htm">hepatocellular carcinoma' in sample.html
    assert 'src="https://medlineplus.gov/ency/images/ency/tnails/1102t.jpg"' in sample.html


@pytest.mark.parametrize("page", GOOD_PAGES + [SAMPLE], ids=lambda p: p.name)
@pytest.mark.parametrize("pattern", UNSAFE, ids=lambda p: p.pattern)
def test_nothing_executable_survives(page, pattern):
    assert not pattern.search(normalize_path(page).html)


@pytest.mark.parametrize("page", GOOD_PAGES + [SAMPLE], ids=lambda p: p.name)
def test_normalizing_a_clean_document_changes_nothing(page):
    clean = normalize_path(page)
    again, _ = normalize(clean.html.encode("utf-8"), doc_id="again", source_path="again.html")
    assert again.html == clean.html


@pytest.mark.parametrize("page", GOOD_PAGES + [SAMPLE], ids=lambda p: p.name)
def test_source_lines_cover_every_element(page):
    clean = normalize_path(page)
    assert len(clean.source_lines) == sum(1 for _ in lxml_html.document_fromstring(clean.html).iter())
    # Parsed again, the clean HTML gives the elements normalize built, in order: extract reads source
    # lines by position. (Normalizing it again changes nothing: see the test above.)
    assert serialize_document(parse_document(clean.html)) == clean.html


def test_generic_page_keeps_main_and_drops_the_rest():
    clean = normalize_path(PAGES / "generic-article.html")
    for chrome in ("Topics", "trusted answers", "Copyright 2024", "Search"):
        assert chrome not in clean.html
    assert '<span translate="no">metformin</span> at 500\N{NO-BREAK SPACE}mg' in clean.html
    assert "<li><a>Click here</a> for a <a>quiz</a>.</li>" in clean.html


def test_page_without_main_falls_back_to_the_densest_block():
    clean = normalize_path(PAGES / "densest-block.html")
    assert '<div id="story">' in clean.html
    assert "Related: heat stroke" not in clean.html and "Site policies" not in clean.html


def test_windows_1252_page_declared_utf8_is_decoded_and_reported():
    document, steps = normalize((PAGES / "cp1252-declared-utf8.html").read_bytes(), doc_id="x",
                                source_path="cp1252.html")
    assert "Take 5\N{NO-BREAK SPACE}mg \N{EN DASH} the \N{LEFT DOUBLE QUOTATION MARK}usual" in document.html
    assert ("decode", "windows-1252") == (steps[0].action, steps[0].target)
    assert "not valid UTF-8" in steps[0].reason


def test_steps_say_what_was_dropped_and_fixed():
    _, steps = normalize(SAMPLE.read_bytes(), doc_id="000277", source_path="source/000277.html")
    actions = {(step.action, step.target) for step in steps}
    assert ("profile", "medlineplus-encyclopedia") in actions
    assert ("drop", ".section-button") in actions
    assert sum(1 for step in steps if step.action == "fix-mojibake") == 3


@pytest.mark.parametrize("page", sorted(PAGES.glob("bad.*.html")), ids=lambda p: p.name)
def test_unusable_pages_get_one_clear_error_naming_the_file(page):
    with pytest.raises(InputError) as caught:
        normalize(page.read_bytes(), doc_id=page.stem, source_path=str(page))
    message = str(caught.value)
    assert message.startswith(f"{page}: ")
    assert "\n" not in message


def _nested(depth: int, inner: str = "text") -> bytes:
    """A page of ``<html>`` (depth 1), ``<body>`` (2), divs, and a paragraph holding ``inner`` at ``depth``."""
    return ("<!DOCTYPE html><html><body>" + "<div>" * (depth - 3) + f"<p>{inner}</p>" + "</div>" * (depth - 3)
            + "</body></html>").encode()


@pytest.mark.parametrize("depth, inner", [
    pytest.param(200, "text", id="at-the-limit"),
    pytest.param(200, "<!-- a comment is not an element -->text", id="comment-below-the-limit"),
])
def test_nesting_up_to_the_limit_is_accepted(depth, inner):
    document, _ = normalize(_nested(depth, inner), doc_id="deep", source_path="source/deep.html")
    assert "text" in document.html


@pytest.mark.parametrize("depth, inner, shown", [
    pytest.param(201, "text", "201", id="one-over"),
    pytest.param(200, "<span>text</span>", "201", id="an-inline-element-over"),
    pytest.param(240, "text", "240", id="far-over"),
])
def test_nesting_over_the_limit_is_refused_with_its_depth(depth, inner, shown):
    with pytest.raises(InputError, match=f"elements nested {shown} levels deep, over the limit of 200"):
        normalize(_nested(depth, inner), doc_id="deep", source_path="source/deep.html")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["div", "p", "span", "a"]),
                          st.lists(st.sampled_from(["side", "Side", "page-info", "side-bar", "x"]), max_size=3),
                          st.sampled_from([" ", "\t", "\n", "  ", "\u00a0", "\f"]),
                          st.sampled_from([None, "breadcrumbs", "mplus-share", "", "Breadcrumbs"]),
                          st.integers(0, 3)), max_size=12))
def test_class_and_id_chrome_rules_drop_what_their_css_selectors_select(elements):
    from pipeline.normalize.profiles import Profile, _selector, select_drop

    html, depth = "<html><body><div>", 0
    for tag, classes, separator, identifier, close in elements:
        attributes = (f' class="{separator.join(classes)}"' if classes else "") + \
            (f' id="{identifier}"' if identifier is not None else "")
        html += f"<{tag}{attributes}>text"
        depth += 1
        for _ in range(min(close, depth)):
            html += "</span>"  # the parser closes what it must; the tree is whatever it makes of it
    root = lxml_html.document_fromstring(html + "</div></body></html>")
    rules = (".side", "#breadcrumbs", ".page-info", "#mplus-share", "div.side", ".side.x", "span")
    profile = Profile("test", (), (), "all", rules)
    assert select_drop(root, profile) == [(css, element) for css in rules for element in _selector(css)(root)]


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.sampled_from(["https", "http", "HTTPS", "ftp"]),
       st.sampled_from(["medlineplus.gov", "user@host:8080", ""]),
       st.lists(st.sampled_from(["ency", "article", "", ".", "..", "a;b", "x.htm"]), max_size=4),
       st.sampled_from(["", "?q=1", "#top", "?a#b"]),
       st.text(alphabet="az09._~-/:?#;%", max_size=12))
@example("https", "medlineplus.gov", ["ency", "article"], "", ".")
@example("https", "medlineplus.gov", ["ency", "article"], "", "..")
@example("https", "medlineplus.gov", ["ency", "article"], "", ".hidden.htm")
@example("https", "medlineplus.gov", ["ency", "", "article"], "?q", "000123.htm")
def test_a_relative_link_is_made_absolute_as_urljoin_makes_it(scheme, host, folders, tail, url):
    from urllib.parse import urljoin

    from pipeline.normalize.sanitize import _join

    base = f"{scheme}://{host}/{'/'.join(folders)}{tail}"
    assert _join(base, url) == urljoin(base, url)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["div", "p", "span", "meta", "td"]),
                          st.sampled_from(["ency_summary", " ency_summary", "ency_summary ", "Ency_summary",
                                           "ency summary", "other", ""])), max_size=6),
       st.sampled_from(["ency_summary", "ency summary"]))
def test_a_profile_is_detected_by_id_where_its_css_selector_matches(elements, identifier):
    from pipeline.normalize.profiles import _detects, _selector

    body = "".join(f'<table><tr><{tag} id="{value}">x</{tag}></tr></table>' if tag == "td"
                   else f'<{tag} id="{value}">x</{tag}>' for tag, value in elements)
    root = lxml_html.document_fromstring(f"<html><head><title>t</title></head><body>{body}</body></html>")
    css = "#" + identifier.replace(" ", "\\ ")
    assert _detects(css, root) == bool(_selector(css)(root))
