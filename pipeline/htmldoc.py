"""The HTML vocabulary every stage shares: element categories, parse and canonical serialize.

Normalization, extraction and assembly all read and write the same canonical
HTML; keeping the parser, the serializer and the block/inline split in one
place is what makes extract and inject exact inverses.
"""

from __future__ import annotations

import lxml.html
from lxml import etree

__all__ = [
    "BLOCK_ELEMENTS", "INLINE_ELEMENTS", "VOID_ELEMENTS", "SEGMENT_ROLES",
    "parse_document", "serialize_document", "is_block", "HTML_PARSER", "new_element",
]

#: Elements that start a new block. A block whose children are all inline is
#: one segment; a block with block children is a container.
BLOCK_ELEMENTS = frozenset({
    "html", "head", "body", "article", "section", "div", "p", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "caption", "colgroup", "col", "figure", "figcaption", "blockquote", "pre", "hr", "address",
    "title", "nav", "header", "footer", "main", "aside",
})

#: Phrasing elements kept inside a segment and shown to translators as placeholders.
INLINE_ELEMENTS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
    "var", "wbr",
})

#: Elements that never have content; their placeholders are self-closing (``<br/>``).
VOID_ELEMENTS = frozenset({"br", "img", "wbr", "hr", "col", "meta", "link"})

#: What a translator is told a block is, by element name (the ``#.`` comment).
SEGMENT_ROLES = {
    "title": "page title",
    "h1": "page heading",
    "h2": "section heading",
    "h3": "subheading", "h4": "subheading", "h5": "subheading", "h6": "subheading",
    "p": "paragraph",
    "li": "list item",
    "dt": "term", "dd": "definition",
    "td": "table cell", "th": "table header cell",
    "caption": "table caption",
    "figcaption": "image caption",
    "blockquote": "quotation",
    "address": "address",
    "pre": "preformatted text",
    "div": "text block",
}

_DOCTYPE = "<!DOCTYPE html>"


def is_block(element: etree._Element) -> bool:
    """True when ``element`` is an element (not a comment) whose name starts a block."""
    return isinstance(element.tag, str) and element.tag in BLOCK_ELEMENTS


def _html_parser() -> etree.HTMLParser:
    """lxml.html's parser, with each element's class chosen in C.

    lxml.html picks a class per element in Python (forms, inputs and labels get
    their own), a fifth of normalizing a page. Nothing here uses those classes:
    every element is an HtmlElement, with the same tree and the same methods.
    """
    parser = etree.HTMLParser()
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity))
    return parser


#: The parser of every HTML document and fragment the pipeline reads.
HTML_PARSER = _html_parser()


def new_element(tag: str, text: str | None = None, line: int | None = None, **attributes: str) -> etree._Element:
    """A new HTML element (of HTML_PARSER's classes) with the given text, source line and attributes."""
    element = HTML_PARSER.makeelement(tag, attrib=attributes)
    element.text = text
    if line:
        element.sourceline = line
    return element


def parse_document(html: str) -> etree._Element:
    """Parse HTML text into an lxml document tree (the ``<html>`` element); etree.ParserError when empty."""
    return lxml.html.document_fromstring(html, parser=HTML_PARSER)


def serialize_document(root: etree._Element) -> str:
    """Return the canonical text of a document: HTML5 doctype, lxml's HTML serializer, final newline.

    ``serialize_document(parse_document(text)) == text`` for any text this
    function produced, which the identity round trip relies on.
    """
    return lxml.html.tostring(root, doctype=_DOCTYPE, encoding="unicode", method="html") + "\n"
