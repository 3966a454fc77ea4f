"""Clean document + translations -> localized page; the site index.

Translations go into the skeleton through ``segments.inject``, which reads a
msgstr as data: a translation can only use its source's inline tags, and the
attributes of those tags come from the source. The page then gets its
language and direction, alternate-language links and a language switcher.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import lxml.html
from lxml import etree

from pipeline.htmldoc import parse_document, serialize_document
from pipeline.locales import language_tag, native_name, text_direction
from pipeline.model import CleanDocument
from pipeline.segments import Fallback, inject

__all__ = ["SiteLanguage", "assemble", "site_index", "STYLESHEET"]

#: The site's stylesheet, written once as build/site/style.css. Logical
#: properties (inline-start) keep the layout right in right-to-left pages.
STYLESHEET = """\
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 46rem; margin: 0 auto; padding: 1rem; }
nav.languages ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; margin: 0 0 1rem; }
nav.languages a[aria-current] { font-weight: bold; text-decoration: none; color: inherit; }
ul, ol { padding-inline-start: 1.5rem; }
#ency-images ul { list-style: none; padding: 0; }
#ency-images img { display: block; max-width: 12rem; }
table.completeness { border-collapse: collapse; }
table.completeness th, table.completeness td { border: 1px solid #999; padding: 0.25rem 0.5rem; text-align: start; }
"""


@dataclass(frozen=True)
class SiteLanguage:
    """A published language: its gettext code and where its copy of the current page is."""

    code: str
    href: str

    @property
    def tag(self) -> str:
        """BCP 47 tag (``zh-Hans``)."""
        return language_tag(self.code)


def _element(tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = lxml.html.Element(tag, **attributes)
    element.text = text
    return element


def _switcher(languages: Sequence[SiteLanguage], current: str) -> etree._Element:
    nav = _element("nav", None, **{"class": "languages"})
    items = etree.SubElement(nav, "ul")
    items.text = "\n"
    for language in languages:
        item = etree.SubElement(items, "li")
        attributes = {"href": language.href, "hreflang": language.tag, "lang": language.tag}
        if language.code == current:
            attributes["aria-current"] = "page"
        item.append(_element("a", native_name(language.code), **attributes))
        item.tail = "\n"
    nav.text = "\n"
    items.tail = "\n"
    return nav


def assemble(document: CleanDocument, translations: Mapping[str, str] | None, locale: str, *,
             source_locale: str, languages: Sequence[SiteLanguage],
             stylesheet_href: str) -> tuple[str, list[Fallback]]:
    """Build one localized page.

    Takes the clean document, the publishable translations (msgid -> msgstr;
    None for the source-language page), the page's locale, the source locale,
    every published language with the href of this document in it (the first
    is the source language, also used as x-default), and the stylesheet's href.
    Returns the page's HTML and the segments that fell back to the source.
    """
    if translations is None:
        root, fallbacks = parse_document(document.html), []
    else:
        root, fallbacks = inject(document, translations, language_tag(source_locale))
    tag = language_tag(locale)
    root.set("lang", tag)
    root.set("dir", text_direction(locale))

    head = root.find("head")
    if translations is not None:
        # The source page's canonical URL would declare the translation a
        # duplicate of the English original; the alternates below say what it is.
        for link in head.findall("link"):
            if link.get("rel") == "canonical":
                head.remove(link)
    head.append(_element("meta", None, name="viewport", content="width=device-width, initial-scale=1"))
    head.append(_element("link", None, rel="stylesheet", href=stylesheet_href))
    for language in languages:
        head.append(_element("link", None, rel="alternate", hreflang=language.tag, href=language.href))
    if languages:
        head.append(_element("link", None, rel="alternate", hreflang="x-default", href=languages[0].href))
    for child in head:
        child.tail = "\n"

    body = root.find("body")
    switcher = _switcher(languages, locale)
    switcher.tail = "\n"
    body.insert(0, switcher)
    return serialize_document(root), fallbacks


def site_index(rows: Sequence[tuple[str, str, Mapping[str, tuple[float, str | None]]]],
               locales: Sequence[str], *, stylesheet_href: str, title: str) -> str:
    """Return the site's index page: one row per article, one column per language.

    ``rows`` holds (document id, article title, {locale: (percent, href or None)}).
    """
    root = _element("html", None, lang="en", dir="ltr")
    head = etree.SubElement(root, "head")
    head.append(_element("meta", None, charset="utf-8"))
    head.append(_element("title", title))
    head.append(_element("meta", None, name="viewport", content="width=device-width, initial-scale=1"))
    head.append(_element("link", None, rel="stylesheet", href=stylesheet_href))
    body = etree.SubElement(root, "body")
    body.append(_element("h1", title))
    table = etree.SubElement(body, "table", **{"class": "completeness"})
    header = etree.SubElement(table, "tr")
    header.append(_element("th", "Article"))
    for locale in locales:
        header.append(_element("th", native_name(locale), lang=language_tag(locale)))
    for doc_id, article_title, cells in rows:
        row = etree.SubElement(table, "tr")
        row.append(_element("td", f"{article_title} ({doc_id})"))
        for locale in locales:
            percent, href = cells.get(locale, (0.0, None))
            cell = etree.SubElement(row, "td")
            label = f"{percent:g}%"
            if href:
                cell.append(_element("a", label, href=href, hreflang=language_tag(locale)))
            else:
                cell.text = label
    for element in root.iter():
        if len(element) and element.tag in ("html", "head", "body", "table", "tr"):
            element.text = "\n"
            for child in element:
                child.tail = "\n"
    return serialize_document(root)
