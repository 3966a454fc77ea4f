"""Raw page bytes -> CleanDocument: decode, keep the article, sanitize, fix mojibake, tidy whitespace.

``normalize`` is the stage function; the modules beside this one each own one
step and say what they did as NormalizeStep records.
"""

from __future__ import annotations

import re

from lxml import etree

from pipeline.errors import InputError
from pipeline.htmldoc import BLOCK_ELEMENTS, VOID_ELEMENTS, is_block, new_element, parse_document, serialize_document
from pipeline.model import CleanDocument, NormalizeStep
from pipeline.normalize.decoding import decode_html
from pipeline.normalize.dump import SOURCE_LINE_ATTRIBUTE, dump_to_html
from pipeline.normalize.mojibake import fix_text, fix_tree
from pipeline.normalize.profiles import choose_profile, densest_block, select_content, select_drop
from pipeline.normalize.sanitize import safe_url, sanitize_tree

__all__ = ["normalize", "normalize_dump", "MAX_DEPTH"]

#: Deepest element nesting accepted. Real articles stay under 40 levels;
#: libxml2's HTML parser stops at 256 without saying so, and our tree walks
#: recurse, so deeper pages are refused with a clear error.
MAX_DEPTH = 200

#: Elements whose whitespace is content and must not be collapsed.
_WHITESPACE_KEPT = frozenset({"pre", "textarea"})

#: Elements that still mean something with no text inside (table structure, images).
_KEPT_WHEN_EMPTY = frozenset({"td", "th", "tr", "thead", "tbody", "tfoot", "table", "col", "colgroup",
                              "br", "img", "wbr", "hr"})

#: Wrappers whose children are the article: taking them whole would nest one
#: article inside another.
_UNWRAPPED_ROOTS = frozenset({"article", "main", "body"})

_COLLAPSIBLE = re.compile(r"[ \t\n\r\f\v]+")
# A no-break space between a number and its unit ("5\N{NO-BREAK SPACE}mg") is
# typography worth keeping; everywhere else in scraped pages it is layout.
_LAYOUT_NBSP = re.compile(r"(?<!\d)\N{NO-BREAK SPACE}|\N{NO-BREAK SPACE}(?![^\W\d_]|[%°µ])")


_NOT_HTML_START = (("%PDF", "a PDF document"), ("{", "JSON data"), ("[", "JSON data"), ("PK", "a ZIP archive"))


def _refuse_non_html(text: str, source_path: str) -> None:
    start = text.lstrip("\ufeff \t\r\n")[:200]
    for prefix, kind in _NOT_HTML_START:
        if start.startswith(prefix):
            raise InputError(f"{kind}, not an HTML page", source_path)
    if not start.startswith("<"):
        raise InputError("plain text, not an HTML page (no markup at the start)", source_path)
    if start.startswith("<?xml") and "<html" not in text[:2000].lower():
        raise InputError("an XML document, not an HTML page", source_path)


#: True when some element of a tree lies deeper than MAX_DEPTH (its root at depth 1): one path of
#: MAX_DEPTH steps, evaluated in C, where _depth walks in Python.
_DEEPER_THAN_ALLOWED = etree.XPath("boolean(" + "/".join(["*"] * MAX_DEPTH) + ")")

#: The elements that carry a text dump's source line.
_CARRYING_SOURCE_LINES = etree.XPath(f"descendant-or-self::*[@{SOURCE_LINE_ATTRIBUTE}]")


def _depth(root: etree._Element) -> int:
    depth = deepest = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _clean_text(text: str) -> str:
    fixed, _ = fix_text(text)
    return " ".join(_LAYOUT_NBSP.sub(" ", fixed).split())


def _head_facts(page: etree._Element) -> tuple[etree._Element | None, etree._Element | None, str]:
    title = page.find(".//title")
    description = None
    for meta in page.iter("meta"):
        if (meta.get("name") or "").lower() == "description" and (meta.get("content") or "").strip():
            description = meta
            break
    base_url = ""
    for link in page.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            base_url = link.get("href").strip()
            break
    if not base_url:
        for meta in page.iter("meta"):
            if meta.get("property") == "og:url" and meta.get("content"):
                base_url = meta.get("content").strip()
                break
    return title, description, base_url



def _remove_empty(root: etree._Element) -> None:
    for element in reversed(list(root.iter())):
        if element is root or element.tag in _KEPT_WHEN_EMPTY:
            continue
        if (element.text or "").strip() or len(element):
            continue
        element.drop_tree()


def _wrap_loose_inline(container: etree._Element) -> None:
    """Put text and inline elements that sit between blocks into a ``<div>`` of their own."""
    pending_text, pending_nodes, first_line = container.text, [], container.sourceline
    container.text = None

    def flush(before: etree._Element | None) -> None:
        if (pending_text or "").strip() or pending_nodes:
            wrapper = new_element("div", line=first_line)
            wrapper.text = pending_text
            for node in pending_nodes:
                wrapper.append(node)
            if before is None:
                container.append(wrapper)
            else:
                before.addprevious(wrapper)

    for child in list(container):
        if is_block(child):
            flush(child)
            pending_text, pending_nodes, first_line = child.tail, [], child.sourceline
            child.tail = None
        else:
            pending_nodes.append(child)
    flush(None)


def _inline_items(element: etree._Element, items: list) -> None:
    """Append to ``items`` the text places of ``element``'s content in reading order, ``(element,
    "text")`` and ``(child, "tail")``, and each void element (``<br>``, ``<img>``) itself."""
    items.append((element, "text"))
    for child in element:
        if child.tag in VOID_ELEMENTS:
            items.append(child)
        else:
            _inline_items(child, items)
        items.append((child, "tail"))


def _collapse_inline(block: etree._Element) -> None:
    """Collapse whitespace runs across a block's inline content; trim its start and end."""
    if not len(block):  # text only (most list items and headings): the steps below, on one string
        text = block.text
        if text:
            block.text = _collapsed(text, True).rstrip(" ") or None
        return
    items: list[tuple[etree._Element, str] | etree._Element] = []
    _inline_items(block, items)
    after_space = True
    for item in items:
        if not isinstance(item, tuple):
            if item.tag == "br":
                _trim_end(items[: items.index(item)])
                after_space = True
            else:
                after_space = False
            continue
        element, slot = item
        text = getattr(element, slot)
        if not text:
            continue
        text = _collapsed(text, after_space)
        if text:
            after_space = text.endswith(" ")
        setattr(element, slot, text or None)
    _trim_end(items)


def _collapsed(text: str, after_space: bool) -> str:
    """One text of a block with layout no-break spaces made spaces and whitespace runs one space,
    without its first space when it follows a space (``after_space``)."""
    if "\N{NO-BREAK SPACE}" in text:
        text = _LAYOUT_NBSP.sub(" ", text)
    if "  " in text or not text.isprintable():  # else every run is one space already (\t, \n... are not printable)
        text = _COLLAPSIBLE.sub(" ", text)
    if after_space and text.startswith(" "):
        text = text[1:]
    return text


def _trim_end(items: list) -> None:
    for item in reversed(items):
        if not isinstance(item, tuple):
            return
        element, slot = item
        text = getattr(element, slot)
        if not text:
            continue
        stripped = text.rstrip(" ")
        setattr(element, slot, stripped or None)
        if stripped:
            return


def _tidy_whitespace(root: etree._Element) -> None:
    """Give every container one newline between its blocks and collapse text inside leaf blocks.

    ``root`` is the document's ``<html>``; the head gets one element per line.
    """
    root.text = "\n"
    for part in root:
        part.text = part.tail = "\n"
        if part.tag == "head":
            for child in part:
                child.tail = "\n"
    _lay_out(root.find("body"), True, False)


def _has_loose_inline(block: etree._Element) -> bool:
    """Whether ``block`` holds a block beside text or inline elements, which _wrap_loose_inline wraps.

    A block holding blocks only, with whitespace between them, is left to _lay_out, which gives
    it its newlines whatever whitespace it had.
    """
    has_block, loose = False, bool(block.text) and not block.text.isspace()
    for child in block:
        if child.tag in BLOCK_ELEMENTS:
            has_block = True
        else:
            loose = True
        if child.tail and not child.tail.isspace():
            loose = True
    return has_block and loose


def _lay_out(element: etree._Element, parent_is_block: bool, in_kept: bool) -> None:
    """Lay out ``element`` and everything inside it, in document order: a block holding blocks beside
    text or inline elements first gets those wrapped (_wrap_loose_inline); a block holding blocks gets
    a newline before each; a block holding none, its inline content collapsed, when its parent is a
    block and no ``pre`` or ``textarea`` holds it."""
    tag = element.tag
    block = tag in BLOCK_ELEMENTS
    if block and tag not in _WHITESPACE_KEPT:
        if len(element) and _has_loose_inline(element):
            _wrap_loose_inline(element)
        for child in element:
            if child.tag in BLOCK_ELEMENTS:
                element.text = "\n"
                for each in element:
                    each.tail = "\n"
                break
        else:
            if parent_is_block and not in_kept:
                _collapse_inline(element)
    in_kept = in_kept or tag in _WHITESPACE_KEPT
    for child in element:
        _lay_out(child, block, in_kept)


def _article_parts(page: etree._Element, profile_name: str | None) -> tuple[list[etree._Element], list[NormalizeStep]]:
    body = page.find("body")
    if body is None:
        return [], []
    profile = choose_profile(page, profile_name)
    steps = [NormalizeStep("profile", profile.name, "selected by detect selectors" if profile_name is None
                           else "named in the request")]
    parts = select_content(page, profile)
    if parts:
        steps.append(NormalizeStep("keep", ", ".join(profile.content), f"{len(parts)} part(s) of the page"))
    elif profile.name == "generic":
        block = densest_block(body)
        if block is not None:
            parts = [block]
            steps.append(NormalizeStep("keep", f"<{block.tag}>", "densest text block"))
    dropped: dict[str, int] = {}
    for part in parts:
        for css, element in select_drop(part, profile):
            if element.getparent() is not None:
                dropped[css] = dropped.get(css, 0) + 1
                element.drop_tree()
    steps += [NormalizeStep("drop", css, f"site chrome, {n} element(s)") for css, n in dropped.items()]
    return parts, steps


def normalize(raw: bytes, *, doc_id: str, source_path: str, http_charset: str | None = None,
              url: str = "", profile_name: str | None = None,
              source_locale: str = "en") -> tuple[CleanDocument, list[NormalizeStep]]:
    """Turn a scraped page's bytes into the canonical clean document of its article.

    Takes the raw bytes and what is known about them (document id, path shown in
    messages and references, HTTP charset, URL, site profile name). Returns the
    CleanDocument and the steps taken. Raises InputError naming ``source_path``
    when the page cannot be decoded or holds no article.
    """
    if not raw.strip():
        raise InputError("empty file, not an HTML page", source_path)
    text, decoding = decode_html(raw, http_charset, source_path)
    steps = [NormalizeStep("decode", decoding.encoding, f"{decoding.rule}: {decoding.reason}")]
    _refuse_non_html(text, source_path)
    try:
        page = parse_document(text)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse as HTML: {exc}", source_path) from exc
    if _DEEPER_THAN_ALLOWED(page):
        depth = _depth(page)
        raise InputError(f"elements nested {depth}{'+' if depth >= 256 else ''} levels deep, over the limit of "
                         f"{MAX_DEPTH}", source_path)
    for element in _CARRYING_SOURCE_LINES(page):
        line = element.get(SOURCE_LINE_ATTRIBUTE)
        if line.isdigit():
            element.sourceline = int(line)  # a text dump's line, carried through the generated HTML

    title, description, declared_url = _head_facts(page)
    base_url = safe_url(declared_url or url) or "" if (declared_url or url) else ""
    parts, profile_steps = _article_parts(page, profile_name)
    steps += profile_steps

    root = new_element("html", lang=source_locale)
    head = etree.SubElement(root, "head")
    head.append(new_element("meta", charset="utf-8"))
    if title is not None and (title.text or "").strip():
        title_element = new_element("title", line=title.sourceline)
        title_element.text = _clean_text(title.text)
        head.append(title_element)
    if description is not None:
        head.append(new_element("meta", line=description.sourceline, name="description",
                         content=_clean_text(description.get("content"))))
    if base_url:
        head.append(new_element("link", rel="canonical", href=base_url))
    body = etree.SubElement(root, "body")
    article = etree.SubElement(body, "article")
    for part in parts:
        if part.tag in _UNWRAPPED_ROOTS:
            if (part.text or "").strip():
                wrapper = new_element("div", line=part.sourceline)
                wrapper.text = part.text
                article.append(wrapper)
            article.extend(list(part))
        else:
            part.tail = None
            article.append(part)

    steps += sanitize_tree(article, base_url)
    steps += fix_tree(root)
    _remove_empty(article)
    if not any(text.strip() for text in article.itertext()):  # stops at the first word
        raise InputError("no article content found on the page", source_path)
    _tidy_whitespace(root)

    html = serialize_document(root)
    # Extract and build find each element's source line by its position in the parsed clean document, so
    # parsing ``html`` must give back this tree, element for element. The tests check that of every
    # fixture page and of generated ones (tests/test_fuzz.py); checking it here cost a second parse of
    # every page, 8% of normalizing.
    document = CleanDocument(doc_id=doc_id, source_path=source_path, html=html,
                             source_lines=tuple([element.sourceline or 0 for element in root.iter()]),
                             base_url=base_url)
    return document, steps


def normalize_dump(raw: bytes, *, doc_id: str, source_path: str, profile_name: str | None = None,
                   source_locale: str = "en") -> tuple[CleanDocument, list[NormalizeStep]]:
    """Turn a scraped text dump (``Link:``/``Description:`` header, Markdown-like body) into a clean document.

    The same clean-document model as for HTML pages: title, description,
    sections and lists, with the site's chrome dropped by the dump profile.
    Raises InputError naming ``source_path`` for an unusable dump.
    """
    if not raw.strip():
        raise InputError("empty file, not a text dump", source_path)
    text, decoding = decode_html(raw, None, source_path)
    page, dump_steps = dump_to_html(text, source_path, profile_name)
    document, steps = normalize(page.encode("utf-8"), doc_id=doc_id, source_path=source_path,
                                profile_name="generic", source_locale=source_locale)
    decode_step = NormalizeStep("decode", decoding.encoding, f"{decoding.rule}: {decoding.reason}")
    kept = [step for step in steps[1:] if step.action not in ("profile", "keep")
            and step.target != SOURCE_LINE_ATTRIBUTE]
    return document, [decode_step, *dump_steps, *kept]
