"""Clean document + translations -> localized page; the site's index pages.

Translations go into the skeleton through ``segments.inject``, which reads a
msgstr as data: a translation can only use its source's inline tags, and the
attributes of those tags come from the source. The site's own words (header,
language switcher, footer, index) live in HTML templates in ``pipeline/site/``
and are translated the same way, from each locale's ``site.po``. A page then
gets its language and direction, alternate-language links, and links to
other articles in its own language where they are published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from urllib.parse import urlsplit

from lxml import etree

from pipeline.htmldoc import new_element, parse_document, serialize_document
from pipeline.locales import language_tag, native_name, text_direction
from pipeline.model import CleanDocument, Segment
from pipeline.segments import Fallback, extract, inject

__all__ = ["SiteLanguage", "PageContext", "IndexRow", "assemble", "site_index", "site_template", "site_segments",
           "url_key", "SITE_DOCUMENT", "STYLESHEET", "FAVICON"]

#: The catalog name of the site's own words (``locales/templates/site.pot``);
#: no article may use this id.
SITE_DOCUMENT = "site"

#: The site's stylesheet, written once as build/site/style.css. Logical
#: properties (inline-start) keep the layout right in right-to-left pages.
STYLESHEET = """\
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 46rem; margin: 0 auto; padding: 1rem; }
.site-header { border-block-end: 1px solid #ccc; margin-block-end: 1rem; }
.site-name { font-weight: bold; }
nav.languages ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; margin: 0 0 1rem; }
nav.languages a[aria-current] { font-weight: bold; text-decoration: none; color: inherit; }
ul, ol { padding-inline-start: 1.5rem; }
#ency-images ul { list-style: none; padding: 0; }
#ency-images img { display: block; max-width: 12rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid #999; padding: 0.25rem 0.5rem; text-align: start; }
.site-footer { border-block-start: 1px solid #ccc; margin-block-start: 2rem; font-size: 0.9rem; }
"""

#: The site's icon, written as build/site/favicon.svg (browsers ask for one).
FAVICON = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2e7d32"/>\
<path d="M7 3h2v4h4v2H9v4H7V9H3V7h4z" fill="#fff"/></svg>
"""

_TEMPLATES = ("page", "index")


@cache
def site_template(name: str) -> CleanDocument:
    """The site template ``pipeline/site/<name>.html`` as a clean document (its own lines as source lines)."""
    html = resources.files("pipeline.site").joinpath(f"{name}.html").read_text("utf-8")
    root = parse_document(html)
    return CleanDocument(doc_id=f"{SITE_DOCUMENT}-{name}", source_path=f"pipeline/site/{name}.html", html=html,
                         source_lines=tuple(element.sourceline or 0 for element in root.iter()))


def site_segments() -> list[tuple[str, Segment]]:
    """The translatable words of every site template, with the template each comes from."""
    return [(site_template(name).source_path, segment) for name in _TEMPLATES
            for segment in extract(site_template(name))]


@lru_cache(maxsize=65536)
def url_key(url: str) -> tuple[str, str]:
    """What makes two links point at the same article: host and path (no scheme, query or fragment)."""
    parts = urlsplit(url)
    return parts.netloc.lower(), parts.path


@dataclass(frozen=True)
class SiteLanguage:
    """A language a page is published in: its gettext code and where its copy of the current page is."""

    code: str
    href: str

    @property
    def tag(self) -> str:
        """BCP 47 tag (``zh-Hans``)."""
        return language_tag(self.code)


@dataclass(frozen=True)
class PageContext:
    """What assembling one page needs beyond the article and its translations.

    ``languages``: the languages this document is published in, the source
    first (also x-default). ``site_translations``: the locale's publishable
    site.po (None on the source page). ``links``: for each other article's
    URL (see url_key), the href to use from this page and the language it
    points to.
    """

    locale: str
    source_locale: str
    languages: Sequence[SiteLanguage]
    stylesheet_href: str
    site_translations: Mapping[str, str] | None = None
    links: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)



#: The site templates' slots (compiled once: root.xpath compiles its expression at each call).
_SLOT = etree.XPath("//*[@data-slot=$name]")
_SLOTS = etree.XPath("//*[@data-slot]")


def _slot(root: etree._Element, name: str) -> etree._Element:
    found = _SLOT(root, name=name)
    if not found:
        raise LookupError(f"site template has no data-slot={name!r}")
    return found[0]


def _fill_languages(root: etree._Element, languages: Sequence[SiteLanguage], current: str) -> None:
    items = _slot(root, "languages")
    items.text = "\n"
    for language in languages:
        attributes = {"href": language.href, "hreflang": language.tag, "lang": language.tag}
        if language.code == current:
            attributes["aria-current"] = "page"
        item = etree.SubElement(items, "li")
        item.append(new_element("a", native_name(language.code), **attributes))
        item.tail = "\n"


def _fallback_direction(context: PageContext) -> str | None:
    source = text_direction(context.source_locale)
    return source if source != text_direction(context.locale) else None


def _translated_template(name: str, context: PageContext) -> etree._Element:
    template = site_template(name)
    if context.site_translations is None:
        return parse_document(template.html)
    root, _ = inject(template, context.site_translations, language_tag(context.source_locale),
                     _fallback_direction(context))
    return root


def _finish(root: etree._Element, context: PageContext, title: etree._Element | None,
            description: etree._Element | None, canonical: etree._Element | None) -> str:
    root.set("lang", language_tag(context.locale))
    root.set("dir", text_direction(context.locale))
    head = root.find("head")
    for element in (title, description):
        if element is not None:
            head.append(element)
    head.append(new_element("meta", None, name="viewport", content="width=device-width, initial-scale=1"))
    head.append(new_element("link", None, rel="stylesheet", href=context.stylesheet_href))
    head.append(new_element("link", None, rel="icon", type="image/svg+xml",
                         href=context.stylesheet_href.replace("style.css", "favicon.svg")))
    if canonical is not None:
        head.append(canonical)
    for language in context.languages:
        head.append(new_element("link", None, rel="alternate", hreflang=language.tag, href=language.href))
    if context.languages:
        head.append(new_element("link", None, rel="alternate", hreflang="x-default", href=context.languages[0].href))
    for child in head:
        child.tail = "\n"
    for element in _SLOTS(root):
        del element.attrib["data-slot"]
    return serialize_document(root)


def _localize_links(article: etree._Element, context: PageContext) -> None:
    source_tag = language_tag(context.source_locale)
    for link in article.iter("a"):
        href = link.get("href")
        target = context.links.get(url_key(href)) if href else None
        if target is None:
            continue
        new_href, target_locale = target
        link.set("href", new_href)
        if target_locale != context.locale:
            link.set("hreflang", source_tag)


def assemble(document: CleanDocument, translations: Mapping[str, str] | None,
             context: PageContext) -> tuple[str, list[Fallback]]:
    """Build one localized page of an article.

    Takes the clean document, the publishable translations (msgid -> msgstr;
    None for the source-language page) and the PageContext. Returns the page's
    HTML and the article segments that fell back to the source language.
    """
    if translations is None:
        article_root, fallbacks = parse_document(document.html), []
    else:
        article_root, fallbacks = inject(document, translations, language_tag(context.source_locale),
                                         _fallback_direction(context))
    _localize_links(article_root, context)
    article_head = article_root.find("head")
    title = article_head.find("title")
    description = next((m for m in article_head.iter("meta") if m.get("name") == "description"), None)
    canonical = next((l for l in article_head.iter("link") if l.get("rel") == "canonical"), None)
    # The source page's canonical URL would declare a translation a duplicate
    # of the English original; the alternates say what it is instead.
    if translations is not None:
        canonical = None

    root = _translated_template("page", context)
    _fill_languages(root, context.languages, context.locale)
    main = _slot(root, "article")
    main.text = "\n"
    for child in article_root.find("body"):
        main.append(child)
    if not fallbacks:
        _slot(root, "fallback-note").drop_tree()
    return _finish(root, context, title, description, canonical), fallbacks


@dataclass(frozen=True)
class IndexRow:
    """One article on an index page: its id, its title in the page's language, and per locale
    the completeness and the href of its page (None while in progress)."""

    doc_id: str
    title: str
    title_lang: str
    cells: Mapping[str, tuple[float, str | None]]


def site_index(rows: Sequence[IndexRow], columns: Sequence[str], context: PageContext) -> str:
    """Return an index page in ``context.locale``: one row per article, one column per locale in ``columns``.

    A cell links to the published page with its completeness, or says "in
    progress" (in the page's language) when the article is below its
    locale's publishing bar.
    """
    root = _translated_template("index", context)
    _fill_languages(root, context.languages, context.locale)
    progress = _slot(root, "in-progress")
    in_progress_text, in_progress_lang = "".join(progress.itertext()), progress.get("lang")
    progress.getparent().remove(progress)
    table = _slot(root, "table")
    header = _slot(root, "article-column").getparent()
    for code in columns:
        header.append(new_element("th", native_name(code), lang=language_tag(code)))
    table.text = "\n"
    for row in rows:
        line = etree.SubElement(table, "tr")
        title_cell = etree.SubElement(line, "td")
        if row.title_lang != language_tag(context.locale):
            title_cell.set("lang", row.title_lang)
        title_cell.text = row.title
        for code in columns:
            percent, href = row.cells.get(code, (0.0, None))
            cell = etree.SubElement(line, "td")
            if href:
                cell.append(new_element("a", f"{percent:g}%", href=href, hreflang=language_tag(code)))
            else:
                cell.text = f"{percent:g}% "
                label = new_element("span", in_progress_text)
                if in_progress_lang:
                    label.set("lang", in_progress_lang)
                cell.append(label)
    for element in table.iter("tr"):
        element.tail = "\n"
    return _finish(root, context, None, None, None)
