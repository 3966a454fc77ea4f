"""Inline markup <-> placeholder text (``which is called <a>hepatocellular carcinoma</a>.``).

A translator sees inline elements as attribute-free tags. When a segment holds
two elements of one name they are numbered (``<a1>``, ``<a2>``) so they can be
reordered. Void elements and ``translate="no"`` spans are self-closing
(``<img/>``, ``<span1/>``): their content is not the translator's to change.

A msgstr is data, not HTML: it is read with this module's small grammar and
compared with the source's placeholders; elements are rebuilt from the
skeleton, so a translation can never bring in markup or attributes of its own.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from pipeline.htmldoc import VOID_ELEMENTS

__all__ = [
    "MarkupError", "Placeholder", "name_placeholders", "to_text", "parse_text", "build_nodes", "plain_content",
    "is_protected", "escape_text", "TAG_TOKEN",
]

#: One placeholder tag as written in a msgid: ``<a>``, ``</a2>``, ``<img/>``.
TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(/?)>")
_TOKENS = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(/?)>|&lt;|&amp;")
# In text, "<" is escaped only where it would read as a tag, and "&" only where
# it would read as one of our two escapes, so "<5 mg" stays readable.
_TEXT_ESCAPES = re.compile(r"<(?=/?[A-Za-z])|&(?=lt;|amp;)")


class MarkupError(ValueError):
    """A msgstr whose placeholders do not match its source: ``str()`` says what is wrong."""


@dataclass(frozen=True, eq=False)
class Placeholder:
    """One inline element of a source segment, by the name the translator sees."""

    name: str
    element: etree._Element
    closed: bool  # True for self-closing placeholders (void or protected elements)


def is_protected(element: etree._Element) -> bool:
    """True when ``element`` is marked not to be translated (``translate="no"`` or class ``notranslate``)."""
    if not element.keys():  # most elements of a clean document have no attribute
        return False
    if (element.get("translate") or "").strip().lower() == "no":
        return True
    return "notranslate" in (element.get("class") or "").split()


def escape_text(text: str | None) -> str:
    """Text as it reads in placeholder text: ``<`` before a letter and ``&`` before ``lt;``/``amp;`` escaped."""
    if not text:
        return ""
    if "<" not in text and "&" not in text:
        return text
    return _TEXT_ESCAPES.sub(lambda m: "&lt;" if m.group() == "<" else "&amp;", text)


def _inline_descendants(nodes: Iterable[etree._Element]) -> list[etree._Element]:
    found = []
    for node in nodes:
        found.append(node)
        if node.tag not in VOID_ELEMENTS and not is_protected(node):
            found.extend(_inline_descendants(node))
    return found


def name_placeholders(nodes: Iterable[etree._Element]) -> dict[etree._Element, Placeholder]:
    """Name the inline elements among ``nodes`` and their descendants, in document order.

    Names are the tag names, numbered from 1 when a name occurs more than once.
    """
    elements = _inline_descendants(nodes)
    if not elements:
        return {}  # text only: most headings and list items
    totals = Counter(e.tag for e in elements)
    seen: Counter[str] = Counter()
    named = {}
    for element in elements:
        seen[element.tag] += 1
        name = element.tag if totals[element.tag] == 1 else f"{element.tag}{seen[element.tag]}"
        closed = element.tag in VOID_ELEMENTS or is_protected(element)
        named[element] = Placeholder(name, element, closed)
    return named


def to_text(lead: str | None, nodes: list[etree._Element], tails: list[str | None],
            names: dict[etree._Element, Placeholder]) -> str:
    """Write a run of inline content as placeholder text.

    ``lead`` is the text before the first node, ``nodes`` the elements of the
    run and ``tails`` the text after each (the caller decides which tails belong
    to the run). ``names`` comes from name_placeholders.
    """
    parts = [escape_text(lead)]
    for node, tail in zip(nodes, tails, strict=True):
        placeholder = names[node]
        if placeholder.closed:
            parts.append(f"<{placeholder.name}/>")
        else:
            children = list(node)
            parts.append(f"<{placeholder.name}>")
            parts.append(to_text(node.text, children, [c.tail for c in children], names))
            parts.append(f"</{placeholder.name}>")
        parts.append(escape_text(tail))
    return "".join(parts)


@dataclass
class _Open:
    name: str
    text: list[str]
    children: list[tuple["_Open", list[str]]]


def plain_content(text: str, placeholders: Sequence[Placeholder]) -> str | None:
    """What build_nodes(parse_text(text, placeholders)) gives when its source has no placeholder and
    ``text`` no tag or escape: ``text`` itself, as the lead text of no element; else None. Most
    segments are plain text, and their pages need neither the tree nor the nodes."""
    return text if not placeholders and _TOKENS.search(text) is None else None


def parse_text(text: str, placeholders: Iterable[Placeholder]) -> _Open:
    """Read placeholder text against the source's placeholders and return its tree.

    Raises MarkupError when a tag is unknown, used twice, missing, closed in
    the wrong order or of the wrong kind (``<img>`` for ``<img/>``).
    """
    known = {p.name: p for p in placeholders}
    root = _Open("", [], [])
    stack = [root]
    used: set[str] = set()
    position = 0

    def add_text(piece: str) -> None:
        top = stack[-1]
        if top.children:
            top.children[-1][1].append(piece)
        else:
            top.text.append(piece)

    for match in _TOKENS.finditer(text):
        add_text(text[position:match.start()])
        position = match.end()
        token = match.group()
        if token == "&lt;":
            add_text("<")
            continue
        if token == "&amp;":
            add_text("&")
            continue
        slash, name, self_closing = match.groups()
        placeholder = known.get(name)
        if placeholder is None:
            raise MarkupError(f"tag <{slash}{name}{self_closing}> is not in the source")
        if slash:
            if len(stack) == 1 or stack[-1].name != name:
                raise MarkupError(f"</{name}> closes a tag that is not open")
            stack.pop()
            continue
        if name in used:
            raise MarkupError(f"<{name}> is used more than once")
        used.add(name)
        if placeholder.closed != bool(self_closing):
            expected = f"<{name}/>" if placeholder.closed else f"<{name}>…</{name}>"
            raise MarkupError(f"<{name}{self_closing}> should be written {expected}")
        node = _Open(name, [], [])
        stack[-1].children.append((node, []))
        if not self_closing:
            stack.append(node)
    add_text(text[position:])
    if len(stack) > 1:
        raise MarkupError(f"<{stack[-1].name}> is never closed")
    missing = sorted(set(known) - used)
    if missing:
        raise MarkupError("missing " + ", ".join(f"<{name}>" for name in missing))
    return root


def _built(node: _Open, by_name: dict[str, Placeholder]) -> etree._Element:
    """The element of one parsed placeholder and everything inside it (see build_nodes)."""
    source = by_name[node.name]
    if source.closed:
        element = copy.deepcopy(source.element)
        element.tail = None
        return element
    element = source.element.makeelement(source.element.tag, dict(source.element.attrib))
    element.text = "".join(node.text) or None
    element.extend(_built_children(node, by_name))
    return element


def _built_children(node: _Open, by_name: dict[str, Placeholder]) -> list[etree._Element]:
    """The elements of a parsed node's children, each with its tail."""
    elements = []
    for child, tail in node.children:
        built = _built(child, by_name)
        built.tail = "".join(tail) or None
        elements.append(built)
    return elements


def build_nodes(tree: _Open, placeholders: Iterable[Placeholder]) -> tuple[str, list[etree._Element]]:
    """Turn a parsed msgstr into lxml nodes: the leading text and the top-level elements (with tails).

    Each element is rebuilt from its source element's tag and attributes;
    self-closing placeholders are copied whole from the source.
    """
    return "".join(tree.text), _built_children(tree, {p.name: p for p in placeholders})
