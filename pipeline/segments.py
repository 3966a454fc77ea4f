"""CleanDocument <-> segments: what a segment is, defined once, for extract and inject.

``iter_segments`` walks a clean document and yields ``(Slot, Segment)`` pairs
in document order. ``extract`` keeps the segments; ``inject`` puts a
translation into each slot by position, never by looking up source text, so
extract and inject cannot disagree. Injecting every msgid as its own msgstr
gives back the clean document byte for byte.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from pipeline.htmldoc import BLOCK_ELEMENTS, SEGMENT_ROLES, VOID_ELEMENTS, parse_document, serialize_document
from pipeline.model import CleanDocument, Segment
from pipeline.placeholders import (
    TAG_TOKEN, MarkupError, Placeholder, build_nodes, escape_text, is_protected, name_placeholders, parse_text,
    plain_content, to_text,
)

__all__ = ["TRANSLATABLE_ATTRIBUTES", "Slot", "Fallback", "iter_segments", "extract", "inject", "plain_text"]

#: Attributes whose values readers see or hear, by the role a translator is told.
TRANSLATABLE_ATTRIBUTES = {
    "alt": "image alternative text",
    "title": "tooltip",
    "aria-label": "accessible label",
}


class Slot(NamedTuple):
    """Where one segment sits in the skeleton.

    Content slots: the children ``start:end`` of ``container`` (plus the text
    before them) hold the segment; ``block`` is the block it belongs to.
    Attribute slots: ``attribute`` of ``container``. A named tuple, not a
    frozen dataclass: every extraction and every page built makes one per
    segment, and a tuple is made in a quarter of the time.
    """

    block: etree._Element
    container: etree._Element
    start: int = 0
    end: int = 0
    attribute: str | None = None
    placeholders: tuple[Placeholder, ...] = ()
    lead_space: str = ""
    trail_space: str = ""


@dataclass(frozen=True)
class Fallback:
    """A segment published in the source language, and why."""

    segment: Segment
    reason: str


@lru_cache(maxsize=65536)  # a source text is read in each locale's catalog, by the word counts and the checks
def plain_text(text: str) -> str:
    """Return placeholder text without its tags (for headings in comments and word counts)."""
    if "<" not in text and "&" not in text:
        return " ".join(text.split())  # no tag, no escape: most texts
    return " ".join(TAG_TOKEN.sub("", text).replace("&lt;", "<").replace("&amp;", "&").split())


def _role(block: etree._Element) -> str:
    # Normalization wraps loose text beside a nested list in a <div>; to the
    # translator it is still the list item (or cell) it sits in.
    parent = block.getparent()
    if block.tag == "div" and parent is not None and parent.tag in ("li", "td", "th", "dd", "dt"):
        return SEGMENT_ROLES[parent.tag]
    return SEGMENT_ROLES.get(block.tag, "text block")


def _lead_text(container: etree._Element, start: int) -> str:
    return (container.text if start == 0 else container[start - 1].tail) or ""


def _has_text(element: etree._Element) -> bool:
    if is_protected(element):
        return False
    if (element.text or "").strip():
        return True
    return any(_has_text(child) or (child.tail or "").strip() for child in element)


def _content_range(container: etree._Element) -> tuple[etree._Element, int, int]:
    """Trim leading/trailing elements without text into the skeleton; descend through wrappers.

    ``<li><a><img></a><a>Liver biopsy</a></li>`` gives the inner ``<a>``, whose
    whole content is the segment ``Liver biopsy``.
    """
    while True:
        children = list(container)
        start, end = 0, len(children)
        while start < end and not _lead_text(container, start).strip() and not _has_text(children[start]) \
                and not (children[start].tail or "").strip() and children[start].tag not in ("br", "wbr"):
            start += 1
        while end > start and not _has_text(children[end - 1]) and children[end - 1].tag not in ("br", "wbr") \
                and not (children[end - 1].tail or "").strip():
            end -= 1
        if start < end and start + 1 == end and not _lead_text(container, start).strip():
            only = children[start]
            if (only.tag not in VOID_ELEMENTS and not is_protected(only)
                    and not (only.tail or "").strip()):
                container = only
                continue
        return container, start, end


def _content_slot(block: etree._Element) -> Slot | None:
    if not len(block):  # text only (most list items and headings): what the general case makes of it
        raw = escape_text(block.text)
        stripped = raw.strip()
        if not stripped:
            return None
        return Slot(block, block, 0, 0, None, (), raw[: len(raw) - len(raw.lstrip())], raw[len(raw.rstrip()):]), \
            stripped
    container, start, end = _content_range(block)
    children = list(container)
    nodes = children[start:end]
    tails = [child.tail for child in nodes]
    if end < len(children) and tails:
        tails[-1] = None  # whitespace before trailing skeleton elements stays in the skeleton
    lead = _lead_text(container, start)
    if not lead.strip() and not any(_has_text(n) or (t or "").strip() for n, t in zip(nodes, tails)):
        return None
    names = name_placeholders(nodes)
    raw = to_text(lead, nodes, tails, names)
    stripped = raw.strip()
    lead_space = raw[: len(raw) - len(raw.lstrip())]
    trail_space = raw[len(raw.rstrip()):]
    return Slot(block, container, start, end, None, tuple(names.values()), lead_space, trail_space), stripped


def _section_scope(heading: etree._Element) -> etree._Element:
    """Return the element a section heading governs: its lowest ancestor holding more than the heading.

    MedlinePlus wraps each ``<h2>`` in header divs inside ``div.section``; a flat
    page puts headings and paragraphs side by side. Both come out right.
    """
    wrapper, parent = heading, heading.getparent()
    while parent is not None and not _holds_text_beside(parent, wrapper):
        wrapper, parent = parent, parent.getparent()
    return parent if parent is not None else wrapper


def _holds_text_beside(parent: etree._Element, child: etree._Element) -> bool:
    """Whether ``parent``'s text content holds more than ``child``'s, besides whitespace.

    The same as comparing the two texts stripped, without joining the text of a
    whole section: the first word of another child answers.
    """
    if (parent.text or "").strip():
        return True
    for other in parent:
        if (other.tail or "").strip():
            return True
        if other is not child and isinstance(other.tag, str) and any(text.strip() for text in other.itertext()):
            return True
    return False


def iter_segments(root: etree._Element, source_lines: tuple[int, ...] = ()) -> Iterator[tuple[Slot, Segment]]:
    """Yield ``(Slot, Segment)`` for every translatable piece of a clean document, in document order.

    Takes the document's ``<html>`` element and the source line of each
    element (CleanDocument.source_lines). Elements marked ``translate="no"`` or
    ``class="notranslate"`` are skipped with everything inside them.
    """
    index = {element: position for position, element in enumerate(root.iter())}

    def line(element: etree._Element) -> int:
        position = index.get(element)
        return source_lines[position] if position is not None and position < len(source_lines) else 0

    head = root.find("head")
    if head is not None:
        title = head.find("title")
        if title is not None and (title.text or "").strip():
            found = _content_slot(title)
            if found:
                slot, text = found
                yield slot, Segment(text, "page title", None, line(title))
        for meta in head.iter("meta"):
            if (meta.get("name") or "").lower() == "description" and (meta.get("content") or "").strip():
                yield Slot(meta, meta, attribute="content"), Segment(meta.get("content"), "meta description",
                                                                       None, line(meta))

    headings: list[tuple[str, etree._Element]] = []
    found: list[tuple[Slot, Segment]] = []  # built by plain recursion: a generator per level cost more

    def section_of(element: etree._Element) -> str | None:
        ancestors = set(element.iterancestors())
        for heading, scope in reversed(headings):
            if scope in ancestors:
                return heading
        return None

    def attributes(element: etree._Element, section: Callable[[], str | None] | str | None) -> None:
        """The translatable attributes of ``element``; ``section`` may be a function that finds it,
        asked only when there is one (most elements have no attribute at all)."""
        if not element.keys():
            return
        for name, role in TRANSLATABLE_ATTRIBUTES.items():
            value = element.get(name)
            if value and value.strip():
                if callable(section):
                    section = section()
                found.append((Slot(element, element, attribute=name), Segment(value, role, section, line(element))))

    def inline_attributes(element: etree._Element, section: str | None) -> None:
        for child in element:
            if isinstance(child.tag, str) and not is_protected(child):
                attributes(child, section)
                inline_attributes(child, section)

    def walk(element: etree._Element) -> None:
        tag = element.tag
        if not isinstance(tag, str) or is_protected(element):
            return
        if tag in BLOCK_ELEMENTS and element not in containers:
            section = None if element.tag in ("h1", "h2") else section_of(element)
            content = _content_slot(element)
            if content:
                slot, text = content
                found.append((slot, Segment(text, _role(element), section, line(element))))
                if element.tag == "h2":
                    headings.append((plain_text(text), _section_scope(element)))
            attributes(element, section)
            inline_attributes(element, section)
            return
        attributes(element, lambda: section_of(element))
        for child in element:
            walk(child)

    body = root.find("body")
    if body is not None:
        # The elements with a block among their children, found in one pass (asked of every element).
        containers = {block.getparent() for block in body.iter(*BLOCK_ELEMENTS)}
        walk(body)
    # walk and inline_attributes call themselves, so each holds itself through its closure: a
    # reference cycle, which would keep the tree and its segments until the cyclic collector ran.
    del walk, inline_attributes
    yield from found


def extract(document: CleanDocument) -> list[Segment]:
    """Return the segments of a clean document in document order (duplicates included)."""
    root = parse_document(document.html)
    return [segment for _, segment in iter_segments(root, document.source_lines)]


def _inject_content(slot: Slot, text: str) -> None:
    text = slot.lead_space + text + slot.trail_space
    lead, elements = plain_content(text, slot.placeholders), []
    if lead is None:
        lead, elements = build_nodes(parse_text(text, slot.placeholders), slot.placeholders)
    container = slot.container
    children = list(container)
    skeleton_tail = children[slot.end - 1].tail if slot.end < len(children) else None
    for child in children[slot.start:slot.end]:
        container.remove(child)
    if elements:
        elements[-1].tail = ((elements[-1].tail or "") + (skeleton_tail or "")) or None
    else:
        lead += skeleton_tail or ""
    if slot.start == 0:
        container.text = lead or None
    else:
        container[slot.start - 1].tail = lead or None
    for offset, element in enumerate(elements):
        container.insert(slot.start + offset, element)


class _Skeleton:
    """A clean document parsed once, with its slots found once (iter_segments costs ten parses).

    Each injection works on a copy of the tree, its slots pointed at the copy's
    elements by their position in document order. The tree itself is never
    changed.
    """

    def __init__(self, document: CleanDocument):
        self.root = parse_document(document.html)
        position = {element: index for index, element in enumerate(self.root.iter())}
        self.pairs = []
        for slot, segment in iter_segments(self.root, document.source_lines):
            self.pairs.append((slot, segment, position[slot.block], position[slot.container],
                               tuple(position[p.element] for p in slot.placeholders)))

    def copy(self) -> tuple[etree._Element, list[tuple[Slot, Segment]]]:
        """A fresh tree of the document and its (Slot, Segment) pairs, in document order."""
        root = copy.deepcopy(self.root)
        elements = list(root.iter())
        pairs = []
        for slot, segment, block, container, inline in self.pairs:
            placeholders = tuple(Placeholder(p.name, elements[index], p.closed)
                                 for p, index in zip(slot.placeholders, inline)) if inline else ()
            # The slot with the copy's elements, made whole: _replace costs several times more.
            pairs.append((Slot(elements[block], elements[container], slot.start, slot.end, slot.attribute,
                               placeholders, slot.lead_space, slot.trail_space), segment))
        return root, pairs


@lru_cache(maxsize=8)  # a document's pages in every locale, and the site's templates, in a row
def _skeleton(document: CleanDocument) -> _Skeleton:
    return _Skeleton(document)


def inject(document: CleanDocument, translations: Mapping[str, str], source_lang: str,
           source_dir: str | None = None) -> tuple[etree._Element, list[Fallback]]:
    """Put translations into a clean document's skeleton, by position.

    ``translations`` maps msgid to msgstr for the messages that may be
    published. A segment without one, or whose msgstr's markup does not match
    its source, keeps its source text and gets ``lang=source_lang`` on its
    block so screen readers switch voice (and ``dir=source_dir`` when given,
    so English keeps its direction inside a right-to-left page); it is listed
    as a Fallback. Returns the document tree (a new one at each call) and the
    fallbacks.
    """
    root, pairs = _skeleton(document).copy()
    fallbacks = []
    # Attributes first: rebuilding a block copies the attributes of its inline
    # elements, which must already hold their translations.
    for slot, segment in sorted(pairs, key=lambda pair: pair[0].attribute is None):
        translated = translations.get(segment.text)
        if translated is not None and slot.attribute is not None:
            slot.container.set(slot.attribute, translated)
            continue
        if translated is not None:
            try:
                _inject_content(slot, translated)
                continue
            except MarkupError as exc:
                fallbacks.append(Fallback(segment, f"markup does not match the source: {exc}"))
        else:
            fallbacks.append(Fallback(segment, "not translated"))
        if slot.attribute is None and slot.block.get("lang") is None:
            slot.block.set("lang", source_lang)
            if source_dir:
                slot.block.set("dir", source_dir)
    return root, fallbacks


def render(root: etree._Element) -> str:
    """Serialize a document tree canonically (see htmldoc.serialize_document)."""
    return serialize_document(root)
