import lxml.html
import pytest

from pipeline.placeholders import MarkupError, build_nodes, name_placeholders, parse_text, to_text


def source(fragment: str):
    """Return (paragraph, placeholders, placeholder text) for an HTML paragraph fragment."""
    paragraph = lxml.html.fragment_fromstring(fragment)
    children = list(paragraph)
    names = name_placeholders(children)
    return paragraph, tuple(names.values()), to_text(paragraph.text, children, [c.tail for c in children], names)


SOURCE = ('<p>Call <a href="tel:1">the line</a> or <a href="mailto:x@y">write</a>, '
          '<b>now</b><img src="i.png" alt="i"> <span translate="no">MedlinePlus</span>.</p>')


def test_repeated_names_are_numbered_and_void_or_protected_ones_self_closing():
    _, _, text = source(SOURCE)
    assert text == "Call <a1>the line</a1> or <a2>write</a2>, <b>now</b><img/> <span/>."


def test_text_that_looks_like_markup_is_escaped_only_where_needed():
    _, _, text = source("<p>&lt;5 mg, a &lt;b&gt; tag, &amp;lt; and AT&amp;T</p>")
    assert text == "<5 mg, a &lt;b> tag, &amp;lt; and AT&T"


ACCEPTED = [
    pytest.param("Llame a <a1>la línea</a1> o <a2>escriba</a2>, <b>ya</b><img/> <span/>.", id="same-order"),
    pytest.param("<a2>Escriba</a2> o <a1>llame</a1> <span/><img/>, <b>ya</b>.", id="reordered"),
    pytest.param("<b><a1>Llame</a1></b> o <a2>escriba</a2><img/><span/>", id="renested"),
    pytest.param("<5 mg &lt;a1> <a1>x</a1><a2>y</a2><b>z</b><img/><span/>", id="escaped-lookalike-text"),
]

REJECTED = [
    pytest.param("Llame <a1>aquí</a1>, <b>ya</b><img/><span/>", "missing <a2>", id="missing-tag"),
    pytest.param("<a1>a</a1><a2>b</a2><a2>c</a2><b>d</b><img/><span/>", "more than once", id="duplicate-tag"),
    pytest.param("<a1>a</a1><a2>b</a2><b>d</b><img/><span/><script>x</script>", "<script> is not in the source",
                 id="script-tag"),
    pytest.param("<a1>a</a1><a2>b</a2><b>d</b><img/><span/><a3>c</a3>", "<a3> is not in the source",
                 id="unknown-number"),
    pytest.param("<a1>a<a2>b</a1></a2><b>d</b><img/><span/>", "closes a tag that is not open", id="crossed"),
    pytest.param("<a1>a</a1><a2>b</a2><b>d<img/><span/>", "<b> is never closed", id="unclosed"),
    pytest.param("<a1>a</a1><a2>b</a2><b>d</b><img>x</img><span/>", "should be written <img/>",
                 id="void-used-as-pair"),
    pytest.param("<a1>a</a1><a2/><b>d</b><img/><span/>", "should be written <a2>", id="pair-used-as-void"),
    pytest.param("<a1>a</a1><a2>b</a2></b><b>d</b><img/><span/>", "closes a tag that is not open",
                 id="close-before-open"),
    pytest.param("<a1>a</a1><a2>b</a2><B>d</B><img/><span/>", "<B> is not in the source", id="case-differs"),
]


@pytest.mark.parametrize("msgstr", ACCEPTED)
def test_translations_with_the_source_placeholders_are_accepted(msgstr):
    _, placeholders, _ = source(SOURCE)
    parse_text(msgstr, placeholders)


@pytest.mark.parametrize("msgstr, problem", REJECTED)
def test_translations_whose_markup_differs_are_rejected(msgstr, problem):
    _, placeholders, _ = source(SOURCE)
    with pytest.raises(MarkupError, match=problem.replace("(", r"\(")):
        parse_text(msgstr, placeholders)


def test_rebuilt_elements_take_their_attributes_from_the_source_only():
    _, placeholders, _ = source(SOURCE)
    tree = parse_text('<a2>x" onclick="evil()</a2> <a1>y</a1><b>z</b><img/><span/>', placeholders)
    lead, elements = build_nodes(tree, placeholders)
    assert lead == ""
    assert [e.tag for e in elements] == ["a", "a", "b", "img", "span"]
    assert dict(elements[0].attrib) == {"href": "mailto:x@y"}
    assert elements[0].text == 'x" onclick="evil()'
    assert elements[4].text == "MedlinePlus"
