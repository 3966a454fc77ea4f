import pytest

from pipeline.model import CleanDocument
from pipeline.normalize import normalize
from pipeline.segments import extract, inject, plain_text, render
from tests.conftest import GOOD_PAGES, SAMPLE, normalize_path


def clean(body: str, head: str = "<title>T</title>") -> CleanDocument:
    raw = f"<!DOCTYPE html><html><head>{head}</head><body><article>{body}</article></body></html>"
    document, _ = normalize(raw.encode(), doc_id="t", source_path="t.html")
    return document


@pytest.mark.parametrize("page", GOOD_PAGES + [SAMPLE], ids=lambda p: p.name)
def test_identity_translation_reproduces_the_clean_document_byte_for_byte(page):
    document = normalize_path(page)
    root, fallbacks = inject(document, {s.text: s.text for s in extract(document)}, "en")
    assert fallbacks == []
    assert render(root) == document.html


def test_sample_messages_roles_sections_and_lines():
    document = normalize_path(SAMPLE)
    segments = extract(document)
    by_text = {s.text: s for s in segments}
    assert segments[0].text == "Liver metastases: MedlinePlus Medical Encyclopedia"
    assert segments[0].role == "page title"
    assert by_text["Breast cancer"].role == "list item"
    assert by_text["Breast cancer"].section == "Causes"
    assert by_text["<a1>Fever</a1>, <a2>sweating</a2>"].section == "Symptoms"
    assert by_text["Causes"].role == "section heading"
    assert by_text["The information provided herein should not be used during any medical emergency or for the "
                   "diagnosis or treatment of any medical condition. A licensed physician should be consulted for "
                   "diagnosis and treatment of any and all medical conditions. Call 911 for all medical "
                   "emergencies. Links to other sites are provided for information only -- they do not "
                   "constitute endorsements of those other sites. Copyright 1997-2020, A.D.A.M., Inc. "
                   "Duplication for commercial use must be authorized in writing by ADAM Health Solutions."
                   ].section is None
    source_lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert "Breast cancer" in source_lines[by_text["Breast cancer"].line - 1]
    roles = [s.role for s in segments if s.text == "Liver biopsy"]
    assert roles == ["list item", "list item", "image alternative text"]


CASES = [
    pytest.param("<p>A <a href='x'>b</a> c</p>", ["A <a>b</a> c"], id="inline-link"),
    pytest.param("<ul><li><a href='x'>Breast cancer</a></li></ul>", ["Breast cancer"], id="whole-link-in-skeleton"),
    pytest.param("<p><a href='x'><img src='i.png' alt='Biopsy'></a><a href='x'>Liver biopsy</a></p>",
                 ["Liver biopsy", "Biopsy"], id="image-link-then-text"),
    pytest.param("<p translate='no'>MedlinePlus</p><p class='x notranslate'>NCCN</p><p>Kept</p>", ["Kept"],
                 id="translate-no-blocks"),
    pytest.param("<p>Ask <span translate='no'>A.D.A.M.</span> staff</p>", ["Ask <span/> staff"],
                 id="translate-no-inline"),
    pytest.param("<p><b>1</b> and <b>2</b> and <i>3</i></p>", ["<b1>1</b1> and <b2>2</b2> and <i>3</i>"],
                 id="numbered-when-repeated"),
    pytest.param("<p>Line one<br>line two</p>", ["Line one<br/>line two"], id="line-break"),
    pytest.param("<p title='Tip' aria-label='Label'>Text</p>", ["Text", "Tip", "Label"], id="attributes"),
    pytest.param("<table><tr><th>Test</th><td>7%</td></tr></table>", ["Test", "7%"], id="table-cells"),
    pytest.param("<p> </p><p><img src='i.png'></p><p>x</p>", ["x"], id="blocks-without-text"),
]


@pytest.mark.parametrize("body, messages", CASES)
def test_what_becomes_a_message(body, messages):
    segments = extract(clean(body))
    assert [s.text for s in segments if s.role != "page title"] == messages


def test_translation_replaces_text_and_keeps_source_attributes():
    document = clean("<p>Call <a href='https://x.org/1'>us</a> or <a href='https://x.org/2'>them</a>.</p>")
    root, fallbacks = inject(document, {"Call <a1>us</a1> or <a2>them</a2>.": "<a2>Ellos</a2> o <a1>nosotros</a1>."},
                             "en")
    page = render(root)
    assert '<p><a href="https://x.org/2">Ellos</a> o <a href="https://x.org/1">nosotros</a>.</p>' in page
    assert [f.segment.text for f in fallbacks] == ["T"]


def test_untranslated_and_mismatched_segments_fall_back_with_source_language():
    document = clean("<p>One <b>x</b></p><p>Two</p>")
    root, fallbacks = inject(document, {"One <b>x</b>": "Uno <i>x</i>", "T": "T"}, "en")
    page = render(root)
    assert '<p lang="en">One <b>x</b></p>' in page
    assert '<p lang="en">Two</p>' in page
    reasons = {f.segment.text: f.reason for f in fallbacks}
    assert reasons["Two"] == "not translated"
    assert reasons["One <b>x</b>"].startswith("markup does not match the source")


def test_translated_attribute_survives_rebuilding_its_inline_element():
    document = clean("<p>See <a href='https://x.org' title='More'>this</a></p>")
    root, _ = inject(document, {"See <a>this</a>": "Vea <a>esto</a>", "More": "Más"}, "en")
    assert '<a href="https://x.org" title="Más">esto</a>' in render(root)


def test_injecting_a_document_again_starts_from_its_source_not_the_last_page():
    # inject keeps one parsed tree per document and works on copies: one locale's page must not leak into the next
    document = clean("<p>See <a href='https://x.org' title='More'>this</a></p><p>Two</p>")
    first, _ = inject(document, {"See <a>this</a>": "Vea <a>esto</a>", "More": "Más", "Two": "Dos"}, "en")
    second, fallbacks = inject(document, {"Two": "Deux"}, "en", "ltr")
    assert "Vea" in render(first) and "Deux" not in render(first)
    page = render(second)
    assert '<p lang="en" dir="ltr">See <a href="https://x.org" title="More">this</a></p>' in page
    assert "<p>Deux</p>" in page and "Vea" not in page and "Más" not in page
    assert sorted(f.segment.text for f in fallbacks) == ["More", "See <a>this</a>", "T"]


SECTION_CASES = [
    pytest.param("<h2>A</h2><p>x</p><h2>B</h2><p>y</p>", {"x": "A", "y": "B"}, id="flat-page"),
    pytest.param("<div><div><h2>A</h2></div><p>x</p></div><p>y</p>", {"x": "A", "y": None}, id="wrapped-heading"),
    pytest.param("<div><div><!-- n --><h2>A</h2>&#160;<span>&#160;</span></div><p>x</p></div>", {"x": "A"},
                 id="comments-and-no-break-spaces-are-not-content"),
    pytest.param("<div><div><h2>A</h2><span>sub</span></div><p>x</p></div>", {"x": None},
                 id="header-holding-more-than-the-heading-governs-only-itself"),
    pytest.param("<div><div><h2>A</h2></div>tail<p>x</p></div><p>y</p>", {"x": "A", "tail": "A", "y": None},
                 id="text-beside-the-wrapper-makes-its-parent-the-scope"),
]


@pytest.mark.parametrize("body, sections", SECTION_CASES)
def test_a_segment_belongs_to_the_section_whose_heading_governs_it(body, sections):
    found = {segment.text: segment.section for segment in extract(clean(body))}
    assert {text: found[text] for text in sections} == sections


@pytest.mark.parametrize("text, plain", [
    ("Liver  metastases\n spread", "Liver metastases spread"),  # no tag, no escape: spacing only
    ("See <a1>liver cancer</a1> and <img2/>now", "See liver cancer and now"),
    ("Dose &lt;5 mg &amp; more", "Dose <5 mg & more"),
    ("Dose <5 mg", "Dose <5 mg"),  # a "<" that is no tag stays
    ("AT&T", "AT&T"),
])
def test_plain_text_drops_placeholders_and_reads_escapes(text, plain):
    assert plain_text(text) == plain
