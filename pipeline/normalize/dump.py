"""Scraped text dumps -> an HTML page that normalization treats like any other.

A dump is what a text-mode scraper saves: a ``Link:`` / ``Description:`` /
``Keywords:`` header, then the page as Markdown-like text with the site's
chrome inline. The body is parsed with markdown-it (CommonMark); a dump
profile picks the article's blocks. Each block keeps the line of the dump it
came from, for the catalogs' references.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from pipeline.errors import InputError
from pipeline.model import NormalizeStep
from pipeline.htmldoc import HTML_PARSER
from pipeline.normalize.profiles import DumpProfile, choose_dump_profile

__all__ = ["Dump", "parse_dump", "dump_to_html", "SOURCE_LINE_ATTRIBUTE"]

#: Attribute carrying a block's line in the dump until normalization reads it.
SOURCE_LINE_ATTRIBUTE = "data-source-line"

_HEADER = re.compile(r"^\s*(Link|Description|Keywords):[ \t]*(.*?)\s*$")
# The dump indents list items by six spaces, which Markdown would read as code.
_INDENTED_ITEM = re.compile(r"^\s+([*+-]|\d+[.)])\s")
# The dump wraps paragraphs at 80 columns; a wrapped line may start with "- "
# ("Melanoma\n- liver metastases"), which Markdown would read as a new list.
_WRAPPED_DASH = re.compile(r"^([*+-])\s")


@dataclass(frozen=True)
class Dump:
    """A parsed dump: its header fields, and the body with the line number it starts on."""

    url: str
    description: str
    keywords: str
    body: str
    body_line: int
    description_line: int = 0


def parse_dump(text: str, path: str) -> Dump:
    """Split a dump into header and body; InputError naming ``path`` when there is no ``Link:`` header."""
    lines = text.splitlines()
    fields: dict[str, tuple[str, int]] = {}
    number = 0
    for number, line in enumerate(lines):
        match = _HEADER.match(line)
        if match:
            fields[match.group(1).lower()] = (match.group(2), number + 1)
        elif line.strip():
            break
    if "link" not in fields:
        raise InputError("text dump without a 'Link:' header line", path, 1)
    description, description_line = fields.get("description", ("", 0))
    return Dump(fields["link"][0], description, fields.get("keywords", ("", 0))[0],
                "\n".join(lines[number:]), number + 1, description_line)


def _markdown_body(dump: Dump) -> str:
    prepared, previous = [], ""
    for line in dump.body.splitlines():
        if _INDENTED_ITEM.match(line):
            line = line.lstrip()
        elif _WRAPPED_DASH.match(line) and previous.strip() and not _INDENTED_ITEM.match(previous) \
                and not _WRAPPED_DASH.match(previous.lstrip()):
            line = "\\" + line
        prepared.append(line)
        previous = line
    from markdown_it import MarkdownIt  # text dumps only: HTML sources never need it

    parser = MarkdownIt("commonmark")
    tokens = parser.parse("\n".join(prepared))
    for token in tokens:
        if token.nesting == 1 and token.map:
            token.attrSet(SOURCE_LINE_ATTRIBUTE, str(token.map[0] + dump.body_line))
    return parser.renderer.render(tokens, parser.options, {})


def _text(block: etree._Element) -> str:
    return " ".join("".join(block.itertext()).split())


def dump_to_html(text: str, path: str, profile_name: str | None = None) -> tuple[str, list[NormalizeStep]]:
    """Turn a dump into an HTML page holding its article (title, description, canonical URL, blocks).

    Returns the page and the steps taken (which dump profile, which blocks
    were dropped as chrome). Raises InputError naming ``path`` when the dump
    has no header or no ``#`` title.
    """
    dump = parse_dump(text, path)
    profile: DumpProfile = choose_dump_profile(dump.url, profile_name)
    steps = [NormalizeStep("profile", f"dump:{profile.name}", "selected by the Link: URL")]
    body = lxml.html.fragment_fromstring(_markdown_body(dump), create_parent="div", parser=HTML_PARSER)
    blocks = [child for child in body if isinstance(child.tag, str)]
    start = next((i for i, block in enumerate(blocks) if block.tag == "h1"), None)
    if start is None:
        raise InputError("text dump without a '# title' line: no article found", path)
    kept, dropped = [], 0
    for block in blocks[start:]:
        text_of = _text(block)
        alts = [img.get("alt", "") for img in block.iter("img")]
        chrome = any(re.search(pattern, text_of) for pattern in profile.drop_text) or (
            not text_of and alts and all(any(re.search(p, alt) for p in profile.drop_alt) for alt in alts))
        if chrome:
            dropped += 1
        else:
            kept.append(block)
        if profile.end_after and re.search(profile.end_after, text_of):
            break
    dropped += len(blocks) - start - len(kept) - dropped
    steps.append(NormalizeStep("drop", "blocks outside the article", f"site chrome, {start + dropped} block(s)"))
    h1 = blocks[start]
    title = profile.title.replace("{h1}", _text(h1))
    head = ['<meta charset="utf-8">',
            f'<title {SOURCE_LINE_ATTRIBUTE}="{h1.get(SOURCE_LINE_ATTRIBUTE, "")}">{html.escape(title)}</title>']
    if dump.description:
        head.append(f'<meta name="description" content="{html.escape(dump.description)}" '
                    f'{SOURCE_LINE_ATTRIBUTE}="{dump.description_line}">')
    head.append(f'<link rel="canonical" href="{html.escape(dump.url)}">')
    article = "".join(lxml.html.tostring(block, encoding="unicode") for block in kept)
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>{"".join(head)}</head>\n'
            f"<body><article>{article}</article></body>\n</html>\n")
    return page, steps
